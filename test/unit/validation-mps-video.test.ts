import { describe, expect, it } from "vitest";
import { expectInvalid, expectIssue, expectValid, expectWarned } from "./validation-helpers";

const IMAGE = "https://example.com/first.png";
const LAST = "https://example.com/last.png";
const VIDEO = "https://example.com/clip.mp4";

/** A minimal valid text-to-video body; ModelVersion is left out when `version` is undefined. */
function textToVideo(model: string, version: string | undefined, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { ModelName: model, ...(version === undefined ? {} : { ModelVersion: version }), Prompt: "waves at dusk", ...extra };
}

const images = (count: number) => Array.from({ length: count }, (_, index) => ({ ImageUrl: `https://example.com/${index}.png` }));
const refused = (body: Record<string, unknown>) => expectInvalid("mps-video", body);
const accepted = (body: Record<string, unknown>) => expectValid("mps-video", body);
const warned = (body: Record<string, unknown>, field: string, ...fragments: string[]) => expectWarned("mps-video", body, field, "InferredRule", ...fragments);

describe("MPS video: model and version", () => {
  it("accepts a body without ModelName or ModelVersion (Tencent picks its default)", () => {
    accepted({ Prompt: "waves at dusk" });
  });

  it("accepts ModelName without ModelVersion, as the seed does", () => {
    expect(accepted(textToVideo("Kling", undefined))).not.toHaveProperty("ModelVersion");
  });

  it("refuses ModelVersion without ModelName", () => {
    expectIssue(refused({ ModelVersion: "2.1", Prompt: "waves" }), "ModelName", "MissingParameter", "ModelVersion");
  });

  it("refuses an unknown ModelName, listing the known models", () => {
    expectIssue(refused(textToVideo("OS", "2.0")), "ModelName", "InvalidParameterValue.ModelName", "H2", "PixVerse");
  });

  it("refuses GV, which CreateAigcVideoTaskRequest.ModelName no longer lists (removed in SDK 4.1.236)", () => {
    expectIssue(refused(textToVideo("GV", "3.1")), "ModelName", "InvalidParameterValue.ModelName", "no longer a model", "4.1.236");
  });

  it("sends an unknown ModelVersion with a warning, listing that model's versions", () => {
    expectWarned("mps-video", textToVideo("Vidu", "q3-drama"), "ModelVersion", "UnlistedModelVersion", "q2, q2-pro");
  });

  it("sends any Mingmou version with a warning (ModelVersion lists none for it), still checking Mingmou's scenes", () => {
    expectWarned("mps-video", textToVideo("Mingmou", "1.0", { SceneType: "land2port" }), "ModelVersion", "UnlistedModelVersion");
    expectIssue(refused(textToVideo("Mingmou", "1.0", { SceneType: "3d_scene" })), "SceneType", "InvalidParameterValue.SceneType", "land2port");
  });
});

describe("MPS video: Prompt", () => {
  it("requires a Prompt without images, videos, subjects or SceneType", () => {
    expectIssue(refused({ ModelName: "Kling", ModelVersion: "2.1" }), "Prompt", "MissingParameter");
  });

  it.each([
    ["ImageUrl", { ImageUrl: IMAGE }],
    ["ImageInfos", { ImageInfos: images(1) }],
    ["SceneType", { SceneType: "lip_sync" }],
  ])("does not require a Prompt with %s", (_, extra) => {
    accepted({ ModelName: "Kling", ModelVersion: "O1", ...extra });
  });

  it("sends a Prompt over 2000 characters with a warning: only seed 001 gives that limit, CreateAigcVideoTaskRequest.Prompt gives none", () => {
    expectWarned("mps-video", textToVideo("Kling", "2.1", { Prompt: "p".repeat(2001) }), "Prompt", "InferredRule", "2001 characters", "seed 001");
  });

  it("takes EnhancePrompt as a boolean, not VOD's Enabled/Disabled", () => {
    accepted(textToVideo("Kling", "2.1", { EnhancePrompt: true }));
    expectIssue(refused(textToVideo("Kling", "2.1", { EnhancePrompt: "Enabled" })), "EnhancePrompt", "InvalidParameter", "boolean");
  });
});

describe("MPS video: Duration", () => {
  it("takes 5 or 10 seconds on older Kling versions", () => {
    expectIssue(refused(textToVideo("Kling", "2.1", { Duration: 8 })), "Duration", "InvalidParameterValue.Duration", "Kling 2.1; allowed: 5, 10", "Kling O1");
  });

  it("takes 3-15 seconds on Kling 3.0-Omni, but only 3-10 with a reference video", () => {
    accepted(textToVideo("Kling", "3.0-Omni", { Duration: 15 }));
    const withVideo = textToVideo("Kling", "3.0-Omni", { Duration: 15, VideoInfos: [{ VideoUrl: VIDEO, ReferType: "feature" }] });
    expectIssue(refused(withVideo), "Duration", "InvalidParameterValue.Duration", "3-10");
  });

  it("takes 5, 8 or 10 seconds on PixVerse v5.6", () => {
    accepted(textToVideo("PixVerse", "v5.6", { Duration: 8 }));
    expectIssue(refused(textToVideo("PixVerse", "v5.6", { Duration: 7 })), "Duration", "InvalidParameterValue.Duration", "allowed: 5, 8, 10");
  });

  it("takes 3-16 seconds on Vidu q3", () => {
    accepted(textToVideo("Vidu", "q3", { Duration: 16 }));
  });

  it("checks Duration against every version when ModelVersion is absent", () => {
    accepted(textToVideo("Kling", undefined, { Duration: 12 }));
    expectIssue(refused(textToVideo("Kling", undefined, { Duration: 20 })), "Duration", "InvalidParameterValue.Duration", "not supported by Kling; allowed: 3-15");
  });
});

describe("MPS video: Resolution and AspectRatio", () => {
  it("accepts 2K and 4K on every listed model (upscaled) and returns the catalog's spelling", () => {
    expect(accepted(textToVideo("Hailuo", "2.3", { ExtraParameters: { Resolution: "4k" } })).ExtraParameters).toEqual({ Resolution: "4K" });
  });

  it("refuses a Resolution the model does not list", () => {
    expectIssue(refused(textToVideo("Vidu", "q2", { ExtraParameters: { Resolution: "768P" } })), "ExtraParameters.Resolution", "InvalidParameterValue.Resolution", "540P, 720P, 1080P");
  });

  it("takes Vidu AspectRatio 4:3 and 3:4 only on q2", () => {
    accepted(textToVideo("Vidu", "q2", { ExtraParameters: { AspectRatio: "3:4" } }));
    expectIssue(refused(textToVideo("Vidu", "q3", { ExtraParameters: { AspectRatio: "3:4" } })), "ExtraParameters.AspectRatio", "InvalidParameterValue.AspectRatio", "Vidu q2 would take it");
  });

  it("takes PixVerse 2:3, 3:2 and 21:9 only on v6 and c1", () => {
    accepted(textToVideo("PixVerse", "c1", { ExtraParameters: { AspectRatio: "21:9" } }));
    expectIssue(refused(textToVideo("PixVerse", "v5.6", { ExtraParameters: { AspectRatio: "21:9" } })), "ExtraParameters.AspectRatio", "InvalidParameterValue.AspectRatio", "PixVerse v6, c1 would take it");
  });

  it("refuses AspectRatio on Hailuo, which does not take it", () => {
    expectIssue(refused(textToVideo("Hailuo", "02", { ExtraParameters: { AspectRatio: "16:9" } })), "ExtraParameters.AspectRatio", "InvalidParameterValue.AspectRatio", "not supported by Hailuo 02");
  });

  it("sends a Kling AspectRatio outside text to video with a warning (AigcVideoExtraParam.AspectRatio: 'Kling: only text to video')", () => {
    warned(textToVideo("Kling", "2.1", { ImageUrl: IMAGE, ExtraParameters: { AspectRatio: "16:9" } }), "ExtraParameters.AspectRatio", "image to video");
  });

  it("takes a Vidu AspectRatio with reference images, and warns with a first frame", () => {
    accepted(textToVideo("Vidu", "q2", { ImageInfos: images(2), ExtraParameters: { AspectRatio: "1:1" } }));
    warned(textToVideo("Vidu", "q2", { ImageUrl: IMAGE, ExtraParameters: { AspectRatio: "1:1" } }), "ExtraParameters.AspectRatio", "image to video");
  });
});

describe("MPS video: first and last frames", () => {
  it("rejects a last frame without a first frame", () => {
    expectIssue(refused(textToVideo("Kling", "2.0", { LastImageUrl: LAST })), "ImageUrl", "MissingParameter", "LastImageUrl");
  });

  it("takes a Kling 2.1 last frame only at 1080P", () => {
    const body = textToVideo("Kling", "2.1", { ImageUrl: IMAGE, LastImageUrl: LAST });
    expectIssue(refused(body), "LastImageUrl", "InvalidParameterValue.LastImageUrl", "ExtraParameters.Resolution 1080P");
    accepted({ ...body, ExtraParameters: { Resolution: "1080P" } });
  });

  it.each([
    ["Kling", "3.0"],
    ["Vidu", "q3-turbo"],
    ["PixVerse", "v6"],
    ["Hailuo", "02"],
  ])("takes a last frame on %s %s", (model, version) => {
    accepted(textToVideo(model, version, { ImageUrl: IMAGE, LastImageUrl: LAST }));
  });

  it.each([
    ["Hailuo", "2.3"],
    ["Vidu", "q2"],
    ["H2", "1.0"],
    ["Hunyuan", "1.5"],
  ])("rejects a last frame on %s %s, which does not take one", (model, version) => {
    expectIssue(refused(textToVideo(model, version, { ImageUrl: IMAGE, LastImageUrl: LAST })), "LastImageUrl", "InvalidParameterValue.LastImageUrl", "does not support");
  });


});

describe("MPS video: reference images and videos", () => {
  it("takes one ImageInfos image on models ImageInfos does not list as multi-image (seed 001's 'up to 3' was removed in 4.1.236)", () => {
    accepted(textToVideo("Hailuo", "02", { ImageInfos: images(1) }));
    expectIssue(refused(textToVideo("Hailuo", "02", { ImageInfos: images(2) })), "ImageInfos", "InvalidParameterValue.ImageInfos", "at most 1");
    expectIssue(refused(textToVideo("Vidu", "q2-turbo", { ImageInfos: images(3) })), "ImageInfos", "InvalidParameterValue.ImageInfos", "at most 1");
  });

  it("takes up to 7 ImageInfos on Vidu q2 and 9 on H2", () => {
    accepted(textToVideo("Vidu", "q2", { ImageInfos: images(7) }));
    accepted(textToVideo("H2", "1.0", { ImageInfos: images(9) }));
  });

  it("takes at most 4 images on Kling O1 when a reference video is given", () => {
    const body = textToVideo("Kling", "O1", { ImageInfos: images(5), VideoInfos: [{ VideoUrl: VIDEO, ReferType: "feature" }] });
    expectIssue(refused(body), "ImageInfos", "InvalidParameterValue.ImageInfos", "at most 4 with VideoInfos");
  });

  it("takes VideoInfos only on Kling O1, 3.0-Omni, Vidu q2-pro and H2 1.0", () => {
    accepted(textToVideo("Vidu", "q2-pro", { VideoInfos: [{ VideoUrl: VIDEO }] }));
    expectIssue(
      refused(textToVideo("Kling", "2.1", { VideoInfos: [{ VideoUrl: VIDEO }] })),
      "VideoInfos",
      "InvalidParameterValue.VideoInfos",
      "Kling O1, 3.0-Omni",
      "Vidu q2-pro",
      "H2",
    );
  });

  it("rejects a video to edit together with a first frame", () => {
    const body = textToVideo("Kling", "O1", { ImageUrl: IMAGE, VideoInfos: [{ VideoUrl: VIDEO }] });
    expectIssue(refused(body), "VideoInfos[0].ReferType", "InvalidParameterValue.ReferType", "feature");
  });

  it("accepts a feature reference video together with a first frame", () => {
    accepted(textToVideo("Kling", "O1", { ImageUrl: IMAGE, VideoInfos: [{ VideoUrl: VIDEO, ReferType: "feature", KeepOriginalSound: "yes" }] }));
  });

  it("refuses ReferType and KeepOriginalSound outside their documented values", () => {
    const issues = refused(textToVideo("Kling", "O1", { VideoInfos: [{ VideoUrl: VIDEO, ReferType: "edit", KeepOriginalSound: "Enabled" }] }));
    expectIssue(issues, "VideoInfos[0].ReferType", "InvalidParameterValue.ReferType", "feature, base");
    expectIssue(issues, "VideoInfos[0].KeepOriginalSound", "InvalidParameterValue.KeepOriginalSound", "yes, no");
  });

  it("requires a URL in each image, video and audio reference", () => {
    const issues = refused(textToVideo("Kling", "O1", { ImageInfos: [{}], VideoInfos: [{ ReferType: "feature" }], AudioInfos: [{}] }));
    expectIssue(issues, "ImageInfos[0].ImageUrl", "MissingParameter");
    expectIssue(issues, "VideoInfos[0].VideoUrl", "MissingParameter");
    expectIssue(issues, "AudioInfos[0].AudioUrl", "MissingParameter");
  });

  it("refuses subject image URLs that are not absolute http(s)", () => {
    expectIssue(refused(textToVideo("Vidu", "q2", { SubjectInfos: [{ Name: "cat", ImageUrls: ["cat.png"] }] })), "SubjectInfos[0].ImageUrls[0]", "InvalidParameterValue.ImageUrls", "http(s)");
  });
});

describe("MPS video: SceneType and switches", () => {
  it("takes Mingmou's land2port and Hunyuan's 3d_scene", () => {
    accepted({ ModelName: "Mingmou", SceneType: "land2port" });
    accepted({ ModelName: "Hunyuan", ModelVersion: "1.5", SceneType: "3d_scene" });
  });

  it("refuses a SceneType on a model that has none", () => {
    expectIssue(refused(textToVideo("PixVerse", "v6", { SceneType: "template_effect" })), "SceneType", "InvalidParameterValue.SceneType", "not supported by PixVerse v6");
  });

  it("takes EnableAudio only on Vidu's q3 series among Vidu versions", () => {
    accepted(textToVideo("Vidu", "q3-pro", { ExtraParameters: { EnableAudio: true } }));
    expectIssue(refused(textToVideo("Vidu", "q2", { ExtraParameters: { EnableAudio: true } })), "ExtraParameters.EnableAudio", "InvalidParameterValue.EnableAudio", "Vidu q3-pro");
  });

  it("accepts EnableAudio false on any model", () => {
    accepted(textToVideo("Hailuo", "02", { ExtraParameters: { EnableAudio: false } }));
  });

  it("takes OffPeak only on Vidu", () => {
    expectIssue(refused(textToVideo("Kling", "2.1", { ExtraParameters: { OffPeak: true } })), "ExtraParameters.OffPeak", "InvalidParameterValue.OffPeak", "Vidu");
  });

  it("takes a LogoAdd watermark only on Hailuo, Kling, Vidu and H2", () => {
    accepted(textToVideo("H2", "1.0", { ExtraParameters: { LogoAdd: 1 } }));
    expectIssue(refused(textToVideo("PixVerse", "v6", { ExtraParameters: { LogoAdd: 1 } })), "ExtraParameters.LogoAdd", "InvalidParameterValue.LogoAdd", "Hailuo");
  });

  it("refuses OffPeak given as a string", () => {
    expectIssue(refused(textToVideo("Vidu", "q2", { ExtraParameters: { OffPeak: "true" } })), "ExtraParameters.OffPeak", "InvalidParameter", "boolean");
  });
});

describe("MPS video: other fields", () => {
  it("requires AdditionalParameters to be serialized JSON", () => {
    accepted(textToVideo("Kling", "2.1", { AdditionalParameters: "{\"camera_control\":{\"type\":\"simple\"}}" }));
    expectIssue(refused(textToVideo("Kling", "2.1", { AdditionalParameters: "camera=simple" })), "AdditionalParameters", "InvalidParameterValue.AdditionalParameters", "JSON");
  });

  it("requires the bucket name and region when StoreCosParam is given", () => {
    const issues = refused(textToVideo("Kling", "2.1", { StoreCosParam: { CosBucketPath: "out/" } }));
    expectIssue(issues, "StoreCosParam.CosBucketName", "MissingParameter");
    expectIssue(issues, "StoreCosParam.CosBucketRegion", "MissingParameter");
  });

  it("refuses an ImageUrl that is not absolute http(s)", () => {
    expectIssue(refused(textToVideo("Kling", "2.1", { ImageUrl: "example.com/a.png" })), "ImageUrl", "InvalidParameterValue.ImageUrl", "http(s)");
  });

  it("accepts PixVerse's image names in ImageInfos Text", () => {
    accepted(textToVideo("PixVerse", "v6", { ImageInfos: [{ ImageUrl: IMAGE, Text: "cat" }] }));
  });

  it("refuses VOD's SessionContext, which MPS does not have", () => {
    expectIssue(refused(textToVideo("Kling", "2.1", { SessionContext: "ctx" })), "SessionContext", "UnknownParameter");
  });
});

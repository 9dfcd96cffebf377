import { describe, expect, it } from "vitest";
import { TINY_BASE64, base64OfSize, expectInvalid, expectIssue, expectSent, expectValid, expectWarned } from "./validation-helpers";

const IMAGE = "https://example.com/first.png";
const LAST = "https://example.com/last.png";

/** A minimal valid text-to-video body for a model version. */
function textToVideo(model: string, version: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { ModelName: model, ModelVersion: version, Prompt: "a red car at night", ...extra };
}

const refused = (body: Record<string, unknown>) => expectInvalid("vod-video", body);
const accepted = (body: Record<string, unknown>) => expectValid("vod-video", body);
const warned = (body: Record<string, unknown>, field: string, ...fragments: string[]) => expectWarned("vod-video", body, field, "InferredRule", ...fragments);

describe("VOD video: model and version", () => {
  it("requires ModelName", () => {
    const { ModelName: _, ...body } = textToVideo("Kling", "2.1");
    expectIssue(refused(body), "ModelName", "MissingParameter");
  });

  it("requires ModelVersion", () => {
    const { ModelVersion: _, ...body } = textToVideo("Kling", "2.1");
    expectIssue(refused(body), "ModelVersion", "MissingParameter");
  });

  it("refuses an unknown ModelName, listing the known models", () => {
    expectIssue(refused(textToVideo("Sora", "2")), "ModelName", "InvalidParameterValue.ModelName", "Kling", "Hailuo", "PixVerse");
  });

  it("sends an unknown version of a known model with a warning listing the known versions (Tencent adds versions often)", () => {
    const params = expectWarned("vod-video", textToVideo("Hailuo", "H4"), "ModelVersion", "UnlistedModelVersion", "02, 2.3, 2.3-fast, H3", "sent to Tencent as given");
    expect(params).toMatchObject({ ModelName: "Hailuo", ModelVersion: "H4" });
  });

  it("checks an unknown version by the rules every version of the model shares (VOD AigcVideoOutputConfig.Duration: Kling 3-15)", () => {
    expectIssue(refused(textToVideo("Kling", "4.0", { OutputConfig: { Duration: 20 } })), "OutputConfig.Duration", "InvalidParameterValue.Duration", "allowed: 3-15");
  });

  it("refuses an unknown version when AIGC_REFUSE_UNLISTED_VERSIONS asks for it", () => {
    expectIssue(expectInvalid("vod-video", textToVideo("Hailuo", "H4"), { refuseUnlistedVersions: true }), "ModelVersion", "InvalidParameterValue.ModelVersion", "02, 2.3, 2.3-fast, H3");
  });

  it("matches ModelName and ModelVersion ignoring case and sends Tencent's spelling", () => {
    expect(accepted(textToVideo("kling", "3.0-omni"))).toMatchObject({ ModelName: "Kling", ModelVersion: "3.0-Omni" });
  });
});

describe("VOD video: Prompt", () => {
  it("requires a Prompt without input files, subjects, SceneType or ExtInfo", () => {
    expectIssue(refused({ ModelName: "Kling", ModelVersion: "2.1" }), "Prompt", "MissingParameter");
  });

  it("counts a blank Prompt as missing", () => {
    expectIssue(refused(textToVideo("Kling", "2.1", { Prompt: "   " })), "Prompt", "MissingParameter");
  });

  it.each([
    ["an input file", { FileInfos: [{ Url: IMAGE }] }],
    ["a subject", { SubjectInfos: [{ Id: "subject-1" }] }],
    ["a SceneType", { SceneType: "motion_control" }],
    ["ExtInfo", { ExtInfo: "{\"storyboard\":[]}" }],
  ])("does not require a Prompt with %s", (_, extra) => {
    accepted({ ModelName: "Kling", ModelVersion: "2.1", ...extra });
  });
});

describe("VOD video: Duration, Resolution, AspectRatio, SceneType", () => {
  it("refuses a Duration the model does not take, saying what it takes", () => {
    const issue = expectIssue(
      refused(textToVideo("Hailuo", "02", { OutputConfig: { Duration: 7 } })),
      "OutputConfig.Duration",
      "InvalidParameterValue.Duration",
    );
    expect(issue.message).toMatch(/^Duration 7 is not supported by Hailuo 02; allowed: 6, 10/);
  });

  it("gives Hailuo H3 4-15 seconds (AigcVideoOutputConfig.Duration), and its variants the same with a warning past it", () => {
    accepted(textToVideo("Hailuo", "H3", { OutputConfig: { Duration: 12 } }));
    accepted(textToVideo("Hailuo", "H3-Max", { OutputConfig: { Duration: 4 } }));
    expectIssue(refused(textToVideo("Hailuo", "H3", { OutputConfig: { Duration: 16 } })), "OutputConfig.Duration", "InvalidParameterValue.Duration", "4-15");
    warned(textToVideo("Hailuo", "H3_regen", { OutputConfig: { Duration: 16 } }), "OutputConfig.Duration", "4-15", "documented for H3");
  });

  it("takes 11-16 s on the Vidu q3 series (MPS Duration documents 3-16 s for them) and still refuses 11 s on q2 (VOD: Vidu 1-10)", () => {
    for (const version of ["q3", "q3-pro", "q3-turbo", "q3-mix"]) accepted(textToVideo("Vidu", version, { OutputConfig: { Duration: 16 } }));
    expectIssue(refused(textToVideo("Vidu", "q2", { OutputConfig: { Duration: 11 } })), "OutputConfig.Duration", "InvalidParameterValue.Duration", "1-10");
  });

  it("takes 2K and 4K on every model with a resolution list: above what a model generates, EnhanceSwitch enhancement is on (AigcVideoOutputConfig.EnhanceSwitch)", () => {
    for (const [model, version] of [["Kling", "2.1"], ["Vidu", "q2"], ["GV", "3.1"], ["Hailuo", "02"], ["OS", "2.0"]]) {
      for (const resolution of ["2K", "4k"]) accepted(textToVideo(model!, version!, { OutputConfig: { Resolution: resolution } }));
    }
  });

  it("matches Resolution case-insensitively and returns the catalog's spelling", () => {
    expect(accepted(textToVideo("Kling", "2.1", { OutputConfig: { Resolution: "1080p" } })).OutputConfig).toEqual({ Resolution: "1080P" });
    expect(accepted(textToVideo("PixVerse", "v6", { OutputConfig: { Resolution: "720P" } })).OutputConfig).toEqual({ Resolution: "720p" });
  });

  it("refuses a Resolution the model does not list", () => {
    expectIssue(refused(textToVideo("OS", "2.0", { OutputConfig: { Resolution: "1080P" } })), "OutputConfig.Resolution", "InvalidParameterValue.Resolution", "allowed: 720P");
  });

  it("takes 4:3 for Vidu q2 only", () => {
    accepted(textToVideo("Vidu", "q2", { OutputConfig: { AspectRatio: "4:3" } }));
    expectIssue(
      refused(textToVideo("Vidu", "q2-pro", { OutputConfig: { AspectRatio: "4:3" } })),
      "OutputConfig.AspectRatio",
      "InvalidParameterValue.AspectRatio",
      "Vidu q2 would take it",
    );
  });

  it("sends AspectRatio for Hailuo before H3 with a warning: VOD documents none, MPS says Hailuo takes none", () => {
    warned(textToVideo("Hailuo", "2.3", { OutputConfig: { AspectRatio: "16:9" } }), "OutputConfig.AspectRatio", "not supported by Hailuo 2.3", "mps");
  });

  it("does not check AspectRatio where no rule is documented (Hunyuan)", () => {
    accepted(textToVideo("Hunyuan", "1.5", { OutputConfig: { AspectRatio: "5:4", Duration: 30, Resolution: "2K" } }));
  });

  it("refuses an AspectRatio that is not W:H", () => {
    expectIssue(refused(textToVideo("Hunyuan", "1.5", { OutputConfig: { AspectRatio: "wide" } })), "OutputConfig.AspectRatio", "InvalidParameterValue.AspectRatio", "16:9");
  });

  it("takes Kling's scene types", () => {
    accepted(textToVideo("Kling", "2.6", { SceneType: "lip_sync" }));
  });

  it("refuses a SceneType for a model that has none", () => {
    expectIssue(refused(textToVideo("GV", "3.1", { SceneType: "motion_control" })), "SceneType", "InvalidParameterValue.SceneType", "not supported by GV 3.1");
  });

  it("refuses a scene type of another model", () => {
    expectIssue(refused(textToVideo("Vidu", "q2", { SceneType: "lip_sync" })), "SceneType", "InvalidParameterValue.SceneType", "allowed: template_effect");
  });
});

describe("VOD video: file inputs", () => {
  it("needs one of FileId, Url, Base64 in a file without Type", () => {
    expectIssue(refused(textToVideo("GV", "3.1", { FileInfos: [{ Usage: "FirstFrame" }] })), "FileInfos[0]", "MissingParameter", "FileId, Url, Base64");
  });

  it("refuses two sources in a file without Type", () => {
    expectIssue(refused(textToVideo("GV", "3.1", { FileInfos: [{ FileId: "f1", Url: IMAGE }] })), "FileInfos[0]", "InvalidParameterValue.FileInfos", "exactly one");
  });

  it("needs the source field Type names", () => {
    expectIssue(refused(textToVideo("GV", "3.1", { FileInfos: [{ Type: "Url", FileId: "f1" }] })), "FileInfos[0].Url", "MissingParameter", "Type is Url");
  });

  it("refuses a source field Type does not name", () => {
    expectIssue(refused(textToVideo("GV", "3.1", { FileInfos: [{ Type: "File", FileId: "f1", Url: IMAGE }] })), "FileInfos[0].Url", "InvalidParameterValue.Url", "absent when Type is File");
  });

  it("refuses a Type outside File, Url, Base64", () => {
    expectIssue(refused(textToVideo("GV", "3.1", { FileInfos: [{ Type: "Cos", FileId: "f1" }] })), "FileInfos[0].Type", "InvalidParameterValue.Type", "File, Url, Base64");
  });

  it.each([
    ["Usage", { Usage: "Background" }, "FirstFrame, Reference, LastFrame"],
    ["Category", { Category: "Text" }, "Image, Video, Audio"],
    ["KeepOriginalSound", { KeepOriginalSound: "yes" }, "Enabled, Disabled"],
  ])("refuses a file %s outside its documented values", (field, patch, allowed) => {
    expectIssue(refused(textToVideo("Kling", "O1", { FileInfos: [{ Url: IMAGE, ...patch }] })), `FileInfos[0].${field}`, `InvalidParameterValue.${field}`, allowed);
  });

  it("refuses a LastFrameUrl that is not an absolute http(s) URL", () => {
    expectIssue(refused(textToVideo("GV", "3.1", { FileInfos: [{ Url: IMAGE }], LastFrameUrl: "/last.png" })), "LastFrameUrl", "InvalidParameterValue.LastFrameUrl", "http(s)");
  });

  it("accepts base64 input without a prefix", () => {
    accepted(textToVideo("GV", "3.1", { FileInfos: [{ Type: "Base64", Base64: TINY_BASE64 }] }));
  });

  it("refuses base64 with a data: prefix", () => {
    expectIssue(refused(textToVideo("GV", "3.1", { FileInfos: [{ Base64: `data:image/png;base64,${TINY_BASE64}` }] })), "FileInfos[0].Base64", "InvalidParameterValue.Base64", "data:");
  });

  it("refuses a Base64 value that is not base64", () => {
    expectIssue(refused(textToVideo("GV", "3.1", { FileInfos: [{ Base64: "not base64!" }] })), "FileInfos[0].Base64", "InvalidParameterValue.Base64", "valid base64");
  });

  it("refuses base64 inputs that together decode to more than 7 MB", () => {
    const half = base64OfSize(3.6 * 1024 * 1024);
    const body = textToVideo("Vidu", "q2", { FileInfos: [{ Base64: half, Usage: "Reference" }, { Base64: half, Usage: "Reference" }] });
    expectIssue(refused(body), "FileInfos[1].Base64", "InvalidParameterValue.Base64", "7 MB");
  });
});

describe("VOD video: first and last frames", () => {
  it("accepts a first frame with a last frame given by LastFrameUrl", () => {
    accepted(textToVideo("Kling", "2.0", { FileInfos: [{ Url: IMAGE }], LastFrameUrl: LAST }));
  });

  it("accepts a last frame given as a file with Usage LastFrame", () => {
    accepted(textToVideo("Kling", "2.0", { FileInfos: [{ Url: IMAGE, Usage: "FirstFrame" }, { Url: LAST, Usage: "LastFrame" }] }));
  });

  it("rejects a last frame without a first frame", () => {
    expectIssue(refused(textToVideo("Kling", "2.0", { LastFrameUrl: LAST })), "FileInfos", "MissingParameter", "LastFrameUrl", "first frame");
  });

  it("rejects a last frame whose only companion is a reference image", () => {
    const body = textToVideo("Kling", "2.0", { FileInfos: [{ Url: IMAGE, Usage: "Reference" }, { Url: LAST, Usage: "LastFrame" }] });
    expectIssue(refused(body), "FileInfos", "MissingParameter", "first frame");
  });

  it("rejects two first frames, counting an image without Usage as one", () => {
    const body = textToVideo("Kling", "2.0", { FileInfos: [{ Url: IMAGE }, { Url: LAST, Usage: "FirstFrame" }] });
    expectIssue(refused(body), "FileInfos[1].Usage", "InvalidParameterValue.Usage", "second first frame");
  });

  it("rejects two last frames", () => {
    const body = textToVideo("Kling", "2.0", { FileInfos: [{ Url: IMAGE }], LastFrameFileId: "f2", LastFrameUrl: LAST });
    expectIssue(refused(body), "LastFrameUrl", "InvalidParameterValue.LastFrameUrl", "second last frame");
  });

  it("does not count a video file as a first frame", () => {
    const body = textToVideo("Kling", "O1", { FileInfos: [{ Url: "https://example.com/a.mp4", Category: "Video" }, { Url: IMAGE }] });
    accepted(body);
  });

  // AigcVideoTaskInputFileInfo (4.1.313): which versions take a last frame is not documented on VOD
  // ("ask us, or see the vendor's documents"); the seed-002 rules that refused were removed in 4.1.202.
  it("sends a last frame for OS, Hunyuan, Mingmou, Hailuo 2.3 and Vidu q2, warning only where MPS says the model takes none", () => {
    const frames = { FileInfos: [{ Url: IMAGE }], LastFrameUrl: LAST };
    accepted(textToVideo("Hunyuan", "1.5", frames));
    accepted(textToVideo("Mingmou", "1.0", frames));
    accepted(textToVideo("OS", "2.0", frames));
    warned(textToVideo("Hailuo", "2.3", frames), "LastFrameUrl", "Hailuo 2.3 does not support");
    warned(textToVideo("Vidu", "q2", frames), "LastFrameUrl", "Vidu q2 does not support");
  });

  it("sends a Kling 2.1 last frame without 1080P with a warning (MPS LastImageUrl: 1080P only), and cleanly at 1080P", () => {
    const body = textToVideo("Kling", "2.1", { FileInfos: [{ Url: IMAGE }], LastFrameUrl: LAST });
    warned(body, "LastFrameUrl", "OutputConfig.Resolution 1080P");
    warned({ ...body, OutputConfig: { Resolution: "2K" } }, "LastFrameUrl", "OutputConfig.Resolution 1080P");
    accepted({ ...body, OutputConfig: { Resolution: "1080p" } });
  });

  it("sends a GV last frame in multi-image reference mode with a warning (a seed-002 rule Tencent removed)", () => {
    const body = textToVideo("GV", "3.1", {
      FileInfos: [{ Url: IMAGE }, { Url: "https://example.com/ref.png", Usage: "Reference" }],
      LastFrameUrl: LAST,
    });
    warned(body, "LastFrameUrl", "reference images", "seed 002");
  });
});

describe("VOD video: reference images", () => {
  const references = (count: number) => Array.from({ length: count }, (_, index) => ({ Url: `https://example.com/${index}.png`, Usage: "Reference" }));

  it("takes up to 7 reference images on Vidu q2", () => {
    accepted(textToVideo("Vidu", "q2", { FileInfos: references(7) }));
  });

  it("sends more reference images than MPS documents for the model, with a warning (VOD documents no maximum)", () => {
    warned(textToVideo("Vidu", "q2", { FileInfos: references(8) }), "FileInfos", "at most 7");
  });

  it("has no default maximum of 3 reference images (seed 002's, removed from the SDK): Kling 3.0 takes 4", () => {
    accepted(textToVideo("Kling", "3.0", { FileInfos: references(4) }));
    accepted(textToVideo("GV", "3.1", { FileInfos: references(4) }));
  });

  it("takes the ReferenceType values the model documents", () => {
    accepted(textToVideo("GV", "3.1", { FileInfos: [{ Url: IMAGE, Usage: "Reference", ReferenceType: "style" }] }));
  });

  it("refuses a ReferenceType of another model", () => {
    const body = textToVideo("GV", "3.1", { FileInfos: [{ Url: IMAGE, Usage: "Reference", ReferenceType: "subject" }] });
    expectIssue(refused(body), "FileInfos[0].ReferenceType", "InvalidParameterValue.ReferenceType", "allowed: asset, style");
  });

  it("refuses ReferenceType for a model that takes none", () => {
    const body = textToVideo("Hailuo", "02", { FileInfos: [{ Url: IMAGE, ReferenceType: "asset" }] });
    expectIssue(refused(body), "FileInfos[0].ReferenceType", "InvalidParameterValue.ReferenceType", "not supported by Hailuo 02");
  });
});

describe("VOD video: subjects", () => {
  it("requires Id on a Kling subject", () => {
    expectIssue(refused(textToVideo("Kling", "O1", { SubjectInfos: [{ Name: "cat" }] })), "SubjectInfos[0].Id", "MissingParameter", "Kling subjects");
  });

  it("requires Name on a Vidu subject", () => {
    expectIssue(refused(textToVideo("Vidu", "q2", { SubjectInfos: [{ Id: "s1" }] })), "SubjectInfos[0].Name", "MissingParameter", "Vidu subjects");
  });

  it("takes at most 3 temporary subject images", () => {
    const ImageUrls = [1, 2, 3, 4].map((index) => `https://example.com/${index}.png`);
    expectIssue(refused(textToVideo("Vidu", "q2", { SubjectInfos: [{ Name: "cat", ImageUrls }] })), "SubjectInfos[0].ImageUrls", "InvalidParameterValue.ImageUrls", "at most 3");
  });

  it("takes a temporary subject video only on Vidu q2-pro", () => {
    const subject = { Name: "cat", VideoUrls: ["https://example.com/cat.mp4"] };
    accepted(textToVideo("Vidu", "q2-pro", { SubjectInfos: [subject] }));
    expectIssue(refused(textToVideo("Vidu", "q2", { SubjectInfos: [subject] })), "SubjectInfos[0].VideoUrls", "InvalidParameterValue.VideoUrls", "Vidu q2-pro");
  });
});

describe("VOD video: features only some models take", () => {
  it("refuses audio generation for a model that does not generate audio", () => {
    expectIssue(refused(textToVideo("Hailuo", "02", { OutputConfig: { AudioGeneration: "Enabled" } })), "OutputConfig.AudioGeneration", "InvalidParameterValue.AudioGeneration", "GV");
  });

  it("refuses PixVerse audio generation: AigcVideoOutputConfig.AudioGeneration lists GV, OS, Vidu, Jimeng, Kling only", () => {
    expectIssue(refused(textToVideo("PixVerse", "v6", { OutputConfig: { AudioGeneration: "Enabled" } })), "OutputConfig.AudioGeneration", "InvalidParameterValue.AudioGeneration");
  });

  it("accepts a switched-off feature on any model", () => {
    accepted(textToVideo("Hailuo", "02", { OutputConfig: { AudioGeneration: "Disabled", FrameInterpolate: "Disabled" } }));
  });

  it("refuses Vidu frame interpolation on Kling", () => {
    expectIssue(refused(textToVideo("Kling", "2.1", { OutputConfig: { FrameInterpolate: "Enabled" } })), "OutputConfig.FrameInterpolate", "InvalidParameterValue.FrameInterpolate", "Vidu");
  });

  it("sends file Text outside PixVerse with a warning: AigcVideoTaskInputFileInfo.Text is 'only effective for PixVerse', so Tencent ignores it", () => {
    const body = textToVideo("Kling", "O1", { FileInfos: [{ Url: IMAGE, Usage: "Reference", Text: "cat" }] });
    warned(body, "FileInfos[0].Text", "PixVerse");
  });

  it("sends Vidu-only subject fields to Kling with a warning ('only valid for Vidu'), but refuses a subject video outside Vidu q2-pro", () => {
    warned(textToVideo("Kling", "O1", { SubjectInfos: [{ Id: "s1", VoiceId: "v1" }] }), "SubjectInfos[0].VoiceId", "Vidu");
    expectIssue(refused(textToVideo("Vidu", "q2", { SubjectInfos: [{ Name: "cat", VideoUrls: [IMAGE] }] })), "SubjectInfos[0].VideoUrls", "InvalidParameterValue.VideoUrls", "q2-pro");
  });
});

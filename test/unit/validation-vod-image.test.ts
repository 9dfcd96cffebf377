import { describe, expect, it } from "vitest";
import { base64OfSize, expectInvalid, expectIssue, expectSent, expectValid, expectWarned, seedBody } from "./validation-helpers";

/** A minimal valid text-to-image body for a model version. */
function textToImage(model: string, version: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { ModelName: model, ModelVersion: version, Prompt: "a lighthouse at dawn", ...extra };
}

const images = (count: number) => Array.from({ length: count }, (_, index) => ({ Url: `https://example.com/${index}.png` }));
const refused = (body: Record<string, unknown>) => expectInvalid("vod-image", body);
const accepted = (body: Record<string, unknown>) => expectValid("vod-image", body);
const warned = (body: Record<string, unknown>, field: string, ...fragments: string[]) => expectWarned("vod-image", body, field, "InferredRule", ...fragments);

describe("VOD image: model and version", () => {
  it("requires ModelName and ModelVersion", () => {
    const issues = refused({ Prompt: "a lighthouse" });
    expectIssue(issues, "ModelName", "MissingParameter");
    expectIssue(issues, "ModelVersion", "MissingParameter");
  });

  it("sends an unknown ModelVersion with a warning listing that model's versions", () => {
    expectWarned("vod-image", textToImage("GG", "3.5"), "ModelVersion", "UnlistedModelVersion", "2.5, 3.0, 3.1, 3.1-lite");
  });

  it("refuses SI and Qwen, which CreateAigcImageTaskRequest.ModelName no longer lists (only OG, GG, Hunyuan, Vidu, Kling)", () => {
    expectIssue(refused(textToImage("SI", "4.5")), "ModelName", "InvalidParameterValue.ModelName", "OG, GG, Hunyuan, Vidu, Kling");
    expectIssue(refused(textToImage("Qwen", "0925")), "ModelName", "InvalidParameterValue.ModelName");
  });

  it("accepts Mingmou, which the ModelVersion comment lists", () => {
    accepted(textToImage("Mingmou", "1.0"));
  });

  it("sends GEM as GG, which it was renamed to, with a warning", () => {
    const params = expectWarned("vod-image", textToImage("GEM", "3.0"), "ModelName", "RenamedModel", "GEM is now called GG");
    expect(params).toMatchObject({ ModelName: "GG", ModelVersion: "3.0" });
  });
});

describe("VOD image: Prompt", () => {
  it("requires a Prompt when FileInfos is empty", () => {
    expectIssue(refused({ ModelName: "GG", ModelVersion: "2.5", FileInfos: [] }), "Prompt", "MissingParameter", "FileInfos is empty");
  });

  it("does not require a Prompt with an input image", () => {
    accepted({ ModelName: "GG", ModelVersion: "2.5", FileInfos: images(1) });
  });
});

describe("VOD image: input images", () => {
  it("takes an OG image with its mask: FileInfos lists no maximum for OG, and ReferenceType mask needs two files", () => {
    accepted(textToImage("OG", "image2_high", { FileInfos: [{ Url: "https://example.com/a.png" }, { Url: "https://example.com/mask.png", ReferenceType: "mask" }] }));
  });

  it("sends a second image to a model FileInfos gives no maximum for, with a warning (seed 003's 'by default only one image')", () => {
    warned(textToImage("Hunyuan", "3d_2.0", { FileInfos: images(2) }), "FileInfos", "at most 1", "seed 003");
  });

  it("takes up to 3 images on GG 2.5 and refuses a fourth", () => {
    accepted(textToImage("GG", "2.5", { FileInfos: images(3) }));
    expectIssue(refused(textToImage("GG", "2.5", { FileInfos: images(4) })), "FileInfos", "InvalidParameterValue.FileInfos", "at most 3");
  });

  it("takes up to 14 images on GG 3.0 and GG 3.1", () => {
    accepted(textToImage("GG", "3.0", { FileInfos: images(14) }));
    accepted(textToImage("GG", "3.1", { FileInfos: images(14) }));
  });

  it.each([
    ["Kling", "2.1", 4],
    ["Kling", "3.0", 1],
    ["Kling", "3.0-Omni", 10],
    ["Kling", "O1", 10],
    ["Vidu", "q2", 7],
    ["Hunyuan", "3.0", 3],
  ])("takes at most the documented number of images on %s %s (%i)", (model, version, max) => {
    accepted(textToImage(model, version, { FileInfos: images(max) }));
    expectIssue(refused(textToImage(model, version, { FileInfos: images(max + 1) })), "FileInfos", "InvalidParameterValue.FileInfos", `at most ${max}`);
  });

  it("refuses an image with no source", () => {
    expectIssue(refused(textToImage("GG", "2.5", { FileInfos: [{ Text: "a cat" }] })), "FileInfos[0]", "MissingParameter", "FileId, Url, Base64");
  });

  it("refuses base64 images that together decode to more than 7 MB", () => {
    const body = textToImage("GG", "3.0", { FileInfos: [{ Base64: base64OfSize(4 * 1024 * 1024) }, { Base64: base64OfSize(3.5 * 1024 * 1024) }] });
    expectIssue(refused(body), "FileInfos[1].Base64", "InvalidParameterValue.Base64", "7 MB");
  });

  it("takes image Text on GG 2.5 and 3.0 (AigcImageTaskInputFileInfo.Text still says GEM, which GG is renamed from)", () => {
    accepted(textToImage("GG", "2.5", { FileInfos: [{ Url: "https://example.com/a.png", Text: "the hero" }] }));
    accepted(textToImage("GG", "3.0", { FileInfos: [{ Url: "https://example.com/a.png", Text: "the hero" }] }));
  });

  it("sends image Text to other models with a warning: Tencent documents it as having no effect there", () => {
    warned(textToImage("GG", "3.1", { FileInfos: [{ Url: "https://example.com/a.png", Text: "the hero" }] }), "FileInfos[0].Text", "GG 2.5, 3.0");
  });

  it("takes ReferenceType mask on OG, and sends it elsewhere with a warning ('only effective for OG')", () => {
    accepted(textToImage("OG", "image2_low", { FileInfos: [{ Url: "https://example.com/mask.png", ReferenceType: "MASK" }] }));
    warned(textToImage("GG", "3.0", { FileInfos: [{ Url: "https://example.com/mask.png", ReferenceType: "mask" }] }), "FileInfos[0].ReferenceType", "not supported by GG 3.0");
  });
});

describe("VOD image: output", () => {
  it("takes OutputImageCount 1-9 on Kling", () => {
    accepted(textToImage("Kling", "3.0", { OutputConfig: { OutputImageCount: 9 } }));
    expectIssue(refused(textToImage("Kling", "3.0", { OutputConfig: { OutputImageCount: 10 } })), "OutputConfig.OutputImageCount", "InvalidParameterValue.OutputImageCount", "allowed: 1-9");
  });

  it("takes OutputImageCount 1-8 on OG", () => {
    expectIssue(refused(textToImage("OG", "image2_medium", { OutputConfig: { OutputImageCount: 9 } })), "OutputConfig.OutputImageCount", "InvalidParameterValue.OutputImageCount", "allowed: 1-8");
  });

  it("sends OutputImageCount to models other than Kling and OG with a warning: 'other models: no effect'", () => {
    warned(textToImage("GG", "3.1", { OutputConfig: { OutputImageCount: 2 } }), "OutputConfig.OutputImageCount", "not supported by GG 3.1", "no effect");
  });

  it("matches Resolution case-insensitively and returns the catalog's spelling", () => {
    expect(accepted(textToImage("Kling", "O1", { OutputConfig: { Resolution: "4K" } })).OutputConfig).toEqual({ Resolution: "4k" });
    expect(accepted(textToImage("GG", "3.1", { OutputConfig: { Resolution: "720p" } })).OutputConfig).toEqual({ Resolution: "720P" });
  });

  it("refuses a Resolution the version does not list", () => {
    expectIssue(refused(textToImage("Kling", "2.1", { OutputConfig: { Resolution: "4K" } })), "OutputConfig.Resolution", "InvalidParameterValue.Resolution", "allowed: 1k, 2k", "Kling 3.0-Omni, O1 would take it");
  });

  it("refuses Resolution on Hunyuan 3.0, which takes it through ExtInfo", () => {
    expectIssue(refused(textToImage("Hunyuan", "3.0", { OutputConfig: { Resolution: "1K" } })), "OutputConfig.Resolution", "InvalidParameterValue.Resolution", "not supported by Hunyuan 3.0");
  });

  it("takes AspectRatio auto on Kling O1 but not on Kling 2.1", () => {
    accepted(textToImage("Kling", "O1", { OutputConfig: { AspectRatio: "auto" } }));
    expectIssue(refused(textToImage("Kling", "2.1", { OutputConfig: { AspectRatio: "auto" } })), "OutputConfig.AspectRatio", "InvalidParameterValue.AspectRatio", "Kling 3.0-Omni, O1 would take it");
  });

  it("refuses AspectRatio on Hunyuan 3.0 (AigcImageOutputConfig.AspectRatio: 'Hunyuan 3.0: not supported')", () => {
    expectIssue(refused(textToImage("Hunyuan", "3.0", { OutputConfig: { AspectRatio: "16:9" } })), "OutputConfig.AspectRatio", "InvalidParameterValue.AspectRatio", "not supported by Hunyuan 3.0");
  });

  it("takes GG 3.1's extreme ratios but not on GG 3.0", () => {
    accepted(textToImage("GG", "3.1", { OutputConfig: { AspectRatio: "8:1" } }));
    expectIssue(refused(textToImage("GG", "3.0", { OutputConfig: { AspectRatio: "8:1" } })), "OutputConfig.AspectRatio", "InvalidParameterValue.AspectRatio");
  });

  it("refuses an OutputFormat other than jpeg or png", () => {
    expectIssue(refused(textToImage("OG", "image2_low", { OutputConfig: { OutputFormat: "webp" } })), "OutputConfig.OutputFormat", "InvalidParameterValue.OutputFormat", "jpeg, png");
  });

  it("refuses a LogoAdd outside Enabled/Disabled", () => {
    expectIssue(refused(textToImage("OG", "image2_low", { OutputConfig: { LogoAdd: "yes" } })), "OutputConfig.LogoAdd", "InvalidParameterValue.LogoAdd", "Enabled, Disabled");
  });
});

describe("VOD image: SceneType", () => {
  it("takes Kling's image_expand and Hunyuan's 3d_panorama", () => {
    accepted(textToImage("Kling", "scene", { SceneType: "image_expand", FileInfos: images(1) }));
    accepted(textToImage("Hunyuan", "3d_2.0", { SceneType: "3d_panorama" }));
  });

  it("refuses a SceneType on a model that has none", () => {
    expectIssue(refused(textToImage("GG", "2.5", { SceneType: "image_expand" })), "SceneType", "InvalidParameterValue.SceneType", "not supported by GG 2.5");
  });
});

describe("VOD image: seed", () => {
  it("sends the seed's GEM 2.5 as GG 2.5, with the renaming warning only", () => {
    const { params, warnings } = expectSent("vod-image", seedBody("vod-image"));
    expect(params).toMatchObject({ ModelName: "GG", ModelVersion: "2.5" });
    expect(warnings.map((warning) => warning.code)).toEqual(["RenamedModel"]);
  });
});

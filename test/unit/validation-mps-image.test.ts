/**
 * MPS CreateAigcImageTask bodies, against the SDK 4.1.313 doc comments (mps_models.d.ts
 * CreateAigcImageTaskRequest, AigcImageExtraParam, AigcImageInfo).
 */
import { describe, expect, it } from "vitest";
import { expectInvalid, expectIssue, expectSent, expectValid, expectWarned, seedBody } from "./validation-helpers";

const images = (count: number) => Array.from({ length: count }, (_, index) => ({ ImageUrl: `https://example.com/${index}.png` }));
const textToImage = (model: string | undefined, version: string | undefined, extra: Record<string, unknown> = {}) => ({
  ...(model === undefined ? {} : { ModelName: model }),
  ...(version === undefined ? {} : { ModelVersion: version }),
  Prompt: "a lighthouse at dawn",
  ...extra,
});
const refused = (body: Record<string, unknown>) => expectInvalid("mps-image", body);
const accepted = (body: Record<string, unknown>) => expectValid("mps-image", body);

describe("MPS image: the seed body", () => {
  it("is valid in PascalCase and snake_case, yielding the same params", () => {
    expect(accepted(seedBody("mps-image", "seed.snake"))).toEqual(accepted(seedBody("mps-image")));
  });
});

describe("MPS image: model and version (CreateAigcImageTaskRequest.ModelName / ModelVersion)", () => {
  it("accepts a body without ModelName or ModelVersion (Tencent picks its stable default)", () => {
    accepted({ Prompt: "a cat" });
  });

  it.each([
    ["Hunyuan", "3.0"],
    ["Qwen", "0925"],
    ["Vidu", "q2"],
    ["Kling", "2.1"],
    ["Kling", "O1"],
    ["Kling", "3.0"],
    ["Kling", "3.0-Omni"],
  ])("takes %s %s", (model, version) => {
    expect(accepted(textToImage(model, version))).toMatchObject({ ModelName: model, ModelVersion: version });
  });

  it("refuses a model MPS does not list, naming the four it does", () => {
    expectIssue(refused(textToImage("OG", "image2_low")), "ModelName", "InvalidParameterValue.ModelName", "Hunyuan, Qwen, Vidu, Kling");
  });

  it("refuses ModelVersion without ModelName", () => {
    expectIssue(refused({ ModelVersion: "3.0", Prompt: "x" }), "ModelName", "MissingParameter");
  });

  it("sends an unlisted version of a known model with a warning", () => {
    expectWarned("mps-image", textToImage("Kling", "3.1"), "ModelVersion", "UnlistedModelVersion", "2.1, O1, 3.0, 3.0-Omni");
  });
});

describe("MPS image: Prompt and reference images (ImageInfos)", () => {
  it("requires a Prompt without reference images", () => {
    expectIssue(refused({ ModelName: "Kling", ModelVersion: "O1" }), "Prompt", "MissingParameter", "ImageInfos");
  });

  it("does not require a Prompt with a reference image", () => {
    accepted({ ModelName: "Kling", ModelVersion: "O1", ImageInfos: images(1) });
  });

  it.each([
    ["Kling", "2.1", 4],
    ["Kling", "3.0-Omni", 10],
    ["Kling", "O1", 10],
    ["Vidu", "q2", 7],
    ["Hunyuan", "3.0", 3],
    ["Kling", "3.0", 1],
    ["Qwen", "0925", 1],
  ])("takes at most the documented number of images on %s %s (%i)", (model, version, max) => {
    accepted(textToImage(model, version, { ImageInfos: images(max) }));
    expectIssue(refused(textToImage(model, version, { ImageInfos: images(max + 1) })), "ImageInfos", "InvalidParameterValue.ImageInfos", `at most ${max}`);
  });

  it("refuses an ImageUrl that is not an absolute http(s) URL", () => {
    expectIssue(refused(textToImage("Kling", "O1", { ImageInfos: [{ ImageUrl: "ftp://example.com/a.png" }] })), "ImageInfos[0].ImageUrl", "InvalidParameterValue.ImageUrl");
  });
});

describe("MPS image: ExtraParameters (AigcImageExtraParam)", () => {
  it("takes Resolution 720P, 1080P, 2K and 4K, in any case, sent in Tencent's spelling", () => {
    for (const resolution of ["720P", "1080p", "2k", "4K"]) accepted(textToImage("Kling", "O1", { ExtraParameters: { Resolution: resolution } }));
    expect(accepted(textToImage("Kling", "O1", { ExtraParameters: { Resolution: "2k" } })).ExtraParameters).toEqual({ Resolution: "2K" });
    expectIssue(refused(textToImage("Kling", "O1", { ExtraParameters: { Resolution: "8K" } })), "ExtraParameters.Resolution", "InvalidParameterValue.Resolution", "720P, 1080P, 2K, 4K");
  });

  it("takes the aspect ratios each model documents", () => {
    accepted(textToImage("Kling", "2.1", { ExtraParameters: { AspectRatio: "21:9" } }));
    accepted(textToImage("Vidu", "q2", { ExtraParameters: { AspectRatio: "3:2" } }));
    expectIssue(refused(textToImage("Kling", "2.1", { ExtraParameters: { AspectRatio: "9:21" } })), "ExtraParameters.AspectRatio", "InvalidParameterValue.AspectRatio", "16:9");
  });

  it("takes LogoAdd 0 or 1 only", () => {
    accepted(textToImage("Kling", "O1", { ExtraParameters: { LogoAdd: 1 } }));
    expectIssue(refused(textToImage("Kling", "O1", { ExtraParameters: { LogoAdd: 2 } })), "ExtraParameters.LogoAdd", "InvalidParameterValue.LogoAdd");
  });

  it("takes OutputFormat jpeg or png", () => {
    expect(accepted(textToImage("Kling", "O1", { ExtraParameters: { OutputFormat: "PNG" } })).ExtraParameters).toEqual({ OutputFormat: "png" });
    expectIssue(refused(textToImage("Kling", "O1", { ExtraParameters: { OutputFormat: "webp" } })), "ExtraParameters.OutputFormat", "InvalidParameterValue.OutputFormat", "jpeg, png");
  });
});

describe("MPS image: SceneType", () => {
  it("takes 3d_panorama on Hunyuan only", () => {
    accepted(textToImage("Hunyuan", "3.0", { SceneType: "3d_panorama" }));
    expectIssue(refused(textToImage("Kling", "O1", { SceneType: "3d_panorama" })), "SceneType", "InvalidParameterValue.SceneType", "not supported by Kling O1");
  });
});

describe("MPS image: AdditionalParameters", () => {
  it("must be a JSON object serialized as a string", () => {
    expectIssue(refused(textToImage("Hunyuan", "3.0", { AdditionalParameters: "{size:1024}" })), "AdditionalParameters", "InvalidParameterValue.AdditionalParameters", "JSON");
    expectIssue(refused(textToImage("Hunyuan", "3.0", { AdditionalParameters: "[1,2]" })), "AdditionalParameters", "InvalidParameterValue.AdditionalParameters", "JSON object");
  });

  it("takes a Hunyuan 3.0 size with each side in [512, 2048] and at most 1024x1024 pixels", () => {
    accepted(textToImage("Hunyuan", "3.0", { AdditionalParameters: JSON.stringify({ size: "728x1024" }) }));
    expectIssue(refused(textToImage("Hunyuan", "3.0", { AdditionalParameters: JSON.stringify({ size: "2048x1024" }) })), "AdditionalParameters", "InvalidParameterValue.AdditionalParameters", "2048x1024", "1048576");
    expectIssue(refused(textToImage("Hunyuan", "3.0", { AdditionalParameters: JSON.stringify({ size: "500x600" }) })), "AdditionalParameters", "InvalidParameterValue.AdditionalParameters", "512-2048");
  });

  it("takes a Qwen 0925 size between 512x512 and 2048x2048 pixels in total", () => {
    accepted(textToImage("Qwen", "0925", { AdditionalParameters: JSON.stringify({ size: "2048x2048" }) }));
    accepted(textToImage("Qwen", "0925", { AdditionalParameters: JSON.stringify({ size: "256x1024" }) }));
    expectIssue(refused(textToImage("Qwen", "0925", { AdditionalParameters: JSON.stringify({ size: "256x256" }) })), "AdditionalParameters", "InvalidParameterValue.AdditionalParameters", "256x256");
  });

  it("refuses a size that is not WIDTHxHEIGHT on a model that takes one", () => {
    expectIssue(refused(textToImage("Qwen", "0925", { AdditionalParameters: JSON.stringify({ size: "big" }) })), "AdditionalParameters", "InvalidParameterValue.AdditionalParameters", "WIDTHxHEIGHT");
  });

  it("sends a size to a model that documents none with a warning", () => {
    expectWarned("mps-image", textToImage("Kling", "O1", { AdditionalParameters: JSON.stringify({ size: "1024x1024" }) }), "AdditionalParameters", "InferredRule", "Hunyuan 3.0 and Qwen 0925");
  });

  it("passes other AdditionalParameters through unchecked", () => {
    expect(expectSent("mps-image", textToImage("Kling", "O1", { AdditionalParameters: JSON.stringify({ style: "anime" }) })).warnings).toEqual([]);
  });
});

describe("MPS image: fields MPS does not have", () => {
  it("refuses SubAppId and SessionId, saying an Idempotency-Key makes retries safe", () => {
    expectIssue(refused(textToImage("Kling", "O1", { SessionId: "abc" })), "SessionId", "UnknownParameter", "Idempotency-Key");
    expectIssue(refused(textToImage("Kling", "O1", { SubAppId: 1 })), "SubAppId", "UnknownParameter");
  });
});

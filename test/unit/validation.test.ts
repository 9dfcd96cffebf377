import { describe, expect, it } from "vitest";
import { z } from "zod";
import { requestSchemas, validateCreateRequest, type TaskKind } from "../../shared/validation";
import { base64OfSize, expectInvalid, expectIssue, expectSent, expectValid, seedBody } from "./validation-helpers";

const KINDS: TaskKind[] = ["vod-video", "vod-image", "vod-redraw", "mps-video"];

function toCamelCase(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(toCamelCase);
  if (typeof value !== "object" || value === null) return value;
  return Object.fromEntries(Object.entries(value).map(([key, child]) => [key.charAt(0).toLowerCase() + key.slice(1), toCamelCase(child)]));
}

/** The seed bodies (test/events/bodies): Tencent's examples, MPS's with GV (removed from MPS in SDK 4.1.236) replaced by PixVerse v6. */
const currentSeed = (kind: TaskKind, variant: "seed" | "seed.snake" = "seed") => seedBody(kind, variant);

describe("seed example bodies", () => {
  for (const kind of KINDS) {
    it(`sends the ${kind} seed example`, () => {
      expectSent(kind, currentSeed(kind));
    });

    it(`accepts the ${kind} seed example in snake_case and yields the same params and warnings`, () => {
      const [snake, pascal] = [expectSent(kind, currentSeed(kind, "seed.snake")), expectSent(kind, currentSeed(kind))];
      expect(snake.params).toEqual(pascal.params);
      expect(snake.warnings.map((warning) => warning.code)).toEqual(pascal.warnings.map((warning) => warning.code));
    });

    it(`accepts the ${kind} seed example in camelCase and yields the same params and warnings`, () => {
      const [camel, pascal] = [expectSent(kind, toCamelCase(currentSeed(kind))), expectSent(kind, currentSeed(kind))];
      expect(camel.params).toEqual(pascal.params);
      expect(camel.warnings.map((warning) => warning.code)).toEqual(pascal.warnings.map((warning) => warning.code));
    });
  }

  it("sends the VOD video and redraw seeds without any warning", () => {
    expectValid("vod-video", seedBody("vod-video"));
    expectValid("vod-redraw", seedBody("vod-redraw"));
  });

  it("refuses MPS seed 001's GV, saying Tencent removed it from MPS's ModelName (SDK 4.1.236)", () => {
    const seed001: Record<string, unknown> = { ...seedBody("mps-video"), ModelName: "GV" };
    delete seed001.ModelVersion;
    expectIssue(expectInvalid("mps-video", seed001), "ModelName", "InvalidParameterValue.ModelName", "no longer a model", "4.1.236", "PixVerse");
  });

  it("sends the MPS seed's AspectRatio beside its first frame with a warning only (PixVerse: text and reference modes)", () => {
    expect(expectSent("mps-video", seedBody("mps-video")).warnings.map((warning) => warning.field)).toEqual(["ExtraParameters.AspectRatio"]);
  });

  it("returns Tencent's PascalCase params with numeric strings coerced", () => {
    const params = expectValid("vod-video", seedBody("vod-video", "seed.snake"));
    expect(params).toMatchObject({ ModelName: "GV", ModelVersion: "3.1-fast", TasksPriority: 10, OutputConfig: { AspectRatio: "9:16" } });
  });
});

describe("request body", () => {
  it.each([["an array", []], ["a string", "{}"], ["null", null]])("refuses %s as the body", (_, body) => {
    expectIssue(expectInvalid("vod-video", body), "body", "InvalidParameter", "JSON object");
  });
});

describe("field names", () => {
  it("accepts a field spelled with different underscores (EnableBGM as enable_bgm)", () => {
    const body = { ...seedBody("vod-video"), OutputConfig: { enable_bgm: "Enabled" } };
    expect(expectValid("vod-video", body).OutputConfig).toEqual({ EnableBGM: "Enabled" });
  });

  it("refuses the same field given twice in two spellings", () => {
    const body = { ...seedBody("vod-video"), model_name: "GV" };
    expectIssue(expectInvalid("vod-video", body), "model_name", "InvalidParameter", "repeats ModelName");
  });

  it("names a nested field in the client's snake_case, with array indices", () => {
    const body = seedBody("vod-video", "seed.snake");
    body.file_infos = [{ file_id: "a" }, { url: "ftp://example.com/x.png", usage: "Reference" }];
    expectIssue(expectInvalid("vod-video", body), "file_infos[1].url", "InvalidParameterValue.Url", "absolute http(s) URL");
  });

  it("names a missing field in the style the client writes in", () => {
    const body = seedBody("vod-image", "seed.snake");
    delete body.model_version;
    expectIssue(expectInvalid("vod-image", body), "model_version", "MissingParameter", "model_version is required");
  });

  it("names a missing field in camelCase for a camelCase client", () => {
    const body = toCamelCase(seedBody("vod-image")) as Record<string, unknown>;
    delete body.modelVersion;
    expectIssue(expectInvalid("vod-image", body), "modelVersion", "MissingParameter");
  });
});

describe("unknown and refused fields", () => {
  it("refuses an unknown top-level field, naming it", () => {
    const body = { ...seedBody("vod-video"), Colour: "red" };
    expectIssue(expectInvalid("vod-video", body), "Colour", "UnknownParameter", "not a parameter of VOD CreateAigcVideoTask");
  });

  it("refuses an unknown nested field, naming its path as sent", () => {
    const body = seedBody("vod-video", "seed.snake");
    (body.output_config as Record<string, unknown>).frame_rate = 30;
    expectIssue(expectInvalid("vod-video", body), "output_config.frame_rate", "UnknownParameter");
  });

  it.each(["vod-video", "vod-image", "vod-redraw"] as const)("refuses SubAppId in a %s body, since the deployment sets it", (kind) => {
    const body = { ...seedBody(kind), SubAppId: 251007502 };
    expectIssue(expectInvalid(kind, body), "SubAppId", "UnknownParameter", "deployment's configuration");
  });

  it("refuses sub_app_id in snake_case the same way", () => {
    const body = { ...seedBody("vod-video", "seed.snake"), sub_app_id: 1 };
    expectIssue(expectInvalid("vod-video", body), "sub_app_id", "UnknownParameter", "deployment's configuration");
  });

  it("refuses SubAppId on MPS, which has no applications", () => {
    const body = { ...seedBody("mps-video"), SubAppId: 1 };
    expectIssue(expectInvalid("mps-video", body), "SubAppId", "UnknownParameter", "MPS");
  });

  it("refuses SessionId on MPS and points to the Idempotency-Key header", () => {
    const body = { ...seedBody("mps-video"), SessionId: "abc" };
    expectIssue(expectInvalid("mps-video", body), "SessionId", "UnknownParameter", "Idempotency-Key");
  });

  it("never returns fields the client did not send", () => {
    const params = expectValid("vod-redraw", seedBody("vod-redraw"));
    expect(Object.keys(params)).toEqual(["FileInfo"]);
  });
});

describe("types and coercion", () => {
  it("refuses a number where a string is expected", () => {
    const body = { ...seedBody("vod-video"), Prompt: 42 };
    expectIssue(expectInvalid("vod-video", body), "Prompt", "InvalidParameter", "must be a string");
  });

  it("refuses an object where an array is expected", () => {
    const body = { ...seedBody("vod-video"), FileInfos: { FileId: "x" } };
    expectIssue(expectInvalid("vod-video", body), "FileInfos", "InvalidParameter", "must be an array");
  });

  it("refuses a string where an object is expected", () => {
    const body = { ...seedBody("vod-video"), OutputConfig: "720P" };
    expectIssue(expectInvalid("vod-video", body), "OutputConfig", "InvalidParameter", "must be an object");
  });

  it("accepts numeric strings for integer fields and returns numbers", () => {
    const video = expectValid("vod-video", {
      ...seedBody("vod-video"),
      Seed: "123",
      OutputConfig: { Duration: "8", ClassId: "4" },
    });
    expect(video).toMatchObject({ TasksPriority: 10, Seed: 123, OutputConfig: { Duration: 8, ClassId: 4 } });
    const image = expectValid("vod-image", { ModelName: "Kling", ModelVersion: "2.1", Prompt: "a cat", OutputConfig: { OutputImageCount: "4" } });
    expect(image.OutputConfig).toEqual({ OutputImageCount: 4 });
    const mps = expectValid("mps-video", { ModelName: "Kling", Prompt: "a cat", Duration: "5", ExtraParameters: { LogoAdd: "1" } });
    expect(mps).toMatchObject({ Duration: 5, ExtraParameters: { LogoAdd: 1 } });
  });

  it("refuses a non-numeric string for an integer field", () => {
    const body = { ...seedBody("vod-video"), TasksPriority: "high" };
    expectIssue(expectInvalid("vod-video", body), "TasksPriority", "InvalidParameterValue.TasksPriority", "must be an integer");
  });

  it("refuses a fractional number for an integer field", () => {
    const body = { ...seedBody("vod-video"), Seed: 1.5 };
    expectIssue(expectInvalid("vod-video", body), "Seed", "InvalidParameter", "integer");
  });

  it("does not coerce booleans from strings", () => {
    const body = { ...seedBody("mps-video"), EnhancePrompt: "true" };
    expectIssue(expectInvalid("mps-video", body), "EnhancePrompt", "InvalidParameter", "must be a boolean");
  });

  it("refuses null for an optional field", () => {
    const body = { ...seedBody("vod-video"), NegativePrompt: null };
    expectIssue(expectInvalid("vod-video", body), "NegativePrompt", "InvalidParameter", "null");
  });
});

describe("common lengths and ranges", () => {
  it("refuses a SessionId over 50 characters with Tencent's SessionIdTooLong", () => {
    const body = { ...seedBody("vod-video"), SessionId: "s".repeat(51) };
    expectIssue(expectInvalid("vod-video", body), "SessionId", "InvalidParameterValue.SessionIdTooLong", "50");
  });

  it("accepts an empty SessionId, which means no dedup", () => {
    expectValid("vod-video", { ...seedBody("vod-video"), SessionId: "" });
  });

  it("refuses a SessionContext over 1000 characters with Tencent's SessionContextTooLong", () => {
    const body = { ...seedBody("vod-image"), SessionContext: "c".repeat(1001) };
    expectIssue(expectInvalid("vod-image", body), "SessionContext", "InvalidParameterValue.SessionContextTooLong", "1000");
  });

  it.each([-11, 11, "11"])("refuses TasksPriority %s outside -10..10", (priority) => {
    const body = { ...seedBody("vod-redraw"), TasksPriority: priority };
    expectIssue(expectInvalid("vod-redraw", body), "TasksPriority", "InvalidParameterValue.TasksPriority", "between -10 and 10");
  });

  it("refuses a MediaName over 64 characters", () => {
    const body = { ...seedBody("vod-redraw"), OutputConfig: { MediaName: "m".repeat(65) } };
    expectIssue(expectInvalid("vod-redraw", body), "OutputConfig.MediaName", "InvalidParameterValue.MediaName", "64");
  });

  it("refuses a negative ClassId", () => {
    const body = { ...seedBody("vod-redraw"), OutputConfig: { ClassId: -1 } };
    expectIssue(expectInvalid("vod-redraw", body), "OutputConfig.ClassId", "InvalidParameterValue.ClassId", "at least 0");
  });

  it("accepts an ISO 8601 ExpireTime with a zone", () => {
    expectValid("vod-redraw", { ...seedBody("vod-redraw"), OutputConfig: { ExpireTime: "2025-12-28T00:35:00+08:00" } });
  });

  it("refuses an ExpireTime that is not ISO 8601", () => {
    const body = { ...seedBody("vod-redraw"), OutputConfig: { ExpireTime: "28/12/2025" } };
    expectIssue(expectInvalid("vod-redraw", body), "OutputConfig.ExpireTime", "InvalidParameterValue.ExpireTime", "ISO 8601");
  });
});

describe("common enums", () => {
  it.each([
    ["EnhancePrompt", { EnhancePrompt: "On" }, "EnhancePrompt", "Enabled, Disabled"],
    ["StorageMode", { OutputConfig: { StorageMode: "Forever" } }, "OutputConfig.StorageMode", "Temporary, Permanent"],
    ["PersonGeneration", { OutputConfig: { PersonGeneration: "AllowAll" } }, "OutputConfig.PersonGeneration", "AllowAdult, Disallowed"],
    ["InputComplianceCheck", { OutputConfig: { InputComplianceCheck: "yes" } }, "OutputConfig.InputComplianceCheck", "Enabled"],
    ["OutputComplianceCheck", { OutputConfig: { OutputComplianceCheck: "no" } }, "OutputConfig.OutputComplianceCheck", "Disabled"],
    ["EnhanceSwitch", { OutputConfig: { EnhanceSwitch: "yes" } }, "OutputConfig.EnhanceSwitch", "Enabled"],
    ["OffPeak", { OutputConfig: { OffPeak: "on" } }, "OutputConfig.OffPeak", "Enabled"],
    ["LogoAdd", { OutputConfig: { LogoAdd: "1" } }, "OutputConfig.LogoAdd", "Enabled"],
    ["EnableBGM", { OutputConfig: { EnableBGM: "true" } }, "OutputConfig.EnableBGM", "Enabled"],
    ["InputRegion", { InputRegion: "Europe" }, "InputRegion", "Mainland, Oversea, OverseaUSWest"],
    ["AudioGeneration", { OutputConfig: { AudioGeneration: "On" } }, "OutputConfig.AudioGeneration", "Enabled, Disabled"],
    ["FrameInterpolate", { OutputConfig: { FrameInterpolate: "Off" } }, "OutputConfig.FrameInterpolate", "Enabled, Disabled"],
  ])("refuses a VOD %s outside its documented values", (_, patch, field, allowed) => {
    const body = { ...seedBody("vod-video"), ...patch };
    expectIssue(expectInvalid("vod-video", body), field, `InvalidParameterValue.${field.split(".").at(-1)}`, allowed);
  });
});

describe("allowUnlistedModels", () => {
  it("refuses an unlisted model by default", () => {
    const body = { ...seedBody("vod-video"), ModelName: "Sora" };
    expectIssue(expectInvalid("vod-video", body), "ModelName", "InvalidParameterValue.ModelName", "Sora", "Kling");
  });

  it("lets an unlisted model through when allowed, skipping per-model rules", () => {
    const body = { ModelName: "Sora", ModelVersion: "2", Prompt: "a boat", OutputConfig: { Duration: 99, Resolution: "8K" } };
    expect(expectValid("vod-video", body, { allowUnlistedModels: true })).toMatchObject({ ModelName: "Sora", OutputConfig: { Resolution: "8K" } });
  });

  it("lets an unlisted version of a listed model through when allowed", () => {
    const body = { ModelName: "Kling", ModelVersion: "9.9", Prompt: "a boat", OutputConfig: { Duration: 99 } };
    expectValid("vod-video", body, { allowUnlistedModels: true });
  });

  it("still applies generic rules to an unlisted model", () => {
    const body = { ModelName: "Sora", ModelVersion: "2", Prompt: "a boat", SessionId: "s".repeat(51) };
    expectIssue(expectInvalid("vod-video", body, { allowUnlistedModels: true }), "SessionId", "InvalidParameterValue.SessionIdTooLong");
  });

  it("still applies the rules of a listed model when unlisted ones are allowed", () => {
    const body = { ModelName: "Hailuo", ModelVersion: "02", Prompt: "a boat", OutputConfig: { Duration: 7 } };
    expectIssue(expectInvalid("vod-video", body, { allowUnlistedModels: true }), "OutputConfig.Duration", "InvalidParameterValue.Duration");
  });
});

describe("request size", () => {
  it("refuses a request Tencent would find larger than 10 MB", () => {
    const body = {
      ModelName: "GV",
      ModelVersion: "3.1",
      FileInfos: [{ Base64: base64OfSize(6.9 * 1024 * 1024) }],
      ExtInfo: "x".repeat(1024 * 1024),
    };
    expectIssue(expectInvalid("vod-video", body), "body", "RequestSizeLimitExceeded", "10485760");
  });
});

describe("OpenAPI schemas", () => {
  it.each(KINDS)("converts the %s schema to JSON Schema for input", (kind) => {
    const schema = z.toJSONSchema(requestSchemas[kind], { io: "input" });
    expect(schema.type).toBe("object");
    expect(schema.additionalProperties).toBe(false);
  });

  it("describes ModelName with the catalog's models", () => {
    const schema = z.toJSONSchema(requestSchemas["vod-image"], { io: "input" }) as { properties: Record<string, { description?: string }> };
    expect(schema.properties.ModelName?.description).toContain("GG");
  });

  it("documents integer fields as a number or a numeric string", () => {
    const schema = z.toJSONSchema(requestSchemas["vod-video"], { io: "input" }) as { properties: Record<string, unknown> };
    expect(schema.properties.TasksPriority).toMatchObject({ anyOf: [{ type: "integer", minimum: -10, maximum: 10 }, { type: "string" }] });
  });
});

describe("result shape", () => {
  it("returns every issue at once, each with a field, a message and a code", () => {
    const result = validateCreateRequest("vod-video", { Prompt: 1, Colour: "red" });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.issues.length).toBeGreaterThanOrEqual(3);
    for (const issue of result.issues) expect(Object.keys(issue).sort()).toEqual(["code", "field", "message"]);
  });
});

describe("normalization before validation", () => {
  it("reads an empty string in an optional field as absent, as Tencent does (relay clients send them)", () => {
    const params = expectValid("vod-video", {
      ModelName: "Kling",
      ModelVersion: "2.1",
      Prompt: "a red car",
      SceneType: "",
      SessionId: "",
      FileInfos: [{ Type: "Url", Url: "https://example.com/a.png", FileId: "", Base64: "" }],
      OutputConfig: { AspectRatio: "", Resolution: "" },
    });
    expect(params).toEqual({ ModelName: "Kling", ModelVersion: "2.1", Prompt: "a red car", FileInfos: [{ Type: "Url", Url: "https://example.com/a.png" }], OutputConfig: {} });
  });

  it("reads an empty MPS ModelVersion as absent", () => {
    expect(expectValid("mps-video", { ModelName: "Kling", ModelVersion: "", Prompt: "waves" })).toEqual({ ModelName: "Kling", Prompt: "waves" });
  });

  it("still requires a required field given as an empty string", () => {
    expectIssue(expectInvalid("vod-video", { ModelName: "", ModelVersion: "2.1", Prompt: "x" }), "ModelName", "MissingParameter");
  });

  it("matches enum values in any case and sends Tencent's spelling (a relay's own example sends Type file)", () => {
    const params = expectValid("vod-video", {
      ModelName: "gv",
      ModelVersion: "3.1-FAST",
      Prompt: "a car",
      FileInfos: [{ Type: "file", FileId: "3704211", Usage: "firstframe" }],
      OutputConfig: { StorageMode: "temporary", AudioGeneration: "ENABLED", PersonGeneration: "allowadult" },
      InputRegion: "mainland",
    });
    expect(params).toMatchObject({
      ModelName: "GV",
      ModelVersion: "3.1-fast",
      FileInfos: [{ Type: "File", Usage: "FirstFrame" }],
      OutputConfig: { StorageMode: "Temporary", AudioGeneration: "Enabled", PersonGeneration: "AllowAdult" },
      InputRegion: "Mainland",
    });
  });

  it("sends catalog values (SceneType, AspectRatio auto) in Tencent's spelling", () => {
    expect(expectValid("vod-video", { ModelName: "Kling", ModelVersion: "2.1", SceneType: "Motion_Control", FileInfos: [{ Url: "https://example.com/a.png" }] })).toMatchObject({ SceneType: "motion_control" });
    expect(expectValid("vod-image", { ModelName: "Kling", ModelVersion: "O1", Prompt: "x", OutputConfig: { AspectRatio: "AUTO" } })).toMatchObject({ OutputConfig: { AspectRatio: "auto" } });
  });
});

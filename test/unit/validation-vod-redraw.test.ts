import { describe, expect, it } from "vitest";
import { expectInvalid, expectIssue, expectValid, seedBody } from "./validation-helpers";

const VIDEO = "https://example.com/input.mp4";
const refused = (body: Record<string, unknown>) => expectInvalid("vod-redraw", body);

describe("VOD redraw", () => {
  it("requires FileInfo, since redraw needs an input video", () => {
    expectIssue(refused({ TaskInfo: { Style: "ink" } }), "FileInfo", "MissingParameter");
  });

  it("accepts a VOD FileId without Type", () => {
    expectValid("vod-redraw", { FileInfo: { FileId: "3704211509819" } });
  });

  it("refuses a FileInfo with no source", () => {
    expectIssue(refused({ FileInfo: {} }), "FileInfo", "MissingParameter", "FileId, Url");
  });

  it("refuses Type Base64, which redraw does not take", () => {
    expectIssue(refused({ FileInfo: { Type: "Base64", Url: VIDEO } }), "FileInfo.Type", "InvalidParameterValue.Type", "File, Url");
  });

  it("refuses a Base64 field, which redraw does not have", () => {
    expectIssue(refused({ FileInfo: { Url: VIDEO, Base64: "AAAA" } }), "FileInfo.Base64", "UnknownParameter");
  });

  it("needs the source field Type names and refuses the other", () => {
    const issues = refused({ FileInfo: { Type: "Url", FileId: "f1" } });
    expectIssue(issues, "FileInfo.Url", "MissingParameter", "Type is Url");
    expectIssue(issues, "FileInfo.FileId", "InvalidParameterValue.FileId", "absent");
  });

  it("refuses a Url that is not absolute http(s)", () => {
    expectIssue(refused({ FileInfo: { Url: "cos://bucket/input.mp4" } }), "FileInfo.Url", "InvalidParameterValue.Url", "http(s)");
  });

  it("refuses a Style over 50 characters", () => {
    const body = { ...seedBody("vod-redraw"), TaskInfo: { Style: "s".repeat(51) } };
    expectIssue(refused(body), "TaskInfo.Style", "InvalidParameterValue.Style", "50");
  });

  it("refuses model fields, which redraw does not have", () => {
    expectIssue(refused({ ...seedBody("vod-redraw"), ModelName: "Kling" }), "ModelName", "UnknownParameter");
  });

  it("returns the output config in Tencent's spelling", () => {
    const params = expectValid("vod-redraw", { file_info: { url: VIDEO }, output_config: { storage_mode: "Permanent", class_id: "3" } });
    expect(params).toEqual({ FileInfo: { Url: VIDEO }, OutputConfig: { StorageMode: "Permanent", ClassId: 3 } });
  });
});

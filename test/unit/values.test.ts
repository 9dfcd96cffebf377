import { describe, expect, it } from "vitest";
import { valuesAt } from "../../shared/validation/rules/values";

describe("valuesAt (reading a request by catalog field path)", () => {
  const params = {
    Prompt: "a cat",
    OutputConfig: { Resolution: "1080P", AudioGeneration: "Enabled", Empty: null },
    FileInfos: [{ Type: "Url", Url: "https://a/1.png" }, { Type: "File" }, { Type: "Url", Url: "https://a/3.png", Text: "" }],
  };

  it("finds a top-level and a nested value, with its path", () => {
    expect(valuesAt(params, "Prompt")).toEqual([[["Prompt"], "a cat"]]);
    expect(valuesAt(params, "OutputConfig.Resolution")).toEqual([[["OutputConfig", "Resolution"], "1080P"]]);
  });

  it("visits every element of a [] segment, with its index, and skips elements without the value", () => {
    expect(valuesAt(params, "FileInfos[].Url")).toEqual([
      [["FileInfos", 0, "Url"], "https://a/1.png"],
      [["FileInfos", 2, "Url"], "https://a/3.png"],
    ]);
    expect(valuesAt(params, "FileInfos[].Text")).toEqual([[["FileInfos", 2, "Text"], ""]]);
    expect(valuesAt({ Tags: ["a", "b"] }, "Tags[]")).toEqual([
      [["Tags", 0], "a"],
      [["Tags", 1], "b"],
    ]);
  });

  it("gives nothing for absent values, through non-objects and non-arrays, but keeps a null that is there", () => {
    expect(valuesAt(params, "NegativePrompt")).toEqual([]);
    expect(valuesAt(params, "OutputConfig.Missing.Deeper")).toEqual([]);
    expect(valuesAt(params, "Prompt.Length")).toEqual([]);
    expect(valuesAt(params, "OutputConfig[].Resolution")).toEqual([]);
    expect(valuesAt(undefined, "Prompt")).toEqual([]);
    expect(valuesAt(null, "Prompt")).toEqual([]);
    expect(valuesAt(params, "OutputConfig.Empty")).toEqual([[["OutputConfig", "Empty"], null]]);
  });

  it("gives each caller its own paths", () => {
    const [first] = valuesAt(params, "OutputConfig.Resolution");
    const [second] = valuesAt(params, "OutputConfig.Resolution");
    expect(first?.[0]).not.toBe(second?.[0]);
  });
});

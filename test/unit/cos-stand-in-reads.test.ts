/** How the COS stand-in reads a Range header and folds a listing by its delimiter. */
import { describe, expect, it } from "vitest";
import { groupByDelimiter, parseRange } from "../../local/cos/objects";

describe("parseRange", () => {
  it("reads first-last", () => expect(parseRange("bytes=2-5", 10)).toEqual({ start: 2, end: 5 }));
  it("reads an open end as up to the last byte", () => expect(parseRange("bytes=7-", 10)).toEqual({ start: 7, end: 9 }));
  it("reads a suffix length as the last bytes", () => expect(parseRange("bytes=-3", 10)).toEqual({ start: 7, end: 9 }));
  it("clips a last byte past the end to the end", () => expect(parseRange("bytes=8-100", 10)).toEqual({ start: 8, end: 9 }));
  it("cannot satisfy a range that starts past the end", () => expect(parseRange("bytes=10-12", 10)).toBe("unsatisfiable"));
  it("ignores several ranges, serving the whole object", () => expect(parseRange("bytes=0-1,4-5", 10)).toBeUndefined());
  it("ignores a range whose last byte comes before its first", () => expect(parseRange("bytes=5-2", 10)).toBeUndefined());
});

describe("groupByDelimiter", () => {
  const items = ["a/1", "a/2", "b", "c/d/e"].map((key) => ({ key, item: key }));
  const flat = (entries: ReturnType<typeof groupByDelimiter<string>>) => entries.map((entry) => ("prefix" in entry ? `prefix:${entry.prefix}` : entry.key));

  it("folds keys sharing text up to the delimiter into one common prefix", () => {
    expect(flat(groupByDelimiter(items, "", "", "/"))).toEqual(["prefix:a/", "b", "prefix:c/"]);
  });
  it("folds from after the prefix", () => expect(flat(groupByDelimiter(items, "c/", "", "/"))).toEqual(["prefix:c/d/"]));
  it("folds nothing with an empty delimiter", () => expect(flat(groupByDelimiter(items, "", "", ""))).toEqual(["a/1", "a/2", "b", "c/d/e"]));
  it("leaves out a common prefix the marker already reached", () => expect(flat(groupByDelimiter(items, "", "a/", "/"))).toEqual(["b", "prefix:c/"]));
});

import { describe, expect, it } from "vitest";
import type { RedrawConfig } from "../../shared/config";
import { isCosEvent, parseCosRecord, type CosObjectEvent } from "../../shared/cos/events";
import { outputKeyFor, skipReason, uploadSessionId } from "../../shared/tasks/redraw-on-upload";
import { loadEvent } from "../support/scf";

const redraw: RedrawConfig = { bucket: "aigc-media-1250000000", region: "ap-guangzhou", inputPrefix: "in/", outputPrefix: "out/" };

function objects(fixture: string): CosObjectEvent[] {
  return loadEvent<{ Records: unknown[] }>(fixture).Records.map((record) => {
    const parsed = parseCosRecord(record);
    if (!parsed.ok) throw new Error(parsed.reason);
    return parsed.object;
  });
}

describe("COS trigger events", () => {
  it("recognises a COS event and not an API Gateway one", () => {
    expect(isCosEvent(loadEvent("cos-put-single.json"))).toBe(true);
    expect(isCosEvent(loadEvent("apigw-create-video.json"))).toBe(false);
  });

  it("reads bucket, region, key, size, type, ETag, request id and style metadata from a record", () => {
    const [object] = objects("cos-put-single.json");
    expect(object).toMatchObject({
      eventName: "cos:ObjectCreated:Put",
      bucket: "aigc-media-1250000000",
      region: "ap-guangzhou",
      key: "in/clip.mp4",
      size: 1048576,
      contentType: "video/mp4",
      etag: "9b2cf535f27731c974343645a3985328",
      userMetadata: { "redraw-style": "watercolor" },
    });
    expect(object?.cosRequestId).toBeTruthy();
    expect(object?.eventTime).toBe("2025-11-21T08:40:00.000Z");
  });

  it("decodes keys with spaces, Chinese, plus, percent and hash exactly", () => {
    expect(objects("cos-odd-keys.json").map((o) => o.key)).toEqual(["in/my clip 1.mp4", "in/视频/测试 片段.mp4", "in/a+b%c#d.mp4"]);
  });

  it("uses the URL to decode a key that arrived percent-encoded", () => {
    const event = loadEvent<{ Records: any[] }>("cos-odd-keys.json");
    const record = event.Records[0];
    record.cos.cosObject.key = "/1250000000/aigc-media/in/my%20clip%201.mp4";
    const parsed = parseCosRecord(record);
    expect(parsed.ok && parsed.object.key).toBe("in/my clip 1.mp4");
  });

  it("reads the older event shape: short region code, no ETag, a space in the event name", () => {
    const [object] = objects("cos-legacy-shape.json");
    expect(object).toMatchObject({ eventName: "cos:ObjectCreated:Post", region: "ap-guangzhou", key: "in/recording" });
    expect(object?.etag).toBeUndefined();
  });

  it("refuses a record that is not a COS record, naming the problem", () => {
    const parsed = parseCosRecord({ cos: { cosObject: {} } });
    expect(parsed.ok).toBe(false);
  });
});

describe("which uploads are redrawn", () => {
  it("redraws a video under the input prefix", () => {
    expect(objects("cos-put-single.json").map((o) => skipReason(o, redraw))).toEqual([undefined]);
  });

  it("redraws by Content-Type when the key has no video suffix", () => {
    expect(skipReason(objects("cos-legacy-shape.json")[0]!, redraw)).toBeUndefined();
  });

  it("skips removal events", () => {
    expect(skipReason(objects("cos-remove.json")[0]!, redraw)).toMatch(/not an object creation/);
  });

  it("skips objects that are not videos", () => {
    expect(skipReason(objects("cos-non-video.json")[0]!, redraw)).toMatch(/not a video/);
  });

  it("skips our own results under the output prefix, so results never trigger a loop", () => {
    expect(skipReason(objects("cos-output-prefix.json")[0]!, redraw)).toMatch(/output prefix/);
  });

  it("skips objects over Tencent's 2 GB input limit", () => {
    expect(skipReason(objects("cos-too-large.json")[0]!, redraw)).toMatch(/2 GB/);
  });

  it("skips another bucket", () => {
    expect(skipReason(objects("cos-put-single.json")[0]!, { ...redraw, bucket: "other-1250000000" })).toMatch(/not the configured/);
  });

  it("puts the result at the same relative key under the output prefix", () => {
    expect(outputKeyFor("in/视频/测试 片段.mp4", redraw)).toBe("out/视频/测试 片段.mp4");
  });
});

describe("upload SessionIds", () => {
  const [object] = objects("cos-put-single.json");

  it("is the same for every delivery of one upload, and fits Tencent's 50 characters", () => {
    const again = objects("cos-put-single.json")[0]!;
    expect(uploadSessionId(object!)).toBe(uploadSessionId(again));
    expect(uploadSessionId(object!).length).toBeLessThanOrEqual(50);
  });

  it("differs for a later re-upload of the same key", () => {
    const reupload = { ...object!, cosRequestId: "another-request", eventTime: "2025-11-22T00:00:00.000Z" };
    expect(uploadSessionId(reupload)).not.toBe(uploadSessionId(object!));
  });

  it("is the same for a re-notification that carries a later eventTime (the request id names the upload)", () => {
    const renotified = { ...object!, eventTime: "2025-11-21T09:05:00.000Z" };
    expect(object!.cosRequestId).toBeTruthy();
    expect(uploadSessionId(renotified)).toBe(uploadSessionId(object!));
  });

  it("without a request id, tells uploads apart by ETag, size and event time", () => {
    const { cosRequestId: _dropped, ...bare } = object!;
    expect(uploadSessionId({ ...bare })).toBe(uploadSessionId({ ...bare }));
    expect(uploadSessionId({ ...bare, eventTime: "2025-11-22T00:00:00.000Z" })).not.toBe(uploadSessionId(bare));
    expect(uploadSessionId({ ...bare, etag: '"another"' })).not.toBe(uploadSessionId(bare));
  });

  it("differs between keys", () => {
    expect(uploadSessionId({ ...object!, key: "in/other.mp4" })).not.toBe(uploadSessionId(object!));
  });
});

/**
 * The local COS stand-in as a client nobody here wrote sees it: Tencent's official Node SDK
 * (cos-nodejs-sdk-v5 2.12.6, path-style through `Domain` + `ForcePathStyle`, and virtual-hosted
 * through `Ip`) pointed at it, exactly as a team's own uploader would be.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import COS from "cos-nodejs-sdk-v5";
import { afterAll, beforeAll, beforeEach, describe, expect, it, inject } from "vitest";
import { startCosStandIn, type CosEvent, type CosStandIn } from "../../local/cos/server";
import { DEV_SECRET_ID, DEV_SECRET_KEY } from "../../local/dev-credentials";

const BUCKET = { Bucket: "aigc-local-1250000000", Region: "ap-guangzhou" };
/** Over the SDK's 1 MB SliceSize, so uploadFile goes multipart: three parts of 1 MB, 1 MB and 0.5 MB. */
const LARGE_SIZE = 2.5 * 1024 * 1024;

let dir: string;
let standIn: CosStandIn;
let invocations: Array<{ functionName: string; event: CosEvent }>;
let largeFile: string;
let large: Buffer;

/** The SDK as a user configures it for a local endpoint; its upload-resume cache goes to the run's scratch folder (it is written after the test ends). */
function pathStyleSdk(): COS {
  return new COS({ SecretId: DEV_SECRET_ID, SecretKey: DEV_SECRET_KEY, Domain: `127.0.0.1:${standIn.port}`, Protocol: "http:", ForcePathStyle: true, ConfCwd: inject("runScratchDir") });
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "cos-official-sdk-"));
  standIn = await startCosStandIn({
    dataDir: join(dir, "data"),
    triggers: [{ functionName: "vod-aigc-redraw", bucket: BUCKET.Bucket, events: ["cos:ObjectCreated:*"], prefix: "in/" }],
    invoke: async (functionName, event) => {
      invocations.push({ functionName, event: event as CosEvent });
    },
  });
  large = Buffer.alloc(LARGE_SIZE);
  for (let i = 0; i < large.length; i++) large[i] = (i * 31 + (i >> 11)) & 0xff;
  largeFile = join(dir, "clip.mp4");
  writeFileSync(largeFile, large);
});

afterAll(async () => {
  await standIn.close();
  rmSync(dir, { recursive: true, force: true });
});

beforeEach(() => {
  standIn.reset();
  invocations = [];
});

describe("cos-nodejs-sdk-v5 against the COS stand-in (path-style)", () => {
  it("puts an object and gets it back", async () => {
    const sdk = pathStyleSdk();
    await sdk.putObject({ ...BUCKET, Key: "notes/a b+c.txt", Body: "hello from the SDK" });
    const got = await sdk.getObject({ ...BUCKET, Key: "notes/a b+c.txt" });
    expect([got.statusCode, got.Body.toString()]).toEqual([200, "hello from the SDK"]);
  });

  it("answers HEAD and GET with the Content-Type, x-cos-meta-* and Content-Disposition set on upload", async () => {
    const sdk = pathStyleSdk();
    await sdk.putObject({ ...BUCKET, Key: "in/meta.mp4", Body: "x", ContentType: "video/mp4", ContentDisposition: "attachment; filename=meta.mp4", Headers: { "x-cos-meta-redraw-style": "anime" } });
    const head = await sdk.headObject({ ...BUCKET, Key: "in/meta.mp4" });
    const got = await sdk.getObject({ ...BUCKET, Key: "in/meta.mp4" });
    const pick = (headers: Record<string, string>) => [headers["content-type"], headers["x-cos-meta-redraw-style"], headers["content-disposition"]];
    expect([pick(head.headers as Record<string, string>), pick(got.headers as Record<string, string>)]).toEqual([
      ["video/mp4", "anime", "attachment; filename=meta.mp4"],
      ["video/mp4", "anime", "attachment; filename=meta.mp4"],
    ]);
  });

  it("uploads a file over 1 MB with uploadFile, multipart, byte for byte", async () => {
    const sdk = pathStyleSdk();
    const uploaded = await sdk.uploadFile({ ...BUCKET, Key: "in/clip.mp4", FilePath: largeFile });
    const got = await sdk.getObject({ ...BUCKET, Key: "in/clip.mp4" });
    expect({ etag: /^"[0-9a-f]{32}-3"$/.test(uploaded.ETag), same: Buffer.compare(got.Body, large) === 0 }).toEqual({ etag: true, same: true });
  });

  it("fires cos:ObjectCreated:CompleteMultipartUpload once for a multipart upload, with the object's size", async () => {
    const sdk = pathStyleSdk();
    await sdk.uploadFile({ ...BUCKET, Key: "in/clip.mp4", FilePath: largeFile });
    await standIn.flushDeliveries();
    expect(invocations.map(({ event }) => [event.Records[0]?.event.eventName, event.Records[0]?.cos.cosObject.size])).toEqual([
      ["cos:ObjectCreated:CompleteMultipartUpload", LARGE_SIZE],
    ]);
  });

  it("lists uploads in progress and their parts, and forgets an aborted one", async () => {
    const sdk = pathStyleSdk();
    const { UploadId } = await sdk.multipartInit({ ...BUCKET, Key: "in/partial.mp4" });
    await sdk.multipartUpload({ ...BUCKET, Key: "in/partial.mp4", UploadId, PartNumber: 1, Body: large.subarray(0, 1024 * 1024) });
    const uploads = await sdk.multipartList({ ...BUCKET, Prefix: "in/", Delimiter: "/" });
    const parts = await sdk.multipartListPart({ ...BUCKET, Key: "in/partial.mp4", UploadId });
    await sdk.multipartAbort({ ...BUCKET, Key: "in/partial.mp4", UploadId });
    const after = await sdk.multipartList({ ...BUCKET, Prefix: "in/", Delimiter: "/" });
    expect({
      listed: uploads.Upload.map((upload) => [upload.Key, upload.UploadId]),
      parts: parts.Part.map((part) => [part.PartNumber, part.Size]),
      afterAbort: after.Upload.length,
      objects: standIn.objects().length,
    }).toEqual({ listed: [["in/partial.mp4", UploadId]], parts: [["1", "1048576"]], afterAbort: 0, objects: 0 });
  });

  it("lists with a delimiter, folding deeper keys into CommonPrefixes", async () => {
    const sdk = pathStyleSdk();
    for (const key of ["in/a.mp4", "in/sub/b.mp4", "in/sub/c.mp4", "out/a.mp4", "top.txt"]) await sdk.putObject({ ...BUCKET, Key: key, Body: "x" });
    const listed = await sdk.getBucket({ ...BUCKET, Delimiter: "/" });
    const under = await sdk.getBucket({ ...BUCKET, Prefix: "in/", Delimiter: "/" });
    expect({
      root: [listed.Contents.map((c) => c.Key), listed.CommonPrefixes.map((p) => p.Prefix)],
      in: [under.Contents.map((c) => c.Key), under.CommonPrefixes.map((p) => p.Prefix)],
    }).toEqual({ root: [["top.txt"], ["in/", "out/"]], in: [["in/a.mp4"], ["in/sub/"]] });
  });

  it("lists every key with an empty delimiter, as the Python SDK always sends one", async () => {
    const sdk = pathStyleSdk();
    for (const key of ["in/a.mp4", "in/sub/b.mp4"]) await sdk.putObject({ ...BUCKET, Key: key, Body: "x" });
    const listed = await sdk.getBucket({ ...BUCKET, Delimiter: "" });
    expect([listed.Contents.map((c) => c.Key), listed.CommonPrefixes]).toEqual([["in/a.mp4", "in/sub/b.mp4"], []]);
  });

  it("answers a Range request with 206 and just those bytes", async () => {
    const sdk = pathStyleSdk();
    await sdk.putObject({ ...BUCKET, Key: "range.bin", Body: "0123456789abcdef" });
    const got = await sdk.getObject({ ...BUCKET, Key: "range.bin", Range: "bytes=4-9" });
    expect([got.statusCode, got.Body.toString(), got.headers?.["content-range"]]).toEqual([206, "456789", "bytes 4-9/16"]);
  });

  it("deletes several objects in one deleteMultipleObject call", async () => {
    const sdk = pathStyleSdk();
    for (const key of ["a", "b", "keep"]) await sdk.putObject({ ...BUCKET, Key: key, Body: "x" });
    const result = await sdk.deleteMultipleObject({ ...BUCKET, Objects: [{ Key: "a" }, { Key: "b" }, { Key: "never-there" }] });
    expect([result.Deleted.map((d) => d.Key), standIn.objects().map((o) => o.key)]).toEqual([["a", "b", "never-there"], ["keep"]]);
  });

  it("serves a presigned URL from getObjectUrl to a plain HTTP client", async () => {
    const sdk = pathStyleSdk();
    await sdk.putObject({ ...BUCKET, Key: "out/clip.mp4", Body: "result" });
    const { Url } = await new Promise<{ Url: string }>((resolve, reject) =>
      sdk.getObjectUrl({ ...BUCKET, Key: "out/clip.mp4", Sign: true, Expires: 60 }, (error, data) => (error ? reject(error) : resolve(data))),
    );
    const response = await fetch(Url);
    expect([response.status, await response.text()]).toEqual([200, "result"]);
  });
});

describe("cos-nodejs-sdk-v5 against the COS stand-in (virtual-hosted)", () => {
  it("puts and gets through the bucket's own host name, sent to the stand-in's address", async () => {
    const sdk = new COS({ SecretId: DEV_SECRET_ID, SecretKey: DEV_SECRET_KEY, Protocol: "http:", Ip: `127.0.0.1:${standIn.port}`, ConfCwd: inject("runScratchDir") });
    await sdk.putObject({ ...BUCKET, Key: "in/hosted.txt", Body: "virtual" });
    const got = await sdk.getObject({ ...BUCKET, Key: "in/hosted.txt" });
    expect([got.statusCode, got.Body.toString()]).toEqual([200, "virtual"]);
  });
});

/** The COS stand-in refuses what COS refuses in a multipart upload and a ranged read. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import COS from "cos-nodejs-sdk-v5";
import { afterAll, beforeAll, describe, expect, it, inject } from "vitest";
import { startCosStandIn, type CosStandIn } from "../../local/cos/server";
import { DEV_SECRET_ID, DEV_SECRET_KEY } from "../../local/dev-credentials";

const BUCKET = { Bucket: "aigc-local-1250000000", Region: "ap-guangzhou" };
const MB = 1024 * 1024;
let dir: string;
let standIn: CosStandIn;
let sdk: COS;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "cos-multipart-"));
  standIn = await startCosStandIn({ dataDir: join(dir, "data") });
  sdk = new COS({ SecretId: DEV_SECRET_ID, SecretKey: DEV_SECRET_KEY, Domain: `127.0.0.1:${standIn.port}`, Protocol: "http:", ForcePathStyle: true, ConfCwd: inject("runScratchDir") });
});

afterAll(async () => {
  await standIn.close();
  rmSync(dir, { recursive: true, force: true });
});

async function failure(call: Promise<unknown>): Promise<[number | undefined, string | undefined]> {
  const error = (await call.then(() => undefined, (e: unknown) => e)) as { statusCode?: number; code?: string } | undefined;
  return [error?.statusCode, error?.code];
}

async function uploadParts(key: string, sizes: number[]): Promise<{ UploadId: string; parts: Array<{ PartNumber: number; ETag: string }> }> {
  const { UploadId } = await sdk.multipartInit({ ...BUCKET, Key: key });
  const parts = [];
  for (const [index, size] of sizes.entries()) {
    const { ETag } = await sdk.multipartUpload({ ...BUCKET, Key: key, UploadId, PartNumber: index + 1, Body: Buffer.alloc(size, index) });
    parts.push({ PartNumber: index + 1, ETag });
  }
  return { UploadId, parts };
}

describe("COS stand-in multipart uploads", () => {
  it("refuses to complete with a part under 1 MB that is not the last: 400 EntityTooSmall", async () => {
    const { UploadId, parts } = await uploadParts("small.bin", [10, 10]);
    expect(await failure(sdk.multipartComplete({ ...BUCKET, Key: "small.bin", UploadId, Parts: parts }))).toEqual([400, "EntityTooSmall"]);
  });

  it("refuses parts named out of order: 400 InvalidPartOrder", async () => {
    const { UploadId, parts } = await uploadParts("order.bin", [MB, 10]);
    expect(await failure(sdk.multipartComplete({ ...BUCKET, Key: "order.bin", UploadId, Parts: [...parts].reverse() }))).toEqual([400, "InvalidPartOrder"]);
  });

  it("refuses a part whose ETag is not the uploaded one: 400 InvalidPart", async () => {
    const { UploadId, parts } = await uploadParts("etag.bin", [10]);
    const wrong = parts.map((part) => ({ ...part, ETag: `"${"0".repeat(32)}"` }));
    expect(await failure(sdk.multipartComplete({ ...BUCKET, Key: "etag.bin", UploadId, Parts: wrong }))).toEqual([400, "InvalidPart"]);
  });

  it("answers 404 NoSuchUpload for an upload id it never gave", async () => {
    expect(await failure(sdk.multipartListPart({ ...BUCKET, Key: "k", UploadId: `1700000000${"a".repeat(48)}` }))).toEqual([404, "NoSuchUpload"]);
  });

  it("keeps the Content-Type and metadata given at initiation on the completed object", async () => {
    const { UploadId } = await sdk.multipartInit({ ...BUCKET, Key: "meta.mp4", ContentType: "video/mp4", Headers: { "x-cos-meta-redraw-style": "anime" } });
    const { ETag } = await sdk.multipartUpload({ ...BUCKET, Key: "meta.mp4", UploadId, PartNumber: 1, Body: "x" });
    await sdk.multipartComplete({ ...BUCKET, Key: "meta.mp4", UploadId, Parts: [{ PartNumber: 1, ETag }] });
    const head = await sdk.headObject({ ...BUCKET, Key: "meta.mp4" });
    expect([head.headers?.["content-type"], head.headers?.["x-cos-meta-redraw-style"]]).toEqual(["video/mp4", "anime"]);
  });
});

describe("COS stand-in ranged reads", () => {
  it("answers a range starting past the end with 416 InvalidRange", async () => {
    await sdk.putObject({ ...BUCKET, Key: "short.bin", Body: "0123" });
    expect(await failure(sdk.getObject({ ...BUCKET, Key: "short.bin", Range: "bytes=10-20" }))).toEqual([416, "InvalidRange"]);
  });
});

/**
 * The COS stand-in's in-memory key index (keyIndex, for the bench's 100,000-task ledgers): listings
 * answer exactly as without it, through writes, deletes and objects seeded in bulk.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startCosStandIn, type CosStandIn } from "../../local/cos/server";
import { DEV_SECRET_ID, DEV_SECRET_KEY } from "../../local/dev-credentials";
import { CosClient, type CosBucketRef } from "../../shared/cos/client";

const BUCKET: CosBucketRef = { bucket: "aigc-1250000000", region: "ap-guangzhou" };

let dataDir: string;
const running: CosStandIn[] = [];

beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), "cos-key-index-"));
});
afterEach(async () => {
  await Promise.all(running.splice(0).map((standIn) => standIn.close()));
  rmSync(dataDir, { recursive: true, force: true });
});

async function start(keyIndex: boolean): Promise<{ standIn: CosStandIn; cos: CosClient }> {
  const standIn = await startCosStandIn({ port: 0, dataDir, triggers: [], keyIndex });
  running.push(standIn);
  return { standIn, cos: new CosClient({ credentials: { secretId: DEV_SECRET_ID, secretKey: DEV_SECRET_KEY }, endpoint: new URL(standIn.url) }) };
}

/** Every key under `prefix`, page by page of `maxKeys`. */
async function listAll(cos: CosClient, prefix: string, maxKeys: number): Promise<string[]> {
  const keys: string[] = [];
  let marker: string | undefined;
  do {
    const page = await cos.listObjects(BUCKET, { prefix, maxKeys, ...(marker ? { marker } : {}) });
    keys.push(...page.objects.map((o) => o.key));
    marker = page.truncated ? page.nextMarker : undefined;
  } while (marker);
  return keys;
}

describe("the COS stand-in's key index", () => {
  it("lists by prefix and marker, page by page, as the stand-in without it does, through puts and deletes", async () => {
    const keys = ["due/0002~b", "due/0001~a", "due/0003~c", "open/a", "open/b", "tasks/a.json", "du", "due/0001~a2"];
    const plain = await start(false);
    for (const key of keys) await plain.cos.putObject(BUCKET, key, "", { contentType: "text/plain" });
    const indexed = await start(true);
    expect(await listAll(indexed.cos, "due/", 2)).toEqual(await listAll(plain.cos, "due/", 2));
    await indexed.cos.deleteObject(BUCKET, "due/0001~a");
    await indexed.cos.putObject(BUCKET, "due/0000~z", "", { contentType: "text/plain" });
    expect(await listAll(indexed.cos, "due/", 2)).toEqual(["due/0000~z", "due/0001~a2", "due/0002~b", "due/0003~c"]);
    expect(await listAll(indexed.cos, "", 3)).toEqual(await listAll(plain.cos, "", 3));
  });

  it("lists objects seeded in bulk, and serves them", async () => {
    const { standIn, cos } = await start(true);
    await cos.putObject(BUCKET, "open/first", "", { contentType: "text/plain" });
    standIn.seedSync(BUCKET.bucket, [
      { key: "open/b", body: "" },
      { key: "tasks/b.json", body: '{"taskId":"b"}' },
      { key: "open/a", body: "" },
    ]);
    expect(await listAll(cos, "open/", 1)).toEqual(["open/a", "open/b", "open/first"]);
    expect((await cos.getObject(BUCKET, "tasks/b.json"))?.body.toString("utf8")).toBe('{"taskId":"b"}');
  });
});

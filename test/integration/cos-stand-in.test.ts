/**
 * The local COS stand-in over real HTTP: COS's addressing and error shapes, objects on disk that
 * outlive a restart, and the SCF COS trigger played asynchronously with retries and duplicates.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { request as httpRequest } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { REDACTED_AUTHORIZATION } from "../../local/cos/events";
import { startCosStandIn, type CosEvent, type CosStandIn, type CosStandInOptions } from "../../local/cos/server";
import { DEV_SECRET_ID, DEV_SECRET_KEY } from "../../local/dev-credentials";
import { CosClient, type CosBucketRef } from "../../shared/cos/client";
import { cosObjectUrl, signCosRequest } from "../../shared/signing/cos";

const BUCKET: CosBucketRef = { bucket: "aigc-1250000000", region: "ap-guangzhou" };
const DEV = { secretId: DEV_SECRET_ID, secretKey: DEV_SECRET_KEY };
const REDRAW_TRIGGER = { functionName: "vod-aigc-redraw", bucket: "aigc-1250000000", events: ["cos:ObjectCreated:*"], prefix: "in/", suffix: ".mp4" };

let dataDir: string;
const running: CosStandIn[] = [];
let invocations: Array<{ functionName: string; event: CosEvent }>;

beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), "cos-stand-in-"));
  invocations = [];
});

afterEach(async () => {
  await Promise.all(running.splice(0).map((standIn) => standIn.close()));
  rmSync(dataDir, { recursive: true, force: true });
});

async function start(options: Partial<CosStandInOptions> = {}): Promise<CosStandIn> {
  const standIn = await startCosStandIn({
    dataDir,
    retryDelayMs: 10,
    invoke: async (functionName, event) => {
      invocations.push({ functionName, event: event as CosEvent });
    },
    ...options,
  });
  running.push(standIn);
  return standIn;
}

function clientOf(standIn: CosStandIn): CosClient {
  return new CosClient({ credentials: DEV, endpoint: new URL(standIn.url) });
}

/** A request signed like the client signs, for what the client does not do (copy, raw headers). */
async function signedFetch(standIn: CosStandIn, method: string, key: string, headers: Record<string, string> = {}, body?: string): Promise<Response> {
  const url = cosObjectUrl(`${standIn.url}/${BUCKET.bucket}`, key);
  const now = Math.floor(Date.now() / 1000);
  const { authorization } = signCosRequest({
    ...DEV,
    method,
    pathname: `/${key}`,
    headers: { ...headers, host: new URL(url).host },
    keyTime: { start: now - 60, end: now + 600 },
  });
  return fetch(url, { method, headers: { ...headers, authorization }, ...(body !== undefined ? { body } : {}) });
}

describe("COS stand-in requests", () => {
  it("serves a virtual-hosted request by its Host header, the key being the whole path", async () => {
    const standIn = await start();
    await clientOf(standIn).putObject(BUCKET, "in/clip 1.mp4", "virtual");
    const host = "aigc-1250000000.cos.ap-guangzhou.myqcloud.com";
    const now = Math.floor(Date.now() / 1000);
    const { authorization } = signCosRequest({ ...DEV, method: "GET", pathname: "/in/clip 1.mp4", headers: { host }, keyTime: { start: now - 60, end: now + 600 } });
    const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = httpRequest({ port: standIn.port, host: "127.0.0.1", path: "/in/clip%201.mp4", headers: { host, authorization } }, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
      });
      req.on("error", reject);
      req.end();
    });
    expect(answer).toEqual({ status: 200, body: "virtual" });
  });

  it("answers errors in COS's XML shape with the request id in a header too", async () => {
    const standIn = await start();
    const response = await signedFetch(standIn, "GET", "missing.mp4");
    const xml = await response.text();
    const requestId = response.headers.get("x-cos-request-id");
    expect({
      status: response.status,
      contentType: response.headers.get("content-type"),
      code: /<Code>(.*)<\/Code>/.exec(xml)?.[1],
      message: /<Message>.+<\/Message>/.test(xml),
      sameRequestId: xml.includes(`<RequestId>${requestId}</RequestId>`),
    }).toEqual({ status: 404, contentType: "application/xml", code: "NoSuchKey", message: true, sameRequestId: true });
  });

  it("refuses an unsigned request with 403 AccessDenied", async () => {
    const standIn = await start();
    const response = await fetch(`${standIn.url}/${BUCKET.bucket}/in/clip.mp4`);
    expect([response.status, /<Code>AccessDenied<\/Code>/.test(await response.text())]).toEqual([403, true]);
  });

  it("refuses a request whose signed header was changed on the way", async () => {
    const standIn = await start();
    const url = cosObjectUrl(`${standIn.url}/${BUCKET.bucket}`, "k");
    const now = Math.floor(Date.now() / 1000);
    const { authorization } = signCosRequest({
      ...DEV,
      method: "PUT",
      pathname: "/k",
      headers: { host: new URL(url).host, "x-cos-meta-owner": "alice" },
      keyTime: { start: now - 60, end: now + 600 },
    });
    const response = await fetch(url, { method: "PUT", headers: { authorization, "x-cos-meta-owner": "mallory" }, body: "x" });
    expect([response.status, /<Code>SignatureDoesNotMatch<\/Code>/.test(await response.text())]).toEqual([403, true]);
  });

  it("answers 404 NoSuchBucket for a bucket outside the configured list", async () => {
    const standIn = await start({ buckets: ["aigc-1250000000"] });
    const response = await fetch(`${standIn.url}/other-1250000000/k`);
    expect([response.status, /<Code>NoSuchBucket<\/Code>/.test(await response.text())]).toEqual([404, true]);
  });

  it("answers 404 NoSuchBucket for a virtual-hosted request naming another region", async () => {
    const standIn = await start();
    const status = await new Promise<number>((resolve, reject) => {
      const req = httpRequest({ port: standIn.port, host: "127.0.0.1", path: "/k", headers: { host: "aigc-1250000000.cos.ap-beijing.myqcloud.com" } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on("error", reject);
      req.end();
    });
    expect(status).toBe(404);
  });

  it("rejects a body whose Content-MD5 does not match with 400 BadDigest", async () => {
    const standIn = await start();
    const response = await signedFetch(standIn, "PUT", "k", { "content-md5": Buffer.alloc(16).toString("base64") }, "body");
    expect([response.status, /<Code>BadDigest<\/Code>/.test(await response.text()), standIn.objects()]).toEqual([400, true, []]);
  });

  it("copies an object with x-cos-copy-source, keeping its content type and metadata", async () => {
    const standIn = await start();
    await clientOf(standIn).putObject(BUCKET, "in/源 1.mp4", "copied", { contentType: "video/mp4", metadata: { origin: "upload" } });
    const source = `${BUCKET.bucket}.cos.${BUCKET.region}.myqcloud.com/${encodeURIComponent("in/源 1.mp4")}`;
    const response = await signedFetch(standIn, "PUT", "out/copy.mp4", { "x-cos-copy-source": source });
    const copy = await clientOf(standIn).getObject(BUCKET, "out/copy.mp4");
    expect({
      status: response.status,
      result: /<CopyObjectResult><ETag>/.test(await response.text()),
      body: copy?.body.toString(),
      contentType: copy?.contentType,
      metadata: copy?.metadata,
    }).toEqual({ status: 200, result: true, body: "copied", contentType: "video/mp4", metadata: { origin: "upload" } });
  });

  it("refuses a copy onto an existing key under x-cos-forbid-overwrite with 409 FileAlreadyExists", async () => {
    const standIn = await start();
    await clientOf(standIn).putObject(BUCKET, "a", "a");
    await clientOf(standIn).putObject(BUCKET, "b", "b");
    const source = `${BUCKET.bucket}.cos.${BUCKET.region}.myqcloud.com/a`;
    const response = await signedFetch(standIn, "PUT", "b", { "x-cos-copy-source": source, "x-cos-forbid-overwrite": "true" });
    expect([response.status, /<Code>FileAlreadyExists<\/Code>/.test(await response.text())]).toEqual([409, true]);
  });

  it("keeps objects and their metadata across a restart over the same data directory", async () => {
    const first = await start();
    await clientOf(first).putObject(BUCKET, "in/腾讯 clip.mp4", "persisted", { contentType: "video/mp4", metadata: { k: "v" } });
    await first.close();
    const second = await start();
    const object = await clientOf(second).getObject(BUCKET, "in/腾讯 clip.mp4");
    expect({ body: object?.body.toString(), contentType: object?.contentType, metadata: object?.metadata }).toEqual({
      body: "persisted",
      contentType: "video/mp4",
      metadata: { k: "v" },
    });
  });

  it("lists what it holds through objects()", async () => {
    const standIn = await start();
    await clientOf(standIn).putObject(BUCKET, "k", "hello", { contentType: "text/plain" });
    expect(standIn.objects()).toEqual([
      expect.objectContaining({ bucket: BUCKET.bucket, key: "k", size: 5, contentType: "text/plain", metadata: {} }),
    ]);
  });

  it("forgets every object on reset()", async () => {
    const standIn = await start();
    await clientOf(standIn).putObject(BUCKET, "k", "hello");
    standIn.reset();
    expect([standIn.objects(), await clientOf(standIn).getObject(BUCKET, "k")]).toEqual([[], undefined]);
  });

  it("logs one JSON line per request, without signatures, tokens or keys of credentials", async () => {
    const lines: Array<Record<string, unknown>> = [];
    const token = "temporary-token-value";
    const standIn = await start({ log: (line) => lines.push(line), credentials: [{ ...DEV, token }] });
    const temporary = new CosClient({ credentials: { ...DEV, token }, endpoint: new URL(standIn.url) });
    await temporary.putObject(BUCKET, "k", "x");
    await fetch(temporary.presignGetUrl(BUCKET, "k", 60));
    const text = JSON.stringify(lines);
    expect({
      requests: lines.filter((line) => line["requestId"] !== undefined).length,
      leaks: [/q-signature/, new RegExp(token), new RegExp(DEV_SECRET_KEY), new RegExp(DEV_SECRET_ID)].filter((pattern) => pattern.test(text)).length,
    }).toEqual({ requests: 2, leaks: 0 });
  });
});

describe("COS stand-in triggers", () => {
  it("fires exactly one event for a PUT under the trigger's prefix and suffix", async () => {
    const standIn = await start({ triggers: [REDRAW_TRIGGER] });
    await clientOf(standIn).putObject(BUCKET, "in/clip.mp4", "video");
    await standIn.flushDeliveries();
    expect(invocations.map((invocation) => invocation.functionName)).toEqual(["vod-aigc-redraw"]);
  });

  it("delivers the event in the shape of SCF's COS trigger", async () => {
    const standIn = await start({ triggers: [REDRAW_TRIGGER] });
    await clientOf(standIn).putObject(BUCKET, "in/腾讯 a+b.mp4", "video", { contentType: "video/mp4", metadata: { uploader: "u1" } });
    await standIn.flushDeliveries();
    expect(invocations[0]?.event).toEqual({
      Records: [
        {
          cos: {
            cosSchemaVersion: "1.0",
            cosObject: {
              url: "http://aigc-1250000000.cos.ap-guangzhou.myqcloud.com/in/%E8%85%BE%E8%AE%AF%20a%2Bb.mp4",
              meta: { "x-cos-request-id": expect.any(String), "Content-Type": "video/mp4", "x-cos-meta-uploader": "u1" },
              vid: "",
              key: "/1250000000/aigc/in/腾讯 a+b.mp4",
              size: 5,
            },
            cosBucket: { region: "gz", name: "aigc", appid: "1250000000" },
            cosNotificationId: "unkown",
          },
          event: {
            eventName: "cos:ObjectCreated:Put",
            eventVersion: "1.0",
            eventTime: expect.any(Number),
            eventSource: "qcs::cos",
            requestParameters: { requestSourceIP: "127.0.0.1", requestHeaders: { Authorization: REDACTED_AUTHORIZATION } },
            eventQueue: "qcs:0:scf:gz:appid/1250000000:default.vod-aigc-redraw.$LATEST",
            reservedInfo: "",
            reqid: expect.any(Number),
          },
        },
      ],
    });
  });

  it("gives the event time in unix seconds", async () => {
    const standIn = await start({ triggers: [REDRAW_TRIGGER] });
    const before = Math.floor(Date.now() / 1000);
    await clientOf(standIn).putObject(BUCKET, "in/clip.mp4", "video");
    await standIn.flushDeliveries();
    const eventTime = invocations[0]?.event.Records[0]?.event.eventTime ?? 0;
    expect(eventTime >= before && eventTime <= before + 5).toBe(true);
  });

  it("carries the creating request's x-cos-request-id in the event", async () => {
    const standIn = await start({ triggers: [REDRAW_TRIGGER] });
    const response = await signedFetch(standIn, "PUT", "in/clip.mp4", { "content-type": "video/mp4" }, "video");
    await standIn.flushDeliveries();
    expect(invocations[0]?.event.Records[0]?.cos.cosObject.meta["x-cos-request-id"]).toBe(response.headers.get("x-cos-request-id"));
  });

  it("can give the bucket's full region instead of Tencent's short code", async () => {
    const standIn = await start({ triggers: [REDRAW_TRIGGER], eventRegionFormat: "full" });
    await clientOf(standIn).putObject(BUCKET, "in/clip.mp4", "video");
    await standIn.flushDeliveries();
    expect(invocations[0]?.event.Records[0]?.cos.cosBucket.region).toBe("ap-guangzhou");
  });

  it("never puts the uploader's signature into the event", async () => {
    const standIn = await start({ triggers: [REDRAW_TRIGGER] });
    await clientOf(standIn).putObject(BUCKET, "in/clip.mp4", "video");
    await standIn.flushDeliveries();
    expect(JSON.stringify(invocations[0]?.event)).not.toMatch(/q-signature|q-ak|AKID/);
  });

  it("answers the PUT before the function has finished", async () => {
    let release: () => void = () => {};
    const blocked = new Promise<void>((resolve) => (release = resolve));
    const standIn = await start({ triggers: [REDRAW_TRIGGER], invoke: () => blocked });
    const put = await clientOf(standIn).putObject(BUCKET, "in/clip.mp4", "video");
    const statusWhileRunning = standIn.deliveries()[0]?.status;
    release();
    await standIn.flushDeliveries();
    expect([put.created, statusWhileRunning, standIn.deliveries()[0]?.status]).toEqual([true, "pending", "succeeded"]);
  });

  it.each([
    ["a key outside the prefix", "out/clip.mp4"],
    ["a key with another suffix", "in/clip.mov"],
  ])("fires no event for %s", async (_, key) => {
    const standIn = await start({ triggers: [REDRAW_TRIGGER] });
    await clientOf(standIn).putObject(BUCKET, key, "video");
    await standIn.flushDeliveries();
    expect([invocations, standIn.deliveries()]).toEqual([[], []]);
  });

  it("fires no event for another bucket", async () => {
    const standIn = await start({ triggers: [REDRAW_TRIGGER] });
    await clientOf(standIn).putObject({ bucket: "other-1250000000", region: "ap-guangzhou" }, "in/clip.mp4", "video");
    await standIn.flushDeliveries();
    expect(invocations).toEqual([]);
  });

  it("fires no event for a PUT refused by forbid-overwrite", async () => {
    const standIn = await start({ triggers: [REDRAW_TRIGGER] });
    await clientOf(standIn).putObject(BUCKET, "in/clip.mp4", "first", { forbidOverwrite: true });
    await clientOf(standIn).putObject(BUCKET, "in/clip.mp4", "second", { forbidOverwrite: true });
    await standIn.flushDeliveries();
    expect(invocations).toHaveLength(1);
  });

  it("accepts a trigger whose bucket is written as the bucket's host, as serverless.yml does", async () => {
    const standIn = await start({ triggers: [{ ...REDRAW_TRIGGER, bucket: "aigc-1250000000.cos.ap-guangzhou.myqcloud.com" }] });
    await clientOf(standIn).putObject(BUCKET, "in/clip.mp4", "video");
    await standIn.flushDeliveries();
    expect(invocations).toHaveLength(1);
  });

  it("fires cos:ObjectCreated:Copy for a copy", async () => {
    const standIn = await start({ triggers: [{ functionName: "on-copy", bucket: BUCKET.bucket, events: ["cos:ObjectCreated:Copy"] }] });
    await clientOf(standIn).putObject(BUCKET, "a.mp4", "video");
    await signedFetch(standIn, "PUT", "b.mp4", { "x-cos-copy-source": `${BUCKET.bucket}.cos.${BUCKET.region}.myqcloud.com/a.mp4` });
    await standIn.flushDeliveries();
    expect(invocations.map((invocation) => [invocation.event.Records[0]?.event.eventName, invocation.event.Records[0]?.cos.cosObject.key])).toEqual([
      ["cos:ObjectCreated:Copy", "/1250000000/aigc/b.mp4"],
    ]);
  });

  it("fires nothing for a copy to a trigger of cos:ObjectCreated:Put only", async () => {
    const standIn = await start({ triggers: [{ functionName: "on-put", bucket: BUCKET.bucket, events: ["cos:ObjectCreated:Put"] }] });
    await clientOf(standIn).putObject(BUCKET, "a.mp4", "video");
    await signedFetch(standIn, "PUT", "b.mp4", { "x-cos-copy-source": `${BUCKET.bucket}.cos.${BUCKET.region}.myqcloud.com/a.mp4` });
    await standIn.flushDeliveries();
    expect(invocations.map((invocation) => invocation.event.Records[0]?.cos.cosObject.key)).toEqual(["/1250000000/aigc/a.mp4"]);
  });

  it("invokes each matching trigger's function once", async () => {
    const standIn = await start({
      triggers: [REDRAW_TRIGGER, { functionName: "audit", bucket: BUCKET.bucket, events: ["cos:ObjectCreated:Put"] }],
    });
    await clientOf(standIn).putObject(BUCKET, "in/clip.mp4", "video");
    await standIn.flushDeliveries();
    expect(invocations.map((invocation) => invocation.functionName).sort()).toEqual(["audit", "vod-aigc-redraw"]);
  });

  it("retries a failing invocation twice, then records that it gave up", async () => {
    const standIn = await start({
      triggers: [REDRAW_TRIGGER],
      invoke: async () => {
        throw new Error("function crashed");
      },
    });
    await clientOf(standIn).putObject(BUCKET, "in/clip.mp4", "video");
    await standIn.flushDeliveries();
    const [delivery] = standIn.deliveries();
    expect({ status: delivery?.status, attempts: delivery?.attempts.map((attempt) => [attempt.attempt, attempt.outcome, attempt.error]) }).toEqual({
      status: "gave-up",
      attempts: [
        [1, "failed", "function crashed"],
        [2, "failed", "function crashed"],
        [3, "failed", "function crashed"],
      ],
    });
  });

  it("retries as many times as configured", async () => {
    const standIn = await start({ triggers: [REDRAW_TRIGGER], retries: 4, invoke: () => Promise.reject(new Error("down")) });
    await clientOf(standIn).putObject(BUCKET, "in/clip.mp4", "video");
    await standIn.flushDeliveries();
    expect(standIn.deliveries()[0]?.attempts).toHaveLength(5);
  });

  it("waits the configured delay before a retry", async () => {
    const standIn = await start({ triggers: [REDRAW_TRIGGER], retries: 1, retryDelayMs: 200, invoke: () => Promise.reject(new Error("down")) });
    await clientOf(standIn).putObject(BUCKET, "in/clip.mp4", "video");
    await standIn.flushDeliveries();
    const [first, second] = standIn.deliveries()[0]?.attempts ?? [];
    expect(Date.parse(second?.startedAt ?? "") - Date.parse(first?.finishedAt ?? "")).toBeGreaterThanOrEqual(190);
  });

  it("stops retrying once an invocation succeeds", async () => {
    let calls = 0;
    const standIn = await start({
      triggers: [REDRAW_TRIGGER],
      invoke: async () => {
        calls++;
        if (calls === 1) throw new Error("cold start failed");
      },
    });
    await clientOf(standIn).putObject(BUCKET, "in/clip.mp4", "video");
    await standIn.flushDeliveries();
    const [delivery] = standIn.deliveries();
    expect([delivery?.status, delivery?.attempts.map((attempt) => attempt.outcome)]).toEqual(["succeeded", ["failed", "succeeded"]]);
  });

  it("gives each retry the same event", async () => {
    const events: unknown[] = [];
    const standIn = await start({
      triggers: [REDRAW_TRIGGER],
      invoke: async (_, event) => {
        events.push(event);
        if (events.length === 1) throw new Error("first attempt failed");
      },
    });
    await clientOf(standIn).putObject(BUCKET, "in/clip.mp4", "video");
    await standIn.flushDeliveries();
    expect(events[1]).toEqual(events[0]);
  });

  it("delivers each event N extra times with duplicateDeliveries, all carrying the same reqid", async () => {
    const standIn = await start({ triggers: [REDRAW_TRIGGER], duplicateDeliveries: 2 });
    await clientOf(standIn).putObject(BUCKET, "in/clip.mp4", "video");
    await standIn.flushDeliveries();
    expect({
      copies: standIn.deliveries().map((delivery) => delivery.copy).sort(),
      reqids: new Set(invocations.map((invocation) => invocation.event.Records[0]?.event.reqid)).size,
    }).toEqual({ copies: [0, 1, 2], reqids: 1 });
  });

  it("forgets deliveries on reset()", async () => {
    const standIn = await start({ triggers: [REDRAW_TRIGGER] });
    await clientOf(standIn).putObject(BUCKET, "in/clip.mp4", "video");
    await standIn.flushDeliveries();
    standIn.reset();
    expect(standIn.deliveries()).toEqual([]);
  });

  it("cancels retries still waiting when it closes", async () => {
    const standIn = await start({ triggers: [REDRAW_TRIGGER], retryDelayMs: 60_000, invoke: () => Promise.reject(new Error("down")) });
    await clientOf(standIn).putObject(BUCKET, "in/clip.mp4", "video");
    await new Promise((resolve) => setTimeout(resolve, 50));
    await standIn.close();
    await standIn.flushDeliveries();
    expect(standIn.deliveries()[0]?.status).toBe("cancelled");
  });

  it("refuses triggers without an invoke function", async () => {
    await expect(startCosStandIn({ dataDir, triggers: [REDRAW_TRIGGER] })).rejects.toThrow(/invoke/);
  });
});

/**
 * The COS client over real HTTP: against the local COS stand-in (signatures checked), and against
 * a scripted server for the retry rules.
 */
import { createHash } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startCosStandIn, type CosStandIn } from "../../local/cos/server";
import { DEV_SECRET_ID, DEV_SECRET_KEY } from "../../local/dev-credentials";
import { CosClient, CosError, type CosBucketRef } from "../../shared/cos/client";
import { verifyCosAuthorization } from "../../shared/signing/cos";

const BUCKET: CosBucketRef = { bucket: "aigc-1250000000", region: "ap-guangzhou" };
const DEV = { secretId: DEV_SECRET_ID, secretKey: DEV_SECRET_KEY };
const TEMPORARY = { secretId: "AKIDTEMPORARYCOS00000000000000000000", secretKey: "temporaryCosKey", token: "session-token+/=1" };
const ODD_KEYS = [
  "with space/clip 1.mp4",
  "腾讯云/视频.mp4",
  "a+b.mp4",
  "100%.mp4",
  "%20literal.mp4",
  "hash#tag.mp4",
  "what?.mp4",
  "mixed (1)+%25 #腾讯云!*'~&=.jpeg",
];

let dataDir: string;
let standIn: CosStandIn;

function client(overrides: { credentials?: { secretId: string; secretKey: string; token?: string }; now?: () => number } = {}): CosClient {
  return new CosClient({ credentials: overrides.credentials ?? DEV, endpoint: new URL(standIn.url), ...(overrides.now ? { now: overrides.now } : {}) });
}

async function rejectionOf(promise: Promise<unknown>): Promise<CosError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof CosError) return error;
    throw error;
  }
  throw new Error("expected a CosError, but the call succeeded");
}

function streamOf(...chunks: string[]): ReadableStream<Uint8Array> {
  return new ReadableStream<Uint8Array>({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(Buffer.from(chunk));
      controller.close();
    },
  });
}

describe("CosClient against the COS stand-in", () => {
  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), "cos-client-"));
    standIn = await startCosStandIn({ dataDir, credentials: [DEV, TEMPORARY] });
  });

  afterAll(async () => {
    await standIn.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  beforeEach(() => standIn.reset());

  it.each(ODD_KEYS)("puts and gets back the body of key %j", async (key) => {
    await client().putObject(BUCKET, key, `body of ${key}`);
    expect((await client().getObject(BUCKET, key))?.body.toString("utf8")).toBe(`body of ${key}`);
  });

  it.each(ODD_KEYS)("lists key %j exactly as it was written", async (key) => {
    await client().putObject(BUCKET, key, "x");
    expect((await client().listObjects(BUCKET)).objects.map((object) => object.key)).toEqual([key]);
  });

  it.each(ODD_KEYS)("heads and deletes key %j", async (key) => {
    await client().putObject(BUCKET, key, "12345");
    const head = await client().headObject(BUCKET, key);
    await client().deleteObject(BUCKET, key);
    expect({ size: head?.size, after: await client().headObject(BUCKET, key) }).toEqual({ size: 5, after: undefined });
  });

  it("answers a put with the quoted MD5 of the body as ETag", async () => {
    const result = await client().putObject(BUCKET, "in/clip.mp4", Buffer.from("video bytes"));
    expect(result).toEqual({ created: true, etag: `"${createHash("md5").update("video bytes").digest("hex")}"` });
  });

  it("gives back the content type and x-cos-meta metadata it was given", async () => {
    await client().putObject(BUCKET, "in/clip.mp4", "v", { contentType: "video/mp4", metadata: { "Task-Id": "251007502-AigcVideo-1", source: "upload" } });
    const object = await client().getObject(BUCKET, "in/clip.mp4");
    expect({ contentType: object?.contentType, metadata: object?.metadata }).toEqual({
      contentType: "video/mp4",
      metadata: { "task-id": "251007502-AigcVideo-1", source: "upload" },
    });
  });

  it("gives the same head from headObject as from getObject", async () => {
    await client().putObject(BUCKET, "a.json", '{"a":1}', { contentType: "application/json", metadata: { k: "v" } });
    const { body: _body, ...fromGet } = (await client().getObject(BUCKET, "a.json"))!;
    expect(await client().headObject(BUCKET, "a.json")).toEqual(fromGet);
  });

  it("uploads a stream body of a declared length", async () => {
    await client().putObject(BUCKET, "in/stream.bin", streamOf("abc", "def"), { contentLength: 6 });
    expect((await client().getObject(BUCKET, "in/stream.bin"))?.body.toString()).toBe("abcdef");
  });

  it("refuses a stream body without contentLength before sending anything", async () => {
    await expect(client().putObject(BUCKET, "in/stream.bin", streamOf("abc"))).rejects.toThrow(/contentLength/);
  });

  it("reads an object as a stream with its size and ETag", async () => {
    const put = await client().putObject(BUCKET, "big.bin", Buffer.alloc(256 * 1024, 7));
    const object = await client().getObjectStream(BUCKET, "big.bin");
    const bytes = Buffer.from(await new Response(object?.body).arrayBuffer());
    expect({ size: object?.size, etag: object?.etag, same: bytes.equals(Buffer.alloc(256 * 1024, 7)) }).toEqual({
      size: 256 * 1024,
      etag: put.created ? put.etag : "",
      same: true,
    });
  });

  it("answers undefined for a key that does not exist, from get, getStream and head", async () => {
    expect([
      await client().getObject(BUCKET, "missing"),
      await client().getObjectStream(BUCKET, "missing"),
      await client().headObject(BUCKET, "missing"),
    ]).toEqual([undefined, undefined, undefined]);
  });

  it("deletes a key that does not exist without an error", async () => {
    await expect(client().deleteObject(BUCKET, "missing")).resolves.toBeUndefined();
  });

  it("lists only the keys under a prefix", async () => {
    for (const key of ["in/a.mp4", "in/b.mp4", "out/a.json"]) await client().putObject(BUCKET, key, "x");
    expect((await client().listObjects(BUCKET, { prefix: "in/" })).objects.map((object) => object.key)).toEqual(["in/a.mp4", "in/b.mp4"]);
  });

  it("pages through a listing with maxKeys and nextMarker", async () => {
    for (const key of ["k1", "k2", "k3"]) await client().putObject(BUCKET, key, "x");
    const first = await client().listObjects(BUCKET, { maxKeys: 2 });
    const second = await client().listObjects(BUCKET, { maxKeys: 2, ...(first.nextMarker ? { marker: first.nextMarker } : {}) });
    expect([first.objects.map((o) => o.key), first.truncated, second.objects.map((o) => o.key), second.truncated]).toEqual([
      ["k1", "k2"],
      true,
      ["k3"],
      false,
    ]);
  });

  it("lists size, quoted ETag and an ISO time for each object", async () => {
    await client().putObject(BUCKET, "k", "hello");
    expect((await client().listObjects(BUCKET)).objects[0]).toEqual({
      key: "k",
      size: 5,
      etag: `"${createHash("md5").update("hello").digest("hex")}"`,
      lastModified: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
    });
  });

  it("creates with forbidOverwrite the first time and answers created:false the second", async () => {
    const first = await client().putObject(BUCKET, "state/clip.json", "first", { forbidOverwrite: true });
    const second = await client().putObject(BUCKET, "state/clip.json", "second", { forbidOverwrite: true });
    expect([first.created, second]).toEqual([true, { created: false }]);
  });

  it("keeps the first body when a forbidOverwrite put finds the key taken", async () => {
    await client().putObject(BUCKET, "state/clip.json", "first", { forbidOverwrite: true });
    await client().putObject(BUCKET, "state/clip.json", "second", { forbidOverwrite: true });
    expect((await client().getObject(BUCKET, "state/clip.json"))?.body.toString()).toBe("first");
  });

  it("lets exactly one of many concurrent forbidOverwrite puts create the key", async () => {
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) => client().putObject(BUCKET, "state/lock.json", `writer ${i}`, { forbidOverwrite: true })),
    );
    expect(results.filter((result) => result.created)).toHaveLength(1);
  });

  it("overwrites an existing key without forbidOverwrite", async () => {
    await client().putObject(BUCKET, "k", "first");
    await client().putObject(BUCKET, "k", "second");
    expect((await client().getObject(BUCKET, "k"))?.body.toString()).toBe("second");
  });

  it.each(ODD_KEYS)("presigns a GET URL for key %j that plain fetch can read", async (key) => {
    await client().putObject(BUCKET, key, "presigned body");
    const response = await fetch(client().presignGetUrl(BUCKET, key, 300));
    expect([response.status, await response.text()]).toEqual([200, "presigned body"]);
  });

  it("refuses a presigned GET URL once it has expired", async () => {
    await client().putObject(BUCKET, "in/clip.mp4", "v");
    const anHourAgo = client({ now: () => Date.now() - 3_600_000 });
    const response = await fetch(anHourAgo.presignGetUrl(BUCKET, "in/clip.mp4", 600));
    expect([response.status, /<Code>AccessDenied<\/Code>/.test(await response.text())]).toEqual([403, true]);
  });

  it("puts x-cos-security-token into a presigned URL under temporary credentials", async () => {
    await client().putObject(BUCKET, "in/clip.mp4", "v");
    const url = new URL(client({ credentials: TEMPORARY }).presignGetUrl(BUCKET, "in/clip.mp4", 300));
    const response = await fetch(url);
    expect([url.searchParams.get("x-cos-security-token"), response.status]).toEqual([TEMPORARY.token, 200]);
  });

  it("works under temporary credentials that send their token", async () => {
    await client({ credentials: TEMPORARY }).putObject(BUCKET, "k", "temporary");
    expect((await client({ credentials: TEMPORARY }).getObject(BUCKET, "k"))?.body.toString()).toBe("temporary");
  });

  it("is refused with a wrong token as a non-retryable 403", async () => {
    const error = await rejectionOf(client({ credentials: { ...TEMPORARY, token: "another-token" } }).getObject(BUCKET, "k"));
    expect({ status: error.status, code: error.code, retryable: error.retryable }).toEqual({ status: 403, code: "AccessDenied", retryable: false });
  });

  it("maps a wrong secret key to a non-retryable SignatureDoesNotMatch CosError", async () => {
    const error = await rejectionOf(client({ credentials: { ...DEV, secretKey: "wrong" } }).putObject(BUCKET, "k", "x"));
    expect({ status: error.status, code: error.code, retryable: error.retryable }).toEqual({
      status: 403,
      code: "SignatureDoesNotMatch",
      retryable: false,
    });
  });

  it("keeps COS's RequestId on a CosError", async () => {
    const error = await rejectionOf(client({ credentials: { ...DEV, secretKey: "wrong" } }).getObject(BUCKET, "k"));
    expect(error.cosRequestId).toMatch(/^[A-Za-z0-9+/=]{16,}$/);
  });

  it("names the call and COS's code in a CosError's message, never the signature", async () => {
    const error = await rejectionOf(client({ credentials: { ...DEV, secretKey: "wrong" } }).getObject(BUCKET, "in/clip.mp4"));
    expect([error.message.includes("GET aigc-1250000000/in/clip.mp4"), error.message.includes("SignatureDoesNotMatch"), /q-signature/.test(error.message)]).toEqual([
      true,
      true,
      false,
    ]);
  });

  it("maps an unknown SecretId to InvalidAccessKeyId", async () => {
    const error = await rejectionOf(client({ credentials: { secretId: "AKIDunknown", secretKey: "x" } }).getObject(BUCKET, "k"));
    expect(error.code).toBe("InvalidAccessKeyId");
  });

  it("refuses object keys with '.' or '..' segments, which URL parsing would resolve away", () => {
    expect(() => client().objectUrl(BUCKET, "a/../b.mp4")).toThrow(TypeError);
  });

  it("refuses metadata values that are not printable ASCII", async () => {
    await expect(client().putObject(BUCKET, "k", "x", { metadata: { title: "腾讯" } })).rejects.toThrow(TypeError);
  });
});

describe("CosClient against a stand-in with a fixed bucket list", () => {
  let fixed: CosStandIn;
  let fixedDir: string;

  beforeAll(async () => {
    fixedDir = mkdtempSync(join(tmpdir(), "cos-client-fixed-"));
    fixed = await startCosStandIn({ dataDir: fixedDir, buckets: ["aigc-1250000000"] });
  });

  afterAll(async () => {
    await fixed.close();
    rmSync(fixedDir, { recursive: true, force: true });
  });

  it("throws NoSuchBucket from getObject instead of answering undefined", async () => {
    const other = new CosClient({ credentials: DEV, endpoint: new URL(fixed.url) });
    const error = await rejectionOf(other.getObject({ bucket: "other-1250000000", region: "ap-guangzhou" }, "k"));
    expect({ status: error.status, code: error.code }).toEqual({ status: 404, code: "NoSuchBucket" });
  });
});

describe("CosClient addressing in production", () => {
  const production = new CosClient({ credentials: DEV, now: () => 1_700_000_000_000 });

  it("builds virtual-hosted object URLs with the key percent-encoded", () => {
    expect(production.objectUrl(BUCKET, "in/a b+c#腾讯.mp4")).toBe(
      "https://aigc-1250000000.cos.ap-guangzhou.myqcloud.com/in/a%20b%2Bc%23%E8%85%BE%E8%AE%AF.mp4",
    );
  });

  it("presigns a virtual-hosted URL that verifies over its own host and the decoded key", () => {
    const url = production.presignGetUrl(BUCKET, "in/a b+c#腾讯.mp4", 600);
    const verification = verifyCosAuthorization({
      method: "GET",
      url,
      headers: { host: new URL(url).host },
      lookupSecretKey: () => DEV_SECRET_KEY,
      now: 1_700_000_000 + 300,
    });
    expect(verification).toMatchObject({ ok: true });
  });

  it("refuses an endpoint with a path, which path-style addressing cannot honour", () => {
    expect(() => new CosClient({ credentials: DEV, endpoint: new URL("http://127.0.0.1:9100/cos") })).toThrow(TypeError);
  });
});

interface Seen {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

type Script = (req: IncomingMessage, res: ServerResponse, body: Buffer) => void;

describe("CosClient retries", () => {
  // A server that answers each request with the next scripted answer, recording what it got.
  let server: Server;
  let port: number;
  let script: Script[];
  let seen: Seen[];

  const errorXml = (code: string) => `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${code}</Message><RequestId>req-${code}</RequestId></Error>`;
  const fail = (status: number, code: string): Script => (_req, res) => {
    res.writeHead(status, { "content-type": "application/xml", "x-cos-request-id": `req-${code}` }).end(errorXml(code));
  };
  const ok = (body = "ok", headers: Record<string, string> = {}): Script => (_req, res) => {
    res.writeHead(200, { etag: '"etag"', "content-length": String(Buffer.byteLength(body)), ...headers }).end(body);
  };
  const scripted = (timeoutMs?: number) =>
    new CosClient({ credentials: DEV, endpoint: new URL(`http://127.0.0.1:${port}`), ...(timeoutMs ? { timeoutMs } : {}) });

  beforeAll(async () => {
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (chunk: Buffer) => chunks.push(chunk));
      req.on("end", () => {
        const body = Buffer.concat(chunks);
        seen.push({ method: req.method ?? "", url: req.url ?? "", headers: req.headers, body });
        const next = script.shift() ?? fail(500, "NoScriptLeft");
        next(req, res, body);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    port = (server.address() as AddressInfo).port;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  beforeEach(() => {
    script = [];
    seen = [];
  });

  afterEach(() => {
    script = [];
  });

  it("retries a GET answered 503 and returns the answer of the third attempt", async () => {
    script = [fail(503, "ServiceUnavailable"), fail(503, "ServiceUnavailable"), ok("third")];
    const object = await scripted().getObject(BUCKET, "k");
    expect([object?.body.toString(), seen.length]).toEqual(["third", 3]);
  });

  it("gives up after three attempts and throws the last error as retryable", async () => {
    script = [fail(500, "InternalError"), fail(500, "InternalError"), fail(503, "ServiceUnavailable")];
    const error = await rejectionOf(scripted().headObject(BUCKET, "k"));
    expect({ attempts: seen.length, status: error.status, retryable: error.retryable }).toEqual({ attempts: 3, status: 503, retryable: true });
  });

  it("retries a 429 SlowDown", async () => {
    script = [fail(429, "SlowDown"), ok("after slow down")];
    expect((await scripted().getObject(BUCKET, "k"))?.body.toString()).toBe("after slow down");
  });

  it("does not retry a 403", async () => {
    script = [fail(403, "AccessDenied"), ok()];
    const error = await rejectionOf(scripted().getObject(BUCKET, "k"));
    expect({ attempts: seen.length, code: error.code, retryable: error.retryable }).toEqual({ attempts: 1, code: "AccessDenied", retryable: false });
  });

  it("retries a PUT of a buffered body, sending the same bytes again", async () => {
    script = [fail(500, "InternalError"), ok("")];
    await scripted().putObject(BUCKET, "k", "same bytes");
    expect(seen.map((request) => request.body.toString())).toEqual(["same bytes", "same bytes"]);
  });

  it("does not retry a PUT of a stream body, which cannot be replayed", async () => {
    script = [fail(500, "InternalError"), ok("")];
    const error = await rejectionOf(scripted().putObject(BUCKET, "k", streamOf("once"), { contentLength: 4 }));
    expect({ attempts: seen.length, retryable: error.retryable }).toEqual({ attempts: 1, retryable: true });
  });

  it("retries a listing", async () => {
    script = [fail(502, "BadGateway"), ok("<ListBucketResult><IsTruncated>false</IsTruncated></ListBucketResult>")];
    expect(await scripted().listObjects(BUCKET)).toEqual({ objects: [], commonPrefixes: [], truncated: false });
  });

  it("reports created:true when a forbidOverwrite retry finds the bytes its lost first attempt wrote", async () => {
    const md5 = createHash("md5").update("claim").digest("hex");
    script = [fail(500, "InternalError"), fail(409, "FileAlreadyExists"), ok("", { etag: `"${md5}"` })];
    expect(await scripted().putObject(BUCKET, "lock", "claim", { forbidOverwrite: true })).toEqual({ created: true, etag: `"${md5}"` });
  });

  it("reports created:false when a forbidOverwrite retry finds someone else's bytes", async () => {
    script = [fail(500, "InternalError"), fail(409, "FileAlreadyExists"), ok("", { etag: '"0123456789abcdef0123456789abcdef"' })];
    expect(await scripted().putObject(BUCKET, "lock", "claim", { forbidOverwrite: true })).toEqual({ created: false });
  });

  it("sends x-cos-forbid-overwrite: true, signed", async () => {
    script = [ok("")];
    await scripted().putObject(BUCKET, "lock", "claim", { forbidOverwrite: true });
    const request = seen[0];
    expect([request?.headers["x-cos-forbid-overwrite"], /q-header-list=[^&]*x-cos-forbid-overwrite/.test(String(request?.headers.authorization))]).toEqual([
      "true",
      true,
    ]);
  });

  it("sends the token of temporary credentials as x-cos-security-token", async () => {
    script = [ok()];
    await new CosClient({ credentials: TEMPORARY, endpoint: new URL(`http://127.0.0.1:${port}`) }).getObject(BUCKET, "k");
    expect(seen[0]?.headers["x-cos-security-token"]).toBe(TEMPORARY.token);
  });

  it("maps an answer that never comes to a retryable RequestTimeout after three attempts", async () => {
    const hang: Script = () => {};
    script = [hang, hang, hang];
    const error = await rejectionOf(scripted(100).getObject(BUCKET, "k"));
    expect({ attempts: seen.length, code: error.code, status: error.status, retryable: error.retryable }).toEqual({
      attempts: 3,
      code: "RequestTimeout",
      status: 0,
      retryable: true,
    });
  });

  it("maps a refused connection to a retryable NetworkError", async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const closedPort = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const unreachable = new CosClient({ credentials: DEV, endpoint: new URL(`http://127.0.0.1:${closedPort}`) });
    const error = await rejectionOf(unreachable.getObject(BUCKET, "k"));
    expect({ code: error.code, status: error.status, retryable: error.retryable }).toEqual({ code: "NetworkError", status: 0, retryable: true });
  });
});

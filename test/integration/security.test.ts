/**
 * Security review items end to end: through the real create functions, the tracker, the Tencent
 * stand-in and the COS stand-in, all signing with temporary credentials (a session token), as SCF's
 * role gives them.
 */

import { mkdtempSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { createServer as createTcpServer, type AddressInfo, type Server as TcpServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";

// A DNS name that resolves to loopback, as an internal or rebinding name would; every other name
// resolves for real. Only the bundle's own guarded lookup goes through this module.
vi.mock("node:dns", async (importOriginal) => {
  const real = await importOriginal<typeof import("node:dns")>();
  const lookup = (hostname: string, options: unknown, callback: unknown) => {
    if (hostname === "hooks.rebind.test") {
      const done = (typeof options === "function" ? options : callback) as (error: null, answers: Array<{ address: string; family: number }>) => void;
      return done(null, [{ address: "127.0.0.1", family: 4 }]);
    }
    return (real.lookup as (...args: unknown[]) => void)(hostname, options, callback);
  };
  return { ...real, default: { ...real, lookup }, lookup };
});

import { main_handler as vodRedraw } from "../../functions/vod-aigc-redraw";
import { main_handler as vodVideo } from "../../functions/vod-aigc-video";
import { main_handler as trackerHandler } from "../../functions/task-tracker";
import { DEV_SECRET_ID, DEV_SECRET_KEY } from "../../local/dev-credentials";
import { startCosStandIn } from "../../local/cos/server";
import { startTencentStandIn } from "../../local/tencent/server";
import { getConfig } from "../../shared/config";
import { CosClient } from "../../shared/cos/client";
import { ledgerFor } from "../../shared/tasks/services";
import { trackerTick } from "../support/tracker-tick";
import { useStandIns, stopStandIns, type CosStandIn, type TencentStandIn } from "../support/env";
import { apiEvent, bodyOf, captureLogs, loadEvent, scfContext } from "../support/scf";

const TOKEN = "sec-live-token-7f3a9c";
const WRONG_TOKEN = "sec-wrong-token-2b8e1d";
const SESSION_TOKEN = "sec-session-token-5d1c7a0e";
const SECRET = `whsec_${Buffer.from("a-test-secret-of-32-bytes-length").toString("base64")}`;
const BUCKET = "aigc-sec-1250000000";
const ref = { bucket: BUCKET, region: "ap-guangzhou" };
const credential = { secretId: DEV_SECRET_ID, secretKey: DEV_SECRET_KEY, token: SESSION_TOKEN };


let tencent: TencentStandIn;
let cosStandIn: CosStandIn;
let cos: CosClient;
let dataDir: string;
const savedEnv = { ...process.env };

const body = { ModelName: "GV", ModelVersion: "3.1", Prompt: "a paper boat", OutputConfig: { AspectRatio: "16:9" } };

function configure(extra: Record<string, string> = {}): void {
  useStandIns(savedEnv, { tencent, cos: cosStandIn }, {
    TENCENTCLOUD_SESSIONTOKEN: SESSION_TOKEN,
    AIGC_API_TOKENS: TOKEN,
    AIGC_REDRAW_BUCKET: BUCKET,
    AIGC_WEBHOOK_SECRET: SECRET,
    AIGC_UPSTREAM_TIMEOUT_MS: "1000",
    ...extra,
  });
}

function post(payload: unknown, token = TOKEN) {
  return vodVideo(apiEvent({ body: payload, headers: { authorization: `Bearer ${token}` } }), scfContext(4_000));
}

/** One tick, its log lines into `sink` when given, else to stdout as deployed (the log test reads them there). */
const tick = (skewMs = 0, sink: (line: string) => void = (line) => process.stdout.write(`${line}\n`)) => trackerTick(skewMs, {}, sink);

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), "aigc-security-"));
  tencent = await startTencentStandIn({ port: 0, credentials: [credential], lifecycle: { queuedMs: 1_000, processingMs: 2_000 }, events: { pullHoldMs: 50, confirmWindowMs: 30_000 } });
  cosStandIn = await startCosStandIn({ port: 0, dataDir, credentials: [credential], triggers: [] });
  cos = new CosClient({ credentials: { secretId: DEV_SECRET_ID, secretKey: DEV_SECRET_KEY, token: SESSION_TOKEN }, endpoint: new URL(cosStandIn.url) });
});
afterAll(() => stopStandIns(savedEnv, { tencent, cos: cosStandIn, dataDir }));
beforeEach(() => {
  tencent.reset();
  cosStandIn.reset();
  configure();
});
afterEach(() => {
  vi.restoreAllMocks();
  delete (Object.prototype as Record<string, unknown>)["polluted"];
});

describe("CallbackUrl targets, end to end", () => {
  let target: TcpServer;
  let connections: number;
  beforeEach(async () => {
    connections = 0;
    target = createTcpServer((socket) => {
      connections++;
      socket.destroy();
    });
    await new Promise<void>((resolve) => target.listen(0, "127.0.0.1", () => resolve()));
  });
  afterEach(async () => {
    await new Promise<void>((resolve) => target.close(() => resolve()));
  });

  it("refuses at delivery a CallbackUrl whose DNS name resolves to 127.0.0.1, never connecting to it", async () => {
    const callbackUrl = `https://hooks.rebind.test:${(target.address() as AddressInfo).port}/hook`;
    // A name is only resolved when connecting; at create time it looks like any public host.
    const response = await post({ ...body, CallbackUrl: callbackUrl });
    expect(response.statusCode).toBe(200);
    const taskId = bodyOf(response).Response.TaskId as string;
    tencent.advance(5_000);
    const lines: string[] = [];
    await tick(0, (line) => lines.push(line));
    await tick(10 * 60_000, (line) => lines.push(line));

    expect(connections).toBe(0);
    const webhook = (await ledgerFor(getConfig()).getTask(taskId))?.delivery.webhook;
    expect(webhook).toMatchObject({ state: "pending", attempts: 2 });
    expect(webhook?.lastError).toMatch(/resolves to 127\.0\.0\.1, which is not a public address/);
    const failures = lines.map((line) => JSON.parse(line) as Record<string, unknown>).filter((line) => line.event === "tracker.delivery-failed.webhook");
    expect(failures).toHaveLength(2);
  });

  it("does not follow a receiver's redirect to another address", async () => {
    configure({ AIGC_ALLOW_PRIVATE_CALLBACKS: "true" });
    const redirector: Server = createServer((_req, res) => {
      res.writeHead(307, { location: `http://127.0.0.1:${(target.address() as AddressInfo).port}/internal` }).end();
    });
    await new Promise<void>((resolve) => redirector.listen(0, "127.0.0.1", () => resolve()));
    try {
      const response = await post({ ...body, CallbackUrl: `http://127.0.0.1:${(redirector.address() as AddressInfo).port}/hook` });
      const taskId = bodyOf(response).Response.TaskId as string;
      tencent.advance(5_000);
      await tick();
      expect(connections).toBe(0);
      expect((await ledgerFor(getConfig()).getTask(taskId))?.delivery.webhook?.lastError).toMatch(/redirects are not followed/);
    } finally {
      await new Promise<void>((resolve) => redirector.close(() => resolve()));
    }
  });
});

describe("prototype keys in a create body, end to end", () => {
  it("creates the task as if __proto__ and constructor.prototype were not there, and pollutes nothing", async () => {
    const clean = await post(body);
    expect(clean.statusCode).toBe(200);
    const polluting =
      '{"__proto__":{"polluted":1},"ModelName":"GV","ModelVersion":"3.1","Prompt":"a paper boat",' +
      '"OutputConfig":{"AspectRatio":"16:9","constructor":{"prototype":{"polluted":1}},"__proto__":{"Duration":7}},"constructor":{"prototype":{"polluted":1}}}';
    const response = await vodVideo(apiEvent({ rawBody: polluting, headers: { authorization: `Bearer ${TOKEN}` } }), scfContext(4_000));
    expect(response.statusCode).toBe(200);
    const [first, second] = tencent.createdTasks();
    const withoutSession = (params: Record<string, unknown> | undefined) => ({ ...params, SessionId: undefined });
    expect(withoutSession(second?.params)).toEqual(withoutSession(first?.params));
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.prototype).not.toHaveProperty("polluted");
  });
});

describe("request bodies over 10 MB, end to end", () => {
  it("answers 413 without parsing the body or calling Tencent", async () => {
    const event = apiEvent({ rawBody: `{"Prompt":${"[".repeat(10 * 1024 * 1024)}`, headers: { authorization: `Bearer ${TOKEN}` } });
    const parse = vi.spyOn(JSON, "parse");
    const response = await vodVideo(event, scfContext(4_000));
    parse.mockRestore();
    expect(response.statusCode).toBe(413);
    expect(bodyOf(response).code).toBe("RequestSizeLimitExceeded");
    expect(parse).not.toHaveBeenCalled();
    expect(tencent.calls()).toHaveLength(0);
  });
});

describe("logs", () => {
  it("never carry the bearer token, the session token, a signature or a presigned query string", async () => {
    configure({ AIGC_KEEP_RESULTS: "true", AIGC_ALLOW_PRIVATE_CALLBACKS: "true" });
    const logs = captureLogs();
    let presigned: URL;
    const uploaderSignature = "uploader-sig-9e0f1a2b3c";
    try {
      // A request with a real bearer token, and one with a wrong token.
      expect((await post(body)).statusCode).toBe(200);
      expect((await post(body, WRONG_TOKEN)).statusCode).toBe(401);

      // An upload: its event carries the uploader's COS signature; its task gets a presigned URL.
      await cos.putObject(ref, "in/clip.mp4", Buffer.from("source"), { contentType: "video/mp4" });
      const event = loadEvent<{ Records: any[] }>("cos-put-single.json");
      event.Records[0].cos.cosObject.key = "/1250000000/aigc-sec/in/clip.mp4";
      event.Records[0].cos.cosObject.url = `http://${BUCKET}.cos.ap-guangzhou.myqcloud.com/in/clip.mp4`;
      event.Records[0].cos.cosBucket.name = "aigc-sec";
      event.Records[0].event.requestParameters.requestHeaders.Authorization = `q-sign-algorithm=sha1&q-ak=AKIDuploader&q-sign-time=1;2&q-key-time=1;2&q-header-list=host&q-url-param-list=&q-signature=${uploaderSignature}`;
      await vodRedraw(event, scfContext(10_000));
      const redraw = tencent.createdTasks().find((call) => call.action === "CreateAigcVideoRedrawTask");
      presigned = new URL((redraw?.params?.FileInfo as { Url: string }).Url);
      expect(presigned.searchParams.get("x-cos-security-token")).toBe(SESSION_TOKEN);

      // Tencent failing with a message that quotes the presigned URL, which the error log keeps.
      tencent.injectFault({ kind: "error", code: "FailedOperation.DownloadFailed", message: `could not download ${presigned.href}`, service: "vod" });
      expect((await post(body)).statusCode).toBe(502);

      // The tracker: results kept in the bucket and served as presigned URLs.
      tencent.advance(5_000);
      await tick();
    } finally {
      logs.restore();
    }
    const raw = logs.raw();
    // The lines are there, so the absence below means something.
    expect(logs.lines().some((line) => line.event === "upstream.failed" && String(line.message).includes("could not download"))).toBe(true);
    expect(logs.lines().some((line) => line.event === "auth.refused")).toBe(true);
    expect(logs.lines().some((line) => line.event === "tracker.tick")).toBe(true);

    for (const secret of [TOKEN, WRONG_TOKEN, SESSION_TOKEN, DEV_SECRET_KEY, uploaderSignature, presigned.searchParams.get("q-signature") ?? "missing"]) {
      expect(raw, secret).not.toContain(secret);
    }
    expect(raw).not.toContain(presigned.search);
    expect(raw).not.toMatch(/TC3-HMAC-SHA256 Credential|Signature=[0-9a-f]{16}/);
  });
});

describe("request ids from any trigger", () => {
  const PLATFORM_ID = /^[A-Za-z0-9._:-]{1,128}$/;
  const hostileIds: unknown[] = ["abc\r\nX-Injected: 1", "a".repeat(3_000), 12345, { id: 1 }, "", "ünïcode-id"];

  it("never echoes a hostile SCF context request_id into the header, the problem body or the logs of an event that is not an API Gateway request", async () => {
    for (const requestId of hostileIds) {
      for (const event of ["a string", {}, { path: "/tencent-vod/v1/aigc-video", requestContext: {} }]) {
        const logs = captureLogs();
        let response: Awaited<ReturnType<typeof vodVideo>>;
        try {
          response = await vodVideo(event, { ...scfContext(), request_id: requestId as string });
        } finally {
          logs.restore();
        }
        expect(response.statusCode).toBe(400);
        const header = response.headers["x-request-id"];
        expect(header, String(requestId)).toMatch(PLATFORM_ID);
        expect(bodyOf(response).requestId).toBe(header);
        expect(logs.lines().length).toBeGreaterThan(0);
        for (const line of logs.lines()) expect(String(line.requestId)).toBe(header);
      }
    }
  });

  it("keeps a platform request id as it is", async () => {
    const response = await vodVideo({}, { ...scfContext(), request_id: "4c2b7e1a-9d3f-4e0b-8f6a-2b1c0d9e8f7a" });
    expect(response.headers["x-request-id"]).toBe("4c2b7e1a-9d3f-4e0b-8f6a-2b1c0d9e8f7a");
  });

  it("logs a clean request id for COS and timer invocations whose context request_id is hostile", async () => {
    configure();
    const logs = captureLogs();
    try {
      await vodRedraw({ Records: [{ not: "a cos record" }] }, { ...scfContext(), request_id: "evil\r\n{\"level\":\"error\"}" });
      await trackerHandler("not a timer event", { ...scfContext(), request_id: "x".repeat(3_000) });
    } finally {
      logs.restore();
    }
    expect(logs.lines().length).toBeGreaterThanOrEqual(2);
    for (const line of logs.lines()) expect(String(line.requestId)).toMatch(PLATFORM_ID);
  });
});

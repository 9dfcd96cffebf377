/**
 * The fault suite: every way Tencent or COS fails on the wire, injected into the local stand-ins,
 * with the outcome asserted as a client (or the bill) would notice it: the status and code the client
 * gets, how many calls reached Tencent for that one request, and how many tasks exist.
 */

import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { main_handler as mpsVideo } from "../../functions/mps-aigc-video";
import { main_handler as vodRedraw } from "../../functions/vod-aigc-redraw";
import { main_handler as vodVideo } from "../../functions/vod-aigc-video";
import { startCosStandIn } from "../../local/cos/server";
import { startTencentStandIn, type RecordedCall } from "../../local/tencent/server";
import { getConfig } from "../../shared/config";
import { CosClient } from "../../shared/cos/client";
import { ledgerFor } from "../../shared/tasks/services";
import { RETRY_LIMITS } from "../../shared/tencent/call";
import { devCosClient, useStandIns, stopStandIns, type CosStandIn, type TencentStandIn } from "../support/env";
import { trackerTick } from "../support/tracker-tick";
import { startWebhookReceiver, type WebhookReceiver } from "../support/webhook-receiver";
import { apiEvent, bodyOf, captureLogs, loadEvent, scfContext } from "../support/scf";

const TOKEN = "faults-token";
const BUCKET = "aigc-media-1250000000";
const ref = { bucket: BUCKET, region: "ap-guangzhou" };
const SECRET = `whsec_${Buffer.from("a-test-secret-of-32-bytes-length").toString("base64")}`;
const VIDEO_ASSET = readFileSync(join(__dirname, "..", "..", "local", "assets", "aigc-video.mp4"));
/** callTencent's attempt limits: no request may ever make more calls than this (the last attempt is one of either kind). */
const MAX_ATTEMPTS = RETRY_LIMITS.failedAttempts + RETRY_LIMITS.throttledAttempts - 1;
/** The COS client's attempts for one idempotent call. */
const COS_ATTEMPTS = 3;


let tencent: TencentStandIn;
let cosStandIn: CosStandIn;
let cos: CosClient;
let dataDir: string;
/** Every request the COS stand-in answered (or saw dropped): method, key, status. */
let cosRequests: Array<{ method: string; key: string; status: number }> = [];
const savedEnv = { ...process.env };

let receiver: WebhookReceiver;

function configure(extra: Record<string, string> = {}): void {
  useStandIns(savedEnv, { tencent, cos: cosStandIn }, {
    AIGC_API_TOKENS: TOKEN,
    AIGC_REDRAW_BUCKET: BUCKET,
    AIGC_WEBHOOK_SECRET: SECRET,
    AIGC_ALLOW_PRIVATE_CALLBACKS: "true",
    AIGC_UPSTREAM_TIMEOUT_MS: "500",
    ...extra,
  });
}

const videoBody = (prompt: string) => ({ ModelName: "GV", ModelVersion: "3.1-fast", Prompt: prompt });
const mpsBody = (prompt: string) => ({ ModelName: "Kling", ModelVersion: "2.1", Prompt: prompt, Duration: 5 });

function postVod(body: unknown, headers: Record<string, string> = {}, timeLimitMs = 4_000) {
  return vodVideo(apiEvent({ body, headers: { authorization: `Bearer ${TOKEN}`, ...headers } }), scfContext(timeLimitMs));
}

function postMps(body: unknown, timeLimitMs = 4_000) {
  return mpsVideo(apiEvent({ path: "/tencent-mps/v1/aigc-video", body, headers: { authorization: `Bearer ${TOKEN}` } }), scfContext(timeLimitMs));
}

/** Calls that reached the stand-in for the request with this prompt (each test request has its own). */
function callsFor(prompt: string): RecordedCall[] {
  return tencent.calls().filter((call) => call.params?.Prompt === prompt);
}

/** Waits for a delayed fault's call to finish on the stand-in's side (it records when the delay ends). */
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** One tracker tick, the tracker's clock `skewMs` ahead (to make retries due). */
const tick = trackerTick;

/** Uploads a video under in/ and feeds its COS event to the redraw function; returns the task id. */
async function uploadForRedraw(name: string): Promise<string> {
  await cos.putObject(ref, `in/${name}`, Buffer.from("source video"), { contentType: "video/mp4" });
  const event = loadEvent<{ Records: any[] }>("cos-put-single.json");
  event.Records[0].cos.cosObject.key = `/1250000000/aigc-media/in/${name}`;
  event.Records[0].cos.cosObject.url = `http://${BUCKET}.cos.ap-guangzhou.myqcloud.com/in/${name}`;
  const { records } = (await vodRedraw(event, scfContext(10_000))) as unknown as { records: Array<{ outcome: string; taskId?: string }> };
  expect(records[0]?.outcome).toBe("created");
  return records[0]?.taskId ?? "";
}

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), "aigc-faults-"));
  tencent = await startTencentStandIn({ port: 0, lifecycle: { queuedMs: 1_000, processingMs: 2_000 }, events: { pullHoldMs: 50, confirmWindowMs: 30_000 } });
  cosStandIn = await startCosStandIn({
    port: 0,
    dataDir,
    triggers: [],
    log: (line) => {
      if (typeof line.method === "string") cosRequests.push({ method: line.method, key: String(line.key ?? ""), status: Number(line.status) });
    },
  });
  cos = devCosClient(cosStandIn.url);
  receiver = await startWebhookReceiver(SECRET);
});
afterAll(() => stopStandIns(savedEnv, { tencent, cos: cosStandIn, dataDir, others: [receiver] }));
beforeEach(() => {
  tencent.reset();
  cosStandIn.reset();
  cosRequests = [];
  receiver.reset();
  configure();
});
afterEach(() => {
  tencent.clearFaults();
  cosStandIn.clearFaults();
});

describe("a throttling storm", () => {
  it("ends every one of 20 concurrent creates in 200 or 429 with Retry-After, with bounded retries and no duplicate task", async () => {
    tencent.injectFault({ kind: "error", code: "RequestLimitExceeded", times: 100_000 });
    const stormEnds = sleep(1_200).then(() => tencent.clearFaults());
    const prompts = Array.from({ length: 20 }, (_, i) => `storm ${i}`);
    const responses = await Promise.all(prompts.map((prompt, i) => (i % 3 === 2 ? postMps(mpsBody(prompt)) : postVod(videoBody(prompt)))));
    await stormEnds;

    for (const response of responses) {
      expect([200, 429]).toContain(response.statusCode);
      if (response.statusCode === 429) {
        expect(Number(response.headers["retry-after"])).toBeGreaterThan(0);
        expect(bodyOf(response).code).toBe("RequestLimitExceeded");
      }
    }
    const ok = responses.filter((response) => response.statusCode === 200);
    expect(ok.length).toBeGreaterThan(0);
    const taskIds = ok.map((response) => bodyOf(response).Response.TaskId as string);
    expect(new Set(taskIds).size).toBe(ok.length);
    // Exactly the answered tasks exist: none behind a 429, none twice.
    expect(tencent.createdTasks().map((call) => call.taskId).sort()).toEqual([...taskIds].sort());
    for (const [i, prompt] of prompts.entries()) {
      const calls = callsFor(prompt);
      expect(calls.length, prompt).toBeGreaterThan(0);
      expect(calls.length, prompt).toBeLessThanOrEqual(MAX_ATTEMPTS);
      expect(calls.filter((call) => call.outcome === "created").length, prompt).toBe(responses[i]?.statusCode === 200 ? 1 : 0);
      // Every retry of a VOD create carries the request's one SessionId.
      if (i % 3 !== 2) expect(new Set(calls.map((call) => call.sessionId)).size, prompt).toBe(1);
    }
  });
});

describe("Tencent 5xx HTML pages", () => {
  it("retries a VOD create after a 502 page under the same SessionId: 200 and one task", async () => {
    tencent.injectFault({ kind: "http-status", status: 502, service: "vod" });
    const response = await postVod(videoBody("html 502"));
    expect(response.statusCode).toBe(200);
    const calls = callsFor("html 502");
    expect(calls.map((call) => call.fault ?? call.outcome)).toEqual(["http-status", "created"]);
    expect(new Set(calls.map((call) => call.sessionId)).size).toBe(1);
    expect(tencent.createdTasks()).toHaveLength(1);
  });

  it("answers 502 without the page when 502 pages go on, after a bounded number of calls and with no task", async () => {
    tencent.injectFault({ kind: "http-status", status: 502, service: "vod", times: 1_000 });
    const response = await postVod(videoBody("html 502 forever"), {}, 2_500);
    expect(response.statusCode).toBe(502);
    expect(bodyOf(response).code).toBe("HttpError.502");
    expect(response.body).not.toMatch(/<html|stgw/i);
    const calls = callsFor("html 502 forever");
    expect(calls.length).toBeGreaterThan(1);
    expect(calls.length).toBeLessThanOrEqual(MAX_ATTEMPTS);
    expect(tencent.createdTasks()).toHaveLength(0);
  });

  it("does not retry an MPS create after a 503 page, which may have run: 503 with Retry-After after one call", async () => {
    tencent.injectFault({ kind: "http-status", status: 503, service: "mps" });
    const response = await postMps(mpsBody("html 503"));
    expect(response.statusCode).toBe(503);
    expect(Number(response.headers["retry-after"])).toBeGreaterThan(0);
    expect(bodyOf(response).code).toBe("HttpError.503");
    expect(callsFor("html 503")).toHaveLength(1);
  });
});

describe("timeouts", () => {
  it("retries a VOD create whose attempt timed out before Tencent ran it: 200 and one task", async () => {
    tencent.injectFault({ kind: "delay", ms: 1_000, service: "vod" });
    const response = await postVod(videoBody("slow, not run"));
    expect(response.statusCode).toBe(200);
    await sleep(1_100);
    const calls = callsFor("slow, not run");
    expect(calls.map((call) => call.outcome).sort()).toEqual(["created", "fault"]);
    expect(new Set(calls.map((call) => call.sessionId)).size).toBe(1);
    expect(tencent.createdTasks()).toHaveLength(1);
    expect(tencent.createdTasks()[0]?.taskId).toBe(bodyOf(response).Response.TaskId);
  });

  it("never duplicates a VOD create whose answer was lost: the retry hits the SessionId, 409 names it, one task", async () => {
    tencent.injectFault({ kind: "delay", ms: 1_000, processBeforeDelay: true, service: "vod" });
    const response = await postVod(videoBody("slow, ran"));
    expect(response.statusCode).toBe(409);
    const problem = bodyOf(response);
    expect(problem).toMatchObject({ code: "InvalidParameterValue.SessionId", sessionId: expect.stringMatching(/^req-/) });
    expect(problem.detail).toMatch(/earlier attempt/);
    const calls = callsFor("slow, ran");
    expect(calls.map((call) => call.errorCode ?? call.outcome)).toEqual(["created", "InvalidParameterValue.SessionId"]);
    expect(tencent.createdTasks()).toHaveLength(1);
    expect(tencent.createdTasks()[0]?.sessionId).toBe(problem.sessionId);
  });

  it("does not retry an MPS create that timed out after Tencent ran it: 504 after one call, the one task Tencent made", async () => {
    tencent.injectFault({ kind: "delay", ms: 1_000, processBeforeDelay: true, service: "mps" });
    const response = await postMps(mpsBody("mps slow, ran"));
    expect(response.statusCode).toBe(504);
    expect(bodyOf(response).code).toBe("RequestTimeout");
    expect(callsFor("mps slow, ran")).toHaveLength(1);
    expect(tencent.createdTasks()).toHaveLength(1);
  });

  it("does not retry an MPS create that timed out before Tencent ran it either (it cannot tell): 504, one call, no task", async () => {
    tencent.injectFault({ kind: "delay", ms: 1_000, service: "mps" });
    const response = await postMps(mpsBody("mps slow, not run"));
    expect(response.statusCode).toBe(504);
    await sleep(1_100);
    expect(callsFor("mps slow, not run")).toHaveLength(1);
    expect(tencent.createdTasks()).toHaveLength(0);
  });
});

describe("malformed and truncated answers", () => {
  it.each([
    ["a truncated JSON answer", undefined],
    ["an HTML page with a JSON content type", "<html><body>upstream error</body></html>"],
    ["an empty body", ""],
  ])("retries a VOD create after %s under the same SessionId: 200 and one task", async (_what, body) => {
    tencent.injectFault({ kind: "malformed-json", service: "vod", ...(body !== undefined ? { body } : {}) });
    const response = await postVod(videoBody("malformed"));
    expect(response.statusCode).toBe(200);
    const calls = callsFor("malformed");
    expect(calls.map((call) => call.fault ?? call.outcome)).toEqual(["malformed-json", "created"]);
    expect(new Set(calls.map((call) => call.sessionId)).size).toBe(1);
    expect(tencent.createdTasks()).toHaveLength(1);
  });

  it("does not retry an MPS create after a truncated answer, which may have come from a call that ran: 502 after one call", async () => {
    tencent.injectFault({ kind: "malformed-json", service: "mps" });
    const response = await postMps(mpsBody("mps malformed"));
    expect(response.statusCode).toBe(502);
    expect(bodyOf(response).code).toBe("InvalidResponse");
    expect(callsFor("mps malformed")).toHaveLength(1);
  });

  it("answers 502 after a bounded number of calls when every answer is truncated", async () => {
    tencent.injectFault({ kind: "malformed-json", service: "vod", times: 1_000 });
    const response = await postVod(videoBody("always malformed"), {}, 2_500);
    expect(response.statusCode).toBe(502);
    expect(bodyOf(response).code).toBe("InvalidResponse");
    expect(callsFor("always malformed").length).toBeLessThanOrEqual(MAX_ATTEMPTS);
    expect(tencent.createdTasks()).toHaveLength(0);
  });
});

describe("connection resets", () => {
  it("retries a VOD create after a reset under the same SessionId: 200 and one task", async () => {
    tencent.injectFault({ kind: "reset", service: "vod" });
    const response = await postVod(videoBody("reset"));
    expect(response.statusCode).toBe(200);
    expect(callsFor("reset").map((call) => call.fault ?? call.outcome)).toEqual(["reset", "created"]);
    expect(tencent.createdTasks()).toHaveLength(1);
  });

  it("does not retry an MPS create after a reset: 502 after one call", async () => {
    tencent.injectFault({ kind: "reset", service: "mps" });
    const response = await postMps(mpsBody("mps reset"));
    expect(response.statusCode).toBe(502);
    expect(bodyOf(response).code).toBe("NetworkError.ConnectionReset");
    expect(callsFor("mps reset")).toHaveLength(1);
  });
});

describe("clock skew", () => {
  it.each([
    ["ahead", 6 * 60],
    ["behind", -6 * 60],
  ])("answers 502 AuthFailure.SignatureExpire, without retrying, when Tencent's clock is 6 minutes %s", async (_direction, offset) => {
    tencent.setClockOffsetSeconds(offset);
    const response = await postVod(videoBody("skewed"));
    expect(response.statusCode).toBe(502);
    expect(bodyOf(response)).toMatchObject({ code: "AuthFailure.SignatureExpire", upstreamRequestId: expect.any(String) });
    expect(tencent.calls()).toHaveLength(1);
    expect(tencent.createdTasks()).toHaveLength(0);
  });

  it("still creates when the clocks differ by less than Tencent's 5 minutes", async () => {
    tencent.setClockOffsetSeconds(4 * 60);
    expect((await postVod(videoBody("slightly skewed"))).statusCode).toBe(200);
  });
});

describe("COS failing while the tracker delivers a result", () => {
  it.each([
    ["is cut off mid-upload", { kind: "reset" as const }],
    ["gets a 503", { kind: "status" as const, status: 503 }],
  ])("retries a redraw result whose upload %s on a later tick, and the result lands", async (_what, failure) => {
    const taskId = await uploadForRedraw("clip.mp4");
    tencent.advance(5_000);
    // The result is streamed from Tencent into the bucket: a stream cannot be replayed, so the COS
    // client does not retry it within the tick.
    cosStandIn.injectFault({ method: "PUT", keyPrefix: "out/clip.mp4", ...failure });
    const first = await tick();
    expect(first.deliveries.failed).toBe(1);
    expect(await cos.headObject(ref, "out/clip.mp4")).toBeUndefined();
    const ledger = ledgerFor(getConfig());
    const pending = await ledger.getTask(taskId);
    expect(pending?.status).toBe("succeeded");
    expect(pending?.delivery.bucket).toMatchObject({ state: "pending", attempts: 1, lastError: expect.any(String) });
    expect((await ledger.listOpenTaskIds()).taskIds).toContain(taskId);

    await tick(2 * 60_000);
    expect((await cos.getObject(ref, "out/clip.mp4"))?.body).toEqual(VIDEO_ASSET);
    expect(JSON.parse((await cos.getObject(ref, "out/clip.mp4.json"))?.body.toString() ?? "{}")).toMatchObject({ taskId, status: "succeeded" });
    expect((await ledger.getTask(taskId))?.delivery.bucket).toMatchObject({ state: "delivered", attempts: 2 });
    // One failed attempt (a dropped connection is logged with status 0), then one that landed.
    expect(cosRequests.filter((r) => r.method === "PUT" && r.key === "out/clip.mp4").map((r) => r.status)).toEqual([failure.kind === "reset" ? 0 : 503, 200]);
    expect((await ledger.listOpenTaskIds()).taskIds).not.toContain(taskId);
  });

  it("absorbs a sidecar write failing twice with the COS client's own retries, within the tick", async () => {
    const taskId = await uploadForRedraw("side.mp4");
    tencent.advance(5_000);
    cosStandIn.injectFault({ method: "PUT", keyPrefix: "out/side.mp4.json", kind: "status", status: 500, times: COS_ATTEMPTS - 1 });
    await tick();
    expect(JSON.parse((await cos.getObject(ref, "out/side.mp4.json"))?.body.toString() ?? "{}")).toMatchObject({ taskId, status: "succeeded" });
    expect(cosRequests.filter((r) => r.method === "PUT" && r.key === "out/side.mp4.json").map((r) => r.status)).toEqual([500, 500, 200]);
  });

  it("keeps a result whose copy into the bucket failed, retries it later, and sends the webhook only with our copy", async () => {
    configure({ AIGC_KEEP_RESULTS: "true" });
    const response = await postVod({ ...videoBody("keep me"), CallbackUrl: receiver.url });
    const taskId = bodyOf(response).Response.TaskId as string;
    tencent.advance(5_000);
    cosStandIn.injectFault({ method: "PUT", keyPrefix: `aigc-results/${taskId}/`, kind: "status", status: 500 });
    await tick();
    expect(receiver.deliveries).toHaveLength(0);
    expect((await ledgerFor(getConfig()).getTask(taskId))?.delivery.keep).toMatchObject({ state: "pending", attempts: 1 });

    await tick(2 * 60_000);
    expect((await cos.getObject(ref, `aigc-results/${taskId}/0.mp4`))?.body).toEqual(VIDEO_ASSET);
    expect(receiver.deliveries).toHaveLength(1);
    const url = receiver.deliveries[0]?.payload.data.Outputs[0].Url as string;
    expect(url).toContain(`/${BUCKET}/aigc-results/`);
    expect(Buffer.from(await (await fetch(url)).arrayBuffer())).toEqual(VIDEO_ASSET);
  });
});

describe("the ledger failing during a create", () => {
  it("answers 200 for the task Tencent created, and logs that the ledger write failed", async () => {
    cosStandIn.injectFault({ method: "PUT", keyPrefix: ".aigc-ledger/open/", kind: "status", status: 503, times: COS_ATTEMPTS });
    const logs = captureLogs();
    const response = await postVod(videoBody("ledger down"));
    logs.restore();
    expect(response.statusCode).toBe(200);
    const taskId = bodyOf(response).Response.TaskId as string;
    expect(tencent.createdTasks().map((call) => call.taskId)).toEqual([taskId]);
    expect(logs.lines()).toContainEqual(expect.objectContaining({ level: "error", event: "ledger.write-failed", taskId }));
    // Bounded: the COS client tried the write its 3 times, no more.
    expect(cosRequests.filter((r) => r.method === "PUT" && r.key.startsWith(".aigc-ledger/open/"))).toHaveLength(COS_ATTEMPTS);
  });

  it("answers 503 with Retry-After, and calls Tencent not at all, when the ledger fails before the create (Idempotency-Key)", async () => {
    cosStandIn.injectFault({ method: "PUT", keyPrefix: ".aigc-ledger/idempotency/", kind: "status", status: 503, times: COS_ATTEMPTS });
    const response = await postVod(videoBody("ledger down first"), { "idempotency-key": "order-1" });
    expect(response.statusCode).toBe(503);
    expect(response.headers["retry-after"]).toBe("1");
    expect(bodyOf(response).code).toBe("InternalError.Storage");
    expect(tencent.calls()).toHaveLength(0);
  });
});

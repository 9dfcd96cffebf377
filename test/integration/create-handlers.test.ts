/**
 * The four create functions, fed real SCF API Gateway events, talking through the real SDK over
 * HTTP to the local Tencent stand-in. What is asserted is what a client (or the bill) would see.
 */

import { createHash } from "node:crypto";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { main_handler as mpsVideo } from "../../functions/mps-aigc-video";
import { main_handler as vodImage } from "../../functions/vod-aigc-image";
import { main_handler as vodRedraw } from "../../functions/vod-aigc-redraw";
import { main_handler as vodVideo } from "../../functions/vod-aigc-video";
import { DEV_SECRET_KEY } from "../../local/dev-credentials";
import { startTencentStandIn } from "../../local/tencent/server";
import { resetConfigCache } from "../../shared/config";
import type { IntegrationResponse, ScfContext } from "../../shared/http/apigw";
import { useStandIns } from "../support/env";
import { apiEvent, bodyOf, captureLogs, loadBody, loadEvent, scfContext } from "../support/scf";

type StandIn = Awaited<ReturnType<typeof startTencentStandIn>>;
/** vod-aigc-redraw also takes COS events; here every handler is driven through API Gateway. */
type HttpHandler = (event: unknown, context?: ScfContext) => Promise<IntegrationResponse>;
let standIn: StandIn;
const savedEnv = { ...process.env };

const TOKEN = "test-token-1";
const OTHER_TOKEN = "test-token-2";
const SUBAPPID = 251007502;

const routes = {
  "vod-video": { handler: vodVideo, path: "/tencent-vod/v1/aigc-video", seed: "vod-video.seed.json" },
  "vod-image": { handler: vodImage, path: "/tencent-vod/v1/aigc-image", seed: "vod-image.seed.json" },
  "vod-redraw": { handler: vodRedraw as HttpHandler, path: "/tencent-vod/v1/aigc-video-redraw", seed: "vod-redraw.seed.json" },
  "mps-video": { handler: mpsVideo, path: "/tencent-mps/v1/aigc-video", seed: "mps-video.seed.json" },
} as const;

const videoBody = { ModelName: "GV", ModelVersion: "3.1-fast", Prompt: "generate a car", OutputConfig: { AspectRatio: "9:16" } };

function configure(extra: Record<string, string> = {}): void {
  useStandIns(savedEnv, { tencent: standIn }, {
    AIGC_API_TOKENS: `${TOKEN},sha256:${createHash("sha256").update(OTHER_TOKEN).digest("hex")}`,
    AIGC_UPSTREAM_TIMEOUT_MS: "600",
    ...extra,
  });
}

async function post(path: string, body: unknown, headers: Record<string, string | undefined> = {}, timeLimitMs?: number) {
  const handler = Object.values(routes).find((r) => r.path === path)?.handler ?? vodVideo;
  return handler(apiEvent({ path, body, headers: { authorization: `Bearer ${TOKEN}`, ...headers } }), scfContext(timeLimitMs));
}

beforeAll(async () => {
  standIn = await startTencentStandIn({ port: 0 });
});
afterAll(async () => {
  process.env = savedEnv;
  resetConfigCache();
  await standIn.close();
});
beforeEach(() => {
  standIn.reset();
  configure();
});

describe("valid requests", () => {
  for (const [kind, route] of Object.entries(routes)) {
    it(`creates a ${kind} task from the seed example body`, async () => {
      const response = await post(route.path, loadBody(route.seed));
      expect(response.statusCode).toBe(200);
      const body = bodyOf(response);
      expect(body.Response.TaskId).toEqual(expect.any(String));
      expect(body.Response.RequestId).toEqual(expect.any(String));
      expect(response.headers["x-request-id"]).toBeTruthy();
      expect(standIn.createdTasks()).toHaveLength(1);
      expect(standIn.createdTasks()[0]?.taskId).toBe(body.Response.TaskId);
    });

    it(`creates the same ${kind} task from the snake_case form of the seed body`, async () => {
      await post(route.path, loadBody(route.seed));
      const pascal = standIn.createdTasks()[0]?.params;
      standIn.reset();
      const response = await post(route.path, loadBody(route.seed.replace(".seed.json", ".seed.snake.json")));
      expect(response.statusCode).toBe(200);
      const snake = standIn.createdTasks()[0]?.params;
      const strip = (p: Record<string, unknown> | undefined) => ({ ...p, SessionId: undefined });
      expect(strip(snake)).toEqual(strip(pascal));
    });
  }

  it("sends a request that breaks only an inferred rule, answering Tencent's envelope with Response.Warnings and logging each", async () => {
    const logs = captureLogs();
    let response: Awaited<ReturnType<typeof post>>;
    try {
      response = await post(routes["vod-video"].path, { ModelName: "Hailuo", ModelVersion: "2.3", Prompt: "a cat", OutputConfig: { AspectRatio: "16:9" } });
    } finally {
      logs.restore();
    }
    expect(response.statusCode).toBe(200);
    const answer = bodyOf(response).Response;
    expect(answer.TaskId).toBe(standIn.createdTasks()[0]?.taskId);
    expect(answer.Warnings).toEqual([{ field: "OutputConfig.AspectRatio", code: "InferredRule", message: expect.stringContaining("not supported by Hailuo 2.3") }]);
    expect(standIn.createdTasks()[0]?.params?.OutputConfig).toEqual({ AspectRatio: "16:9" });
    expect(logs.lines().filter((line) => line.event === "request.warning")).toEqual([expect.objectContaining({ field: "OutputConfig.AspectRatio", code: "InferredRule" })]);
  });

  it("answers without Warnings when nothing was inferred", async () => {
    const response = await post(routes["vod-video"].path, videoBody);
    expect(bodyOf(response).Response).not.toHaveProperty("Warnings");
  });

  it("sends GEM (renamed GG) as GG, and an unlisted version as given, each with its warning", async () => {
    const image = bodyOf(await post(routes["vod-image"].path, { ModelName: "GEM", ModelVersion: "2.5", Prompt: "a cat" })).Response;
    expect(image.Warnings).toEqual([expect.objectContaining({ field: "ModelName", code: "RenamedModel" })]);
    const video = bodyOf(await post(routes["vod-video"].path, { ModelName: "Kling", ModelVersion: "3.5", Prompt: "a cat" })).Response;
    expect(video.Warnings).toEqual([expect.objectContaining({ field: "ModelVersion", code: "UnlistedModelVersion" })]);
    expect(standIn.createdTasks().map((task) => [task.params?.ModelName, task.params?.ModelVersion])).toEqual([["GG", "2.5"], ["Kling", "3.5"]]);
  });

  it("refuses an unlisted version with AIGC_REFUSE_UNLISTED_VERSIONS=true, before Tencent", async () => {
    configure({ AIGC_REFUSE_UNLISTED_VERSIONS: "true" });
    const response = await post(routes["vod-video"].path, { ModelName: "Kling", ModelVersion: "3.5", Prompt: "a cat" });
    expect(response.statusCode).toBe(400);
    expect(bodyOf(response)).toMatchObject({ code: "InvalidParameterValue.ModelVersion" });
    expect(standIn.calls()).toHaveLength(0);
  });

  it("adds the configured SubAppId to VOD calls and none to MPS calls", async () => {
    await post(routes["vod-video"].path, videoBody);
    await post(routes["mps-video"].path, loadBody("mps-video.seed.json"));
    const [vod, mps] = standIn.createdTasks();
    expect(vod?.params?.SubAppId).toBe(SUBAPPID);
    expect(mps?.params).not.toHaveProperty("SubAppId");
  });

  it("sends every VOD create under a SessionId, and MPS creates without one", async () => {
    await post(routes["vod-image"].path, { ModelName: "GEM", ModelVersion: "2.5", Prompt: "a cat" });
    await post(routes["mps-video"].path, { ModelName: "Kling", ModelVersion: "2.1", Prompt: "a cat", Duration: 5 });
    const [vod, mps] = standIn.createdTasks();
    expect(vod?.params?.SessionId).toMatch(/^req-[0-9a-f]{32}$/);
    expect(mps?.params).not.toHaveProperty("SessionId");
  });

  it("takes a numeric string TasksPriority as a number", async () => {
    await post(routes["vod-video"].path, { ...videoBody, TasksPriority: "10" });
    expect(standIn.createdTasks()[0]?.params?.TasksPriority).toBe(10);
  });

  it("reads a base64-encoded body from API Gateway", async () => {
    const response = await vodImage(loadEvent("apigw-base64-body.json"), scfContext());
    expect(response.statusCode).toBe(200);
    expect(standIn.createdTasks()[0]?.params?.Prompt).toBe("一只橙猫");
  });

  it("answers a web-function style event and echoes SCF's request id", async () => {
    const response = await vodVideo(loadEvent("apigw-web-function.json"), scfContext());
    expect(response.statusCode).toBe(200);
    expect(response.headers["x-request-id"]).toBe("c3b3a3e4-b67f-11f0-9795-525400d4c756");
  });

  it("accepts a token configured as its sha256 digest", async () => {
    const response = await post(routes["vod-video"].path, videoBody, { authorization: `Bearer ${OTHER_TOKEN}` });
    expect(response.statusCode).toBe(200);
  });

  it("answers with exactly the integration response shape API Gateway accepts", async () => {
    const response = await post(routes["vod-video"].path, videoBody);
    expect(Object.keys(response).sort()).toEqual(["body", "headers", "isBase64Encoded", "statusCode"]);
    expect(response.isBase64Encoded).toBe(false);
  });
});

describe("refusals that never reach Tencent", () => {
  afterEach(() => {
    expect(standIn.calls()).toHaveLength(0);
  });

  it("refuses a request without a token with 401 and WWW-Authenticate", async () => {
    const response = await post(routes["vod-video"].path, videoBody, { authorization: undefined });
    expect(response.statusCode).toBe(401);
    expect(response.headers["www-authenticate"]).toMatch(/^Bearer /);
    expect(response.headers["content-type"]).toBe("application/problem+json");
    expect(bodyOf(response)).toMatchObject({ status: 401, code: "AuthFailure.InvalidToken" });
  });

  it("refuses an unknown token", async () => {
    const response = await post(routes["vod-video"].path, videoBody, { authorization: "Bearer not-a-token" });
    expect(response.statusCode).toBe(401);
  });

  it("refuses everyone when no token is configured, and says why in the log", async () => {
    configure({ AIGC_API_TOKENS: "" });
    const logs = captureLogs();
    const response = await post(routes["vod-video"].path, videoBody);
    logs.restore();
    expect(response.statusCode).toBe(401);
    expect(logs.lines().some((line) => line.event === "auth.no-tokens-configured")).toBe(true);
  });

  it("refuses a body over 10 MB with 413 before parsing it", async () => {
    const response = await vodVideo(
      apiEvent({ rawBody: `{"Prompt":"${"x".repeat(10 * 1024 * 1024)}"`, headers: { authorization: `Bearer ${TOKEN}` } }),
      scfContext(),
    );
    expect(response.statusCode).toBe(413);
    expect(bodyOf(response).code).toBe("RequestSizeLimitExceeded");
  });

  it("refuses a body that is not JSON with 415", async () => {
    const response = await post(routes["vod-video"].path, videoBody, { "content-type": "text/plain" });
    expect(response.statusCode).toBe(415);
  });

  it("refuses malformed JSON with 400", async () => {
    const response = await vodVideo(apiEvent({ rawBody: '{"ModelName": "GV",', headers: { authorization: `Bearer ${TOKEN}` } }), scfContext());
    expect(response.statusCode).toBe(400);
    expect(bodyOf(response).code).toBe("InvalidParameter.MalformedJson");
  });

  it("refuses an invalid field with 400 naming the field and the rule", async () => {
    const response = await post(routes["vod-video"].path, { ...videoBody, OutputConfig: { Duration: 7 }, ModelName: "Hailuo", ModelVersion: "02" });
    expect(response.statusCode).toBe(400);
    const problem = bodyOf(response);
    expect(problem.errors).toEqual([expect.objectContaining({ field: "OutputConfig.Duration", code: expect.stringMatching(/^InvalidParameterValue/) })]);
    expect(problem.errors[0].message).toMatch(/6, 10/);
  });

  it("names the field as the client spelled it in snake_case", async () => {
    const response = await post(routes["vod-video"].path, { model_name: "GV", model_version: "3.1", prompt: "x", output_config: { aspect_ratio: "4:3" } });
    expect(response.statusCode).toBe(400);
    expect(bodyOf(response).errors[0].field).toBe("output_config.aspect_ratio");
  });

  it("refuses a SubAppId in the body: it comes from configuration", async () => {
    const response = await post(routes["vod-video"].path, { ...videoBody, SubAppId: 1 });
    expect(response.statusCode).toBe(400);
    expect(bodyOf(response).errors[0].field).toBe("SubAppId");
  });

  it("refuses a SessionId over 50 characters with Tencent's code", async () => {
    const response = await post(routes["vod-video"].path, { ...videoBody, SessionId: "s".repeat(51) });
    expect(response.statusCode).toBe(400);
    expect(bodyOf(response).code).toBe("InvalidParameterValue.SessionIdTooLong");
  });

  it("refuses an unknown model, listing the known ones", async () => {
    const response = await post(routes["vod-video"].path, { ...videoBody, ModelName: "Sora" });
    expect(response.statusCode).toBe(400);
    expect(bodyOf(response).errors[0].message).toMatch(/Kling/);
  });

  it("answers 405 with Allow for another method on a create route", async () => {
    const response = await vodVideo(apiEvent({ method: "GET", headers: { authorization: `Bearer ${TOKEN}` } }), scfContext());
    expect(response.statusCode).toBe(405);
    expect(response.headers.allow).toBe("POST");
  });

  it("answers 404 for a path that is not the function's route", async () => {
    const response = await vodVideo(apiEvent({ path: "/tencent-vod/v1/nothing-here", headers: { authorization: `Bearer ${TOKEN}` } }), scfContext());
    expect(response.statusCode).toBe(404);
  });

  it("refuses an Idempotency-Key with control characters", async () => {
    const response = await post(routes["vod-video"].path, videoBody, { "idempotency-key": "a\u0001b" });
    expect(response.statusCode).toBe(400);
    expect(bodyOf(response).errors[0].field).toBe("Idempotency-Key");
  });
});

describe("sessions and duplicates", () => {
  it("answers 409 when the client's SessionId was already used", async () => {
    const first = await post(routes["vod-video"].path, { ...videoBody, SessionId: "order-42" });
    const second = await post(routes["vod-video"].path, { ...videoBody, SessionId: "order-42" });
    expect(first.statusCode).toBe(200);
    expect(second.statusCode).toBe(409);
    expect(bodyOf(second)).toMatchObject({ code: "InvalidParameterValue.SessionId", sessionId: "order-42" });
    expect(standIn.createdTasks()).toHaveLength(1);
  });

  it("derives one SessionId from an Idempotency-Key, so a repeat cannot create a second task", async () => {
    await post(routes["vod-video"].path, videoBody, { "idempotency-key": "key-1" });
    const repeat = await post(routes["vod-video"].path, videoBody, { "idempotency-key": "key-1" });
    expect(repeat.statusCode).toBe(409);
    expect(standIn.createdTasks()).toHaveLength(1);
    expect(standIn.createdTasks()[0]?.params?.SessionId).toMatch(/^idem-/);
  });

  it("scopes Idempotency-Keys to the token, so two clients' keys never collide", async () => {
    const a = await post(routes["vod-video"].path, videoBody, { "idempotency-key": "same" });
    const b = await post(routes["vod-video"].path, videoBody, { "idempotency-key": "same", authorization: `Bearer ${OTHER_TOKEN}` });
    expect([a.statusCode, b.statusCode]).toEqual([200, 200]);
    const [first, second] = standIn.createdTasks();
    expect(first?.params?.SessionId).not.toBe(second?.params?.SessionId);
  });
});

describe("upstream failures", () => {
  it("absorbs throttling with retries under one SessionId and creates one task", async () => {
    standIn.injectFault({ kind: "error", code: "RequestLimitExceeded", service: "vod", times: 3 });
    // A throttled attempt is repeated about a second later: three of them take about 2.2 s of the
    // 2.5 s the default 4 s function limit leaves, which a loaded machine can overrun.
    const response = await post(routes["vod-video"].path, videoBody, {}, 10_000);
    expect(response.statusCode).toBe(200);
    const sessionIds = new Set(standIn.calls().map((call) => call.params?.SessionId));
    expect(standIn.calls()).toHaveLength(4);
    expect(sessionIds.size).toBe(1);
    expect(standIn.createdTasks()).toHaveLength(1);
  });

  it("absorbs a burst over Tencent's 20/s limit: every request gets its own single task", async () => {
    const responses = await Promise.all(Array.from({ length: 30 }, () => post(routes["vod-video"].path, videoBody, {}, 10_000)));
    expect(responses.map((r) => r.statusCode)).toEqual(Array(30).fill(200));
    const taskIds = new Set(responses.map((r) => bodyOf(r).Response.TaskId));
    expect(taskIds.size).toBe(30);
    expect(standIn.createdTasks()).toHaveLength(30);
    expect(standIn.calls().some((call) => call.errorCode === "RequestLimitExceeded")).toBe(true);
  });

  it("retries MPS throttling too, because a throttled call never ran", async () => {
    standIn.injectFault({ kind: "error", code: "RequestLimitExceeded", service: "mps", times: 2 });
    const response = await post(routes["mps-video"].path, loadBody("mps-video.seed.json"), {}, 10_000);
    expect(response.statusCode).toBe(200);
    expect(standIn.createdTasks()).toHaveLength(1);
  });

  it("retries a VOD InternalError under the same SessionId", async () => {
    standIn.injectFault({ kind: "error", code: "InternalError", service: "vod" });
    const response = await post(routes["vod-image"].path, { ModelName: "GEM", ModelVersion: "3.0", Prompt: "a cat" });
    expect(response.statusCode).toBe(200);
    expect(standIn.calls()).toHaveLength(2);
    expect(standIn.createdTasks()).toHaveLength(1);
  });

  it("answers 502 after 5 attempts when VOD answers InternalError to every call, with function time to spare", async () => {
    standIn.injectFault({ kind: "error", code: "InternalError", service: "vod", times: 1_000 });
    const response = await post(routes["vod-image"].path, { ModelName: "GEM", ModelVersion: "3.0", Prompt: "a cat" }, {}, 30_000);
    expect(response.statusCode).toBe(502);
    expect(standIn.calls()).toHaveLength(5);
    expect(standIn.createdTasks()).toHaveLength(0);
    expect(bodyOf(response)).toMatchObject({ code: "InternalError", upstreamRequestId: expect.any(String) });
  });

  it("answers 502 upstream-failed with Tencent's RequestId when Tencent's answer has no TaskId", async () => {
    standIn.injectFault({ kind: "malformed-json", service: "vod", body: '{"Response":{"RequestId":"4f1a2b3c-0000-4000-8000-000000000001"}}' });
    const response = await post(routes["vod-image"].path, { ModelName: "GEM", ModelVersion: "3.0", Prompt: "a cat" });
    expect(response.statusCode).toBe(502);
    expect(bodyOf(response)).toMatchObject({
      type: "urn:tencent-aigc-scf:problem:upstream-failed",
      code: "InvalidResponse.Incomplete",
      upstreamRequestId: "4f1a2b3c-0000-4000-8000-000000000001",
    });
    // The call ran: it is not repeated.
    expect(standIn.calls()).toHaveLength(1);
  });

  it("clips a 7 MB message of a Tencent refusal, so the answer stays small enough for SCF to return", async () => {
    standIn.injectFault({ kind: "error", code: "InvalidParameterValue.Prompt", service: "vod", message: `bad prompt ${"x".repeat(7_000_000)}` });
    const response = await post(routes["vod-image"].path, { ModelName: "GEM", ModelVersion: "3.0", Prompt: "a cat" });
    expect(response.statusCode).toBe(400);
    expect(response.body.length).toBeLessThan(4_096);
    expect(bodyOf(response)).toMatchObject({ code: "InvalidParameterValue.Prompt", detail: expect.stringMatching(/^CreateAigcImageTask: bad prompt x+…$/) });
  });

  it("does not retry an MPS InternalError, since MPS has no SessionId to make a repeat safe", async () => {
    standIn.injectFault({ kind: "error", code: "InternalError", service: "mps" });
    const response = await post(routes["mps-video"].path, loadBody("mps-video.seed.json"));
    expect(response.statusCode).toBe(502);
    expect(standIn.calls()).toHaveLength(1);
    expect(bodyOf(response)).toMatchObject({ code: "InternalError", upstreamRequestId: expect.any(String) });
  });

  it("never creates a second task when an answer is lost and the retry hits the SessionId", async () => {
    standIn.injectFault({ kind: "delay", ms: 1_500, processBeforeDelay: true, service: "vod" });
    const response = await post(routes["vod-video"].path, videoBody);
    expect(standIn.createdTasks()).toHaveLength(1);
    expect(response.statusCode).toBe(409);
    expect(bodyOf(response).detail).toMatch(/earlier attempt/);
  });

  it("answers 429 with Retry-After when Tencent keeps throttling until time runs out", async () => {
    standIn.injectFault({ kind: "error", code: "RequestLimitExceeded", service: "vod", times: 1_000 });
    const response = await post(routes["vod-video"].path, videoBody, {}, 2_500);
    expect(response.statusCode).toBe(429);
    expect(Number(response.headers["retry-after"])).toBeGreaterThan(0);
    expect(standIn.createdTasks()).toHaveLength(0);
  });

  // LimitExceeded.Quota: the account's AIGC quota, which its owner sets (vod_client.d.ts CreateAigcQuota:
  // "达到限额后将无法继续使用 AIGC 功能"). Tencent is not broken, and retrying soon will not help.
  it("answers 429 with Tencent's code and no Retry-After, after one call, when the AIGC quota is used up (LimitExceeded.Quota)", async () => {
    standIn.injectFault({ kind: "error", code: "LimitExceeded.Quota", message: "The quota limit is exceeded.", service: "vod" });
    const logs = captureLogs();
    const response = await post(routes["vod-video"].path, videoBody);
    logs.restore();
    expect(response.statusCode).toBe(429);
    expect(response.headers["retry-after"]).toBeUndefined();
    expect(bodyOf(response)).toMatchObject({ type: "urn:tencent-aigc-scf:problem:upstream-quota-exceeded", code: "LimitExceeded.Quota", upstreamRequestId: expect.any(String) });
    expect(standIn.calls()).toHaveLength(1);
  });

  it("answers an MPS create refused for an account quota (LimitExceeded) with 429 and no Retry-After", async () => {
    standIn.injectFault({ kind: "error", code: "LimitExceeded", service: "mps" });
    const logs = captureLogs();
    const response = await post(routes["mps-video"].path, loadBody("mps-video.seed.json"));
    logs.restore();
    expect(response.statusCode).toBe(429);
    expect(response.headers["retry-after"]).toBeUndefined();
    expect(bodyOf(response).code).toBe("LimitExceeded");
  });

  it("answers 504 when Tencent does not answer in time", async () => {
    standIn.injectFault({ kind: "delay", ms: 3_000, service: "mps" });
    const response = await post(routes["mps-video"].path, loadBody("mps-video.seed.json"), {}, 2_500);
    expect(response.statusCode).toBe(504);
  });

  it("answers 503 when Tencent cannot be reached at all", async () => {
    configure({ AIGC_VOD_ENDPOINT: "http://127.0.0.1:1" });
    const response = await post(routes["vod-video"].path, videoBody, {}, 2_500);
    expect(response.statusCode).toBe(503);
  });

  it("answers 502 for a wrong key, keeping Tencent's code but no secret or internal message", async () => {
    configure({ TENCENTCLOUD_SECRETKEY: "wrong-key-value" });
    const logs = captureLogs();
    const response = await post(routes["vod-video"].path, videoBody);
    logs.restore();
    expect(response.statusCode).toBe(502);
    const problem = bodyOf(response);
    expect(problem.code).toBe("AuthFailure.SignatureFailure");
    expect(problem.upstreamRequestId).toEqual(expect.any(String));
    expect(response.body).not.toMatch(/wrong-key-value|signature calculated|AKID/i);
    expect(logs.raw()).not.toContain("wrong-key-value");
    expect(standIn.createdTasks()).toHaveLength(0);
  });

  it("passes Tencent's own message on for an input Tencent refuses", async () => {
    standIn.injectFault({ kind: "error", code: "InvalidParameterValue.FileId", message: "The FileId does not exist.", service: "vod" });
    const response = await post(routes["vod-redraw"].path, { FileInfo: { Type: "File", FileId: "3704211509819" } });
    expect(response.statusCode).toBe(400);
    expect(bodyOf(response)).toMatchObject({ code: "InvalidParameterValue.FileId", detail: expect.stringContaining("does not exist") });
  });

  it("answers 500 without internals when the deployment lacks its SubAppId", async () => {
    configure({ AIGC_VOD_SUBAPPID: "" });
    const logs = captureLogs();
    const response = await post(routes["vod-video"].path, videoBody);
    logs.restore();
    expect(response.statusCode).toBe(500);
    expect(response.body).not.toMatch(/AIGC_VOD_SUBAPPID/);
    expect(logs.lines().some((line) => line.event === "config.invalid" && String(line.message).includes("AIGC_VOD_SUBAPPID"))).toBe(true);
  });
});

describe("logs", () => {
  it("writes JSON lines with the request id and never the token, key or signature", async () => {
    const logs = captureLogs();
    await post(routes["vod-video"].path, videoBody);
    logs.restore();
    const lines = logs.lines();
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) expect(line.requestId).toEqual(expect.any(String));
    expect(logs.raw()).not.toContain(TOKEN);
    expect(logs.raw()).not.toContain(DEV_SECRET_KEY);
    expect(logs.raw()).not.toMatch(/TC3-HMAC-SHA256 Credential/);
  });
});

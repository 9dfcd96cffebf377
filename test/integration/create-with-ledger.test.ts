/**
 * The create routes with a ledger: every task recorded with its owner, Idempotency-Key as a real
 * replay, and CallbackUrl checked before anything is created.
 */

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { main_handler as vodImage } from "../../functions/vod-aigc-image";
import { main_handler as vodVideo } from "../../functions/vod-aigc-video";
import { startCosStandIn } from "../../local/cos/server";
import { startTencentStandIn } from "../../local/tencent/server";
import { tokenIdOf } from "../../shared/auth";
import { getConfig, resetConfigCache } from "../../shared/config";
import { ledgerFor } from "../../shared/tasks/services";
import { useStandIns } from "../support/env";
import { apiEvent, bodyOf, scfContext } from "../support/scf";

const TOKEN = "ledger-token";
const OTHER = "ledger-token-2";
const body = { ModelName: "GV", ModelVersion: "3.1", Prompt: "a paper boat" };

let tencent: Awaited<ReturnType<typeof startTencentStandIn>>;
let cos: Awaited<ReturnType<typeof startCosStandIn>>;
let dataDir: string;
const savedEnv = { ...process.env };

function configure(extra: Record<string, string> = {}) {
  useStandIns(savedEnv, { tencent, cos: cos }, {
    AIGC_API_TOKENS: `${TOKEN},${OTHER}`,
    AIGC_LEDGER_BUCKET: "aigc-ledger-1250000000",
    AIGC_UPSTREAM_TIMEOUT_MS: "500",
    ...extra,
  });
}

const post = (payload: unknown, headers: Record<string, string> = {}, handler = vodVideo, path = "/tencent-vod/v1/aigc-video") =>
  handler(apiEvent({ path, body: payload, headers: { authorization: `Bearer ${TOKEN}`, ...headers } }), scfContext(3_000));


beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), "aigc-ledger-"));
  tencent = await startTencentStandIn({ port: 0 });
  cos = await startCosStandIn({ port: 0, dataDir, triggers: [] });
});
afterAll(async () => {
  process.env = savedEnv;
  resetConfigCache();
  await cos.close();
  await tencent.close();
  rmSync(dataDir, { recursive: true, force: true });
});
beforeEach(() => {
  tencent.reset();
  configure();
});

describe("the ledger", () => {
  it("records every created task with its owner (a hash of the token), input summary and an open marker", async () => {
    const response = await post(body);
    const taskId = bodyOf(response).Response.TaskId as string;
    const ledger = ledgerFor(getConfig());
    const record = await ledger.getTask(taskId);
    expect(record).toMatchObject({
      taskId,
      kind: "vod-video",
      status: "queued",
      origin: { type: "http", tokenId: tokenIdOf(TOKEN) },
      input: { modelName: "GV", modelVersion: "3.1", prompt: "a paper boat" },
    });
    expect(JSON.stringify(record)).not.toContain(TOKEN);
    expect((await ledger.listOpenTaskIds()).taskIds).toContain(taskId);
  });
});

describe("Idempotency-Key", () => {
  it("answers a repeat of the same key and body with the first answer, without calling Tencent again", async () => {
    const first = await post(body, { "idempotency-key": "order-1" });
    const second = await post(body, { "idempotency-key": "order-1" });
    expect(second.statusCode).toBe(200);
    expect(bodyOf(second)).toEqual(bodyOf(first));
    expect(second.headers["idempotent-replayed"]).toBe("true");
    expect(tencent.calls()).toHaveLength(1);
  });

  it("answers 422 when the same key comes with a different body", async () => {
    await post(body, { "idempotency-key": "order-2" });
    const other = await post({ ...body, Prompt: "a different boat" }, { "idempotency-key": "order-2" });
    expect(other.statusCode).toBe(422);
    expect(bodyOf(other).code).toBe("InvalidParameter.IdempotencyKeyReused");
    expect(tencent.calls()).toHaveLength(1);
  });

  it("treats the same body in snake_case as the same request", async () => {
    const first = await post(body, { "idempotency-key": "order-3" });
    const again = await post({ model_name: "GV", model_version: "3.1", prompt: "a paper boat" }, { "idempotency-key": "order-3" });
    expect(bodyOf(again)).toEqual(bodyOf(first));
  });

  it("keeps keys apart per token and per route", async () => {
    const a = await post(body, { "idempotency-key": "shared" });
    const b = await post(body, { "idempotency-key": "shared", authorization: `Bearer ${OTHER}` });
    const c = await post({ ModelName: "GEM", ModelVersion: "2.5", Prompt: "a cat" }, { "idempotency-key": "shared" }, vodImage, "/tencent-vod/v1/aigc-image");
    expect([a, b, c].map((r) => r.statusCode)).toEqual([200, 200, 200]);
    expect(tencent.createdTasks()).toHaveLength(3);
  });

  it("answers 409 with Retry-After while the first request with the key is still in flight", async () => {
    tencent.injectFault({ kind: "delay", ms: 600, service: "vod" });
    const [slow, concurrent] = await Promise.all([post(body, { "idempotency-key": "order-4" }), new Promise((r) => setTimeout(r, 100)).then(() => post(body, { "idempotency-key": "order-4" }))]);
    expect(concurrent.statusCode).toBe(409);
    expect(concurrent.headers["retry-after"]).toBe("1");
    expect([200, 409, 504]).toContain(slow.statusCode);
  });

  it("frees the key when the create failed, so the client can retry with it", async () => {
    tencent.injectFault({ kind: "error", code: "InvalidParameterValue.FileId", service: "vod" });
    const failed = await post(body, { "idempotency-key": "order-5" });
    expect(failed.statusCode).toBe(400);
    const retried = await post(body, { "idempotency-key": "order-5" });
    expect(retried.statusCode).toBe(200);
  });
});

describe("CallbackUrl", () => {
  it("records an https CallbackUrl on the task and keeps it away from Tencent", async () => {
    const response = await post({ ...body, CallbackUrl: "https://hooks.example.com/aigc?x=1" });
    expect(response.statusCode).toBe(200);
    expect(tencent.createdTasks()[0]?.params).not.toHaveProperty("CallbackUrl");
    const record = await ledgerFor(getConfig()).getTask(bodyOf(response).Response.TaskId);
    expect(record).toMatchObject({ callbackUrl: "https://hooks.example.com/aigc?x=1", delivery: { webhook: { state: "pending" } } });
  });

  it("accepts it in snake_case too", async () => {
    const response = await post({ ...body, callback_url: "https://hooks.example.com/aigc" });
    expect(response.statusCode).toBe(200);
  });

  it.each([
    ["http://hooks.example.com/aigc", /https/],
    ["https://127.0.0.1/hook", /private|loopback/],
    ["https://169.254.169.254/latest/meta-data", /link-local|private/],
    ["https://[::1]/hook", /loopback|private/],
    ["https://localhost/hook", /localhost|loopback|private/],
    ["not a url", /URL/i],
  ])("refuses %s before anything is created", async (url, reason) => {
    const response = await post({ ...body, CallbackUrl: url });
    expect(response.statusCode).toBe(400);
    const problem = bodyOf(response);
    expect(problem.errors[0]).toMatchObject({ field: "CallbackUrl", code: "InvalidParameterValue.CallbackUrl" });
    expect(problem.errors[0].message).toMatch(reason);
    expect(tencent.calls()).toHaveLength(0);
  });

  it("lets private and http targets through only with AIGC_ALLOW_PRIVATE_CALLBACKS=true", async () => {
    configure({ AIGC_ALLOW_PRIVATE_CALLBACKS: "true" });
    const response = await post({ ...body, CallbackUrl: "http://127.0.0.1:8080/hook" });
    expect(response.statusCode).toBe(200);
  });
});

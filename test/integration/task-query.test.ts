/**
 * `task-query`: `GET /tencent-vod/v1/query/{TaskId}` and `GET /tencent-mps/v1/query/{TaskId}`, fed
 * real API Gateway events, answering from the task ledger in the (local) COS bucket and refreshing
 * live tasks through the real SDK from the Tencent stand-in, whose clock the tests move along.
 * Tasks are made by the real create functions, so what is queried is what a client created.
 */

import { createHash } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { main_handler as mpsVideo } from "../../functions/mps-aigc-video";
import { main_handler as taskQuery } from "../../functions/task-query";
import { main_handler as vodImage } from "../../functions/vod-aigc-image";
import { main_handler as vodVideo } from "../../functions/vod-aigc-video";
import { startCosStandIn } from "../../local/cos/server";
import { startTencentStandIn } from "../../local/tencent/server";
import { tokenIdOf } from "../../shared/auth";
import { getConfig } from "../../shared/config";
import { CosClient } from "../../shared/cos/client";
import type { TaskRecord } from "../../shared/tasks/ledger";
import { ledgerFor } from "../../shared/tasks/upload-function";
import { devCosClient, useStandIns, stopStandIns, type CosStandIn, type TencentStandIn } from "../support/env";
import { apiEvent, bodyOf, captureLogs, loadBody, scfContext } from "../support/scf";

const TOKEN = "query-token-1";
const OTHER_TOKEN = "query-token-2";
const SUBAPPID = 251007502;
const LEDGER_BUCKET = "aigc-ledger-1250000000";
const REGION = "ap-guangzhou";
const VOD_ROUTE = "/tencent-vod/v1/query/{TaskId}";
const MPS_ROUTE = "/tencent-mps/v1/query/{TaskId}";


let tencent: TencentStandIn;
let cosStandIn: CosStandIn;
let cos: CosClient;
let dataDir: string;
const savedEnv = { ...process.env };

const videoBody = { ModelName: "GV", ModelVersion: "3.1-fast", Prompt: "generate a car", OutputConfig: { AspectRatio: "9:16" } };
const imageBody = { ModelName: "GEM", ModelVersion: "2.5", Prompt: "a cat" };

function configure(extra: Record<string, string> = {}): void {
  useStandIns(savedEnv, { tencent, cos: cosStandIn }, {
    AIGC_API_TOKENS: `${TOKEN},sha256:${createHash("sha256").update(OTHER_TOKEN).digest("hex")}`,
    AIGC_UPSTREAM_TIMEOUT_MS: "600",
    AIGC_LEDGER_BUCKET: LEDGER_BUCKET,
    AIGC_LEDGER_REGION: REGION,
    ...extra,
  });
}

/** The non-secret id the bundle derives from a token, as the ledger records it. */

const createHandlers = {
  "vod-video": { handler: vodVideo, path: "/tencent-vod/v1/aigc-video", body: videoBody },
  "vod-image": { handler: vodImage, path: "/tencent-vod/v1/aigc-image", body: imageBody },
  "mps-video": { handler: mpsVideo, path: "/tencent-mps/v1/aigc-video", body: loadBody("mps-video.seed.json") },
} as const;

/** Creates a task through its real create function, which records it in the ledger as the caller's. */
async function createTask(kind: keyof typeof createHandlers, token = TOKEN): Promise<string> {
  const route = createHandlers[kind];
  const response = await route.handler(apiEvent({ path: route.path, body: route.body, headers: { authorization: `Bearer ${token}` } }), scfContext());
  expect(response.statusCode, response.body).toBe(200);
  const taskId = String(bodyOf(response).Response.TaskId);
  expect(await ledgerFor(getConfig()).getTask(taskId)).toMatchObject({ kind, status: "queued", origin: { type: "http", tokenId: tokenIdOf(token) } });
  return taskId;
}

/** Writes a record as the tracker leaves it (for states the tests cannot wait for). */
async function seedRecord(overrides: Partial<TaskRecord> & Pick<TaskRecord, "taskId" | "kind">): Promise<TaskRecord> {
  const at = "2025-01-02T03:04:05.000Z";
  const record: TaskRecord = {
    createdAt: at,
    updatedAt: at,
    origin: { type: "http", tokenId: tokenIdOf(TOKEN) },
    status: "queued",
    history: [{ status: "queued", at }],
    delivery: {},
    ...overrides,
  };
  await ledgerFor(getConfig()).recordNewTask(record);
  return record;
}

/** GET on a query route through a real API Gateway event, as API Gateway fills it in. */
async function query(route: string, taskId: string, headers: Record<string, string | undefined> = { authorization: `Bearer ${TOKEN}` }, timeLimitMs?: number) {
  const event = apiEvent({ path: route.replace("{TaskId}", encodeURIComponent(taskId)), method: "GET", rawBody: "", headers: { "content-type": undefined, ...headers } });
  event.requestContext.path = route;
  event.pathParameters = { TaskId: taskId };
  const response = await taskQuery(event, scfContext(timeLimitMs));
  return { response, body: bodyOf(response) };
}

const describeCalls = (action: string) => tencent.calls().filter((call) => call.action === action);

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), "aigc-query-cos-"));
  tencent = await startTencentStandIn({ port: 0 });
  cosStandIn = await startCosStandIn({ port: 0, dataDir });
  cos = devCosClient(cosStandIn.url);
});
afterAll(() => stopStandIns(savedEnv, { tencent, cos: cosStandIn, dataDir }));
beforeEach(() => {
  tencent.reset();
  configure();
});

describe("a VOD task through its life", () => {
  it("answers a new task as queued, with Tencent's detail and our request id", async () => {
    const taskId = await createTask("vod-video");
    const { response, body } = await query(VOD_ROUTE, taskId);
    expect(response.statusCode).toBe(200);
    expect(response.headers["content-type"]).toBe("application/json");
    expect(response.headers["cache-control"]).toBe("no-store");
    expect(body.Response).toMatchObject({ TaskType: "AigcVideoTask", Status: "WAITING", CreateTime: expect.stringMatching(/Z$/), FinishTime: "", AigcVideoTask: { TaskId: taskId } });
    expect(body.Response.aigcScf).toMatchObject({ TaskId: taskId, TaskType: "vod-video", Status: "queued", Outputs: [], CreatedAt: expect.any(String), UpdatedAt: expect.any(String) });
    expect(body.Response.RequestId).toBe(response.headers["x-request-id"]);
    expect(body.Response.aigcScf).not.toHaveProperty("Stale");
  });

  it("asks VOD DescribeTaskDetail with the TaskId and the configured SubAppId", async () => {
    const taskId = await createTask("vod-video");
    await query(VOD_ROUTE, taskId);
    expect(describeCalls("DescribeTaskDetail").map((call) => call.params)).toEqual([{ TaskId: taskId, SubAppId: SUBAPPID }]);
  });

  it("answers running with Tencent's progress once the task has started", async () => {
    const taskId = await createTask("vod-video");
    tencent.advance(1_500);
    const { body } = await query(VOD_ROUTE, taskId);
    expect([body.Response.Status, body.Response.aigcScf.Status]).toEqual(["PROCESSING", "running"]);
    expect(body.Response.aigcScf.Progress).toBeGreaterThan(0);
    expect(body.Response.aigcScf.Progress).toBeLessThan(100);
    expect(body.Response.AigcVideoTask.Progress).toBe(body.Response.aigcScf.Progress);
  });

  it("answers FINISH with Tencent's result URL at Output.FileInfos[0].FileUrl, which downloads the video", async () => {
    const taskId = await createTask("vod-video");
    tencent.advance(3_500);
    const { body } = await query(VOD_ROUTE, taskId);
    expect(body.Response).toMatchObject({ Status: "FINISH", FinishTime: expect.stringMatching(/Z$/), AigcVideoTask: { Status: "FINISH", Progress: 100 } });
    expect(body.Response.aigcScf).toMatchObject({ Status: "succeeded", Progress: 100, FinishedAt: new Date(body.Response.FinishTime).toISOString() });
    const [file] = body.Response.AigcVideoTask.Output.FileInfos;
    expect(body.Response.aigcScf.Outputs).toEqual([expect.objectContaining({ Type: "video", Source: "tencent", Url: file.FileUrl })]);
    expect(Date.parse(file.ExpireTime)).toBeGreaterThan(Date.now());
    const download = await fetch(file.FileUrl);
    expect(download.status).toBe(200);
    expect(download.headers.get("content-type")).toBe("video/mp4");
  });

  it("answers failed with the task's error code and message", async () => {
    tencent.injectFault({ kind: "task-failure", service: "vod", action: "CreateAigcVideoTask", errCodeExt: "ContentModerationFailed" });
    const taskId = await createTask("vod-video");
    tencent.advance(3_500);
    const { body } = await query(VOD_ROUTE, taskId);
    expect(body.Response).toMatchObject({ Status: "FINISH", AigcVideoTask: { ErrCodeExt: "ContentModerationFailed" } });
    expect(body.Response.aigcScf).toMatchObject({ Status: "failed", Outputs: [], Error: { Code: "ContentModerationFailed", Message: expect.any(String) } });
  });

  it("serves image tasks on the VOD route as images", async () => {
    const taskId = await createTask("vod-image");
    tencent.advance(3_500);
    const { body } = await query(VOD_ROUTE, taskId);
    expect(body.Response).toMatchObject({ TaskType: "AigcImageTask", Status: "FINISH", AigcImageTask: { Output: { FileInfos: [{ FileUrl: expect.any(String) }] } } });
    expect(body.Response.aigcScf.Outputs[0]).toMatchObject({ Type: "image", Source: "tencent", Url: body.Response.AigcImageTask.Output.FileInfos[0].FileUrl });
  });

  it("never writes the ledger: the tracker stays the only writer of status", async () => {
    const taskId = await createTask("vod-video");
    const before = await ledgerFor(getConfig()).getTask(taskId);
    tencent.advance(3_500);
    const { body } = await query(VOD_ROUTE, taskId);
    expect(body.Response.aigcScf.Status).toBe("succeeded");
    expect(await ledgerFor(getConfig()).getTask(taskId)).toEqual(before);
  });

  it("answers a finished task from the ledger without asking Tencent", async () => {
    await seedRecord({
      taskId: "251007502-AigcVideo-11111111111111111111111111111111t",
      kind: "vod-video",
      status: "succeeded",
      progress: 100,
      finishedAt: "2025-01-02T03:09:05.000Z",
      updatedAt: "2025-01-02T03:09:06.000Z",
      outputs: [{ type: "video", url: "https://example.vod2.myqcloud.com/result.mp4", expiresAt: "2025-01-09T03:09:05.000Z" }],
      detail: { Status: "FINISH" },
    });
    const { body } = await query(VOD_ROUTE, "251007502-AigcVideo-11111111111111111111111111111111t");
    expect(body.Response).toMatchObject({
      Status: "FINISH",
      CreateTime: "2025-01-02T03:04:05Z",
      FinishTime: "2025-01-02T03:09:05Z",
      AigcVideoTask: { Status: "FINISH", Output: { FileInfos: [{ FileUrl: "https://example.vod2.myqcloud.com/result.mp4", ExpireTime: "2025-01-09T03:09:05Z" }] } },
    });
    expect(body.Response.aigcScf).toMatchObject({
      Status: "succeeded",
      Progress: 100,
      UpdatedAt: "2025-01-02T03:09:06.000Z",
      FinishedAt: "2025-01-02T03:09:05.000Z",
      Outputs: [{ Type: "video", Url: "https://example.vod2.myqcloud.com/result.mp4", ExpiresAt: "2025-01-09T03:09:05.000Z", Source: "tencent" }],
    });
    expect(tencent.calls()).toEqual([]);
  });
});

describe("an MPS task through its life", () => {
  it("answers WAIT, then RUN, then DONE with VideoUrls[0] that downloads", async () => {
    const taskId = await createTask("mps-video");
    const queued = await query(MPS_ROUTE, taskId);
    expect(queued.body.Response).toMatchObject({ Status: "WAIT", VideoUrls: [], aigcScf: { TaskId: taskId, TaskType: "mps-video", Status: "queued" } });

    tencent.advance(1_500);
    expect((await query(MPS_ROUTE, taskId)).body.Response).toMatchObject({ Status: "RUN", aigcScf: { Status: "running" } });

    tencent.advance(2_000);
    const done = await query(MPS_ROUTE, taskId);
    expect(done.body.Response).toMatchObject({ Status: "DONE", aigcScf: { Status: "succeeded", Outputs: [{ Type: "video", Source: "tencent", Url: done.body.Response.VideoUrls[0] }] } });
    const download = await fetch(done.body.Response.VideoUrls[0]);
    expect(download.status).toBe(200);
    expect(describeCalls("DescribeAigcVideoTask").map((call) => call.params)).toEqual(Array(3).fill({ TaskId: taskId }));
  });

  it("answers failed with MPS's failure message", async () => {
    tencent.injectFault({ kind: "task-failure", service: "mps", message: "The prompt was refused." });
    const taskId = await createTask("mps-video");
    tencent.advance(3_500);
    const { body } = await query(MPS_ROUTE, taskId);
    expect(body.Response).toMatchObject({ Status: "FAIL", Message: "The prompt was refused.", aigcScf: { Status: "failed", Error: { Code: "FailedOperation.AigcTask", Message: "The prompt was refused." } } });
  });
});

describe("who can see a task", () => {
  /** A 404 answer without what differs per request. */
  const notFound = (result: Awaited<ReturnType<typeof query>>) => {
    const { requestId: _requestId, detail: _detail, Response: _envelope, ...rest } = result.body;
    return { status: result.response.statusCode, ...rest };
  };
  const unknownAnswer = { status: 404, code: "ResourceNotFound.Task", type: "urn:tencent-aigc-scf:problem:resource-not-found", title: "No such resource" };

  it("answers an unknown TaskId with 404 ResourceNotFound.Task", async () => {
    const result = await query(VOD_ROUTE, "251007502-AigcVideo-00000000000000000000000000000000t");
    expect(notFound(result)).toEqual(unknownAnswer);
    expect(result.response.headers["content-type"]).toBe("application/problem+json");
  });

  it("carries Tencent's error envelope in the 404, so a Tencent or relay client reads Response.Error.Code", async () => {
    const { response, body } = await query(VOD_ROUTE, "251007502-AigcVideo-00000000000000000000000000000000t");
    expect(body.Response).toEqual({
      Error: { Code: "ResourceNotFound.Task", Message: body.detail },
      RequestId: response.headers["x-request-id"],
    });
    expect(body.requestId).toBe(body.Response.RequestId);
  });

  it("answers another token's task exactly like an unknown one", async () => {
    const taskId = await createTask("vod-video", OTHER_TOKEN);
    const result = await query(VOD_ROUTE, taskId);
    expect(notFound(result)).toEqual(unknownAnswer);
    expect(result.body.detail).toBe(`Task ${taskId} was not found.`);
    expect((await query(VOD_ROUTE, taskId, { authorization: `Bearer ${OTHER_TOKEN}` })).response.statusCode).toBe(200);
  });

  it("answers a VOD task on the MPS route, and an MPS task on the VOD route, with 404", async () => {
    const vodTask = await createTask("vod-video");
    const mpsTask = await createTask("mps-video");
    expect(notFound(await query(MPS_ROUTE, vodTask))).toEqual(unknownAnswer);
    expect(notFound(await query(VOD_ROUTE, mpsTask))).toEqual(unknownAnswer);
  });

  it("shows no HTTP token a task made by a bucket upload", async () => {
    await seedRecord({ taskId: "251007502-AigcVideoRedrawTask-22222222222222222222222222222222t", kind: "vod-redraw", origin: { type: "cos-upload", uploadSessionId: "upload-1" } });
    expect(notFound(await query(VOD_ROUTE, "251007502-AigcVideoRedrawTask-22222222222222222222222222222222t"))).toEqual(unknownAnswer);
  });

  it("answers a request without a token with 401 before reading the ledger", async () => {
    const { response, body } = await query(VOD_ROUTE, "251007502-AigcVideo-00000000000000000000000000000000t", { authorization: undefined });
    expect(response.statusCode).toBe(401);
    expect(response.headers["www-authenticate"]).toMatch(/^Bearer/);
    expect(body.code).toBe("AuthFailure.InvalidToken");
  });

  it("answers an unknown token with 401", async () => {
    const { response } = await query(VOD_ROUTE, "251007502-AigcVideo-00000000000000000000000000000000t", { authorization: "Bearer nope" });
    expect(response.statusCode).toBe(401);
  });
});

describe("requests the query routes refuse", () => {
  it.each([
    ["with a space", "bad id"],
    ["with a slash", "a/b"],
    ["over 128 characters", "a".repeat(129)],
    ["starting with a dot", ".hidden"],
  ])("refuses a TaskId %s with 400 naming TaskId", async (_, taskId) => {
    const { response, body } = await query(VOD_ROUTE, taskId);
    expect(response.statusCode).toBe(400);
    expect(body.code).toBe("InvalidParameterValue.TaskId");
    expect(body.errors).toEqual([expect.objectContaining({ field: "TaskId", code: "InvalidParameterValue.TaskId" })]);
  });

  it("answers 405 with Allow: GET for a POST on a query route", async () => {
    const event = apiEvent({ path: "/tencent-vod/v1/query/abc", method: "POST", body: {} });
    const response = await taskQuery(event, scfContext());
    expect(response.statusCode).toBe(405);
    expect(response.headers.allow).toBe("GET");
  });

  it("answers 404 for a path that is not one of its routes", async () => {
    const response = await taskQuery(apiEvent({ path: "/tencent-vod/v1/query", method: "GET", rawBody: "" }), scfContext());
    expect(response.statusCode).toBe(404);
    expect(bodyOf(response).code).toBe("ResourceNotFound.Route");
  });
});

describe("when Tencent cannot answer", () => {
  it("answers from the ledger marked Stale, and logs why, when Tencent is unreachable", async () => {
    const taskId = await createTask("vod-video");
    configure({ AIGC_VOD_ENDPOINT: "http://127.0.0.1:9" });
    const logs = captureLogs();
    const { response, body } = await query(VOD_ROUTE, taskId, undefined, 2_000);
    logs.restore();
    expect(response.statusCode).toBe(200);
    expect(body.Response).toMatchObject({ Status: "WAITING", AigcVideoTask: { TaskId: taskId, Status: "PROCESSING" }, aigcScf: { TaskId: taskId, Status: "queued", Stale: true } });
    expect(logs.lines().find((line) => line.event === "task.refresh.failed")).toMatchObject({ taskId, action: "DescribeTaskDetail", code: "NetworkError.Unreachable" });
  });

  it("answers from the ledger marked Stale when Tencent does not find a task inside its query window", async () => {
    const taskId = await createTask("vod-video");
    // Tencent's DescribeTaskDetail no longer finds the task, but by the ledger it is minutes old: a
    // "not found" then is Tencent lagging, not the task's end (see task-query-tencent-answers.test.ts).
    tencent.advance(4 * 24 * 60 * 60 * 1000);
    const { body } = await query(VOD_ROUTE, taskId);
    expect(body.Response.aigcScf).toMatchObject({ Status: "queued", Stale: true });
    expect(describeCalls("DescribeTaskDetail").at(-1)?.errorCode).toBe("InvalidParameterValue.TaskId");
  });
});

describe("results kept in our bucket, and deliveries", () => {
  it("serves a kept result at FileInfos[0].FileUrl as a presigned bucket URL, valid for an hour, that downloads", async () => {
    const bytes = Buffer.from("the kept result");
    const kept = { bucket: LEDGER_BUCKET, region: REGION, key: "aigc-results/251007502-AigcVideo-33333333333333333333333333333333t/0.mp4" };
    await cos.putObject({ bucket: kept.bucket, region: kept.region }, kept.key, bytes, { contentType: "video/mp4" });
    await seedRecord({
      taskId: "251007502-AigcVideo-33333333333333333333333333333333t",
      kind: "vod-video",
      status: "succeeded",
      outputs: [{ type: "video", url: "https://example.vod2.myqcloud.com/expired.mp4", expiresAt: "2025-01-09T03:09:05.000Z", kept }],
    });
    const { body } = await query(VOD_ROUTE, "251007502-AigcVideo-33333333333333333333333333333333t");
    const [output] = body.Response.aigcScf.Outputs;
    expect(output).toMatchObject({ Type: "video", Source: "bucket" });
    expect(body.Response.AigcVideoTask.Output.FileInfos).toEqual([{ FileUrl: output.Url, ExpireTime: new Date(output.ExpiresAt).toISOString().replace(/\.\d{3}Z$/, "Z") }]);
    expect(output.Url).toContain("q-signature=");
    expect(Date.parse(output.ExpiresAt) - Date.now()).toBeGreaterThan(59 * 60 * 1000);
    expect(Date.parse(output.ExpiresAt) - Date.now()).toBeLessThanOrEqual(60 * 60 * 1000);
    const download = await fetch(output.Url);
    expect(download.status).toBe(200);
    expect(Buffer.from(await download.arrayBuffer())).toEqual(bytes);
  });

  it("shows the record's delivery states, keeping storage errors to the logs", async () => {
    await seedRecord({
      taskId: "251007502-AigcVideo-44444444444444444444444444444444t",
      kind: "vod-video",
      status: "succeeded",
      delivery: {
        webhook: { state: "pending", attempts: 2, lastAttemptAt: "2025-01-02T03:10:00.000Z", nextAttemptAt: "2025-01-02T03:11:00.000Z", lastError: "HTTP 503 from the CallbackUrl" },
        keep: { state: "pending", attempts: 1, lastError: "COS PutObject InternalError" },
      },
    });
    const { body } = await query(VOD_ROUTE, "251007502-AigcVideo-44444444444444444444444444444444t");
    expect(body.Response.aigcScf.Delivery).toEqual({
      Webhook: { State: "pending", Attempts: 2, LastAttemptAt: "2025-01-02T03:10:00.000Z", NextAttemptAt: "2025-01-02T03:11:00.000Z", LastError: "HTTP 503 from the CallbackUrl" },
      Keep: { State: "pending", Attempts: 1 },
    });
  });
});

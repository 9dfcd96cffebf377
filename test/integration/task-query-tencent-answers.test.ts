/**
 * The query route reads Tencent's answers as the tracker does (the SDK's doc comments, quoted beside
 * each test), so a client polling `GET /tencent-vod/v1/query/{TaskId}` or `GET /tencent-mps/v1/query/{TaskId}`
 * sees the outcome the tracker records and the webhook reports. Tasks are made by the real create
 * functions and run by the Tencent stand-in; the ledger lives in the local COS stand-in.
 */

import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { main_handler as mpsVideo } from "../../functions/mps-aigc-video";
import { main_handler as taskQuery } from "../../functions/task-query";
import { main_handler as vodImage } from "../../functions/vod-aigc-image";
import { main_handler as vodVideo } from "../../functions/vod-aigc-video";
import { startCosStandIn } from "../../local/cos/server";
import { startTencentStandIn } from "../../local/tencent/server";
import { getConfig } from "../../shared/config";
import type { IntegrationResponse, ScfContext } from "../../shared/http/apigw";
import { createLogger } from "../../shared/log";
import { cosClientFor, ledgerFor } from "../../shared/tasks/services";
import { tencentClients } from "../../shared/tencent/clients";
import { trackTasks } from "../../shared/tracking/tracker";
import { useStandIns, stopStandIns, type CosStandIn, type TencentStandIn } from "../support/env";
import { apiEvent, bodyOf, captureLogs, loadBody, scfContext } from "../support/scf";

const TOKEN = "answers-query-token";
const VOD_ROUTE = "/tencent-vod/v1/query/{TaskId}";
const MPS_ROUTE = "/tencent-mps/v1/query/{TaskId}";
const DAY_MS = 24 * 60 * 60_000;

let tencent: TencentStandIn;
let cosStandIn: CosStandIn;
let dataDir: string;
const savedEnv = { ...process.env };

type HttpHandler = (event: unknown, context?: ScfContext) => Promise<IntegrationResponse>;
const creates: Record<string, { handler: HttpHandler; path: string; body: Record<string, unknown> }> = {
  "vod-video": { handler: vodVideo, path: "/tencent-vod/v1/aigc-video", body: { ModelName: "Kling", ModelVersion: "2.1", Prompt: "a lighthouse at dusk" } },
  "vod-image": { handler: vodImage, path: "/tencent-vod/v1/aigc-image", body: { ModelName: "GEM", ModelVersion: "3.0", Prompt: "a cat" } },
  "mps-video": { handler: mpsVideo, path: "/tencent-mps/v1/aigc-video", body: loadBody("mps-video.seed.json") },
};

async function create(kind: keyof typeof creates): Promise<string> {
  const route = creates[kind]!;
  const response = await route.handler(apiEvent({ path: route.path, body: route.body, headers: { authorization: `Bearer ${TOKEN}` } }), scfContext());
  expect(response.statusCode, response.body).toBe(200);
  return bodyOf(response).Response.TaskId as string;
}

/** GET on a query route through a real API Gateway event; answers `Response`. */
async function query(route: string, taskId: string) {
  const event = apiEvent({ path: route.replace("{TaskId}", taskId), method: "GET", rawBody: "", headers: { authorization: `Bearer ${TOKEN}`, "content-type": undefined } });
  event.requestContext.path = route;
  event.pathParameters = { TaskId: taskId };
  const response = await taskQuery(event, scfContext());
  expect(response.statusCode, response.body).toBe(200);
  return bodyOf(response).Response;
}

/** Moves a task's creation back in the ledger, as if it had been created `ageMs` ago. */
async function age(taskId: string, ageMs: number): Promise<void> {
  const ledger = ledgerFor(getConfig());
  const record = await ledger.getTask(taskId);
  await ledger.saveTask({ ...record!, createdAt: new Date(Date.now() - ageMs).toISOString() });
}

function tick() {
  const config = getConfig();
  return trackTasks({ config, ledger: ledgerFor(config), cos: cosClientFor(config), clients: tencentClients(config), log: createLogger("tick", {}, () => {}), deadline: Date.now() + 20_000 });
}

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), "aigc-answers-query-"));
  tencent = await startTencentStandIn({ port: 0, events: { pullHoldMs: 100 } });
  cosStandIn = await startCosStandIn({ port: 0, dataDir, triggers: [] });
});
afterAll(() => stopStandIns(savedEnv, { tencent, cos: cosStandIn, dataDir }));
// The functions log every request; a passing test prints none of it.
let logs: ReturnType<typeof captureLogs>;
beforeEach(() => {
  tencent.reset();
  cosStandIn.reset();
  useStandIns(savedEnv, { tencent, cos: cosStandIn }, { AIGC_API_TOKENS: TOKEN, AIGC_LEDGER_BUCKET: "aigc-ledger-1250000000", AIGC_UPSTREAM_TIMEOUT_MS: "2000" });
  logs = captureLogs();
});
afterEach(() => {
  logs.restore();
  tencent.clearFaults();
});

describe("a finished task, as Tencent reports it", () => {
  // AigcImageTask.ErrCodeExt: "扩展错误码。空字符串表示成功，其它值表示失败" (any non-empty value is failure).
  it("answers failed with the ErrCodeExt when DescribeTaskDetail has ErrCode 0 and ErrCodeExt InvalidParameter.VoilationContent", async () => {
    tencent.injectFault({ kind: "task-failure", service: "vod", errCode: 0, errCodeExt: "InvalidParameter.VoilationContent" });
    const taskId = await create("vod-image");
    tencent.advance(5_000);
    expect(await query(VOD_ROUTE, taskId)).toMatchObject({
      Status: "FINISH",
      AigcImageTask: { ErrCode: 0, ErrCodeExt: "InvalidParameter.VoilationContent" },
      aigcScf: { Status: "failed", Outputs: [], Error: { Code: "InvalidParameter.VoilationContent" } },
    });
  });

  // AigcVideoTaskOutput.FileInfos: FINISH with no output file made nothing.
  it("answers failed TaskOutputMissing for a VOD task that finished without an output file, with that code as ErrCodeExt", async () => {
    tencent.injectFault({ kind: "task-without-output", service: "vod" });
    const taskId = await create("vod-video");
    tencent.advance(5_000);
    expect(await query(VOD_ROUTE, taskId)).toMatchObject({
      Status: "FINISH",
      AigcVideoTask: { ErrCodeExt: "TaskOutputMissing", Output: { FileInfos: [] } },
      aigcScf: { Status: "failed", Error: { Code: "TaskOutputMissing" } },
    });
  });

  // DescribeAigcVideoTaskResponse.VideoUrls: "当任务状态为 DONE时，返回视频Url列表".
  it("answers FAIL (failed TaskOutputMissing) for an MPS task DONE without VideoUrls, since a client seeing DONE reads VideoUrls[0]", async () => {
    tencent.injectFault({ kind: "task-without-output", service: "mps" });
    const taskId = await create("mps-video");
    tencent.advance(5_000);
    expect(await query(MPS_ROUTE, taskId)).toMatchObject({ Status: "FAIL", VideoUrls: [], Message: expect.any(String), aigcScf: { Status: "failed", Error: { Code: "TaskOutputMissing" } } });
  });
});

describe("a task Tencent does not find", () => {
  // vod_client.d.ts DescribeTaskDetail: "最多可以查询3天之内提交的任务" (tasks submitted within 3 days).
  it("answers failed TaskExpired past the 3-day window, and the same once the tracker has recorded it", async () => {
    const taskId = await create("vod-video");
    await age(taskId, 4 * DAY_MS);
    tencent.advance(5 * DAY_MS); // Tencent forgot the task, and dropped its unpulled event
    const live = await query(VOD_ROUTE, taskId);
    expect(live).toMatchObject({ Status: "FINISH", AigcVideoTask: { ErrCodeExt: "TaskExpired" }, aigcScf: { Status: "failed", Outputs: [], Error: { Code: "TaskExpired" } } });
    expect(live.aigcScf).not.toHaveProperty("Stale");
    await tick();
    const recorded = await query(VOD_ROUTE, taskId);
    const { RequestId: _live, aigcScf: liveView, ...liveTencent } = live;
    const { RequestId: _recorded, aigcScf: recordedView, ...recordedTencent } = recorded;
    expect(recordedTencent).toEqual(liveTencent);
    expect({ Status: recordedView.Status, Error: recordedView.Error, FinishedAt: recordedView.FinishedAt }).toEqual({ Status: liveView.Status, Error: liveView.Error, FinishedAt: liveView.FinishedAt });
  });

  it("answers from the ledger marked Stale inside the window (Tencent can lag)", async () => {
    tencent.injectFault({ kind: "error", code: "FailedOperation.TaskNotFound", action: "DescribeAigcVideoTask" });
    const taskId = await create("mps-video");
    expect(await query(MPS_ROUTE, taskId)).toMatchObject({ Status: "WAIT", aigcScf: { Status: "queued", Stale: true } });
  });
});

/**
 * The tracker reads Tencent's answers as Tencent defines them (the SDK's doc comments, quoted beside
 * each test): a failure is a non-zero ErrCode or a non-empty ErrCodeExt, a finish without output is
 * no success, and a task Tencent no longer knows past its query window ends. Tasks are made by the
 * real create functions, run by the Tencent stand-in, followed by real tracker ticks.
 */

import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { main_handler as mpsVideo } from "../../functions/mps-aigc-video";
import { main_handler as vodImage } from "../../functions/vod-aigc-image";
import { main_handler as vodRedraw } from "../../functions/vod-aigc-redraw";
import { main_handler as vodVideo } from "../../functions/vod-aigc-video";
import { startCosStandIn } from "../../local/cos/server";
import { startTencentStandIn } from "../../local/tencent/server";
import { getConfig } from "../../shared/config";
import { CosClient } from "../../shared/cos/client";
import type { IntegrationResponse, ScfContext } from "../../shared/http/apigw";
import { createLogger } from "../../shared/log";
import { cosClientFor, ledgerFor } from "../../shared/tasks/services";
import { tencentClients } from "../../shared/tencent/clients";
import { trackTasks } from "../../shared/tracking/tracker";
import { devCosClient, useStandIns, stopStandIns, type CosStandIn, type TencentStandIn } from "../support/env";
import { startWebhookReceiver, type WebhookReceiver } from "../support/webhook-receiver";
import { apiEvent, bodyOf, captureLogs, loadBody, loadEvent, scfContext } from "../support/scf";

const TOKEN = "answers-token";
const SECRET = `whsec_${Buffer.from("a-test-secret-of-32-bytes-length").toString("base64")}`;
const BUCKET = "aigc-media-1250000000";
const ref = { bucket: BUCKET, region: "ap-guangzhou" };
const DAY_MS = 24 * 60 * 60_000;

let tencent: TencentStandIn;
let cosStandIn: CosStandIn;
let cos: CosClient;
let receiver: WebhookReceiver;
let dataDir: string;
const savedEnv = { ...process.env };

type HttpHandler = (event: unknown, context?: ScfContext) => Promise<IntegrationResponse>;
const creates: Record<string, { handler: HttpHandler; path: string; body: Record<string, unknown> }> = {
  "vod-video": { handler: vodVideo, path: "/tencent-vod/v1/aigc-video", body: { ModelName: "Kling", ModelVersion: "2.1", Prompt: "a lighthouse at dusk" } },
  "vod-image": { handler: vodImage, path: "/tencent-vod/v1/aigc-image", body: { ModelName: "GEM", ModelVersion: "3.0", Prompt: "a cat" } },
  "vod-redraw": { handler: vodRedraw as HttpHandler, path: "/tencent-vod/v1/aigc-video-redraw", body: loadBody("vod-redraw.seed.json") },
  "mps-video": { handler: mpsVideo, path: "/tencent-mps/v1/aigc-video", body: loadBody("mps-video.seed.json") },
};

/** Creates a task with a CallbackUrl through its real create function; answers its TaskId. */
async function create(kind: keyof typeof creates): Promise<string> {
  const route = creates[kind]!;
  const response = await route.handler(
    apiEvent({ path: route.path, body: { ...route.body, CallbackUrl: receiver.url }, headers: { authorization: `Bearer ${TOKEN}` } }),
    scfContext(),
  );
  expect(response.statusCode, response.body).toBe(200);
  return bodyOf(response).Response.TaskId as string;
}

/** One tracker tick, its clock `skewMs` ahead of the real one (days, for the query windows). */
function tick(skewMs = 0) {
  const config = getConfig();
  return trackTasks({
    config,
    ledger: ledgerFor(config),
    cos: cosClientFor(config),
    clients: tencentClients(config),
    log: createLogger("tick", {}, () => {}),
    deadline: Date.now() + skewMs + 20_000,
    now: () => Date.now() + skewMs,
  });
}

const record = (taskId: string) => ledgerFor(getConfig()).getTask(taskId);
/** The describes of one task Tencent got, faulted ones included (those record only what was sent). */
const describeCalls = (taskId: string) =>
  tencent.calls().filter((call) => (call.action === "DescribeTaskDetail" || call.action === "DescribeAigcVideoTask") && call.params?.TaskId === taskId);
const webhooksOf = (taskId: string) => receiver.deliveries.filter((delivery) => delivery.payload.data.TaskId === taskId);

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), "aigc-answers-"));
  tencent = await startTencentStandIn({ port: 0, lifecycle: { queuedMs: 1_000, processingMs: 2_000 }, events: { pullHoldMs: 100 } });
  cosStandIn = await startCosStandIn({ port: 0, dataDir, retryDelayMs: 50, triggers: [] });
  cos = devCosClient(cosStandIn.url);
  receiver = await startWebhookReceiver(SECRET);
});
afterAll(() => stopStandIns(savedEnv, { tencent, cos: cosStandIn, dataDir, others: [receiver] }));
beforeEach(() => {
  tencent.reset();
  cosStandIn.reset();
  receiver.reset();
  useStandIns(savedEnv, { tencent, cos: cosStandIn }, {
    AIGC_API_TOKENS: TOKEN,
    AIGC_REDRAW_BUCKET: BUCKET,
    AIGC_WEBHOOK_SECRET: SECRET,
    AIGC_ALLOW_PRIVATE_CALLBACKS: "true",
    AIGC_UPSTREAM_TIMEOUT_MS: "2000",
  });
});
// The create functions log every request; a passing test prints none of it.
let logs: ReturnType<typeof captureLogs>;
beforeEach(() => {
  logs = captureLogs();
});
afterEach(() => {
  logs.restore();
  tencent.clearFaults();
});

describe("a VOD task Tencent reports as FINISH", () => {
  // AigcImageTask.ErrCodeExt: "扩展错误码。空字符串表示成功，其它值表示失败" (empty string is success, any other
  // value is failure); AigcImageTask.ErrCode: "返回0时请使用各个具体任务的 ErrCode" (0 decides nothing).
  it("fails an image task whose completion event has ErrCode 0 and ErrCodeExt ContentModerationFailed", async () => {
    tencent.injectFault({ kind: "task-failure", service: "vod", errCode: 0, errCodeExt: "ContentModerationFailed" });
    const taskId = await create("vod-image");
    tencent.advance(5_000);
    await tick();
    expect(await record(taskId)).toMatchObject({ status: "failed", error: { code: "ContentModerationFailed" }, outputs: [] });
    expect(webhooksOf(taskId).map((d) => d.payload)).toMatchObject([{ type: "task.failed", data: { Error: { Code: "ContentModerationFailed" } } }]);
  });

  // AigcVideoRedrawTask.ErrCodeExt is the same field as AigcImageTask's; DescribeTaskDetail is polled.
  it("fails a polled redraw task whose DescribeTaskDetail has ErrCode 0 and ErrCodeExt TaskTimeout", async () => {
    tencent.injectFault({ kind: "task-failure", service: "vod", errCode: 0, errCodeExt: "TaskTimeout" });
    const taskId = await create("vod-redraw");
    tencent.advance(5_000);
    await tick();
    expect(await record(taskId)).toMatchObject({ status: "failed", error: { code: "TaskTimeout" } });
  });

  // AigcVideoTaskOutput.FileInfos: the task's output files. FINISH with none made nothing.
  it("fails a video task that finished with ErrCode 0, an empty ErrCodeExt and no output file (TaskOutputMissing)", async () => {
    tencent.injectFault({ kind: "task-without-output", service: "vod" });
    const taskId = await create("vod-video");
    tencent.advance(5_000);
    await tick();
    expect(await record(taskId)).toMatchObject({ status: "failed", error: { code: "TaskOutputMissing" }, outputs: [] });
    expect(webhooksOf(taskId).map((d) => d.payload.type)).toEqual(["task.failed"]);
  });
});

describe("an MPS task", () => {
  // DescribeAigcVideoTaskResponse.VideoUrls: "当任务状态为 DONE时，返回视频Url列表" (on DONE, the video URLs).
  it("fails a task answered DONE without VideoUrls (TaskOutputMissing)", async () => {
    tencent.injectFault({ kind: "task-without-output", service: "mps" });
    const taskId = await create("mps-video");
    tencent.advance(5_000);
    await tick();
    expect(await record(taskId)).toMatchObject({ status: "failed", error: { code: "TaskOutputMissing" } });
  });

  // DescribeAigcVideoTaskResponse.Message: "当任务状态为 FAIL时，返回失败信息".
  it("fails a task answered FAIL, with Tencent's Message", async () => {
    tencent.injectFault({ kind: "task-failure", service: "mps", message: "The prompt was refused." });
    const taskId = await create("mps-video");
    tencent.advance(5_000);
    await tick();
    expect(await record(taskId)).toMatchObject({ status: "failed", error: { message: "The prompt was refused." } });
  });
});

describe("a task Tencent no longer knows", () => {
  // vod_client.d.ts DescribeTaskDetail: "最多可以查询3天之内提交的任务" (only tasks submitted within 3 days).
  // 5 days on, VOD has also dropped the unpulled completion event (events are kept 4 days).
  it("ends a VOD task past DescribeTaskDetail's 3-day window as failed TaskExpired, with one webhook, and polls it no more", async () => {
    const taskId = await create("vod-video");
    tencent.advance(5 * DAY_MS);
    await tick(5 * DAY_MS);
    const ended = await record(taskId);
    expect(ended).toMatchObject({ status: "failed", error: { code: "TaskExpired" } });
    expect(ended?.finishedAt).toBe(new Date(Date.parse(ended!.createdAt) + 3 * DAY_MS).toISOString());
    const polls = describeCalls(taskId).length;
    await tick(5 * DAY_MS + 60_000);
    expect(describeCalls(taskId)).toHaveLength(polls);
    expect(webhooksOf(taskId).map((d) => d.payload)).toMatchObject([{ type: "task.failed", data: { Status: "failed", Error: { Code: "TaskExpired" } } }]);
    expect((await ledgerFor(getConfig()).listOpenTaskIds()).taskIds).not.toContain(taskId);
  });

  it("keeps polling a task Tencent answers not found for inside the window (Tencent can lag), until Tencent finds it", async () => {
    tencent.injectFault({ kind: "error", code: "InvalidParameterValue.TaskId", action: "DescribeTaskDetail", times: 2 });
    const taskId = await create("vod-redraw");
    tencent.advance(5_000);
    await tick();
    await tick(60_000);
    expect(await record(taskId)).toMatchObject({ status: "queued" });
    expect(webhooksOf(taskId)).toHaveLength(0);
    await tick(2 * 60_000);
    expect(describeCalls(taskId)).toHaveLength(3);
    expect(await record(taskId)).toMatchObject({ status: "succeeded" });
  });

  // mps_client.d.ts DescribeTaskDetail: "最多可以查询7天之内提交的任务"; DescribeAigcVideoTask states no window
  // of its own, so MPS's 7 days are taken.
  it("ends an MPS task past the 7-day window as failed TaskExpired, but not at 6 days", async () => {
    const taskId = await create("mps-video");
    tencent.setQueryWindows({ mpsMs: 0 }); // Tencent answers FailedOperation.TaskNotFound from now on
    await tick(6 * DAY_MS);
    expect(await record(taskId)).toMatchObject({ status: "queued" });
    await tick(7 * DAY_MS + 60_000);
    expect(await record(taskId)).toMatchObject({ status: "failed", error: { code: "TaskExpired" } });
    expect(webhooksOf(taskId).map((d) => d.payload.type)).toEqual(["task.failed"]);
  });

  it("writes the failed sidecar of a redraw upload Tencent forgot", async () => {
    await cos.putObject(ref, "in/lost.mp4", Buffer.from("source"), { contentType: "video/mp4" });
    const event = loadEvent<{ Records: any[] }>("cos-put-single.json");
    event.Records[0].cos.cosObject.key = "/1250000000/aigc-media/in/lost.mp4";
    event.Records[0].cos.cosObject.url = "http://aigc-media-1250000000.cos.ap-guangzhou.myqcloud.com/in/lost.mp4";
    await vodRedraw(event, scfContext());
    tencent.advance(4 * DAY_MS);
    await tick(4 * DAY_MS);
    const sidecar = JSON.parse((await cos.getObject(ref, "out/lost.mp4.json"))?.body.toString() ?? "{}");
    expect(sidecar).toMatchObject({ status: "failed", error: { code: "TaskExpired" }, output: null });
  });
});

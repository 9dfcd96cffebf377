/**
 * The Tencent stand-in answers like Tencent in the cases the SDK's doc comments define and the
 * tracker must read right: a failure told only by ErrCodeExt (ErrCode 0), a finish without output,
 * and "not found" once a task is past the query window. Each is set up through the control endpoint
 * (`/__standin/faults`, `/__standin/query-windows`), as a test or a developer at `npm start` would,
 * and observed through the real SDK clients.
 */
import type { Agent } from "node:http";
import { Client as MpsClient } from "tencentcloud-sdk-nodejs/tencentcloud/services/mps/v20190612/mps_client";
import { Client as VodClient } from "tencentcloud-sdk-nodejs/tencentcloud/services/vod/v20180717/vod_client";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { DEV_SECRET_ID, DEV_SECRET_KEY } from "../../local/dev-credentials";
import { createStandInAgent } from "../../local/tencent/agent";
import { startTencentStandIn, type TencentStandIn } from "../../local/tencent/server";

const SUBAPPID = 251007502;
const DAY_MS = 24 * 60 * 60 * 1000;
const DEV = { secretId: DEV_SECRET_ID, secretKey: DEV_SECRET_KEY };

let standIn: TencentStandIn;
let agent: Agent;
let vod: VodClient;
let mps: MpsClient;

beforeAll(async () => {
  const startedAt = Date.now();
  // The clock stands still unless advanced; the SDK still signs with the real time.
  standIn = await startTencentStandIn({ now: () => startedAt, lifecycle: { queuedMs: 100, processingMs: 200 } });
  agent = createStandInAgent({ port: standIn.port });
  const profile = (service: "vod" | "mps") => ({ httpProfile: { protocol: "http://", endpoint: `${service}.tencentcloudapi.com`, agent } });
  vod = new VodClient({ credential: DEV, region: "ap-guangzhou", profile: profile("vod") });
  mps = new MpsClient({ credential: DEV, region: "ap-guangzhou", profile: profile("mps") });
});
afterAll(async () => {
  agent.destroy();
  await standIn.close();
});
beforeEach(() => standIn.reset());

async function control(method: string, path: string, body?: unknown): Promise<Response> {
  return fetch(`${standIn.url}/__standin/${path}`, { method, ...(body !== undefined ? { body: JSON.stringify(body), headers: { "content-type": "application/json" } } : {}) });
}

async function rejectionOf(promise: Promise<unknown>): Promise<{ code?: string }> {
  try {
    await promise;
  } catch (error) {
    return error as { code?: string };
  }
  throw new Error("expected the call to fail, it succeeded");
}

const videoRequest = { SubAppId: SUBAPPID, ModelName: "Hunyuan", ModelVersion: "1.5", Prompt: "a cat on a skateboard" };
const mpsRequest = { ModelName: "Kling", ModelVersion: "2.1", Prompt: "a cat" };

describe("injected task outcomes", () => {
  // AigcImageTask.ErrCodeExt: "扩展错误码。空字符串表示成功，其它值表示失败"; ErrCode: "返回0时请使用各个具体任务的 ErrCode".
  it("finishes a VOD task with ErrCode 0 and the injected ErrCodeExt, and no output, for a task-failure with errCode 0", async () => {
    expect((await control("POST", "faults", { kind: "task-failure", service: "vod", errCode: 0, errCodeExt: "ContentModerationFailed" })).status).toBe(201);
    const { TaskId } = await vod.CreateAigcVideoTask(videoRequest);
    standIn.advance(300);
    const detail = await vod.DescribeTaskDetail({ TaskId: TaskId ?? "", SubAppId: SUBAPPID });
    expect(detail).toMatchObject({ Status: "FINISH", AigcVideoTask: { Status: "FINISH", ErrCode: 0, ErrCodeExt: "ContentModerationFailed", Output: { FileInfos: [] } } });
  });

  it("finishes a VOD task FINISH with ErrCode 0, an empty ErrCodeExt and no FileInfos, for a task-without-output", async () => {
    await control("POST", "faults", { kind: "task-without-output", service: "vod" });
    const { TaskId } = await vod.CreateAigcVideoTask(videoRequest);
    standIn.advance(300);
    const detail = await vod.DescribeTaskDetail({ TaskId: TaskId ?? "", SubAppId: SUBAPPID });
    expect(detail).toMatchObject({ Status: "FINISH", AigcVideoTask: { ErrCode: 0, ErrCodeExt: "", Output: { FileInfos: [] } } });
  });

  // DescribeAigcVideoTaskResponse.Status "DONE：任务成功"; VideoUrls "当任务状态为 DONE时，返回视频Url列表".
  it("answers an MPS task DONE with empty VideoUrls, for a task-without-output", async () => {
    await control("POST", "faults", { kind: "task-without-output", service: "mps" });
    const { TaskId } = await mps.CreateAigcVideoTask(mpsRequest);
    standIn.advance(300);
    expect(await mps.DescribeAigcVideoTask({ TaskId: TaskId ?? "" })).toMatchObject({ Status: "DONE", VideoUrls: [] });
  });

  it("records the create a task-outcome fault shaped", async () => {
    await control("POST", "faults", { kind: "task-without-output" });
    await vod.CreateAigcVideoTask(videoRequest);
    expect(standIn.createdTasks().map((call) => call.fault)).toEqual(["task-without-output"]);
  });

  it("refuses a task-failure whose errCode is not a non-negative integer", async () => {
    expect((await control("POST", "faults", { kind: "task-failure", errCode: -1 })).status).toBe(400);
  });
});

describe("query windows", () => {
  // vod_client.d.ts DescribeTaskDetail: "最多可以查询3天之内提交的任务".
  it("answers DescribeTaskDetail InvalidParameterValue.TaskId for a VOD task 3 days old, by default", async () => {
    const { TaskId } = await vod.CreateAigcVideoTask(videoRequest);
    standIn.advance(3 * DAY_MS - 1);
    await vod.DescribeTaskDetail({ TaskId: TaskId ?? "", SubAppId: SUBAPPID });
    standIn.advance(1);
    expect((await rejectionOf(vod.DescribeTaskDetail({ TaskId: TaskId ?? "", SubAppId: SUBAPPID }))).code).toBe("InvalidParameterValue.TaskId");
  });

  // mps_client.d.ts DescribeTaskDetail: "最多可以查询7天之内提交的任务" (DescribeAigcVideoTask states none of its own).
  it("answers DescribeAigcVideoTask FailedOperation.TaskNotFound for an MPS task 7 days old, by default", async () => {
    const { TaskId } = await mps.CreateAigcVideoTask(mpsRequest);
    standIn.advance(7 * DAY_MS - 1);
    expect(await mps.DescribeAigcVideoTask({ TaskId: TaskId ?? "" })).toMatchObject({ Status: "DONE" });
    standIn.advance(1);
    expect((await rejectionOf(mps.DescribeAigcVideoTask({ TaskId: TaskId ?? "" }))).code).toBe("FailedOperation.TaskNotFound");
  });

  it("takes other windows through PUT /__standin/query-windows, until reset", async () => {
    const changed = await control("PUT", "query-windows", { vodMs: 1_000 });
    expect(await changed.json()).toEqual({ vodMs: 1_000, mpsMs: 7 * DAY_MS });
    const { TaskId } = await vod.CreateAigcVideoTask(videoRequest);
    standIn.advance(1_000);
    expect((await rejectionOf(vod.DescribeTaskDetail({ TaskId: TaskId ?? "", SubAppId: SUBAPPID }))).code).toBe("InvalidParameterValue.TaskId");
    await control("POST", "reset");
    expect(await (await control("GET", "query-windows")).json()).toEqual({ vodMs: 3 * DAY_MS, mpsMs: 7 * DAY_MS });
  });

  it("refuses a malformed query window", async () => {
    expect((await control("PUT", "query-windows", { vodMs: -1 })).status).toBe(400);
    expect((await control("PUT", "query-windows", { days: 3 })).status).toBe(400);
  });

  it("takes the windows as a start option", async () => {
    const short = await startTencentStandIn({ queryWindows: { mpsMs: 60_000 } });
    try {
      expect(short.setQueryWindows({})).toEqual({ vodMs: 3 * DAY_MS, mpsMs: 60_000 });
    } finally {
      await short.close();
    }
  });
});

/**
 * The task lifecycle of the Tencent stand-in (DescribeTaskDetail, PullEvents, ConfirmEvents,
 * MPS DescribeAigcVideoTask, result files), driven by the real SDK clients over HTTP with only
 * the TCP connection redirected to 127.0.0.1.
 *
 * Most tests use a stand-in whose clock stands still and moves only by `advance()`, so every
 * state is observed exactly; a second one runs on the real clock with lifecycles of tens to
 * hundreds of ms, for the long poll and a lifecycle seen in real time.
 */
import type { Agent } from "node:http";
import { Client as MpsClient } from "tencentcloud-sdk-nodejs/tencentcloud/services/mps/v20190612/mps_client";
import { Client as VodClient } from "tencentcloud-sdk-nodejs/tencentcloud/services/vod/v20180717/vod_client";
import type { DescribeTaskDetailResponse, EventContent } from "tencentcloud-sdk-nodejs/tencentcloud/services/vod/v20180717/vod_models";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { DEV_SECRET_ID, DEV_SECRET_KEY } from "../../local/dev-credentials";
import { createStandInAgent } from "../../local/tencent/agent";
import { startTencentStandIn, type TencentStandIn } from "../../local/tencent/server";

const SUBAPPID = 251007502;
const OTHER_SUBAPPID = 251007503;
const QUEUED_MS = 100;
const PROCESSING_MS = 200;
const DAY_MS = 24 * 60 * 60 * 1000;
const DEV = { secretId: DEV_SECRET_ID, secretKey: DEV_SECRET_KEY };

/** A stand-in and the SDK clients that talk to it. */
interface Rig {
  standIn: TencentStandIn;
  agent: Agent;
  vod: VodClient;
  mps: MpsClient;
}

async function startRig(options: Parameters<typeof startTencentStandIn>[0]): Promise<Rig> {
  const standIn = await startTencentStandIn(options);
  const agent = createStandInAgent({ port: standIn.port });
  const profile = (service: "vod" | "mps") => ({ httpProfile: { protocol: "http://", endpoint: `${service}.tencentcloudapi.com`, agent } });
  return {
    standIn,
    agent,
    vod: new VodClient({ credential: DEV, region: "ap-guangzhou", profile: profile("vod") }),
    mps: new MpsClient({ credential: DEV, region: "ap-guangzhou", profile: profile("mps") }),
  };
}

async function stopRig(rig: Rig | undefined): Promise<void> {
  rig?.agent.destroy();
  await rig?.standIn.close();
}

// Stands still unless advanced; the SDK still signs with the real time, well within 5 minutes.
let frozen: Rig;
// Real time, short lifecycles, a short long-poll hold and confirm window.
let live: Rig;

beforeAll(async () => {
  const startedAt = Date.now();
  frozen = await startRig({
    now: () => startedAt,
    lifecycle: { queuedMs: QUEUED_MS, processingMs: PROCESSING_MS },
    events: { pullHoldMs: 150 },
  });
  live = await startRig({ lifecycle: { queuedMs: 250, processingMs: 350 }, events: { pullHoldMs: 1500, confirmWindowMs: 400 } });
});

afterAll(async () => {
  await stopRig(frozen);
  await stopRig(live);
});

beforeEach(() => {
  frozen.standIn.reset();
  live.standIn.reset();
});

interface SdkError {
  code?: string;
  message: string;
}

async function rejectionOf(promise: Promise<unknown>): Promise<SdkError> {
  try {
    await promise;
  } catch (error) {
    return error as SdkError;
  }
  throw new Error("expected the call to fail, it succeeded");
}

function videoRequest(extra: Record<string, unknown> = {}) {
  return { SubAppId: SUBAPPID, ModelName: "Hunyuan", ModelVersion: "1.5", Prompt: "a cat on a skateboard", ...extra };
}

function imageRequest(extra: Record<string, unknown> = {}) {
  return { SubAppId: SUBAPPID, ModelName: "Hunyuan", ModelVersion: "3.0", Prompt: "a lighthouse", ...extra };
}

function redrawRequest() {
  return { SubAppId: SUBAPPID, FileInfo: { Type: "Url", Url: "https://example.com/in.mp4" }, TaskInfo: { Style: "watercolor" } };
}

async function detail(rig: Rig, taskId: string | undefined, subAppId = SUBAPPID): Promise<DescribeTaskDetailResponse> {
  return rig.vod.DescribeTaskDetail({ TaskId: taskId ?? "", SubAppId: subAppId });
}

async function statuses(rig: Rig, taskIds: Array<string | undefined>): Promise<Array<string | undefined>> {
  return Promise.all(taskIds.map(async (taskId) => (await detail(rig, taskId)).Status));
}

async function download(url: string | undefined, headers: Record<string, string> = {}) {
  const response = await fetch(url ?? "", { headers });
  return { status: response.status, type: response.headers.get("content-type"), body: Buffer.from(await response.arrayBuffer()) };
}

const MP4_FTYP = Buffer.from("ftyp", "ascii");
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

describe("VOD task lifecycle", () => {
  it("takes a video task from WAITING through PROCESSING to FINISH with a downloadable MP4", async () => {
    const { standIn, vod } = frozen;
    const { TaskId } = await vod.CreateAigcVideoTask(videoRequest({ SessionId: "life-1", SessionContext: "ctx-1" }));

    const waiting = await detail(frozen, TaskId);
    standIn.advance(QUEUED_MS + PROCESSING_MS / 2);
    const processing = await detail(frozen, TaskId);
    standIn.advance(PROCESSING_MS / 2);
    const finished = await detail(frozen, TaskId);

    expect(waiting).toMatchObject({
      TaskType: "AigcVideoTask",
      Status: "WAITING",
      CreateTime: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
      BeginProcessTime: "",
      FinishTime: "",
      AigcVideoTask: { TaskId, ErrCode: 0, Progress: 0, Output: { FileInfos: [] }, SessionId: "life-1", SessionContext: "ctx-1" },
    });
    expect(processing).toMatchObject({ Status: "PROCESSING", FinishTime: "", AigcVideoTask: { Status: "PROCESSING", Progress: 50 } });
    expect(finished).toMatchObject({
      Status: "FINISH",
      FinishTime: expect.stringMatching(/Z$/),
      AigcVideoTask: {
        Status: "FINISH",
        ErrCode: 0,
        ErrCodeExt: "",
        Progress: 100,
        Input: { ModelName: "Hunyuan", ModelVersion: "1.5", Prompt: "a cat on a skateboard" },
        Output: { FileInfos: [{ StorageMode: "Temporary", FileType: "mp4", FileUrl: expect.stringContaining(`${standIn.url}/__standin/files/`) }] },
      },
    });
    const file = finished.AigcVideoTask?.Output?.FileInfos?.[0];
    const video = await download(file?.FileUrl);
    expect({ status: video.status, type: video.type, size: video.body.length, box: video.body.subarray(4, 8) }).toEqual({
      status: 200,
      type: "video/mp4",
      size: file?.MetaData?.Size,
      box: MP4_FTYP,
    });
  });

  it("lets the result URL work until 7 days after completion, then refuses it with 403", async () => {
    const { standIn, vod } = frozen;
    const { TaskId } = await vod.CreateAigcVideoTask(videoRequest());
    standIn.advance(QUEUED_MS + PROCESSING_MS);
    const file = (await detail(frozen, TaskId)).AigcVideoTask?.Output?.FileInfos?.[0];

    standIn.advance(7 * DAY_MS - 1000);
    const lastSecond = await download(file?.FileUrl);
    standIn.advance(1000);
    const expired = await download(file?.FileUrl);

    expect(file?.ExpireTime).toBe(new Date(standIn.now()).toISOString().replace(/\.\d{3}Z$/, "Z"));
    expect([lastSecond.status, expired.status]).toEqual([200, 403]);
  });

  it("refuses a result URL whose signature or expiry was edited", async () => {
    const { standIn, vod } = frozen;
    const { TaskId } = await vod.CreateAigcVideoTask(videoRequest());
    standIn.advance(QUEUED_MS + PROCESSING_MS);
    const url = new URL((await detail(frozen, TaskId)).AigcVideoTask?.Output?.FileInfos?.[0]?.FileUrl ?? "");

    const resigned = new URL(url);
    resigned.searchParams.set("sign", "0".repeat(64));
    const extended = new URL(url);
    extended.searchParams.set("t", "ffffffff");

    expect([(await download(url.href)).status, (await download(resigned.href)).status, (await download(extended.href)).status]).toEqual([200, 403, 403]);
  });

  it("serves a byte range of a result file", async () => {
    const { standIn, vod } = frozen;
    const { TaskId } = await vod.CreateAigcVideoTask(videoRequest());
    standIn.advance(QUEUED_MS + PROCESSING_MS);
    const url = (await detail(frozen, TaskId)).AigcVideoTask?.Output?.FileInfos?.[0]?.FileUrl;

    const [whole, part] = [await download(url), await download(url, { range: "bytes=4-7" })];

    expect({ status: part.status, body: part.body }).toEqual({ status: 206, body: whole.body.subarray(4, 8) });
  });

  it("gives an image task a PNG image", async () => {
    const { standIn, vod } = frozen;
    const { TaskId } = await vod.CreateAigcImageTask(imageRequest());
    standIn.advance(QUEUED_MS + PROCESSING_MS);

    const finished = await detail(frozen, TaskId);
    const file = finished.AigcImageTask?.Output?.FileInfos?.[0];
    const image = await download(file?.FileUrl);

    expect(finished).toMatchObject({ TaskType: "AigcImageTask", Status: "FINISH", AigcImageTask: { ErrCode: 0, Progress: 100 } });
    expect({ fileType: file?.FileType, status: image.status, type: image.type, head: image.body.subarray(0, 8) }).toEqual({
      fileType: "png",
      status: 200,
      type: "image/png",
      head: PNG_SIGNATURE,
    });
  });

  it("finishes a redraw task with a single FileInfo and no completion event", async () => {
    const { standIn, vod } = frozen;
    const { TaskId } = await vod.CreateAigcVideoRedrawTask(redrawRequest());
    standIn.advance(QUEUED_MS + PROCESSING_MS);

    const finished = await detail(frozen, TaskId);
    const pulled = await vod.PullEvents({ SubAppId: SUBAPPID });

    expect(finished).toMatchObject({
      TaskType: "AigcVideoRedrawTask",
      Status: "FINISH",
      AigcVideoRedrawTask: {
        Input: { FileInfo: { Type: "Url", Url: "https://example.com/in.mp4" }, TaskInfo: { Style: "watercolor" } },
        Output: { FileInfo: { FileType: "mp4", FileUrl: expect.stringContaining("/__standin/files/") } },
      },
    });
    expect(finished.AigcVideoRedrawTask?.Output).not.toHaveProperty("FileInfos");
    expect([pulled.EventSet, standIn.events()]).toEqual([[], []]);
  });

  it("runs one task at a time per SubAppId: a later task stays WAITING until the earlier one finishes", async () => {
    const { standIn, vod } = frozen;
    const first = await vod.CreateAigcVideoTask(videoRequest());
    const second = await vod.CreateAigcVideoTask(videoRequest());
    const elsewhere = await vod.CreateAigcVideoTask(videoRequest({ SubAppId: OTHER_SUBAPPID }));
    const ids = [first.TaskId, second.TaskId];

    standIn.advance(QUEUED_MS);
    const whileFirstRuns = await statuses(frozen, ids);
    const otherApp = (await detail(frozen, elsewhere.TaskId, OTHER_SUBAPPID)).Status;
    standIn.advance(PROCESSING_MS);
    const whileSecondRuns = await statuses(frozen, ids);
    standIn.advance(PROCESSING_MS);
    const afterBoth = await statuses(frozen, ids);

    expect({ whileFirstRuns, otherApp, whileSecondRuns, afterBoth }).toEqual({
      whileFirstRuns: ["PROCESSING", "WAITING"],
      otherApp: "PROCESSING",
      whileSecondRuns: ["FINISH", "PROCESSING"],
      afterBoth: ["FINISH", "FINISH"],
    });
  });

  it("ends a task with an injected failure: FINISH, a non-zero ErrCode, its ErrCodeExt and no files", async () => {
    const { standIn, vod } = frozen;
    standIn.injectFault({ kind: "task-failure", service: "vod", action: "CreateAigcVideoTask", errCodeExt: "ModelGenerateFailed" });
    const doomed = await vod.CreateAigcVideoTask(videoRequest());
    const healthy = await vod.CreateAigcVideoTask(videoRequest());
    standIn.advance(QUEUED_MS + 2 * PROCESSING_MS);

    const failed = await detail(frozen, doomed.TaskId);

    expect(failed).toMatchObject({
      Status: "FINISH",
      AigcVideoTask: { Status: "FINISH", ErrCode: expect.any(Number), ErrCodeExt: "ModelGenerateFailed", Message: expect.any(String), Output: { FileInfos: [] } },
    });
    expect(failed.AigcVideoTask?.ErrCode).not.toBe(0);
    expect((await detail(frozen, healthy.TaskId)).AigcVideoTask).toMatchObject({ ErrCode: 0, ErrCodeExt: "" });
    expect(standIn.createdTasks().map((call) => call.fault)).toEqual(["task-failure", undefined]);
  });

  it("answers InvalidParameterValue.TaskId for an unknown task, another SubAppId's task, and a task older than 3 days", async () => {
    const { standIn, vod } = frozen;
    const { TaskId } = await vod.CreateAigcVideoTask(videoRequest());

    const unknown = await rejectionOf(detail(frozen, `${SUBAPPID}-AigcVideo-${"0".repeat(32)}t`));
    const wrongApp = await rejectionOf(detail(frozen, TaskId, OTHER_SUBAPPID));
    standIn.advance(3 * DAY_MS - 1000);
    const lastSecond = await detail(frozen, TaskId);
    standIn.advance(1000);
    const tooOld = await rejectionOf(detail(frozen, TaskId));

    expect([unknown.code, wrongApp.code, lastSecond.Status, tooOld.code]).toEqual([
      "InvalidParameterValue.TaskId",
      "InvalidParameterValue.TaskId",
      "FINISH",
      "InvalidParameterValue.TaskId",
    ]);
  });

  it("is seen going WAITING, PROCESSING, FINISH in real time", async () => {
    const { vod } = live;
    const { TaskId } = await vod.CreateAigcVideoTask(videoRequest());
    const seen: string[] = [];
    await vi.waitFor(
      async () => {
        const status = (await detail(live, TaskId)).Status ?? "";
        if (seen.at(-1) !== status) seen.push(status);
        expect(status).toBe("FINISH");
      },
      { timeout: 5000, interval: 20 },
    );
    expect(seen).toEqual(["WAITING", "PROCESSING", "FINISH"]);
  });
});

describe("MPS task lifecycle", () => {
  it("runs tasks in parallel and ends DONE with VideoUrls that work for 12 hours", async () => {
    const { standIn, mps } = frozen;
    const first = await mps.CreateAigcVideoTask({ ModelName: "Kling", ModelVersion: "2.1", Prompt: "waves" });
    const second = await mps.CreateAigcVideoTask({ ModelName: "Kling", ModelVersion: "2.1", Prompt: "dunes" });
    const describe = (taskId: string | undefined) => mps.DescribeAigcVideoTask({ TaskId: taskId ?? "" });

    const waiting = await describe(first.TaskId);
    standIn.advance(QUEUED_MS);
    const running = [(await describe(first.TaskId)).Status, (await describe(second.TaskId)).Status];
    standIn.advance(PROCESSING_MS);
    const done = await describe(first.TaskId);
    const video = await download(done.VideoUrls?.[0]);
    standIn.advance(12 * 60 * 60 * 1000);
    const expired = await download(done.VideoUrls?.[0]);

    expect(waiting).toMatchObject({ Status: "WAIT", VideoUrls: [] });
    expect(running).toEqual(["RUN", "RUN"]);
    expect(done).toMatchObject({ Status: "DONE", Resolution: "128x72", VideoUrls: [expect.stringContaining(`${standIn.url}/__standin/files/`)] });
    expect({ status: video.status, type: video.type, box: video.body.subarray(4, 8), expired: expired.status }).toEqual({
      status: 200,
      type: "video/mp4",
      box: MP4_FTYP,
      expired: 403,
    });
  });

  it("ends FAIL with a message and no VideoUrls after an injected ContentModerationFailed", async () => {
    const { standIn, mps } = frozen;
    standIn.injectFault({ kind: "task-failure", service: "mps", errCodeExt: "ContentModerationFailed" });
    const { TaskId } = await mps.CreateAigcVideoTask({ ModelName: "Kling", Prompt: "something forbidden" });
    standIn.advance(QUEUED_MS + PROCESSING_MS);

    const failed = await mps.DescribeAigcVideoTask({ TaskId: TaskId ?? "" });

    expect(failed).toMatchObject({ Status: "FAIL", VideoUrls: [], Message: expect.stringMatching(/moderation/i) });
    expect(standIn.tasks()).toEqual([expect.objectContaining({ taskId: TaskId, status: "FAIL", phase: "failed" })]);
  });

  it("answers FailedOperation.TaskNotFound for an unknown MPS task", async () => {
    const error = await rejectionOf(frozen.mps.DescribeAigcVideoTask({ TaskId: "2147483647" }));
    expect(error.code).toBe("FailedOperation.TaskNotFound");
  });

  it("lets 50 DescribeAigcVideoTask calls a second through and refuses the rest", async () => {
    const { TaskId } = await frozen.mps.CreateAigcVideoTask({ ModelName: "Kling", Prompt: "waves" });
    const results = await Promise.allSettled(Array.from({ length: 55 }, () => frozen.mps.DescribeAigcVideoTask({ TaskId: TaskId ?? "" })));
    const refusals = results.flatMap((r) => (r.status === "rejected" ? [(r.reason as SdkError).code] : []));
    expect(refusals).toEqual(Array(5).fill("RequestLimitExceeded"));
  });
});

describe("VOD completion events", () => {
  function taskIdOf(event: EventContent): string | undefined {
    return (event.AigcVideoCompleteEvent ?? event.AigcImageCompleteEvent)?.TaskId;
  }

  it("pulls one completion event per finished video or image task, carrying the task as DescribeTaskDetail shows it", async () => {
    const { standIn, vod } = frozen;
    const video = await vod.CreateAigcVideoTask(videoRequest({ SessionContext: "video-ctx" }));
    const image = await vod.CreateAigcImageTask(imageRequest());
    standIn.advance(QUEUED_MS + PROCESSING_MS);

    const { EventSet = [] } = await vod.PullEvents({ SubAppId: SUBAPPID });
    const videoDetail = await detail(frozen, video.TaskId);

    expect(EventSet.map((event) => [event.EventType, taskIdOf(event)])).toEqual([
      ["AigcVideoTaskComplete", video.TaskId],
      ["AigcImageTaskComplete", image.TaskId],
    ]);
    expect(EventSet[0]?.EventHandle).toMatch(/^[0-9a-f]{32}$/);
    expect(EventSet[0]?.AigcVideoCompleteEvent).toEqual(videoDetail.AigcVideoTask);
    expect(EventSet[1]).not.toHaveProperty("AigcVideoCompleteEvent");
  });

  it("gives an unconfirmed event out again after the confirm window, under a new handle, and a confirmed one never", async () => {
    const { standIn, vod } = frozen;
    await vod.CreateAigcVideoTask(videoRequest());
    await vod.CreateAigcImageTask(imageRequest());
    standIn.advance(QUEUED_MS + PROCESSING_MS);
    const [videoEvent, imageEvent] = (await vod.PullEvents({ SubAppId: SUBAPPID })).EventSet ?? [];
    await vod.ConfirmEvents({ EventHandles: [videoEvent?.EventHandle ?? ""], SubAppId: SUBAPPID });

    const insideWindow = (await vod.PullEvents({ SubAppId: SUBAPPID })).EventSet;
    standIn.advance(30_000);
    const redelivered = (await vod.PullEvents({ SubAppId: SUBAPPID })).EventSet ?? [];
    const staleHandle = await rejectionOf(vod.ConfirmEvents({ EventHandles: [imageEvent?.EventHandle ?? ""], SubAppId: SUBAPPID }));
    await vod.ConfirmEvents({ EventHandles: [redelivered[0]?.EventHandle ?? ""], SubAppId: SUBAPPID });
    standIn.advance(60_000);
    const afterBoth = (await vod.PullEvents({ SubAppId: SUBAPPID })).EventSet;

    expect(insideWindow).toEqual([]);
    expect(redelivered.map(taskIdOf)).toEqual([taskIdOf(imageEvent ?? {})]);
    expect(redelivered[0]?.EventHandle).not.toBe(imageEvent?.EventHandle);
    expect(staleHandle.code).toBe("InvalidParameterValue");
    expect(afterBoth).toEqual([]);
    expect(standIn.events().map((event) => [event.eventType, event.state, event.deliveries])).toEqual([
      ["AigcVideoTaskComplete", "confirmed", 1],
      ["AigcImageTaskComplete", "confirmed", 2],
    ]);
  });

  it("hands out 20 finished tasks in two pulls of at most 16", async () => {
    const { standIn, vod } = frozen;
    const created = await Promise.all(Array.from({ length: 20 }, () => vod.CreateAigcVideoTask(videoRequest())));
    standIn.advance(QUEUED_MS + 20 * PROCESSING_MS);

    const first = (await vod.PullEvents({ SubAppId: SUBAPPID })).EventSet ?? [];
    const second = (await vod.PullEvents({ SubAppId: SUBAPPID })).EventSet ?? [];

    expect([first.length, second.length]).toEqual([16, 4]);
    expect(new Set([...first, ...second].map(taskIdOf))).toEqual(new Set(created.map((response) => response.TaskId)));
  });

  it("keeps events per SubAppId", async () => {
    const { standIn, vod } = frozen;
    await vod.CreateAigcVideoTask(videoRequest({ SubAppId: OTHER_SUBAPPID }));
    standIn.advance(QUEUED_MS + PROCESSING_MS);

    const mine = (await vod.PullEvents({ SubAppId: SUBAPPID })).EventSet;
    const theirs = (await vod.PullEvents({ SubAppId: OTHER_SUBAPPID })).EventSet;

    expect([mine?.length, theirs?.length]).toEqual([0, 1]);
  });

  it("drops an event nobody pulled for 4 days", async () => {
    const { standIn, vod } = frozen;
    await vod.CreateAigcVideoTask(videoRequest());
    standIn.advance(QUEUED_MS + PROCESSING_MS + 4 * DAY_MS);

    const { EventSet } = await vod.PullEvents({ SubAppId: SUBAPPID });

    expect([EventSet, standIn.events().map((event) => event.state)]).toEqual([[], ["expired"]]);
  });

  it("holds a PullEvents call while nothing is available, then answers an empty EventSet", async () => {
    const started = Date.now();
    const { EventSet } = await frozen.vod.PullEvents({ SubAppId: SUBAPPID });
    expect({ EventSet, held: Date.now() - started >= 140 }).toEqual({ EventSet: [], held: true });
  });

  it("answers a held PullEvents call as soon as a task finishes", async () => {
    const { vod } = live;
    const { TaskId } = await vod.CreateAigcVideoTask(videoRequest());
    const started = Date.now();

    const { EventSet = [] } = await vod.PullEvents({ SubAppId: SUBAPPID });

    expect({ taskIds: EventSet.map(taskIdOf), early: Date.now() - started < 1400 }).toEqual({ taskIds: [TaskId], early: true });
  });

  it("redelivers an unconfirmed event once the confirm window has passed in real time", async () => {
    const { standIn, vod } = live;
    await vod.CreateAigcImageTask(imageRequest());
    await vi.waitFor(() => expect(standIn.tasks()[0]?.status).toBe("FINISH"), { timeout: 3000, interval: 20 });
    const first = (await vod.PullEvents({ SubAppId: SUBAPPID })).EventSet ?? [];

    const again = (await vod.PullEvents({ SubAppId: SUBAPPID })).EventSet ?? [];

    expect(first).toHaveLength(1);
    expect(again.map(taskIdOf)).toEqual(first.map(taskIdOf));
    expect(again[0]?.EventHandle).not.toBe(first[0]?.EventHandle);
  });

  it("refuses more than 16 handles in one ConfirmEvents call", async () => {
    const error = await rejectionOf(frozen.vod.ConfirmEvents({ EventHandles: Array.from({ length: 17 }, (_, i) => `h${i}`), SubAppId: SUBAPPID }));
    expect(error.code).toBe("InvalidParameterValue");
  });
});

describe("control API", () => {
  async function control(method: string, path: string, body?: unknown): Promise<Response> {
    return fetch(`${frozen.standIn.url}/__standin/${path}`, {
      method,
      ...(body !== undefined ? { body: JSON.stringify(body), headers: { "content-type": "application/json" } } : {}),
    });
  }

  it("injects a task failure, advances the clock and shows live tasks and events over HTTP", async () => {
    const injected = await control("POST", "faults", { kind: "task-failure", service: "vod", action: "CreateAigcImageTask", errCodeExt: "TaskTimeout" });
    const { TaskId } = await frozen.vod.CreateAigcImageTask(imageRequest());
    const queued = (await (await control("GET", "tasks")).json()) as Array<{ taskId: string; status: string }>;
    const advanced = await control("POST", "advance", { ms: QUEUED_MS + PROCESSING_MS });
    const finished = (await (await control("GET", "tasks")).json()) as Array<{ status: string; failure?: { errCodeExt: string } }>;
    const events = (await (await control("GET", "events")).json()) as Array<{ taskId: string; state: string }>;

    expect({
      injected: injected.status,
      queued: queued.map((task) => [task.taskId, task.status]),
      advanced: advanced.status,
      finished: finished.map((task) => [task.status, task.failure?.errCodeExt]),
      events: events.map((event) => [event.taskId, event.state]),
    }).toEqual({
      injected: 201,
      queued: [[TaskId, "WAITING"]],
      advanced: 200,
      finished: [["FINISH", "TaskTimeout"]],
      events: [[TaskId, "pending"]],
    });
  });

  it("refuses an unknown ErrCodeExt and a negative advance", async () => {
    const fault = await control("POST", "faults", { kind: "task-failure", errCodeExt: "Exploded" });
    const advance = await control("POST", "advance", { ms: -1 });
    expect([fault.status, advance.status]).toEqual([400, 400]);
  });
});

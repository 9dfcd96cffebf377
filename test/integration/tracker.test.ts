/**
 * Following tasks to their end: tasks created through the real create functions and uploads, the
 * Tencent stand-in running their lifecycle, the ledger in the local COS stand-in, and a webhook
 * receiver that verifies Standard Webhooks signatures. Ticks run the real tracker.
 */

import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { main_handler as mpsVideo } from "../../functions/mps-aigc-video";
import { main_handler as vodRedraw } from "../../functions/vod-aigc-redraw";
import { main_handler as vodVideo } from "../../functions/vod-aigc-video";
import { main_handler as trackerHandler } from "../../functions/task-tracker";
import { main_handler as taskQuery } from "../../functions/task-query";
import { startCosStandIn } from "../../local/cos/server";
import { startTencentStandIn } from "../../local/tencent/server";
import { getConfig } from "../../shared/config";
import { CosClient } from "../../shared/cos/client";
import { ledgerFor } from "../../shared/tasks/services";
import { tencentClients } from "../../shared/tencent/clients";
import { devCosClient, useStandIns, stopStandIns, type CosStandIn, type TencentStandIn } from "../support/env";
import { trackerTick } from "../support/tracker-tick";
import { startWebhookReceiver, type WebhookReceiver } from "../support/webhook-receiver";
import { apiEvent, bodyOf, loadEvent, scfContext } from "../support/scf";

const TOKEN = "tracker-token";
const SECRET = `whsec_${Buffer.from("a-test-secret-of-32-bytes-length").toString("base64")}`;
const BUCKET = "aigc-media-1250000000";
const ref = { bucket: BUCKET, region: "ap-guangzhou" };
const VIDEO_ASSET = readFileSync(join(__dirname, "..", "..", "local", "assets", "aigc-video.mp4"));


let tencent: TencentStandIn;
let cosStandIn: CosStandIn;
let cos: CosClient;
let dataDir: string;
const savedEnv = { ...process.env };

let receiver: WebhookReceiver;

function configure(extra: Record<string, string> = {}): void {
  useStandIns(savedEnv, { tencent, cos: cosStandIn }, {
    AIGC_API_TOKENS: TOKEN,
    AIGC_REDRAW_BUCKET: BUCKET,
    AIGC_WEBHOOK_SECRET: SECRET,
    AIGC_ALLOW_PRIVATE_CALLBACKS: "true",
    AIGC_UPSTREAM_TIMEOUT_MS: "2000",
    ...extra,
  });
}

/** One tracker tick, the tracker's clock `skewMs` ahead (to make retries due). */
const tick = trackerTick;

async function createVideo(body: Record<string, unknown> = {}) {
  const response = await vodVideo(
    apiEvent({ body: { ModelName: "Kling", ModelVersion: "2.1", Prompt: "a lighthouse at dusk", ...body }, headers: { authorization: `Bearer ${TOKEN}` } }),
    scfContext(),
  );
  expect(response.statusCode).toBe(200);
  return bodyOf(response).Response.TaskId as string;
}

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), "aigc-tracker-"));
  tencent = await startTencentStandIn({ port: 0, lifecycle: { queuedMs: 1_000, processingMs: 2_000 }, events: { pullHoldMs: 100, confirmWindowMs: 30_000 } });
  cosStandIn = await startCosStandIn({ port: 0, dataDir, retryDelayMs: 50, triggers: [] });
  cos = devCosClient(cosStandIn.url);
  receiver = await startWebhookReceiver(SECRET);
});
afterAll(() => stopStandIns(savedEnv, { tencent, cos: cosStandIn, dataDir, others: [receiver] }));
beforeEach(() => {
  tencent.reset();
  cosStandIn.reset();
  receiver.reset();
  configure();
});
afterEach(() => {
  tencent.clearFaults();
});

describe("webhooks", () => {
  it("delivers one verified webhook with a downloadable result for a video task created with a CallbackUrl", async () => {
    const taskId = await createVideo({ CallbackUrl: receiver.url });
    await tick();
    expect(receiver.deliveries).toHaveLength(0); // not finished yet
    tencent.advance(5_000);
    await tick();
    expect(receiver.deliveries).toHaveLength(1);
    const { payload } = receiver.deliveries[0]!;
    expect(payload).toMatchObject({ type: "task.succeeded", data: { TaskId: taskId, Status: "succeeded", TaskType: "vod-video" } });
    const download = await fetch(payload.data.Outputs[0].Url);
    expect(download.status).toBe(200);
    expect(Buffer.from(await download.arrayBuffer())).toEqual(VIDEO_ASSET);
    await tick();
    expect(receiver.deliveries).toHaveLength(1);
  });

  it("delivers a failed task's error code", async () => {
    tencent.injectFault({ kind: "task-failure", service: "vod", errCodeExt: "ContentModerationFailed" });
    const taskId = await createVideo({ CallbackUrl: receiver.url });
    tencent.advance(5_000);
    await tick();
    expect(receiver.deliveries[0]?.payload).toMatchObject({ type: "task.failed", data: { TaskId: taskId, Error: { Code: "ContentModerationFailed" } } });
  });

  it("gets the webhook through once, with the same webhook-id, after the receiver was down for several ticks", async () => {
    await createVideo({ CallbackUrl: receiver.url });
    tencent.advance(5_000);
    receiver.down = true;
    await tick();
    await tick(10 * 60_000);
    await tick(60 * 60_000);
    expect(receiver.attempts).toBe(3);
    receiver.down = false;
    await tick(3 * 60 * 60_000);
    await tick(6 * 60 * 60_000);
    expect(receiver.deliveries).toHaveLength(1);
    expect(receiver.attempts).toBe(4);
  });

  it("marks a webhook undeliverable after 24 hours of failures, and keeps the task's record", async () => {
    const taskId = await createVideo({ CallbackUrl: receiver.url });
    tencent.advance(5_000);
    receiver.down = true;
    for (const hours of [0, 1, 2, 4, 8, 12, 16, 20, 23, 24, 25]) await tick(hours * 60 * 60_000);
    const record = await ledgerFor(getConfig()).getTask(taskId);
    expect(record?.delivery.webhook).toMatchObject({ state: "undeliverable" });
    expect(record?.status).toBe("succeeded");
    expect((await ledgerFor(getConfig()).listOpenTaskIds()).taskIds).not.toContain(taskId);
  });

  it("stops at a 410 Gone and counts that POST: the query answers Attempts 1", async () => {
    const taskId = await createVideo({ CallbackUrl: receiver.url });
    tencent.advance(5_000);
    receiver.answerWith = 410;
    await tick();
    await tick(60 * 60_000);
    expect(receiver.attempts).toBe(1);
    const webhook = (await ledgerFor(getConfig()).getTask(taskId))?.delivery.webhook;
    expect(webhook).toMatchObject({ state: "undeliverable", attempts: 1, lastError: expect.stringMatching(/410 Gone/) });
    expect(webhook?.lastAttemptAt).toBe(webhook?.firstAttemptAt);
    const query = await taskQuery(
      apiEvent({ path: `/tencent-vod/v1/query/${taskId}`, method: "GET", rawBody: "", headers: { authorization: `Bearer ${TOKEN}`, "content-type": undefined } }),
      scfContext(),
    );
    expect(bodyOf(query).Response.aigcScf.Delivery.Webhook).toMatchObject({ State: "undeliverable", Attempts: 1 });
  });

  it("loses nothing and duplicates nothing when a tick dies between pulling and confirming events", async () => {
    tencent.reset();
    const taskId = await createVideo({ CallbackUrl: receiver.url });
    tencent.advance(5_000);
    await expect(tick(0, { beforeConfirm: () => Promise.reject(new Error("killed")) })).rejects.toThrow("killed");
    expect(tencent.events().filter((e) => e.state === "confirmed")).toHaveLength(0);
    // The unconfirmed event comes back after Tencent's confirm window.
    tencent.advance(31_000);
    const report = await tick();
    expect(report.events.pulled).toBe(1);
    expect(tencent.events().every((e) => e.state === "confirmed")).toBe(true);
    expect(receiver.deliveries.map((d) => d.payload.data.TaskId)).toEqual([taskId]);
    const record = await ledgerFor(getConfig()).getTask(taskId);
    expect(record?.history.map((h) => h.status)).toEqual(["queued", "succeeded"]);
  });

  it("serves kept copies from our bucket when AIGC_KEEP_RESULTS is on", async () => {
    configure({ AIGC_KEEP_RESULTS: "true" });
    const taskId = await createVideo({ CallbackUrl: receiver.url });
    tencent.advance(5_000);
    await tick();
    const url = receiver.deliveries[0]?.payload.data.Outputs[0].Url as string;
    expect(url).toContain(cosStandIn.url.replace("http://", ""));
    expect(Buffer.from(await (await fetch(url)).arrayBuffer())).toEqual(VIDEO_ASSET);
    expect((await cos.headObject(ref, `aigc-results/${taskId}/0.mp4`))?.size).toBe(VIDEO_ASSET.length);
  });
});

describe("polling", () => {
  it("follows an MPS task to completion by polling", async () => {
    const response = await mpsVideo(
      apiEvent({ path: "/tencent-mps/v1/aigc-video", body: { ModelName: "Kling", ModelVersion: "2.1", Prompt: "a cat", CallbackUrl: receiver.url }, headers: { authorization: `Bearer ${TOKEN}` } }),
      scfContext(),
    );
    const taskId = bodyOf(response).Response.TaskId as string;
    tencent.advance(1_500);
    await tick();
    expect((await ledgerFor(getConfig()).getTask(taskId))?.status).toBe("running");
    tencent.advance(5_000);
    await tick();
    const record = await ledgerFor(getConfig()).getTask(taskId);
    expect(record?.status).toBe("succeeded");
    expect(record?.outputs?.[0]?.url).toMatch(/^http/);
    expect(receiver.deliveries.map((d) => d.payload.data.TaskId)).toEqual([taskId]);
  });

  it("polls a VOD task whose completion event is overdue", async () => {
    const taskId = await createVideo({ CallbackUrl: receiver.url });
    tencent.advance(5_000);
    // Someone else consumes the event: the tracker never sees it.
    const vod = tencentClients(getConfig()).vod;
    const pulled = await vod.request("PullEvents", { SubAppId: 251007502 });
    const handles = (pulled.EventSet as Array<{ EventHandle: string }>).map((e) => e.EventHandle);
    await vod.request("ConfirmEvents", { SubAppId: 251007502, EventHandles: handles });
    await tick();
    expect((await ledgerFor(getConfig()).getTask(taskId))?.status).toBe("queued");
    await tick(11 * 60_000);
    expect((await ledgerFor(getConfig()).getTask(taskId))?.status).toBe("succeeded");
    expect(receiver.deliveries.map((d) => d.payload.data.TaskId)).toEqual([taskId]);
  });

  it("runs as the SCF timer function", async () => {
    await createVideo();
    tencent.advance(5_000);
    const report = await trackerHandler(loadEvent("timer-tracker.json"), scfContext(20_000));
    expect(report).toMatchObject({ events: { pulled: 1, handled: 1 }, tasks: { closed: 1 } });
  });
});

describe("results in the bucket", () => {
  it("writes the redrawn video to out/<key> and its status sidecar for an upload into in/", async () => {
    await cos.putObject(ref, "in/trip/beach.mp4", Buffer.from("source"), { contentType: "video/mp4" });
    const event = loadEvent<{ Records: any[] }>("cos-put-single.json");
    event.Records[0].cos.cosObject.key = "/1250000000/aigc-media/in/trip/beach.mp4";
    event.Records[0].cos.cosObject.url = `http://aigc-media-1250000000.cos.ap-guangzhou.myqcloud.com/in/trip/beach.mp4`;
    await vodRedraw(event, scfContext());
    tencent.advance(5_000);
    await tick();
    const video = await cos.getObject(ref, "out/trip/beach.mp4");
    expect(video?.body).toEqual(VIDEO_ASSET);
    const sidecar = JSON.parse((await cos.getObject(ref, "out/trip/beach.mp4.json"))?.body.toString() ?? "{}");
    expect(sidecar).toMatchObject({ status: "succeeded", source: { key: "in/trip/beach.mp4" }, output: { key: "out/trip/beach.mp4" } });
    expect(sidecar.taskId).toMatch(/AigcVideoRedrawTask/);
  });

  it("writes only a sidecar with the error when the redraw fails", async () => {
    tencent.injectFault({ kind: "task-failure", service: "vod", action: "CreateAigcVideoRedrawTask", errCodeExt: "TaskTimeout" });
    const event = loadEvent<{ Records: any[] }>("cos-put-single.json");
    event.Records[0].cos.cosObject.key = "/1250000000/aigc-media/in/fails.mp4";
    event.Records[0].cos.cosObject.url = `http://aigc-media-1250000000.cos.ap-guangzhou.myqcloud.com/in/fails.mp4`;
    await vodRedraw(event, scfContext());
    tencent.advance(5_000);
    await tick();
    expect(await cos.headObject(ref, "out/fails.mp4")).toBeUndefined();
    const sidecar = JSON.parse((await cos.getObject(ref, "out/fails.mp4.json"))?.body.toString() ?? "{}");
    expect(sidecar).toMatchObject({ status: "failed", error: { code: "TaskTimeout" }, output: null });
  });
});

describe("ticks", () => {
  it("runs one tick at a time", async () => {
    const [a, b] = await Promise.all([tick(), tick()]);
    expect([a.skipped, b.skipped].filter(Boolean)).toHaveLength(1);
  });

  it("stops starting work when the function's time is nearly up, and leaves it for the next tick", async () => {
    // Due at once: it asked for task.started, which takes a poll (a plain VOD task waits for its event).
    await createVideo({ CallbackUrl: receiver.url, WebhookEvents: ["task.started", "task.succeeded", "task.failed"] });
    tencent.advance(5_000);
    const report = await tick(0, { deadline: Date.now() + 2_000 });
    expect(report.tasks.deferred).toBeGreaterThan(0);
    const next = await tick();
    expect(next.tasks.closed).toBe(1);
  });
});

/**
 * WebhookEvents: which webhooks a task sends (task.started, task.succeeded, task.failed), end to
 * end: tasks created through the real create functions, the Tencent stand-in running their
 * lifecycle (its clock moved with tencent.advance), the ledger in the COS stand-in, real tracker
 * ticks, and a receiver that verifies every Standard Webhooks signature.
 */

import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { main_handler as mpsVideo } from "../../functions/mps-aigc-video";
import { main_handler as taskQuery } from "../../functions/task-query";
import { main_handler as vodVideo } from "../../functions/vod-aigc-video";
import { startCosStandIn } from "../../local/cos/server";
import { startTencentStandIn } from "../../local/tencent/server";
import { getConfig } from "../../shared/config";
import { ledgerFor } from "../../shared/tasks/services";
import { tencentClients, type TencentClients } from "../../shared/tencent/clients";
import { webhookIdFor } from "../../shared/tracking/webhooks";
import { useStandIns, stopStandIns, type CosStandIn, type TencentStandIn } from "../support/env";
import { apiEvent, bodyOf, scfContext } from "../support/scf";
import { trackerTick } from "../support/tracker-tick";
import { startWebhookReceiver, type WebhookReceiver } from "../support/webhook-receiver";

const TOKEN = "webhook-events-token";
const SECRET = `whsec_${Buffer.from("a-test-secret-of-32-bytes-length").toString("base64")}`;
/** The stand-in's lifecycle: queued for 1 s, processing for 2 s. */
const TO_RUNNING_MS = 1_500;
const TO_FINISHED_MS = 5_000;

let tencent: TencentStandIn;
let cosStandIn: CosStandIn;
let receiver: WebhookReceiver;
let dataDir: string;
const savedEnv = { ...process.env };

/** One tracker tick, the tracker's clock `skewMs` ahead (to make retries due). */
const tick = trackerTick;

const authorized = { authorization: `Bearer ${TOKEN}` };
const videoBody = { ModelName: "Kling", ModelVersion: "2.1", Prompt: "a lighthouse at dusk" };

async function createVod(body: Record<string, unknown>) {
  return vodVideo(apiEvent({ body: { ...videoBody, ...body }, headers: authorized }), scfContext());
}

async function createMps(body: Record<string, unknown>) {
  return mpsVideo(apiEvent({ path: "/tencent-mps/v1/aigc-video", body: { ...videoBody, ...body }, headers: authorized }), scfContext());
}

function taskIdOf(response: Awaited<ReturnType<typeof createVod>>): string {
  expect(response.statusCode).toBe(200);
  return bodyOf(response).Response.TaskId as string;
}

const typesReceived = () => receiver.deliveries.map((delivery) => delivery.payload.type);
const record = (taskId: string) => ledgerFor(getConfig()).getTask(taskId);
const isOpen = async (taskId: string) => (await ledgerFor(getConfig()).listOpenTaskIds()).taskIds.includes(taskId);

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), "aigc-webhook-events-"));
  tencent = await startTencentStandIn({ port: 0, lifecycle: { queuedMs: 1_000, processingMs: 2_000 }, events: { pullHoldMs: 100, confirmWindowMs: 30_000 } });
  cosStandIn = await startCosStandIn({ port: 0, dataDir, retryDelayMs: 50, triggers: [] });
  receiver = await startWebhookReceiver(SECRET);
});
afterAll(() => stopStandIns(savedEnv, { tencent, cos: cosStandIn, dataDir, others: [receiver] }));
beforeEach(() => {
  tencent.reset();
  cosStandIn.reset();
  receiver.reset();
  useStandIns(savedEnv, { tencent, cos: cosStandIn }, {
    AIGC_API_TOKENS: TOKEN,
    AIGC_REDRAW_BUCKET: "aigc-media-1250000000",
    AIGC_WEBHOOK_SECRET: SECRET,
    AIGC_ALLOW_PRIVATE_CALLBACKS: "true",
    AIGC_UPSTREAM_TIMEOUT_MS: "2000",
  });
});

describe("task.started", () => {
  it("sends task.started when an MPS task runs and task.succeeded when it ends, once each, with distinct webhook-ids", async () => {
    const taskId = taskIdOf(await createMps({ CallbackUrl: receiver.url, WebhookEvents: ["task.started", "task.succeeded"] }));
    await tick();
    expect(receiver.deliveries).toHaveLength(0); // still queued
    tencent.advance(TO_RUNNING_MS);
    await tick();
    tencent.advance(TO_FINISHED_MS);
    await tick();
    await tick();

    expect(typesReceived()).toEqual(["task.started", "task.succeeded"]);
    const [started, succeeded] = receiver.deliveries;
    expect(started?.payload).toMatchObject({ type: "task.started", data: { TaskId: taskId, TaskType: "mps-video", Status: "running", Outputs: [] } });
    expect(started?.id).toBe(webhookIdFor(taskId, "task.started"));
    expect(succeeded?.id).toBe(webhookIdFor(taskId, "task.succeeded"));
    expect(started?.id).not.toBe(succeeded?.id);
    expect(receiver.attempts).toBe(2); // every request verified, none refused
    expect(await isOpen(taskId)).toBe(false);
  });

  it("polls a queued VOD task whose create asked for task.started (snake_case webhook_events), as Tencent's event comes only at the end", async () => {
    const taskId = taskIdOf(await createVod({ callback_url: receiver.url, webhook_events: ["task.started", "task.succeeded", "task.failed"] }));
    tencent.advance(TO_RUNNING_MS);
    await tick();
    expect(receiver.deliveries.map((d) => [d.payload.type, d.payload.data.TaskId])).toEqual([["task.started", taskId]]);
    tencent.advance(TO_FINISHED_MS);
    await tick();
    expect(typesReceived()).toEqual(["task.started", "task.succeeded"]);
  });

  it("sends task.started before the final event, once, when the task is seen running and ends in the same tick", async () => {
    const taskId = taskIdOf(await createVod({ webhookEvents: ["task.started", "task.succeeded"], callbackUrl: receiver.url }));
    tencent.advance(TO_RUNNING_MS);
    // Tencent's completion event arrives in the same tick, just after the poll that saw the task running.
    const real = tencentClients(getConfig());
    let seenRunning!: () => void;
    const polled = new Promise<void>((resolve) => (seenRunning = resolve));
    const clients: TencentClients = {
      mps: real.mps,
      vod: {
        async request(action, params, options) {
          if (action === "PullEvents") await polled;
          const answer = await real.vod.request(action, params, options);
          if (action === "DescribeTaskDetail" && answer.Status === "PROCESSING") {
            tencent.advance(TO_FINISHED_MS);
            seenRunning();
          }
          return answer;
        },
      },
    };
    const report = await tick(0, { clients });

    expect(report.events.handled).toBe(1);
    expect(typesReceived()).toEqual(["task.started", "task.succeeded"]);
    expect((await record(taskId))?.history.map((entry) => entry.status)).toEqual(["queued", "running", "succeeded"]);
    await tick();
    expect(typesReceived()).toEqual(["task.started", "task.succeeded"]);
    expect(await isOpen(taskId)).toBe(false);
  });

  it("sends no task.started for a task first seen when already finished", async () => {
    const taskId = taskIdOf(await createMps({ CallbackUrl: receiver.url, WebhookEvents: ["task.started", "task.succeeded"] }));
    tencent.advance(TO_FINISHED_MS);
    await tick();
    expect(typesReceived()).toEqual(["task.succeeded"]);
    expect((await record(taskId))?.delivery.webhookStarted).toBeUndefined();
    expect(await isOpen(taskId)).toBe(false);
  });

  it("keeps a task.started delivery's webhook-id across retries after the receiver was down", async () => {
    const taskId = taskIdOf(await createMps({ CallbackUrl: receiver.url, WebhookEvents: ["task.started"] }));
    tencent.advance(TO_RUNNING_MS);
    receiver.down = true;
    await tick();
    await tick(10 * 60_000);
    expect((await record(taskId))?.delivery.webhookStarted).toMatchObject({ state: "pending", attempts: 2 });
    receiver.down = false;
    await tick(60 * 60_000);

    const id = webhookIdFor(taskId, "task.started");
    expect(receiver.attemptIds).toEqual([id, id, id]);
    expect(receiver.deliveries.map((d) => [d.id, d.payload.type])).toEqual([[id, "task.started"]]);
    expect((await record(taskId))?.delivery.webhookStarted).toMatchObject({ state: "delivered", attempts: 3 });
  });

  it("stops task.started at a 410 Gone, still sends the final event, closes the task, and the query shows both deliveries", async () => {
    const taskId = taskIdOf(await createMps({ CallbackUrl: receiver.url, WebhookEvents: ["task.started", "task.succeeded", "task.failed"] }));
    tencent.advance(TO_RUNNING_MS);
    receiver.answerWith = 410;
    await tick();
    await tick(60 * 60_000);
    expect(receiver.attempts).toBe(1);
    receiver.answerWith = undefined;
    tencent.advance(TO_FINISHED_MS);
    await tick(60 * 60_000);

    expect(typesReceived()).toEqual(["task.succeeded"]);
    expect(await isOpen(taskId)).toBe(false);
    const query = await taskQuery(
      apiEvent({ path: `/tencent-mps/v1/query/${taskId}`, method: "GET", rawBody: "", headers: { ...authorized, "content-type": undefined } }),
      scfContext(),
    );
    expect(bodyOf(query).Response.aigcScf.Delivery).toMatchObject({
      Webhook: { State: "delivered", Attempts: 1 },
      WebhookStarted: { State: "undeliverable", Attempts: 1, LastError: expect.stringMatching(/410 Gone/) },
    });
  });
});

describe("the final events", () => {
  it("sends only the final event by default, as a create naming the two final events does", async () => {
    const byDefault = taskIdOf(await createMps({ CallbackUrl: receiver.url }));
    const named = taskIdOf(await createMps({ CallbackUrl: receiver.url, WebhookEvents: ["task.succeeded", "task.failed"] }));
    tencent.advance(TO_RUNNING_MS);
    await tick();
    expect(receiver.deliveries).toHaveLength(0);
    tencent.advance(TO_FINISHED_MS);
    await tick();

    const received = receiver.deliveries.map((d) => `${d.payload.data.TaskId} ${d.payload.type}`).sort();
    expect(received).toEqual([`${byDefault} task.succeeded`, `${named} task.succeeded`].sort());
  });

  it("sends nothing for a succeeded task whose create asked only for task.failed, and still closes it", async () => {
    const taskId = taskIdOf(await createMps({ CallbackUrl: receiver.url, WebhookEvents: ["task.failed"] }));
    tencent.advance(TO_RUNNING_MS);
    await tick();
    tencent.advance(TO_FINISHED_MS);
    await tick();

    expect((await record(taskId))?.status).toBe("succeeded");
    expect(receiver.attempts).toBe(0);
    expect(await isOpen(taskId)).toBe(false);
  });

  it("sends task.failed to a create that asked only for it", async () => {
    tencent.injectFault({ kind: "task-failure", service: "mps" });
    const taskId = taskIdOf(await createMps({ CallbackUrl: receiver.url, WebhookEvents: ["task.failed"] }));
    tencent.advance(TO_FINISHED_MS);
    await tick();
    expect(receiver.deliveries.map((d) => [d.id, d.payload.type])).toEqual([[webhookIdFor(taskId, "task.failed"), "task.failed"]]);
  });
});

describe("the WebhookEvents field", () => {
  it("is kept away from Tencent and recorded once per event, duplicates collapsed", async () => {
    const taskId = taskIdOf(await createVod({ CallbackUrl: receiver.url, WebhookEvents: ["task.failed", "task.started", "task.failed"] }));
    expect(tencent.createdTasks()[0]?.params).not.toHaveProperty("WebhookEvents");
    expect((await record(taskId))?.webhookEvents).toEqual(["task.started", "task.failed"]);
  });

  it.each([
    ["a string", "task.started", /array/],
    ["an empty list", [], /at least one/],
    ["an unknown event", ["task.started", "task.progress"], /task\.progress/],
    ["a non-string", [1], /1 is not an event/],
    ["null", null, /array/],
  ])("refuses %s with a 400 naming the field, before Tencent is called", async (_case, value, reason) => {
    const response = await createVod({ CallbackUrl: receiver.url, webhook_events: value });
    expect(response.statusCode).toBe(400);
    const problem = bodyOf(response);
    expect(problem.errors[0]).toMatchObject({ field: "webhook_events", code: "InvalidParameterValue.WebhookEvents" });
    expect(problem.errors[0].message).toMatch(reason);
    expect(tencent.calls()).toHaveLength(0);
  });

  it("refuses WebhookEvents without a CallbackUrl with a 400, before Tencent is called", async () => {
    const response = await createMps({ WebhookEvents: ["task.started"] });
    expect(response.statusCode).toBe(400);
    expect(bodyOf(response).errors[0]).toMatchObject({ field: "WebhookEvents", code: "InvalidParameterValue.WebhookEvents", message: expect.stringMatching(/CallbackUrl/) });
    expect(tencent.calls()).toHaveLength(0);
  });
});

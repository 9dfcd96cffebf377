/**
 * MPS image generation end to end: the `mps-aigc-image` function creating through the real SDK
 * against the Tencent stand-in (CreateAigcImageTask), the tracker polling DescribeAigcImageTask
 * to the end, a verified webhook, and the PNG downloaded from Tencent's URL and from our kept copy.
 */

import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { main_handler as mpsImage } from "../../functions/mps-aigc-image";
import { startCosStandIn } from "../../local/cos/server";
import { startTencentStandIn } from "../../local/tencent/server";
import { getConfig } from "../../shared/config";
import { ledgerFor } from "../../shared/tasks/services";
import { useStandIns, stopStandIns, type CosStandIn, type TencentStandIn } from "../support/env";
import { trackerTick } from "../support/tracker-tick";
import { startWebhookReceiver, type WebhookReceiver } from "../support/webhook-receiver";
import { apiEvent, bodyOf, loadBody, scfContext } from "../support/scf";

const TOKEN = "mps-image-token";
const SECRET = `whsec_${Buffer.from("a-test-secret-of-32-bytes-length").toString("base64")}`;
const BUCKET = "aigc-media-1250000000";
const PNG = readFileSync(join(__dirname, "..", "..", "local", "assets", "aigc-image.png"));
const PATH = "/tencent-mps/v1/aigc-image";

let tencent: TencentStandIn;
let cosStandIn: CosStandIn;
let dataDir: string;
let receiver: WebhookReceiver;
const savedEnv = { ...process.env };

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

async function create(body: unknown, headers: Record<string, string> = {}) {
  return mpsImage(apiEvent({ path: PATH, body, headers: { authorization: `Bearer ${TOKEN}`, ...headers } }), scfContext());
}

/** One tracker tick, the tracker's clock `skewMs` ahead (to make retries due). */
const tick = trackerTick;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), "aigc-mps-image-"));
  tencent = await startTencentStandIn({ port: 0, lifecycle: { queuedMs: 1_000, processingMs: 2_000 }, events: { pullHoldMs: 100, confirmWindowMs: 30_000 } });
  cosStandIn = await startCosStandIn({ port: 0, dataDir, retryDelayMs: 50, triggers: [] });
  receiver = await startWebhookReceiver(SECRET);
});
afterAll(() => stopStandIns(savedEnv, { tencent, cos: cosStandIn, dataDir, others: [receiver] }));
beforeEach(() => {
  tencent.reset();
  cosStandIn.reset();
  receiver.reset();
  configure();
});

describe("POST /tencent-mps/v1/aigc-image", () => {
  it("creates an MPS CreateAigcImageTask from the seed body, without SubAppId or SessionId", async () => {
    const response = await create(loadBody("mps-image.seed.json"));
    expect(response.statusCode).toBe(200);
    const [call] = tencent.createdTasks();
    expect(call).toMatchObject({ action: "CreateAigcImageTask", taskId: bodyOf(response).Response.TaskId });
    expect(call?.params).not.toHaveProperty("SubAppId");
    expect(call?.params).not.toHaveProperty("SessionId");
    expect(call?.params).toMatchObject({ ModelName: "Hunyuan", ModelVersion: "3.0", AdditionalParameters: '{"size":"1024x1024"}' });
  });

  it("refuses a body breaking a documented rule before Tencent is called", async () => {
    const response = await create({ ModelName: "Kling", ModelVersion: "2.1", Prompt: "x", ImageInfos: Array.from({ length: 5 }, (_, i) => ({ ImageUrl: `https://example.com/${i}.png` })) });
    expect(response.statusCode).toBe(400);
    expect(bodyOf(response)).toMatchObject({ errors: [{ field: "ImageInfos", code: "InvalidParameterValue.ImageInfos" }] });
    expect(tencent.calls()).toHaveLength(0);
  });

  it("refuses a missing token with 401, before Tencent", async () => {
    const response = await mpsImage(apiEvent({ path: PATH, body: { Prompt: "x" } }), scfContext());
    expect(response.statusCode).toBe(401);
    expect(tencent.calls()).toHaveLength(0);
  });
});

describe("following an MPS image task", () => {
  it("polls DescribeAigcImageTask to the end and delivers a verified webhook whose PNG downloads", async () => {
    const response = await create({ ModelName: "Kling", ModelVersion: "O1", Prompt: "a cat", CallbackUrl: receiver.url });
    const taskId = bodyOf(response).Response.TaskId as string;
    tencent.advance(1_500);
    await tick();
    expect((await ledgerFor(getConfig()).getTask(taskId))?.status).toBe("running");
    tencent.advance(5_000);
    await tick();
    expect(tencent.calls().filter((call) => call.action === "DescribeAigcImageTask").length).toBeGreaterThanOrEqual(2);
    expect(receiver.deliveries).toHaveLength(1);
    const { payload } = receiver.deliveries[0]!;
    expect(payload).toMatchObject({ type: "task.succeeded", data: { TaskId: taskId, TaskType: "mps-image", Status: "succeeded" } });
    expect(payload.data.Outputs[0]).toMatchObject({ Type: "image" });
    const download = await fetch(payload.data.Outputs[0].Url);
    expect(download.status).toBe(200);
    expect(Buffer.from(await download.arrayBuffer())).toEqual(PNG);
  });

  it("keeps the PNG in our bucket before Tencent's 12-hour URL runs out (AIGC_KEEP_RESULTS)", async () => {
    configure({ AIGC_KEEP_RESULTS: "true" });
    const taskId = bodyOf(await create({ ModelName: "Vidu", ModelVersion: "q2", Prompt: "a cat", CallbackUrl: receiver.url })).Response.TaskId as string;
    tencent.advance(5_000);
    await tick();
    const url = receiver.deliveries[0]?.payload.data.Outputs[0].Url as string;
    expect(url).toContain(cosStandIn.url.replace("http://", ""));
    expect(Buffer.from(await (await fetch(url)).arrayBuffer())).toEqual(PNG);
    expect((await ledgerFor(getConfig()).getTask(taskId))?.outputs?.[0]?.kept?.key).toBe(`aigc-results/${taskId}/0.png`);
  });

  it("ends a task Tencent fails with Tencent's message", async () => {
    tencent.injectFault({ kind: "task-failure", service: "mps", message: "The prompt was refused by moderation." });
    const taskId = bodyOf(await create({ ModelName: "Kling", ModelVersion: "O1", Prompt: "a cat", CallbackUrl: receiver.url })).Response.TaskId as string;
    tencent.advance(5_000);
    await tick();
    expect(receiver.deliveries[0]?.payload).toMatchObject({ type: "task.failed", data: { TaskId: taskId, Error: { Code: "FailedOperation.AigcTask", Message: "The prompt was refused by moderation." } } });
  });
});

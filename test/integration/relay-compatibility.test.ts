/**
 * The query routes answer as the relay APIs whose paths we serve do, which is Tencent's own answer:
 * a client written against a relay's documented answer reads ours unchanged. The fixtures are the
 * documented answers themselves:
 * - test/events/relay-vod-query-image-finish.json: the relays' documented answer of
 *   `GET /tencent-vod/v1/query/{task_id}` (doc.aimanyi.top api-399032082, docs.anyapi.vip "获取请求结果");
 * - test/events/tencent-mps-describe-aigc-video-task-done.json: Tencent's documented example answer of
 *   MPS DescribeAigcVideoTask (cloud.tencent.com/document/api/862/126963), which the relays pass on.
 * Every field those answers have, ours has too, with the same JSON type. Tasks are made by the real
 * create functions and run by the Tencent stand-in; the ledger lives in the COS stand-in.
 */

import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { main_handler as mpsImage } from "../../functions/mps-aigc-image";
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
import { stopStandIns, useStandIns, type CosStandIn, type TencentStandIn } from "../support/env";
import { apiEvent, bodyOf, captureLogs, loadBody, loadEvent, scfContext } from "../support/scf";

const TOKEN = "relay-client-token";
const VOD_ROUTE = "/tencent-vod/v1/query/{TaskId}";
const MPS_ROUTE = "/tencent-mps/v1/query/{TaskId}";

type HttpHandler = (event: unknown, context?: ScfContext) => Promise<IntegrationResponse>;

let tencent: TencentStandIn;
let cosStandIn: CosStandIn;
let dataDir: string;
const savedEnv = { ...process.env };

/** Every leaf of a JSON value as `path -> JSON type`; an array is read through its first item, as a client reads `[0]`. */
function fieldTypes(value: unknown, path = "", out = new Map<string, string>()): Map<string, string> {
  if (Array.isArray(value)) {
    out.set(path, "array");
    if (value.length > 0) fieldTypes(value[0], `${path}[0]`, out);
  } else if (value !== null && typeof value === "object") {
    out.set(path, "object");
    for (const [key, item] of Object.entries(value)) fieldTypes(item, path ? `${path}.${key}` : key, out);
  } else {
    out.set(path, value === null ? "null" : typeof value);
  }
  return out;
}

/** The fields of `documented` that `answer` lacks or has with another JSON type. */
function missingOrRetyped(documented: unknown, answer: unknown): string[] {
  const ours = fieldTypes(answer);
  return [...fieldTypes(documented)].filter(([path, type]) => ours.get(path) !== type).map(([path, type]) => `${path}: ${type}, ours ${ours.get(path) ?? "absent"}`);
}

async function create(handler: HttpHandler, path: string, body: Record<string, unknown>): Promise<string> {
  const response = await handler(apiEvent({ path, body, headers: { authorization: `Bearer ${TOKEN}` } }), scfContext());
  expect(response.statusCode, response.body).toBe(200);
  return bodyOf(response).Response.TaskId as string;
}

/** GET on a query route through a real API Gateway event; the whole body. */
async function query(route: string, taskId: string) {
  const event = apiEvent({ path: route.replace("{TaskId}", taskId), method: "GET", rawBody: "", headers: { authorization: `Bearer ${TOKEN}`, "content-type": undefined } });
  event.requestContext.path = route;
  event.pathParameters = { TaskId: taskId };
  const response = await taskQuery(event, scfContext());
  expect(response.statusCode, response.body).toBe(200);
  return bodyOf(response) as { Response: Record<string, any> };
}

function tick() {
  const config = getConfig();
  return trackTasks({ config, ledger: ledgerFor(config), cos: cosClientFor(config), clients: tencentClients(config), log: createLogger("tick", {}, () => {}), deadline: Date.now() + 20_000 });
}

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), "aigc-relay-compat-"));
  tencent = await startTencentStandIn({ port: 0, events: { pullHoldMs: 100 } });
  cosStandIn = await startCosStandIn({ port: 0, dataDir, triggers: [] });
});
afterAll(() => stopStandIns(savedEnv, { tencent, cos: cosStandIn, dataDir }));
let logs: ReturnType<typeof captureLogs>;
beforeEach(() => {
  tencent.reset();
  cosStandIn.reset();
  useStandIns(savedEnv, { tencent, cos: cosStandIn }, { AIGC_API_TOKENS: TOKEN, AIGC_LEDGER_BUCKET: "aigc-ledger-1250000000", AIGC_UPSTREAM_TIMEOUT_MS: "2000" });
  logs = captureLogs();
});
afterEach(() => logs.restore());

describe("the VOD query route, read as a relay documents it", () => {
  it("answers a finished image task with every field of the relay's documented answer, each with its type", async () => {
    const documented = loadEvent<{ Response: { AigcImageTask: { Input: Record<string, unknown> } } }>("relay-vod-query-image-finish.json");
    const taskId = await create(vodImage, "/tencent-vod/v1/aigc-image", documented.Response.AigcImageTask.Input);
    tencent.advance(5_000);
    const answer = await query(VOD_ROUTE, taskId);
    expect(missingOrRetyped(documented, answer)).toEqual([]);
  });

  it("answers a relay client's reads of a finished image task with Tencent's values: FINISH, its TaskId, a FileUrl that downloads the image", async () => {
    const taskId = await create(vodImage, "/tencent-vod/v1/aigc-image", { ModelName: "GEM", ModelVersion: "2.5", Prompt: "pig" });
    tencent.advance(5_000);
    const { Response: response } = await query(VOD_ROUTE, taskId);
    expect([response.Status, response.TaskType, response.AigcImageTask.TaskId, response.AigcImageTask.Status]).toEqual(["FINISH", "AigcImageTask", taskId, "FINISH"]);
    const download = await fetch(response.AigcImageTask.Output.FileInfos[0].FileUrl);
    expect([download.status, download.headers.get("content-type")]).toEqual([200, "image/png"]);
  });

  it("keeps one shape for a task's whole life: the same Tencent answer, times included, before and after the tracker closes it from its event", async () => {
    const taskId = await create(vodVideo, "/tencent-vod/v1/aigc-video", { ModelName: "Kling", ModelVersion: "2.1", Prompt: "a lighthouse at dusk" });
    tencent.advance(5_000);
    const { RequestId: _before, aigcScf: liveView, ...live } = (await query(VOD_ROUTE, taskId)).Response;
    await tick();
    expect((await ledgerFor(getConfig()).getTask(taskId))?.eventHandledAt).toBeDefined();
    const { RequestId: _after, aigcScf: closedView, ...closed } = (await query(VOD_ROUTE, taskId)).Response;
    expect(closed).toEqual(live);
    expect(closedView.FinishedAt).toBe(liveView.FinishedAt);
  });

  it("gives the webhook's FinishedAt as Tencent's FinishTime, the one the query answers", async () => {
    const taskId = await create(vodVideo, "/tencent-vod/v1/aigc-video", { ModelName: "Kling", ModelVersion: "2.1", Prompt: "a lighthouse at dusk" });
    tencent.advance(5_000);
    await tick();
    const { Response: response } = await query(VOD_ROUTE, taskId);
    expect((await ledgerFor(getConfig()).getTask(taskId))?.finishedAt).toBe(new Date(response.FinishTime).toISOString());
  });
});

describe("the MPS query route, read as Tencent documents DescribeAigcVideoTask", () => {
  it("answers a finished video task with every field of Tencent's documented answer, each with its type", async () => {
    const documented = loadEvent("tencent-mps-describe-aigc-video-task-done.json");
    const taskId = await create(mpsVideo, "/tencent-mps/v1/aigc-video", loadBody("mps-video.seed.json"));
    tencent.advance(5_000);
    expect(missingOrRetyped(documented, await query(MPS_ROUTE, taskId))).toEqual([]);
  });

  it("answers an image task in DescribeAigcImageTask's shape: DONE with ImageUrls[0] that downloads, and no VideoUrls", async () => {
    const taskId = await create(mpsImage, "/tencent-mps/v1/aigc-image", loadBody("mps-image.seed.json"));
    tencent.advance(5_000);
    const { Response: response } = await query(MPS_ROUTE, taskId);
    expect(response).toMatchObject({ Status: "DONE", ImageUrls: [expect.any(String)], aigcScf: { TaskType: "mps-image", Status: "succeeded" } });
    expect(response).not.toHaveProperty("VideoUrls");
    expect((await fetch(response.ImageUrls[0])).status).toBe(200);
  });
});

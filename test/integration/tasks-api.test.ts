/**
 * The native task API through the task-query function: `GET /v1/tasks` from the ledger's owner
 * index (pages, filters, owner isolation) and `GET /v1/tasks/{TaskId}` with `Prefer: wait=N`,
 * against the Tencent and COS stand-ins.
 */

import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { main_handler as mpsImage } from "../../functions/mps-aigc-image";
import { main_handler as mpsVideo } from "../../functions/mps-aigc-video";
import { main_handler as taskQuery } from "../../functions/task-query";
import { main_handler as vodImage } from "../../functions/vod-aigc-image";
import { main_handler as vodVideo } from "../../functions/vod-aigc-video";
import { startCosStandIn } from "../../local/cos/server";
import { startTencentStandIn } from "../../local/tencent/server";
import { useStandIns, stopStandIns, type CosStandIn, type TencentStandIn } from "../support/env";
import { apiEvent, bodyOf, scfContext } from "../support/scf";

const TOKEN = "tasks-api-token";
const OTHER = "tasks-api-other-token";
const BUCKET = "aigc-media-1250000000";

let tencent: TencentStandIn;
let cosStandIn: CosStandIn;
let dataDir: string;
const savedEnv = { ...process.env };
/** The tasks TOKEN created, newest last. */
const mine: Array<{ taskId: string; type: string }> = [];
let theirs = "";

type Handler = (event: unknown, context: unknown) => Promise<{ statusCode: number; headers: Record<string, string>; body: string }>;

async function create(handler: Handler, path: string, body: unknown, token = TOKEN): Promise<string> {
  const response = await handler(apiEvent({ path, body, headers: { authorization: `Bearer ${token}` } }), scfContext());
  expect(response.statusCode).toBe(200);
  return bodyOf(response).Response.TaskId as string;
}

async function get(path: string, options: { query?: Record<string, string>; headers?: Record<string, string>; token?: string; timeLimitMs?: number } = {}) {
  const event = apiEvent({ path, method: "GET", rawBody: "", headers: { authorization: `Bearer ${options.token ?? TOKEN}`, "content-type": undefined, ...options.headers } });
  event.queryString = options.query ?? {};
  event.queryStringParameters = options.query ?? {};
  return (taskQuery as Handler)(event, scfContext(options.timeLimitMs ?? 10_000));
}

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), "aigc-tasks-api-"));
  tencent = await startTencentStandIn({ port: 0, lifecycle: { queuedMs: 1_000, processingMs: 2_000 } });
  cosStandIn = await startCosStandIn({ port: 0, dataDir, retryDelayMs: 50, triggers: [] });
  useStandIns(savedEnv, { tencent, cos: cosStandIn }, { AIGC_API_TOKENS: `${TOKEN},${OTHER}`, AIGC_REDRAW_BUCKET: BUCKET });
  // Distinct creation times, so that newest-first is one order.
  const plan: Array<[Handler, string, unknown, string]> = [
    [vodVideo as Handler, "/tencent-vod/v1/aigc-video", { ModelName: "Kling", ModelVersion: "2.1", Prompt: "one" }, "vod-video"],
    [vodImage as Handler, "/tencent-vod/v1/aigc-image", { ModelName: "GG", ModelVersion: "3.0", Prompt: "two" }, "vod-image"],
    [mpsVideo as Handler, "/tencent-mps/v1/aigc-video", { ModelName: "Kling", ModelVersion: "2.1", Prompt: "three" }, "mps-video"],
    [mpsImage as Handler, "/tencent-mps/v1/aigc-image", { ModelName: "Kling", ModelVersion: "O1", Prompt: "four" }, "mps-image"],
    [vodVideo as Handler, "/tencent-vod/v1/aigc-video", { ModelName: "GV", ModelVersion: "3.1", Prompt: "five" }, "vod-video"],
  ];
  for (const [handler, path, body, type] of plan) {
    mine.push({ taskId: await create(handler, path, body), type });
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  theirs = await create(vodVideo as Handler, "/tencent-vod/v1/aigc-video", { ModelName: "Kling", ModelVersion: "2.1", Prompt: "not yours" }, OTHER);
});
afterAll(() => stopStandIns(savedEnv, { tencent, cos: cosStandIn, dataDir }));
beforeEach(() => tencent.clearFaults());

describe("GET /v1/tasks", () => {
  it("lists the caller's tasks newest first, across pages with an opaque cursor, never another token's", async () => {
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const response = await get("/v1/tasks", { query: { limit: "2", ...(cursor ? { cursor } : {}) } });
      expect(response.statusCode).toBe(200);
      const page = bodyOf(response);
      expect(page.Tasks.length).toBeLessThanOrEqual(2);
      seen.push(...page.Tasks.map((task: { TaskId: string }) => task.TaskId));
      cursor = page.NextCursor;
      pages++;
    } while (cursor && pages < 10);
    expect(pages).toBe(3);
    expect(seen).toEqual(mine.map((task) => task.taskId).reverse());
    expect(seen).not.toContain(theirs);
  });

  it("answers each task in the product's own view", async () => {
    const page = bodyOf(await get("/v1/tasks", { query: { limit: "1" } }));
    expect(page.Tasks[0]).toMatchObject({ TaskId: mine.at(-1)?.taskId, TaskType: "vod-video", Status: "queued", Outputs: [] });
    expect(page.RequestId).toEqual(expect.any(String));
  });

  it("filters by type on the index and by status on the records", async () => {
    const images = bodyOf(await get("/v1/tasks", { query: { type: "mps-image" } }));
    expect(images.Tasks.map((task: { TaskId: string }) => task.TaskId)).toEqual(mine.filter((task) => task.type === "mps-image").map((task) => task.taskId));
    expect(bodyOf(await get("/v1/tasks", { query: { status: "succeeded" } })).Tasks).toEqual([]);
    expect(bodyOf(await get("/v1/tasks", { query: { status: "queued", type: "vod-video", limit: "100" } })).Tasks).toHaveLength(2);
  });

  it.each([
    [{ limit: "0" }, "limit"],
    [{ limit: "101" }, "limit"],
    [{ status: "done" }, "status"],
    [{ type: "sora" }, "type"],
    [{ cursor: "not-a-cursor!" }, "cursor"],
  ])("refuses %j with a 400 naming %s", async (query, field) => {
    const response = await get("/v1/tasks", { query });
    expect(response.statusCode).toBe(400);
    expect(bodyOf(response).errors[0].field).toBe(field);
  });

  it("needs a token", async () => {
    const event = apiEvent({ path: "/v1/tasks", method: "GET", rawBody: "", headers: { authorization: undefined, "content-type": undefined } });
    expect((await (taskQuery as Handler)(event, scfContext())).statusCode).toBe(401);
  });
});

describe("GET /v1/tasks/{TaskId}", () => {
  it("answers a task of any type in the product's view, and another token's task with 404", async () => {
    for (const task of mine) {
      const response = await get(`/v1/tasks/${task.taskId}`);
      expect(response.statusCode).toBe(200);
      expect(bodyOf(response)).toMatchObject({ TaskId: task.taskId, TaskType: task.type });
    }
    expect((await get(`/v1/tasks/${theirs}`)).statusCode).toBe(404);
  });

  it("with Prefer: wait holds until the task is final and says it honoured the wait", async () => {
    const taskId = mine.find((task) => task.type === "mps-image")?.taskId as string;
    tencent.advance(2_500); // running now (1 s queued, 2 s processing): final about 500 ms later
    const response = await get(`/v1/tasks/${taskId}`, { headers: { prefer: "wait=10" } });
    expect(response.headers["preference-applied"]).toBe("wait=10");
    expect(bodyOf(response)).toMatchObject({ TaskId: taskId, Status: "succeeded", Outputs: [{ Type: "image" }] });
  });

  it("with Prefer: wait answers the current state when the wait runs out first", async () => {
    const taskId = await create(vodVideo as Handler, "/tencent-vod/v1/aigc-video", { ModelName: "Kling", ModelVersion: "2.1", Prompt: "slow" });
    const response = await get(`/v1/tasks/${taskId}`, { headers: { prefer: "wait=1" } });
    expect(response.statusCode).toBe(200);
    expect(response.headers["preference-applied"]).toBe("wait=1");
    expect(bodyOf(response).Status).toBe("queued");
  });

  it("refuses Prefer: wait over 25 seconds with a 400 naming Prefer", async () => {
    const response = await get(`/v1/tasks/${mine[0]?.taskId}`, { headers: { prefer: "wait=30" } });
    expect(response.statusCode).toBe(400);
    expect(bodyOf(response)).toMatchObject({ code: "InvalidParameterValue.Prefer", errors: [{ field: "Prefer" }] });
  });
});

describe("Prefer: wait on a create route", () => {
  async function createWaiting(prefer: string, body: unknown = { ModelName: "Kling", ModelVersion: "O1", Prompt: "wait for me" }) {
    const event = apiEvent({ path: "/tencent-mps/v1/aigc-image", body, headers: { authorization: `Bearer ${TOKEN}`, prefer } });
    return (mpsImage as Handler)(event, scfContext(30_000));
  }

  it("answers Tencent's envelope once the task is final, with its state under aigcScf", async () => {
    const response = await createWaiting("wait=10");
    expect(response.statusCode).toBe(200);
    expect(response.headers["preference-applied"]).toBe("wait=10");
    const answer = bodyOf(response).Response;
    expect(answer.TaskId).toEqual(expect.any(String));
    expect(answer.aigcScf).toMatchObject({ TaskId: answer.TaskId, TaskType: "mps-image", Status: "succeeded", Outputs: [{ Type: "image", Url: expect.stringMatching(/^http/) }] });
    // Tencent was asked at most once a second while waiting.
    const describes = tencent.calls().filter((call) => call.action === "DescribeAigcImageTask" && call.taskId === answer.TaskId);
    expect(describes.length).toBeLessThanOrEqual(5);
  });

  it("answers at N seconds with the state then", async () => {
    const answer = bodyOf(await createWaiting("wait=1")).Response;
    // The task takes 3 s at the stand-in: after 1 s it is not final yet.
    expect(["queued", "running"]).toContain(answer.aigcScf.Status);
  });

  it("refuses a wait over 25 seconds before anything is created", async () => {
    const before = tencent.createdTasks().length;
    const response = await createWaiting("wait=26");
    expect(response.statusCode).toBe(400);
    expect(bodyOf(response).errors[0].field).toBe("Prefer");
    expect(tencent.createdTasks()).toHaveLength(before);
  });

  it("answers as before without the header", async () => {
    const response = await (mpsImage as Handler)(apiEvent({ path: "/tencent-mps/v1/aigc-image", body: { Prompt: "x" }, headers: { authorization: `Bearer ${TOKEN}` } }), scfContext());
    expect(response.headers["preference-applied"]).toBeUndefined();
    expect(bodyOf(response).Response).not.toHaveProperty("aigcScf");
  });
});

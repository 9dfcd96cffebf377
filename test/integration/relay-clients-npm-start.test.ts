/**
 * `npm start` used by a client written for the relay APIs, unchanged: it creates a task, polls the
 * query path until Tencent's finished Status, and downloads the file where Tencent's answer puts it;
 * it reads our errors as Tencent's envelope. Between polls the client's wait is replaced by moving
 * the Tencent stand-in's clock (`POST /__standin/advance`), so nothing depends on real time. The
 * stack keeps results (AIGC_KEEP_RESULTS), so a tracker tick also shows the kept copy's URL.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LOCAL_DEV_TOKEN } from "../../local/stack";
import { startNpmStart, type StartedStack } from "../support/npm-start";
import { loadBody } from "../support/scf";

/** How often the client polls before giving up (each poll moves the stand-in's clock by a second). */
const MAX_POLLS = 30;

let scratch: string;
let stack: StartedStack;

beforeAll(async () => {
  scratch = mkdtempSync(join(tmpdir(), "relay-clients-"));
  stack = await startNpmStart({ AIGC_BUILD_DIR: join(scratch, "dist"), AIGC_KEEP_RESULTS: "true" }, { timeoutMs: 90_000 });
}, 120_000);

afterAll(async () => {
  await stack?.stop();
  rmSync(scratch, { recursive: true, force: true });
});

const headers = { authorization: `Bearer ${LOCAL_DEV_TOKEN}`, "content-type": "application/json" };

/** A relay client's create: the TaskId from Tencent's envelope. */
async function create(path: string, body: unknown): Promise<string> {
  const response = await fetch(`${stack.url}${path}`, { method: "POST", headers, body: JSON.stringify(body) });
  expect(response.status).toBe(200);
  return ((await response.json()) as { Response: { TaskId: string } }).Response.TaskId;
}

/** A relay client's poll loop: GET the query path until `Response.Status` is `done`; the last answer's Response. */
async function pollUntil(path: string, done: string): Promise<Record<string, any>> {
  for (let poll = 0; poll < MAX_POLLS; poll++) {
    const answer = (await (await fetch(`${stack.url}${path}`, { headers })).json()) as { Response: Record<string, any> };
    if (answer.Response.Status === done) return answer.Response;
    await fetch(`${stack.standInUrl}/__standin/advance`, { method: "POST", body: JSON.stringify({ ms: 1_000 }) });
  }
  throw new Error(`${path} never answered Status ${done}`);
}

describe("a relay client against npm start", () => {
  it("polls a VOD video task until Response.Status is FINISH and downloads Response.AigcVideoTask.Output.FileInfos[0].FileUrl", async () => {
    const taskId = await create("/tencent-vod/v1/aigc-video", { ModelName: "Kling", ModelVersion: "2.1", Prompt: "a lighthouse at dusk" });
    const response = await pollUntil(`/tencent-vod/v1/query/${taskId}`, "FINISH");
    const download = await fetch(response.AigcVideoTask.Output.FileInfos[0].FileUrl);
    expect([download.status, download.headers.get("content-type")]).toEqual([200, "video/mp4"]);
  });

  it("polls an MPS video task until Response.Status is DONE and downloads Response.VideoUrls[0]", async () => {
    const taskId = await create("/tencent-mps/v1/aigc-video", loadBody("mps-video.seed.json"));
    const response = await pollUntil(`/tencent-mps/v1/query/${taskId}`, "DONE");
    const download = await fetch(response.VideoUrls[0]);
    expect([download.status, download.headers.get("content-type")]).toEqual([200, "video/mp4"]);
  });

  it("reads, once the tracker kept the result, a FileUrl of our bucket's copy that downloads the same bytes", async () => {
    const taskId = await create("/tencent-vod/v1/aigc-video", { ModelName: "Kling", ModelVersion: "2.1", Prompt: "a harbour at dawn" });
    const tencentUrl = (await pollUntil(`/tencent-vod/v1/query/${taskId}`, "FINISH")).AigcVideoTask.Output.FileInfos[0].FileUrl as string;
    expect((await fetch(`${stack.url}/__local/run/task-tracker`, { method: "POST" })).status).toBe(200);
    const kept = (await pollUntil(`/tencent-vod/v1/query/${taskId}`, "FINISH")).AigcVideoTask.Output.FileInfos[0].FileUrl as string;
    expect(kept.startsWith(stack.cosUrl ?? "no COS stand-in")).toBe(true);
    const [ours, tencents] = await Promise.all([fetch(kept), fetch(tencentUrl)]);
    expect(Buffer.from(await ours.arrayBuffer())).toEqual(Buffer.from(await tencents.arrayBuffer()));
  });

  it("reads an unknown task's 404 both as problem+json and as Tencent's Response.Error.Code", async () => {
    const response = await fetch(`${stack.url}/tencent-vod/v1/query/251007502-AigcVideo-00000000000000000000000000000000t`, { headers });
    const body = (await response.json()) as { code: string; detail: string; requestId: string; Response: { Error: { Code: string; Message: string }; RequestId: string } };
    expect([response.status, response.headers.get("content-type")]).toEqual([404, "application/problem+json"]);
    expect(body.Response).toEqual({ Error: { Code: body.code, Message: body.detail }, RequestId: body.requestId });
    expect(body.Response.Error.Code).toBe("ResourceNotFound.Task");
  });

  it("reads a refused create's 400 as Tencent's Response.Error.Code too", async () => {
    const response = await fetch(`${stack.url}/tencent-vod/v1/aigc-video`, { method: "POST", headers, body: JSON.stringify({ ModelName: "Kling", ModelVersion: "2.1" }) });
    const body = (await response.json()) as { code: string; Response: { Error: { Code: string } } };
    expect(response.status).toBe(400);
    expect(body.Response.Error.Code).toBe(body.code);
  });
});

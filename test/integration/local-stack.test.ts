/**
 * The local stack as a newcomer meets it: `npm start` serving the built bundles behind the local
 * API Gateway, and the README's curl example answered with a TaskId from the stand-in.
 */

import { devCosClient } from "../support/env";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main_handler as mpsVideo } from "../../functions/mps-aigc-video";
import { main_handler as vodImage } from "../../functions/vod-aigc-image";
import { main_handler as vodRedraw } from "../../functions/vod-aigc-redraw";
import { main_handler as vodVideo } from "../../functions/vod-aigc-video";
import { main_handler as taskTracker } from "../../functions/task-tracker";
import { main_handler as taskQuery } from "../../functions/task-query";
import { readApiRoutes, startGateway } from "../../local/gateway";
import { LOCAL_BUCKET, LOCAL_DEV_TOKEN, startLocalStack, type LocalStack } from "../../local/stack";
import { resetConfigCache } from "../../shared/config";
import { TASK_KINDS } from "../../shared/tasks/kinds";
import { API_DESCRIPTION_ROUTES } from "../../shared/openapi/serve";
import { QUERY_ROUTES, TASK_QUERY_FUNCTION } from "../../shared/tracking/query";
import { TASKS_API_ROUTES } from "../../shared/tracking/tasks-api";
import { startNpmStart, type StartedStack } from "../support/npm-start";
import { loadBody } from "../support/scf";

const root = join(__dirname, "..", "..");
const readmeExample = { ModelName: "GV", ModelVersion: "3.1-fast", Prompt: "generate a car", OutputConfig: { AspectRatio: "9:16" } };

describe("routes", () => {
  it("serverless.yml declares exactly the routes the functions serve", () => {
    const declared = readApiRoutes(join(root, "serverless.yml"))
      .map((r) => `${r.functionName} ${r.method} ${r.path}`)
      .sort();
    const served = [
      ...Object.values(TASK_KINDS).map((k) => `${k.functionName} ${k.route.method} ${k.route.path}`),
      ...QUERY_ROUTES.map((route) => `${TASK_QUERY_FUNCTION} ${route.method} ${route.path}`),
      ...TASKS_API_ROUTES.map((route) => `${TASK_QUERY_FUNCTION} ${route.method} ${route.path}`),
      ...API_DESCRIPTION_ROUTES.map((route) => `${TASK_QUERY_FUNCTION} ${route.method} ${route.path}`),
    ].sort();
    expect(declared).toEqual(served);
  });
});

describe("local API Gateway", () => {
  it("matches {Param} segments and fills pathParameters and requestContext.path like API Gateway", async () => {
    const events: Array<Record<string, any>> = [];
    const gateway = await startGateway({
      routes: [
        { functionName: "echo", method: "GET", path: "/items/{ItemId}" },
        { functionName: "echo", method: "GET", path: "/items/latest" },
      ],
      handlers: {
        echo: async (event) => {
          events.push(event as Record<string, any>);
          return { isBase64Encoded: false, statusCode: 200, headers: {}, body: "" };
        },
      },
    });
    try {
      const statuses = [
        (await fetch(`${gateway.url}/items/abc%2D1`)).status,
        (await fetch(`${gateway.url}/items/latest`)).status,
        (await fetch(`${gateway.url}/items/`)).status,
        (await fetch(`${gateway.url}/items/a/b`)).status,
        (await fetch(`${gateway.url}/items/abc`, { method: "POST" })).status,
      ];
      expect(statuses).toEqual([200, 200, 404, 404, 404]);
      expect(events[0]).toMatchObject({ path: "/items/abc%2D1", pathParameters: { ItemId: "abc-1" }, requestContext: { path: "/items/{ItemId}" } });
      // A literal route wins over a template that also matches.
      expect(events[1]).toMatchObject({ pathParameters: {}, requestContext: { path: "/items/latest" } });
    } finally {
      await gateway.close();
    }
  });

  it("answers 403 'Invalid scf response format' like API Gateway when a function returns another shape", async () => {
    const gateway = await startGateway({
      routes: [{ functionName: "bad", method: "POST", path: "/bad" }],
      handlers: { bad: async () => ({ statusCode: 200, body: "hi" }) },
    });
    try {
      const response = await fetch(`${gateway.url}/bad`, { method: "POST", body: "{}" });
      expect(response.status).toBe(403);
      expect(await response.json()).toMatchObject({ message: "Invalid scf response format" });
    } finally {
      await gateway.close();
    }
  });
});

describe("local stack with the source handlers", () => {
  let stack: LocalStack;
  const savedEnv = { ...process.env };
  const cosDataDir = mkdtempSync(join(tmpdir(), "aigc-stack-cos-"));

  beforeAll(async () => {
    process.env = { ...savedEnv };
    for (const name of ["AIGC_API_TOKENS", "AIGC_VOD_SUBAPPID", "AIGC_REDRAW_BUCKET", "AIGC_COS_ENDPOINT"]) delete process.env[name];
    resetConfigCache();
    stack = await startLocalStack({
      target: "local",
      env: process.env,
      cosDataDir,
      handlers: { "vod-aigc-video": vodVideo, "vod-aigc-image": vodImage, "vod-aigc-redraw": vodRedraw, "mps-aigc-video": mpsVideo, "task-query": taskQuery, "task-tracker": taskTracker },
    });
  });
  afterAll(async () => {
    await stack.close();
    process.env = savedEnv;
    resetConfigCache();
    rmSync(cosDataDir, { recursive: true, force: true });
  });

  it("follows a task to its end: tracker tick on demand, then the query route says FINISH (succeeded in our view)", async () => {
    const created = await post("/tencent-vod/v1/aigc-video", readmeExample);
    const taskId = ((await created.json()) as { Response: { TaskId: string } }).Response.TaskId;
    stack.standIn?.advance(60_000);
    const tick = await fetch(`${stack.gateway.url}/__local/run/task-tracker`, { method: "POST" });
    expect(tick.status).toBe(200);
    const query = await fetch(`${stack.gateway.url}/tencent-vod/v1/query/${taskId}`, { headers: { authorization: `Bearer ${LOCAL_DEV_TOKEN}` } });
    expect(query.status).toBe(200);
    const answer = (await query.json()) as { Response: { Status: string; aigcScf: { Status: string } } };
    expect([answer.Response.Status, answer.Response.aigcScf.Status]).toEqual(["FINISH", "succeeded"]);
  });

  it("redraws a video uploaded into the local bucket's input prefix", async () => {
    const cos = devCosClient(stack.cos?.url ?? "");
    const before = stack.standIn?.createdTasks().length ?? 0;
    await cos.putObject({ bucket: LOCAL_BUCKET, region: "ap-guangzhou" }, "in/stack/clip.mp4", Buffer.from("video"), { contentType: "video/mp4" });
    await stack.cos?.flushDeliveries();
    const created = stack.standIn?.createdTasks().slice(before) ?? [];
    expect(created.map((call) => call.action)).toEqual(["CreateAigcVideoRedrawTask"]);
  });

  const post = (path: string, body: unknown, token = LOCAL_DEV_TOKEN) =>
    fetch(`${stack.gateway.url}${path}`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify(body),
    });

  it("needs no configuration: the README example returns a VOD TaskId", async () => {
    const response = await post("/tencent-vod/v1/aigc-video", readmeExample);
    expect(response.status).toBe(200);
    const body = (await response.json()) as { Response: { TaskId: string } };
    expect(body.Response.TaskId).toMatch(/^251007502-AigcVideo-[0-9a-f]{32}t$/);
    expect(response.headers.get("x-request-id")).toBeTruthy();
  });

  it("serves all four routes", async () => {
    const cases: Array<[string, string]> = [
      ["/tencent-vod/v1/aigc-image", "vod-image.seed.json"],
      ["/tencent-vod/v1/aigc-video-redraw", "vod-redraw.seed.json"],
      ["/tencent-mps/v1/aigc-video", "mps-video.seed.json"],
    ];
    for (const [path, seed] of cases) {
      const response = await post(path, loadBody(seed));
      expect(response.status, path).toBe(200);
    }
  });

  it("routes GET /tencent-vod/v1/query/{TaskId} to task-query, which answers an unknown task with its own 404", async () => {
    const response = await fetch(`${stack.gateway.url}/tencent-vod/v1/query/251007502-AigcVideo-00000000000000000000000000000000t`, {
      headers: { authorization: `Bearer ${LOCAL_DEV_TOKEN}` },
    });
    expect(response.status).toBe(404);
    expect(response.headers.get("content-type")).toBe("application/problem+json");
    expect(await response.json()).toMatchObject({ code: "ResourceNotFound.Task", Response: { Error: { Code: "ResourceNotFound.Task" } } });
  });

  it("answers an unknown path with API Gateway's 404", async () => {
    const response = await post("/tencent-vod/v1/unknown", {});
    expect(response.status).toBe(404);
  });

  it("refuses a wrong token before anything reaches the stand-in", async () => {
    const before = stack.standIn?.calls().length ?? 0;
    const response = await post("/tencent-vod/v1/aigc-video", readmeExample, "wrong");
    expect(response.status).toBe(401);
    expect(stack.standIn?.calls().length).toBe(before);
  });
});

describe("npm start", () => {
  let started: StartedStack | undefined;
  let url = "";
  let output = () => "";

  beforeAll(async () => {
    started = await startNpmStart();
    url = started.url;
    output = started.output;
  }, 90_000);
  afterAll(async () => {
    await started?.stop();
  });

  it("prints the development token and a curl example", () => {
    expect(output()).toContain(`Development token: ${LOCAL_DEV_TOKEN}`);
    expect(output()).toMatch(/curl -s -X POST http:\/\/127\.0\.0\.1:\d+\/tencent-vod\/v1\/aigc-video/);
  });

  it("answers the README's curl example with a TaskId, from the built bundle", async () => {
    const response = await fetch(`${url}/tencent-vod/v1/aigc-video`, {
      method: "POST",
      headers: { authorization: `Bearer ${LOCAL_DEV_TOKEN}`, "content-type": "application/json" },
      body: JSON.stringify(readmeExample),
    });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { Response: { TaskId: string; RequestId: string } };
    expect(body.Response.TaskId).toMatch(/-AigcVideo-/);
  });

  it("serves the API description from the built bundle's files, without a token", async () => {
    const document = await fetch(`${url}/openapi.json`);
    expect(document.status).toBe(200);
    expect(((await document.json()) as { openapi: string }).openapi).toMatch(/^3\.1\./);
    const page = await fetch(`${url}/docs`);
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toContain("text/html");
    const asset = await fetch(`${url}/docs/assets/swagger-ui-bundle.js`);
    expect(asset.status).toBe(200);
    expect(asset.headers.get("content-type")).toContain("javascript");
  });
});

/**
 * `task-query` serving the API description: `GET /openapi.json`, `GET /docs` and the page's assets,
 * without a token, from files generated into a directory of the test's own (as the build writes them
 * next to the bundle), read once and kept.
 */

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apiDescriptionFiles, writeApiDescription } from "../../scripts/openapi";
import { resetConfigCache } from "../../shared/config";
import { API_DESCRIPTION_FILES, DOCS_ASSETS } from "../../shared/openapi/files";
import { DOCS_CONTENT_SECURITY_POLICY } from "../../shared/openapi/serve";
import { taskQueryFunction } from "../../functions/task-query";
import { apiEvent, bodyOf, captureLogs, scfContext } from "../support/scf";

type Handler = ReturnType<typeof taskQueryFunction>;

const savedEnv = { ...process.env };
let dir: string;
let handler: Handler;

async function get(path: string, handle: Handler = handler, method = "GET") {
  const logs = captureLogs();
  try {
    const event = apiEvent({ path, method, rawBody: "", headers: { authorization: undefined, "content-type": undefined } });
    return await handle(event, scfContext());
  } finally {
    logs.restore();
  }
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "aigc-api-description-"));
  await writeApiDescription(dir);
  process.env = { ...savedEnv, AIGC_API_TOKENS: "some-token" };
  resetConfigCache();
  handler = taskQueryFunction({ assetsDir: dir });
});

afterAll(() => {
  process.env = savedEnv;
  resetConfigCache();
  rmSync(dir, { recursive: true, force: true });
});

describe("GET /openapi.json", () => {
  it("answers the generated document as JSON, without a token", async () => {
    const response = await get("/openapi.json");
    expect(response.statusCode).toBe(200);
    expect(response.headers["content-type"]).toBe("application/json");
    expect(response.headers["x-content-type-options"]).toBe("nosniff");
    const expected = new TextDecoder().decode(apiDescriptionFiles()["openapi.json"]);
    expect(bodyOf(response)).toEqual(JSON.parse(expected));
  });

  it("refuses another method with 405 and Allow: GET", async () => {
    const response = await get("/openapi.json", handler, "POST");
    expect(response.statusCode).toBe(405);
    expect(response.headers.allow).toBe("GET");
  });
});

describe("GET /docs", () => {
  it("answers the page under a Content-Security-Policy that allows only this origin", async () => {
    const response = await get("/docs");
    expect(response.statusCode).toBe(200);
    expect(response.headers["content-type"]).toBe("text/html; charset=utf-8");
    const csp = response.headers["content-security-policy"] ?? "";
    expect(csp).toBe(DOCS_CONTENT_SECURITY_POLICY);
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval|https?:|\*/);
    expect(csp).toContain("frame-ancestors 'none'");
    expect(response.headers["x-frame-options"]).toBe("DENY");
  });

  it("has no inline script or style, and loads nothing from another origin", async () => {
    const page = (await get("/docs")).body;
    const scripts = [...page.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
    expect(scripts.length).toBeGreaterThan(0);
    for (const [, attributes, content] of scripts) {
      expect(attributes).toMatch(/\ssrc="docs\/assets\/[\w.-]+"/);
      expect(content?.trim()).toBe("");
    }
    expect(page).not.toMatch(/<style\b|\sstyle=|\son\w+=/i);
    expect(page).not.toMatch(/(?:src|href)="(?:https?:)?\/\//);
  });

  it("links its assets one level up when asked for as /docs/", async () => {
    const page = (await get("/docs/")).body;
    expect(page).toContain('src="assets/swagger-ui-bundle.js"');
    expect(page).not.toContain('"docs/assets/');
  });
});

describe("GET /docs/assets/{File}", () => {
  it.each(Object.entries(DOCS_ASSETS))("answers %s as %s", async (name, contentType) => {
    const response = await get(`/docs/assets/${name}`);
    expect(response.statusCode).toBe(200);
    expect(response.headers["content-type"]).toBe(contentType);
    expect(response.body.length).toBeGreaterThan(0);
  });

  it("ships Swagger UI without its source map reference (nothing to 404 on)", async () => {
    for (const name of ["swagger-ui-bundle.js", "swagger-ui.css"]) expect((await get(`/docs/assets/${name}`)).body).not.toContain("sourceMappingURL");
  });

  it("answers any other name, a path escape included, with a problem+json 404", async () => {
    for (const path of ["/docs/assets/nope.js", "/docs/assets/..%2F..%2Fopenapi.json", "/docs/assets/index.js", "/docs/assets/constructor"]) {
      const response = await get(path);
      expect(response.statusCode, path).toBe(404);
      expect(response.headers["content-type"]).toBe("application/problem+json");
      expect(bodyOf(response)).toMatchObject({ code: "ResourceNotFound.Asset" });
    }
  });
});

describe("the files", () => {
  it("are read once and then served from memory", async () => {
    const own = mkdtempSync(join(tmpdir(), "aigc-api-description-once-"));
    await writeApiDescription(own);
    const handle = taskQueryFunction({ assetsDir: own });
    expect((await get("/openapi.json", handle)).statusCode).toBe(200);
    rmSync(own, { recursive: true, force: true });
    expect((await get("/openapi.json", handle)).statusCode).toBe(200);
  });

  it("missing (running from the sources, unbuilt) make a 500 that says nothing of the file system, and the log says why", async () => {
    const handle = taskQueryFunction({ assetsDir: join(dir, "does-not-exist") });
    const logs = captureLogs();
    try {
      const response = await handle(apiEvent({ path: "/docs", method: "GET", rawBody: "" }), scfContext());
      expect(response.statusCode).toBe(500);
      expect(response.body).not.toContain("does-not-exist");
      expect(logs.raw()).toContain("npm run build");
    } finally {
      logs.restore();
    }
  });

  it("are exactly the ones shared/openapi/files.ts lists", () => {
    expect(Object.keys(apiDescriptionFiles()).sort()).toEqual([...API_DESCRIPTION_FILES].sort());
  });
});

describe("the query routes next to them", () => {
  it("still need a token", async () => {
    const response = await get("/tencent-vod/v1/query/251007502-AigcVideo-00000000000000000000000000000000t");
    expect(response.statusCode).toBe(401);
    expect(response.headers["www-authenticate"]).toMatch(/^Bearer/);
  });
});

describe("GET /v1/models", () => {
  it("answers the catalog as data without a token: each rule with its strength and source", async () => {
    const response = await get("/v1/models");
    expect(response.statusCode).toBe(200);
    expect(response.headers["content-type"]).toBe("application/json");
    const models = JSON.parse(response.body);
    expect(models.sdkVersion).toBe("4.1.313");
    expect(models.actions.map((action: { route: string }) => action.route)).toEqual([
      "/tencent-vod/v1/aigc-video",
      "/tencent-vod/v1/aigc-image",
      "/tencent-mps/v1/aigc-video",
      "/tencent-mps/v1/aigc-image",
    ]);
    const kling16 = models.actions[0].models.find((model: { name: string }) => model.name === "Kling").versions.find((version: { version: string }) => version.version === "1.6");
    expect(kling16.rules.lastFrame).toMatchObject({ strength: "inferred" });
    expect(kling16.rules.durations).toMatchObject({ value: { min: 3, max: 15 }, strength: "documented" });
  });
});

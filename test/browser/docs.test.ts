/**
 * The /docs page as a person sees it: `npm start` serving the built bundles, a headless Chromium
 * driven by playwright-core opening `/docs`, and Swagger UI drawing every route and webhook of the
 * description, with nothing loaded from elsewhere and nothing refused by the CSP.
 * The Chromium comes from the npm registry (@sparticuz/chromium ships the binary, unpacked once
 * into the temp folder), so `npm ci && npm test` needs no system package. AIGC_TEST_CHROMIUM
 * names another Chromium to drive instead (a system one, say).
 */

import { startNpmStart, type StartedStack } from "../support/npm-start";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import sparticuzChromium from "@sparticuz/chromium";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { API_DESCRIPTION_ROUTES } from "../../shared/openapi/serve";
import { TASK_KINDS } from "../../shared/tasks/kinds";
import { QUERY_ROUTES } from "../../shared/tracking/query";
import { TASKS_API_ROUTES } from "../../shared/tracking/tasks-api";
import { TASK_EVENT_TYPES } from "../../shared/openapi/schemas";

const CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--no-zygote", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];
const root = join(__dirname, "..", "..");

let stack: StartedStack | undefined;
let browser: Browser | undefined;
let page: Page;
let url = "";
const buildDir = mkdtempSync(join(tmpdir(), "aigc-docs-build-"));
/** What the page did besides drawing: console errors (CSP refusals among them), other origins, failed loads. */
const consoleErrors: string[] = [];
const foreignRequests: string[] = [];
const failedLoads: string[] = [];

/** Starts `npm start` (PORT=0, bundles built into a directory of this test's own) and returns its URL. */
async function startLocalStack(): Promise<string> {
  const started = await startNpmStart({ AIGC_BUILD_DIR: buildDir });
  stack = started;
  return started.url;
}

beforeAll(async () => {
  const [started, executablePath] = await Promise.all([startLocalStack(), process.env.AIGC_TEST_CHROMIUM || sparticuzChromium.executablePath()]);
  url = started;
  browser = await chromium.launch({ executablePath, args: CHROMIUM_ARGS });
  page = await browser.newPage();
  const origin = new URL(url).origin;
  page.on("console", (message) => {
    if (message.type() === "error") consoleErrors.push(message.text());
  });
  page.on("request", (request) => {
    if (!request.url().startsWith(`${origin}/`) && !request.url().startsWith("data:")) foreignRequests.push(request.url());
  });
  page.on("requestfailed", (request) => failedLoads.push(`${request.url()}: ${request.failure()?.errorText}`));
  page.on("response", (response) => {
    if (response.status() >= 400) failedLoads.push(`${response.url()}: ${response.status()}`);
  });
  await page.goto(`${url}/docs`);
  // Swagger UI draws one .opblock per operation and webhook once it has read openapi.json.
  const operations = API_DESCRIPTION_ROUTES.length + QUERY_ROUTES.length + TASKS_API_ROUTES.length + Object.keys(TASK_KINDS).length + TASK_EVENT_TYPES.length;
  await page.waitForFunction(`document.querySelectorAll(".opblock").length >= ${operations}`, undefined, { timeout: 30_000 });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
  rmSync(buildDir, { recursive: true, force: true });
});

/** The operations the page drew, as `METHOD path` (webhooks by their name). */
async function drawnOperations(): Promise<string[]> {
  return page.$$eval(".opblock", (blocks) =>
    blocks.map((block) => {
      const method = block.querySelector(".opblock-summary-method")?.textContent?.trim() ?? "?";
      const path = block.querySelector(".opblock-summary-path")?.getAttribute("data-path") ?? block.querySelector(".opblock-summary-path")?.textContent ?? "?";
      return `${method} ${path.replace(/\u200b/g, "")}`;
    }),
  );
}

describe("GET /docs in Chromium", () => {
  it("draws every route of the API", async () => {
    const drawn = await drawnOperations();
    const routes = [
      ...Object.values(TASK_KINDS).map((kind) => `${kind.route.method} ${kind.route.path}`),
      ...QUERY_ROUTES.map((route) => `${route.method} ${route.path}`),
      ...TASKS_API_ROUTES.map((route) => `${route.method} ${route.path}`),
      ...API_DESCRIPTION_ROUTES.map((route) => `${route.method} ${route.path}`),
    ];
    for (const route of routes) expect(drawn, route).toContain(route);
  });

  it("draws both webhooks", async () => {
    const drawn = await drawnOperations();
    for (const type of TASK_EVENT_TYPES) expect(drawn).toContain(`POST ${type}`);
    expect(await page.textContent("body")).toContain("Webhooks");
  });

  it("shows the API's title from openapi.json", async () => {
    expect(await page.textContent(".info .title")).toContain("Tencent AIGC API");
  });

  it("loads nothing from another origin, and nothing fails or is refused by the Content-Security-Policy", () => {
    expect(foreignRequests).toEqual([]);
    expect(failedLoads).toEqual([]);
    expect(consoleErrors).toEqual([]);
  });
});

/**
 * The real function bundles, as `npm run build` makes them: small (the 200 KB budget), free
 * of what a function never runs, and still answering like the sources.
 */

import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Metafile } from "esbuild";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main_handler as sourceVodVideo } from "../../functions/vod-aigc-video";
import { DEV_SECRET_ID, DEV_SECRET_KEY } from "../../local/dev-credentials";
import { startTencentStandIn } from "../../local/tencent/server";
import { BuildError, buildFunctions, type BuiltFunction } from "../../scripts/build";
import { resetConfigCache } from "../../shared/config";
import { TASK_KINDS } from "../../shared/tasks/kinds";
import { apiEvent, bodyOf, captureLogs, scfContext } from "../support/scf";

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
/** The budget, read as decimal kilobytes (the stricter reading). */
const MAX_BUNDLE_BYTES = 200_000;
const TOKEN = "bundle-test-token";

type Handler = (event: unknown, context: unknown) => Promise<{ statusCode: number; headers: Record<string, string>; body: string }>;

let outDir: string;
let built: BuiltFunction[];

/** Inputs that put bytes into a bundle's output. */
function bundledInputs(metafile: Metafile): Map<string, number> {
  const output = Object.values(metafile.outputs)[0];
  return new Map(Object.entries(output?.inputs ?? {}).filter(([, info]) => info.bytesInOutput > 0).map(([input, info]) => [input, info.bytesInOutput]));
}

beforeAll(async () => {
  outDir = mkdtempSync(path.join(os.tmpdir(), "scf-bundles-"));
  built = await buildFunctions({ functionsDir: path.join(REPO_ROOT, "functions"), outDir, log: () => {} });
}, 60_000);

afterAll(() => {
  if (outDir) rmSync(outDir, { recursive: true, force: true });
});

describe("function bundles", () => {
  it("are each under 200 KB minified", () => {
    expect(built.length).toBeGreaterThan(0);
    for (const fn of built) expect(fn.bytes, fn.name).toBeLessThan(MAX_BUNDLE_BYTES);
  });

  it("leave out zod's locales and JSON Schema converter, node-fetch and its URL stack, mime-db, the proxy agent and bignumber.js", () => {
    const unwantedPackage = /node_modules[\\/](?:node-fetch|whatwg-url|tr46|form-data|mime-db|mime-types|bignumber\.js|uuid|https-proxy-agent|agent-base|debug|ms|get-stream)[\\/]/;
    // The converter is bundled as a stub (its own namespace), never from zod's files.
    const unwantedZod = /^node_modules[\\/]zod[\\/]v4[\\/](?:locales[\\/](?!en\.js)|core[\\/](?:json-schema-processors|to-json-schema|json-schema-generator)\.js|classic[\\/]from-json-schema\.js)/;
    for (const fn of built) {
      const leaked = [...bundledInputs(fn.metafile).keys()].filter((input) => unwantedPackage.test(input) || unwantedZod.test(input));
      expect({ name: fn.name, leaked }).toEqual({ name: fn.name, leaked: [] });
    }
  });

  it("carry only their own create action: one schema and one set of rules each, and no zod where nothing is validated", () => {
    const kinds = Object.keys(TASK_KINDS);
    const own: Record<string, string> = Object.fromEntries(Object.values(TASK_KINDS).map((info) => [info.functionName, info.kind]));
    for (const fn of built) {
      const inputs = [...bundledInputs(fn.metafile).keys()];
      const actionFiles = inputs.filter((input) => /shared[\\/]validation[\\/](?:schemas|rules|actions)[\\/](?:vod|mps)-\w+\.ts$/.test(input));
      // Modules shared by one service's kinds (rules/mps-prompt.ts) name no kind and are not counted.
      const kindsIn = [...new Set(actionFiles.map((input) => kinds.find((kind) => input.endsWith(`${kind}.ts`))).filter((kind) => kind !== undefined))].sort();
      expect({ name: fn.name, kinds: kindsIn }).toEqual({ name: fn.name, kinds: own[fn.name] ? [own[fn.name]] : [] });
      if (!own[fn.name]) expect({ name: fn.name, zod: inputs.some((input) => /node_modules[\\/]zod[\\/]/.test(input)) }).toEqual({ name: fn.name, zod: false });
      // The model catalogs too (package.json "sideEffects": false lets esbuild drop the others, whose
      // array and object spreads it would otherwise keep): redraw has none of its own.
      const catalogs = inputs.filter((input) => /shared[\\/]catalog[\\/][\w-]+-models\.ts$/.test(input)).map((input) => path.basename(input, "-models.ts"));
      const ownCatalog = own[fn.name] && own[fn.name] !== "vod-redraw" ? [own[fn.name]] : [];
      expect({ name: fn.name, catalogs }).toEqual({ name: fn.name, catalogs: ownCatalog });
    }
    expect(Object.keys(own).every((name) => built.some((fn) => fn.name === name))).toBe(true);
  });

  it("carry the service clients without their one-line action methods", () => {
    for (const fn of built) {
      for (const [input, bytes] of bundledInputs(fn.metafile)) {
        if (/services[\\/](vod|mps)[\\/]v\d+[\\/]\w+_client\.js$/.test(input)) expect(bytes, `${fn.name}: ${input}`).toBeLessThan(1_000);
      }
    }
  });

  it("fail to build, rather than ship a stub, when function code converts a schema to JSON Schema", async () => {
    const root = mkdtempSync(path.join(os.tmpdir(), "scf-json-schema-"));
    try {
      mkdirSync(path.join(root, "functions", "describe"), { recursive: true });
      writeFileSync(
        path.join(root, "functions", "describe", "index.ts"),
        `import * as z from ${JSON.stringify(path.join(REPO_ROOT, "node_modules", "zod", "index.js"))};
export const main_handler = async () => ({ statusCode: 200, headers: {}, body: JSON.stringify(z.toJSONSchema(z.object({ a: z.string() }))) });
`,
      );
      const attempt = buildFunctions({ functionsDir: path.join(root, "functions"), outDir: path.join(root, "dist"), forbiddenDirs: [], log: () => {} });
      await expect(attempt).rejects.toBeInstanceOf(BuildError);
      await expect(attempt).rejects.toThrow(/zod JSON Schema conversion is used by/);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

describe("the bundled vod-aigc-video", () => {
  let standIn: Awaited<ReturnType<typeof startTencentStandIn>>;
  let bundled: Handler;
  let runDir: string | undefined;
  const savedEnv = process.env;

  beforeAll(async () => {
    standIn = await startTencentStandIn({ port: 0 });
    process.env = {
      ...savedEnv,
      TENCENTCLOUD_SECRETID: DEV_SECRET_ID,
      TENCENTCLOUD_SECRETKEY: DEV_SECRET_KEY,
      AIGC_VOD_ENDPOINT: standIn.url,
      AIGC_MPS_ENDPOINT: standIn.url,
      AIGC_VOD_SUBAPPID: "251007502",
      AIGC_API_TOKENS: TOKEN,
    };
    for (const name of ["TENCENTCLOUD_SESSIONTOKEN", "AIGC_LEDGER_BUCKET", "AIGC_REDRAW_BUCKET", "AIGC_DAILY_CREATE_LIMIT"]) delete process.env[name];
    resetConfigCache();
    const bundle = built.find((fn) => fn.name === "vod-aigc-video");
    if (!bundle) throw new Error("vod-aigc-video was not built");
    // A copy outside the repo, so nothing but the bundle itself can be required.
    runDir = mkdtempSync(path.join(os.tmpdir(), "scf-run-"));
    const file = path.join(runDir, "index.js");
    writeFileSync(file, readFileSync(bundle.bundlePath));
    bundled = (createRequire(import.meta.url)(file) as { main_handler: Handler }).main_handler;
  });

  afterAll(async () => {
    process.env = savedEnv;
    resetConfigCache();
    await standIn?.close();
    if (runDir) rmSync(runDir, { recursive: true, force: true });
  });

  async function both(body: unknown): Promise<Array<{ statusCode: number; body: Record<string, unknown> }>> {
    const logs = captureLogs();
    try {
      const answers = [];
      for (const handler of [sourceVodVideo as unknown as Handler, bundled]) {
        const response = await handler(apiEvent({ body, headers: { authorization: `Bearer ${TOKEN}` } }), scfContext());
        // Each invocation has its own request id, in problem+json's requestId and Tencent's envelope alike.
        const { requestId: _requestId, Response: { RequestId: _envelopeRequestId, ...envelope } = {}, ...rest } = bodyOf(response);
        answers.push({ statusCode: response.statusCode, body: { ...rest, Response: envelope } });
      }
      return answers;
    } finally {
      logs.restore();
    }
  }

  it("creates a task through the bundled SDK transport", async () => {
    const [, fromBundle] = await both({ ModelName: "GV", ModelVersion: "3.1-fast", Prompt: "a lighthouse", OutputConfig: { AspectRatio: "9:16" } });
    expect(fromBundle?.statusCode).toBe(200);
    expect(fromBundle?.body).toMatchObject({ Response: { TaskId: expect.stringMatching(/-AigcVideo-/) } });
    expect(standIn.createdTasks()).toHaveLength(2);
  });

  it("refuses an invalid body with the same problem as the sources", async () => {
    const [fromSource, fromBundle] = await both({ ModelName: "GV", ModelVersion: "3.1-fast", Prompt: 42, OutputConfig: { AspectRatio: "wide", Duration: "x" }, Extra: true });
    expect(fromSource?.statusCode).toBe(400);
    expect(fromBundle).toEqual(fromSource);
  });

  it("refuses a CallbackUrl at a private address as the sources do (node:net is loaded on first use there)", async () => {
    const created = standIn.createdTasks().length;
    for (const CallbackUrl of ["https://10.0.0.1/hook", "https://[::1]/hook", "https://[fd00::1]/hook"]) {
      const [fromSource, fromBundle] = await both({ ModelName: "GV", ModelVersion: "3.1-fast", Prompt: "a lighthouse", CallbackUrl });
      expect(fromSource?.statusCode, CallbackUrl).toBe(400);
      expect(fromBundle, CallbackUrl).toEqual(fromSource);
    }
    expect(standIn.createdTasks()).toHaveLength(created);
  });
});

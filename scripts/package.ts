/**
 * Builds the bundles, runs `serverless package` non-interactively and offline, then checks that
 * what serverless-tencent-scf would deploy (.serverless/tencent-service.json, written by the local
 * tencent-telemetry-guard plugin) matches the HTTP contract.
 *
 * Usage: npx tsx scripts/package.ts [--skip-build] [any `serverless package` option, e.g.
 *        --stage prod --param="region=ap-shanghai"]
 * No Tencent credentials are needed: the plugin only reads ~/credentials on deploy-type commands.
 */

import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { unzipSync } from "fflate";
import { API_DESCRIPTION_ROUTES } from "../shared/openapi/serve";
import { TASKS_API_ROUTES } from "../shared/tracking/tasks-api";
import { BUNDLE_FILE, buildFunctions, FUNCTION_FILES, SCF_RUNTIME } from "./build";

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

/** One API Gateway route of a function; `{Name}` segments are path parameters. */
export interface HttpRoute {
  method: "GET" | "POST";
  path: string;
}

/** The HTTP contract: function name -> its API Gateway routes. */
export type FunctionRoutes = Readonly<Record<string, readonly HttpRoute[]>>;

export const FUNCTION_ROUTES: FunctionRoutes = {
  "vod-aigc-video": [{ method: "POST", path: "/tencent-vod/v1/aigc-video" }],
  "vod-aigc-image": [{ method: "POST", path: "/tencent-vod/v1/aigc-image" }],
  "vod-aigc-redraw": [{ method: "POST", path: "/tencent-vod/v1/aigc-video-redraw" }],
  "mps-aigc-video": [{ method: "POST", path: "/tencent-mps/v1/aigc-video" }],
  "mps-aigc-image": [{ method: "POST", path: "/tencent-mps/v1/aigc-image" }],
  "task-query": [
    { method: "GET", path: "/tencent-vod/v1/query/{TaskId}" },
    { method: "GET", path: "/tencent-mps/v1/query/{TaskId}" },
    ...TASKS_API_ROUTES,
    ...API_DESCRIPTION_ROUTES,
  ],
  "task-tracker": [],
};

/** Variables every function must receive (see serverless.yml provider.environment.variables). */
export const REQUIRED_ENV = [
  "AIGC_API_TOKENS",
  "AIGC_VOD_SUBAPPID",
  "AIGC_REGION",
  "AIGC_VOD_ENDPOINT",
  "AIGC_MPS_ENDPOINT",
  "AIGC_ALLOW_UNLISTED_MODELS",
  "AIGC_TARGET",
  // A spend cap the plugin silently dropped would leave the deployment without one.
  "AIGC_DAILY_CREATE_LIMIT",
] as const;

/** SCF rejects or overrides variables with these prefixes (it injects the role's credentials as TENCENTCLOUD_*). */
export const RESERVED_ENV_PREFIXES = ["TENCENTCLOUD_", "SCF_", "QCLOUD_"] as const;

/**
 * Environment for the Serverless 3 CLI so that it never prompts or phones home:
 * - SLS_TELEMETRY_DISABLED: no usage event is cached in ~/.serverless/telemetry-cache (Serverless 3
 *   flushes that cache to its backend on the next `deploy`).
 * - SLS_NOTIFICATIONS_MODE=off: no "new version"/notice messages relayed from that backend.
 * Not needed, and deliberately not set: SERVERLESS_PLATFORM_VENDOR (it only picks between the
 * Tencent/AWS *components* CLIs when there is no serverless.yml with `provider:`), credentials
 * (`package` never reads them) and the dashboard (it is inert without `org`/`app`). stdin is closed,
 * so a command that would prompt (e.g. the plugin's QR-code login on deploy) fails instead of hanging
 * on input. The plugin's own telemetry is stubbed out by .serverless_plugins/tencent-telemetry-guard.js.
 */
export const SERVERLESS_ENV: Readonly<Record<string, string>> = {
  SLS_TELEMETRY_DISABLED: "1",
  SLS_NOTIFICATIONS_MODE: "off",
};

interface ApigwProperties {
  StageName?: string;
  HttpMethod?: string;
  ServiceId?: string;
  IntegratedResponse?: boolean;
  Enable?: boolean;
  Path?: string;
}

interface PackagedFunction {
  functionName: string;
  artifact: string | null;
  sourceArtifact: string | null;
  sha256: string | null;
  properties: {
    Handler?: string;
    Runtime?: string;
    MemorySize?: number;
    Timeout?: number;
    Environment?: { Variables?: Record<string, string> };
    Events?: Record<string, { Type: string; Properties: ApigwProperties }>[];
  };
}

/** Shape of .serverless/tencent-service.json as written by the guard plugin. */
export interface PackageState {
  service: string;
  stage: string;
  region: string;
  functions: Record<string, PackagedFunction>;
}

export interface RunOptions {
  /** Extra `serverless package` arguments, e.g. ["--stage", "prod"]. */
  args?: string[];
  /** Base environment; SERVERLESS_ENV is layered on top. Defaults to process.env. */
  env?: NodeJS.ProcessEnv;
  /** Capture stdout/stderr instead of streaming them (tests). */
  capture?: boolean;
}

/** Runs `serverless package` in serviceDir with the non-interactive environment. */
export function runServerlessPackage(serviceDir: string, options: RunOptions = {}): { status: number; output: string } {
  const bin = createRequire(path.join(serviceDir, "package.json")).resolve("serverless/bin/serverless.js");
  // Calling the bin with node (not npx) also avoids npm's own update notifier.
  const result = spawnSync(process.execPath, [bin, "package", ...(options.args ?? [])], {
    cwd: serviceDir,
    env: { ...(options.env ?? process.env), ...SERVERLESS_ENV },
    stdio: ["ignore", options.capture ? "pipe" : "inherit", options.capture ? "pipe" : "inherit"],
    encoding: "utf8",
  });
  if (result.error) throw result.error;
  return { status: result.status ?? 1, output: `${result.stdout ?? ""}${result.stderr ?? ""}` };
}

/** Checks the packaged service against the contract; returns human-readable problems (empty when fine). */
export function verifyPackage(serviceDir: string, routes: FunctionRoutes = FUNCTION_ROUTES): string[] {
  const stateFile = path.join(serviceDir, ".serverless", "tencent-service.json");
  if (!existsSync(stateFile)) return [`${stateFile} is missing: is tencent-telemetry-guard listed in plugins?`];
  const state = JSON.parse(readFileSync(stateFile, "utf8")) as PackageState;
  const problems: string[] = [];
  const expected = Object.keys(routes).sort();
  const actual = Object.keys(state.functions).sort();
  if (expected.join() !== actual.join()) problems.push(`functions are [${actual.join(", ")}], expected [${expected.join(", ")}]`);

  const serviceIds = new Set<string>();
  for (const name of expected) {
    const fn = state.functions[name];
    const expectedRoutes = routes[name];
    if (!fn || expectedRoutes === undefined) continue;
    const p = fn.properties;
    const bad = (what: string) => problems.push(`${name}: ${what}`);
    if (p.Handler !== "index.main_handler") bad(`handler is ${p.Handler}`);
    if (p.Runtime !== SCF_RUNTIME) bad(`runtime is ${p.Runtime}, expected ${SCF_RUNTIME}`);
    if (p.MemorySize !== 256) bad(`memorySize is ${p.MemorySize}`);
    // HTTP functions answer within API Gateway's 30 s; the tracker's tick may use a whole minute.
    const timeout = name === "task-tracker" ? 60 : 30;
    if (p.Timeout !== timeout) bad(`timeout is ${p.Timeout}, expected ${timeout}`);

    const variables = p.Environment?.Variables ?? {};
    for (const key of REQUIRED_ENV) if (!(key in variables)) bad(`environment variable ${key} missing (flat environment map?)`);
    if (variables["AIGC_TARGET"] !== "tencent") bad(`AIGC_TARGET is ${variables["AIGC_TARGET"]}`);
    for (const key of Object.keys(variables)) {
      if (RESERVED_ENV_PREFIXES.some((prefix) => key.startsWith(prefix))) bad(`environment variable ${key} uses an SCF-reserved prefix`);
    }

    const apigw = (p.Events ?? []).flatMap((event) => Object.values(event)).filter((t) => t.Type === "APIGW");
    if (apigw.length !== expectedRoutes.length) bad(`has ${apigw.length} API Gateway trigger(s), expected ${expectedRoutes.length}`);
    for (const route of expectedRoutes) {
      const label = `${route.method} ${route.path}`;
      const match = apigw.find((t) => t.Properties.Path === route.path);
      if (!match) {
        bad(`no API Gateway trigger for ${label}`);
        continue;
      }
      const t = match.Properties;
      if (t.HttpMethod !== route.method) bad(`${route.path} method is ${t.HttpMethod}, expected ${route.method}`);
      if (t.StageName !== "release") bad(`${label} stage is ${t.StageName}`);
      if (t.IntegratedResponse !== true) bad(`${label} is not an integrated response`);
      if (t.Enable !== true) bad(`${label} trigger would be created disabled`);
      // Every trigger counts, not only a function's first: the plugin resolves serviceId per event.
      serviceIds.add(t.ServiceId ?? "");
    }

    if (!fn.artifact || !fn.sourceArtifact) {
      bad("has no package.artifact");
      continue;
    }
    const zipPath = path.join(serviceDir, fn.artifact);
    const sourcePath = path.join(serviceDir, fn.sourceArtifact);
    if (fn.sourceArtifact !== path.join("dist", `${name}.zip`)) bad(`artifact is ${fn.sourceArtifact}, not dist/${name}.zip`);
    if (!existsSync(zipPath) || !existsSync(sourcePath)) {
      bad(`artifact ${fn.artifact} or ${fn.sourceArtifact} is missing`);
      continue;
    }
    const zip = readFileSync(zipPath);
    if (sha256(zip) !== sha256(readFileSync(sourcePath))) bad(`${fn.artifact} differs from ${fn.sourceArtifact}`);
    // index.js, and the files the function reads at run time (FUNCTION_FILES), nothing else.
    const entries = Object.keys(unzipSync(zip)).sort();
    const expectedEntries = [BUNDLE_FILE, ...(FUNCTION_FILES[name]?.files ?? [])].sort();
    if (entries.join() !== expectedEntries.join()) bad(`zip holds [${entries.join(", ")}], expected [${expectedEntries.join(", ")}]`);
  }
  if (serviceIds.size > 1) problems.push(`API Gateway triggers use different services: ${[...serviceIds].join(", ")}`);
  return problems;
}

function sha256(data: Uint8Array): string {
  return createHash("sha256").update(data).digest("hex");
}

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  const skipBuild = args.includes("--skip-build");
  const slsArgs = args.filter((a) => a !== "--skip-build");

  if (!skipBuild) await buildFunctions();
  // Stale state from an earlier run must not make the checks below pass.
  rmSync(path.join(REPO_ROOT, ".serverless"), { recursive: true, force: true });

  const { status } = runServerlessPackage(REPO_ROOT, { args: slsArgs });
  if (status !== 0) {
    console.error(`serverless package exited with ${status}`);
    return status;
  }
  const problems = verifyPackage(REPO_ROOT);
  if (problems.length > 0) {
    console.error(`package check failed:\n  ${problems.join("\n  ")}`);
    return 1;
  }
  const state = JSON.parse(readFileSync(path.join(REPO_ROOT, ".serverless", "tencent-service.json"), "utf8")) as PackageState;
  for (const [name, fn] of Object.entries(state.functions)) {
    const routes = (FUNCTION_ROUTES[name] ?? []).map((route) => `${route.method} ${route.path}`).join(", ");
    console.log(`ok ${fn.functionName}  ${routes}  ${fn.artifact}`);
  }
  const triggers = Object.values(state.functions).flatMap((fn) => (fn.properties.Events ?? []).flatMap((e) => Object.values(e)));
  if (triggers.some((t) => t.Type === "APIGW" && !t.Properties.ServiceId)) {
    // Fine for CI; on deploy it means a new API Gateway service (and URL) per function and deploy.
    console.warn('note: no API Gateway service id; deploy with --param="apigwServiceId=service-xxxxxxxx"');
  }
  return 0;
}

const invokedPath = process.argv[1] ? path.resolve(process.argv[1]) : "";
if (invokedPath === fileURLToPath(import.meta.url)) {
  main().then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      console.error(error instanceof Error ? error.message : String(error));
      process.exitCode = 1;
    },
  );
}

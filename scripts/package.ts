/**
 * Builds the bundles, runs `serverless package` non-interactively and offline, then checks that
 * what serverless-tencent-scf would deploy (.serverless/tencent-service.json, written by the local
 * tencent-telemetry-guard plugin) matches the HTTP contract and the tracker's timers (one per
 * shard, deploy/tracker-timers.cjs).
 *
 * Usage: npx tsx scripts/package.ts [--skip-build] [any `serverless package` option, e.g.
 *        --stage prod --param="region=ap-shanghai" --param=trackerShards=4]
 * No Tencent credentials are needed: the plugin only reads ~/credentials on deploy-type commands.
 */

import { spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { unzipSync } from "fflate";
import { parseTrackerShards, trackerTimers, trackerTriggerName } from "../deploy/tracker-timers.cjs";
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
  // K, the tracker's shards: a create writes the task's first due entry into its shard's index.
  "AIGC_TRACKER_SHARDS",
] as const;

/** The function that SCF timers run, one trigger per tracker shard (deploy/tracker-timers.cjs). */
export const TRACKER_FUNCTION = "task-tracker";

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

interface TriggerProperties {
  StageName?: string;
  HttpMethod?: string;
  ServiceId?: string;
  IntegratedResponse?: boolean;
  Enable?: boolean;
  Path?: string;
  /** Timer triggers. */
  CronExpression?: string;
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
    /** One trigger per entry: { <trigger name>: { Type: "APIGW" | "Timer" | "COS", Properties } }. */
    Events?: Record<string, { Type: string; Properties: TriggerProperties }>[];
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

/** The Serverless CLI of serviceDir, run with node (not npx, which also avoids npm's own update notifier). */
function serverlessBin(serviceDir: string): string {
  return createRequire(path.join(serviceDir, "package.json")).resolve("serverless/bin/serverless.js");
}

/** Runs `serverless package` in serviceDir with the non-interactive environment. */
export function runServerlessPackage(serviceDir: string, options: RunOptions = {}): { status: number; output: string } {
  const result = spawnSync(process.execPath, [serverlessBin(serviceDir), "package", ...(options.args ?? [])], {
    cwd: serviceDir,
    env: { ...(options.env ?? process.env), ...SERVERLESS_ENV },
    stdio: ["ignore", options.capture ? "pipe" : "inherit", options.capture ? "pipe" : "inherit"],
    encoding: "utf8",
  });
  if (result.error) throw result.error;
  return { status: result.status ?? 1, output: `${result.stdout ?? ""}${result.stderr ?? ""}` };
}

/** runServerlessPackage without blocking, so that several packagings can run at once (tests); the output is always captured. */
export function runServerlessPackageAsync(serviceDir: string, options: Omit<RunOptions, "capture"> = {}): Promise<{ status: number; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [serverlessBin(serviceDir), "package", ...(options.args ?? [])], {
      cwd: serviceDir,
      env: { ...(options.env ?? process.env), ...SERVERLESS_ENV },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (output += chunk));
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (output += chunk));
    child.on("error", reject);
    child.on("close", (code) => resolve({ status: code ?? 1, output }));
  });
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
  const trackerShards = new Set<string>();
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
    if ("AIGC_TRACKER_SHARDS" in variables) trackerShards.add(String(variables["AIGC_TRACKER_SHARDS"]));
    for (const problem of timerProblems(name, p.Events ?? [], variables["AIGC_TRACKER_SHARDS"])) bad(problem);

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
  // Creates write due entries into the shards of their K, the tracker reads those of its own.
  if (trackerShards.size > 1) problems.push(`functions have different AIGC_TRACKER_SHARDS: ${[...trackerShards].join(", ")}`);
  return problems;
}

type PackagedEvents = NonNullable<PackagedFunction["properties"]["Events"]>;

/** The timers of one packaged function as `<name> "<cron>"` lines (" (disabled)" appended to one not enabled), in their order. */
function timerLines(events: PackagedEvents): string[] {
  return events.flatMap((event) =>
    Object.entries(event)
      .filter(([, trigger]) => trigger.Type === "Timer")
      .map(([triggerName, trigger]) => `${triggerName} "${trigger.Properties.CronExpression}"${trigger.Properties.Enable === true ? "" : " (disabled)"}`),
  );
}

/**
 * Only the tracker has timers: exactly K of them, in order, named and timed as
 * deploy/tracker-timers.cjs makes them for K = its AIGC_TRACKER_SHARDS and the cron of its shard 0's
 * trigger (the configured cron: K > 1 rewrites only the seconds field, 0 for shard 0), all enabled.
 */
function timerProblems(name: string, events: PackagedEvents, shards: string | undefined): string[] {
  const actual = timerLines(events);
  if (name !== TRACKER_FUNCTION) return actual.length > 0 ? [`has timer trigger(s) ${actual.join(", ")}; only ${TRACKER_FUNCTION} runs on a timer`] : [];
  let expected: string[];
  try {
    const k = parseTrackerShards(shards);
    const first = events.flatMap((event) => Object.entries(event)).find(([triggerName, trigger]) => trigger.Type === "Timer" && triggerName === trackerTriggerName(0, k));
    if (!first) return [`has no timer trigger ${trackerTriggerName(0, k)} (AIGC_TRACKER_SHARDS=${shards}); its timers are [${actual.join(", ")}]`];
    expected = trackerTimers(k, first[1].Properties.CronExpression ?? "").map(({ timer }) => `${timer.name} "${timer.parameters.cronExpression}"`);
  } catch (error) {
    return [`timers [${actual.join(", ")}] with AIGC_TRACKER_SHARDS=${JSON.stringify(shards)}: ${(error as Error).message}`];
  }
  return actual.join() === expected.join() ? [] : [`timers are [${actual.join(", ")}], expected [${expected.join(", ")}] (AIGC_TRACKER_SHARDS=${shards})`];
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
    const routes = (FUNCTION_ROUTES[name] ?? []).map((route) => `${route.method} ${route.path}`);
    const timers = timerLines(fn.properties.Events ?? []).map((timer) => `timer ${timer}`);
    console.log(`ok ${fn.functionName}  ${[...routes, ...timers].join(", ")}  ${fn.artifact}`);
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

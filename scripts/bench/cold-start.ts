/**
 * Section 1: bundle bytes and cold start.
 *
 * Every function is built fresh (scripts/build.ts, same options as `npm run build`) into a temporary
 * directory, next to a reference bundle of the WHOLE tencentcloud-sdk-nodejs built with the same
 * esbuild options minus the functions' dependency substitutions (the SDK as published). Each bundle
 * is then started cold in a fresh `node -e` child, many times.
 *
 * Method (documented in the printed table too):
 * - t0 = process.hrtime.bigint() in the parent, immediately before spawn().
 * - The child records process.hrtime.bigint() at the first line of its script (t1), after
 *   require(bundle) returned and main_handler was checked to be a function (t2), and after the
 *   first invocation (an API Gateway event without a token, answered 401) settled (t3), plus
 *   process.resourceUsage().maxRSS at t2 and t3. It prints them on one marker line and exits.
 * - Then, in the same child, a second invocation: a valid create (the route's seed body, unique
 *   SessionId) against a Tencent stand-in listening in the parent on 127.0.0.1 (t4): the first
 *   upstream call of a fresh instance (SDK client construction, first TC3 signature, first connect).
 * - On Linux both processes read the same CLOCK_MONOTONIC, so t1-t0, t2-t0 and t3-t0 are process
 *   start to "script running", "handler ready" and "first answer", free of the pipe latency of the
 *   marker. (The parent also records when the marker line arrived, as a cross-check in results.json.)
 * - The bare baseline runs the same child script with no bundle: it prints its marker immediately,
 *   which is `node -e 0` plus one write.
 * - Runs are interleaved round-robin across targets, after one unmeasured warm-up round (page cache).
 */

import { spawn } from "node:child_process";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { build, type Metafile } from "esbuild";
import { gzipSync } from "fflate";
import { DEV_SECRET_ID, DEV_SECRET_KEY } from "../../local/dev-credentials";
import { buildFunctions, esbuildOptions } from "../build";
import { apiEvent, seedBody } from "./handlers";
import { summarize, type Summary } from "./stats";

export interface BuiltBundle {
  name: string;
  kind: "function" | "reference";
  bundlePath: string;
  bytes: number;
  gzipBytes: number;
  metafile: Metafile;
  /** Route of the function, for the "ready and answering" invocation; none for the reference. */
  route?: string;
}

export interface BuildFailure {
  name: string;
  message: string;
}

export interface ColdTarget {
  name: string;
  kind: "baseline" | "reference" | "function";
  bundlePath?: string;
  route?: string;
  /** Seed body of the route, for the valid create after the 401. */
  seed?: Record<string, unknown>;
}

interface ColdRun {
  startMs: number;
  readyMs?: number;
  answeredMs?: number;
  requireMs?: number;
  markerReceivedMs: number;
  rssReadyKb: number;
  rssAnsweredKb?: number;
  status?: number;
  createdMs?: number;
  rssCreatedKb?: number;
  createStatus?: number;
}

export interface ColdResult {
  name: string;
  kind: ColdTarget["kind"];
  runs: number;
  failures: string[];
  /** Spawn to first line of the child script (node's own boot). */
  start: Summary;
  /** Spawn to main_handler available (the baseline: same as start). */
  ready: Summary;
  /** Spawn to the first invocation answered (functions only). */
  answered?: Summary;
  /** require(bundle) alone, inside the child. */
  require?: Summary;
  /** Spawn to the marker line (printed after the last measured point) received by the parent: a cross-check with pipe latency. */
  markerReceived: Summary;
  rssReadyKb: Summary;
  rssAnsweredKb?: Summary;
  statuses: Record<string, number>;
  /** Spawn to a valid create answered, invoked right after the 401 (functions only). */
  created?: Summary;
  /** The create alone: answer to created. */
  createAfterAnswer?: Summary;
  rssCreatedKb?: Summary;
  createStatuses: Record<string, number>;
}

const MARKER = "@@BENCH ";

/** The child's whole program; the same text for every target so parsing it costs the same. */
const CHILD_SCRIPT = `
const t1 = process.hrtime.bigint();
const mark = (o) => { process.stdout.write("\\n${MARKER}" + JSON.stringify(o) + "\\n"); process.exit(0); };
const file = process.env.BENCH_BUNDLE;
if (!file) {
  mark({ t1: String(t1), rssReady: process.resourceUsage().maxRSS });
} else {
  const mod = require(file);
  if (typeof mod.main_handler !== "function") throw new Error("main_handler is not a function");
  const t2 = process.hrtime.bigint();
  const rssReady = process.resourceUsage().maxRSS;
  const ev = process.env.BENCH_EVENT;
  const create = process.env.BENCH_CREATE_EVENT;
  const context = { request_id: "bench-cold", function_name: "bench", time_limit_in_ms: 30000, memory_limit_in_mb: 256 };
  if (!ev) {
    mark({ t1: String(t1), t2: String(t2), rssReady });
  } else {
    Promise.resolve(mod.main_handler(JSON.parse(ev), context)).then(async (r) => {
      const m = { t1: String(t1), t2: String(t2), t3: String(process.hrtime.bigint()), rssReady,
                  rssAnswered: process.resourceUsage().maxRSS, status: r && r.statusCode };
      if (create) {
        const c = await mod.main_handler(JSON.parse(create), context);
        Object.assign(m, { t4: String(process.hrtime.bigint()), rssCreated: process.resourceUsage().maxRSS, createStatus: c && c.statusCode });
      }
      mark(m);
    });
  }
}
`;

/** Builds the functions one by one (so one broken function does not hide the others) and the reference. */
export async function buildBundles(options: {
  repoRoot: string;
  outDir: string;
  names: string[];
  routes: Record<string, string>;
}): Promise<{ bundles: BuiltBundle[]; failures: BuildFailure[]; buildMs: number }> {
  const started = performance.now();
  const failures: BuildFailure[] = [];
  const bundles: BuiltBundle[] = [];
  const functionsDir = path.join(options.repoRoot, "functions");
  const built = await Promise.all(
    options.names.map(async (name) => {
      try {
        const [b] = await buildFunctions({ functionsDir, outDir: options.outDir, names: [name], log: () => {} });
        return b;
      } catch (error) {
        failures.push({ name, message: error instanceof Error ? error.message : String(error) });
        return undefined;
      }
    }),
  );
  for (const b of built) {
    if (!b) continue;
    const route = options.routes[b.name];
    bundles.push({
      name: b.name,
      kind: "function",
      bundlePath: b.bundlePath,
      bytes: b.bytes,
      gzipBytes: b.gzipBytes,
      metafile: b.metafile,
      ...(route ? { route } : {}),
    });
  }

  try {
    bundles.push(await buildSdkReference(options.repoRoot, path.join(options.outDir, "_reference-whole-sdk")));
  } catch (error) {
    failures.push({ name: "whole-sdk reference", message: error instanceof Error ? error.message : String(error) });
  }
  return { bundles, failures, buildMs: performance.now() - started };
}

/** The reference: a generated entry that requires the whole SDK, built with the functions' esbuild options. */
async function buildSdkReference(repoRoot: string, dir: string): Promise<BuiltBundle> {
  await mkdir(dir, { recursive: true });
  const entry = path.join(dir, "entry.js");
  const outfile = path.join(dir, "index.js");
  await writeFile(
    entry,
    [
      "// Generated by scripts/bench.ts: the cost of requiring the whole Tencent SDK.",
      'const sdk = require("tencentcloud-sdk-nodejs");',
      "exports.main_handler = async () => ({ services: Object.keys(sdk).length });",
      "",
    ].join("\n"),
  );
  const forbidden = [path.join(repoRoot, "local"), path.join(repoRoot, "scripts")];
  // The functions' options without their dependency substitutions (scripts/build.ts slimDependencies),
  // so the reference stays what requiring the SDK costs as published; nodePaths only lets the entry
  // (outside the repo) resolve the package.
  const result = await build({ ...esbuildOptions(entry, outfile, forbidden, { slim: false }), nodePaths: [path.join(repoRoot, "node_modules")] });
  if (!result.metafile) throw new Error("esbuild returned no metafile");
  const bundle = await readFile(outfile);
  return {
    name: "whole-sdk reference",
    kind: "reference",
    bundlePath: outfile,
    bytes: bundle.byteLength,
    gzipBytes: gzipSync(bundle, { level: 9 }).byteLength,
    metafile: result.metafile,
  };
}

/** The API Gateway fixture aimed at a route, without its Authorization header: the handler answers 401. */
export function unauthenticatedEvent(fixture: Record<string, any>, route: string): Record<string, any> {
  const event = structuredClone(fixture);
  event.path = route;
  event.requestContext.path = route;
  delete event.headers.authorization;
  return event;
}

export const COLD_TOKEN = "bench-token";

function childEnv(target: ColdTarget, fixture: Record<string, any>, upstreamUrl: string, run: number): NodeJS.ProcessEnv {
  // A fixed, SCF-like environment: nothing from the parent leaks in (no NODE_OPTIONS from tsx).
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH ?? "/usr/bin:/bin",
    TENCENTCLOUD_SECRETID: DEV_SECRET_ID,
    TENCENTCLOUD_SECRETKEY: DEV_SECRET_KEY,
    AIGC_VOD_SUBAPPID: "251007502",
    AIGC_API_TOKENS: COLD_TOKEN,
    // The stand-in in the parent; the 401 is answered before any upstream call, the create is not.
    AIGC_VOD_ENDPOINT: upstreamUrl,
    AIGC_MPS_ENDPOINT: upstreamUrl,
  };
  if (target.bundlePath) env.BENCH_BUNDLE = target.bundlePath;
  if (target.kind === "function" && target.route) {
    env.BENCH_EVENT = JSON.stringify(unauthenticatedEvent(fixture, target.route));
    if (target.seed) {
      const id = `cold-${target.name}-${run}`;
      env.BENCH_CREATE_EVENT = JSON.stringify(apiEvent(fixture, target.route, seedBody(target.seed, run), `Bearer ${COLD_TOKEN}`, id));
    }
  }
  return env;
}

function runChild(target: ColdTarget, fixture: Record<string, any>, upstreamUrl: string, run: number, timeoutMs = 30_000): Promise<ColdRun> {
  const env = childEnv(target, fixture, upstreamUrl, run);
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const child = spawn(process.execPath, ["-e", CHILD_SCRIPT], { env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    let markerAt: bigint | undefined;
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.stdout.setEncoding("utf8");
    child.stderr.setEncoding("utf8");
    child.stdout.on("data", (chunk: string) => {
      stdout += chunk;
      if (markerAt === undefined && stdout.includes(MARKER)) markerAt = process.hrtime.bigint();
    });
    child.stderr.on("data", (chunk: string) => (stderr += chunk));
    child.on("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      const line = stdout.split("\n").find((l) => l.startsWith(MARKER));
      if (!line || markerAt === undefined) {
        reject(new Error(`child exited (${signal ?? code}) without a marker: ${stderr.trim().split("\n").slice(-3).join(" | ") || "no output"}`));
        return;
      }
      const m = JSON.parse(line.slice(MARKER.length)) as {
        t1: string;
        t2?: string;
        t3?: string;
        t4?: string;
        rssReady: number;
        rssAnswered?: number;
        status?: number;
        rssCreated?: number;
        createStatus?: number;
      };
      const since = (t: string) => Number(BigInt(t) - t0) / 1e6;
      const t1 = since(m.t1);
      if (t1 <= 0) {
        reject(new Error("child clock is not comparable with the parent's (t1 before spawn)"));
        return;
      }
      resolve({
        startMs: t1,
        ...(m.t2 !== undefined ? { readyMs: since(m.t2), requireMs: since(m.t2) - t1 } : {}),
        ...(m.t3 !== undefined ? { answeredMs: since(m.t3) } : {}),
        markerReceivedMs: Number(markerAt - t0) / 1e6,
        rssReadyKb: m.rssReady,
        ...(m.rssAnswered !== undefined ? { rssAnsweredKb: m.rssAnswered } : {}),
        ...(m.status !== undefined ? { status: m.status } : {}),
        ...(m.t4 !== undefined ? { createdMs: since(m.t4) } : {}),
        ...(m.rssCreated !== undefined ? { rssCreatedKb: m.rssCreated } : {}),
        ...(m.createStatus !== undefined ? { createStatus: m.createStatus } : {}),
      });
    });
  });
}

/** Runs every target cold `runs` times, round-robin, after `warmup` unmeasured rounds. */
export async function measureColdStarts(
  targets: ColdTarget[],
  fixture: Record<string, any>,
  upstreamUrl: string,
  runs: number,
  warmup = 1,
): Promise<ColdResult[]> {
  const samples = new Map<string, ColdRun[]>(targets.map((t) => [t.name, []]));
  const failures = new Map<string, string[]>(targets.map((t) => [t.name, []]));
  for (let round = 0; round < warmup + runs; round++) {
    for (const target of targets) {
      try {
        const run = await runChild(target, fixture, upstreamUrl, round);
        if (round >= warmup) samples.get(target.name)?.push(run);
      } catch (error) {
        failures.get(target.name)?.push(error instanceof Error ? error.message : String(error));
      }
    }
  }
  return targets.map((target) => {
    const rs = samples.get(target.name) ?? [];
    const pick = (f: (r: ColdRun) => number | undefined) => rs.map(f).filter((v): v is number => v !== undefined);
    const statuses: Record<string, number> = {};
    const createStatuses: Record<string, number> = {};
    for (const r of rs) if (r.status !== undefined) statuses[String(r.status)] = (statuses[String(r.status)] ?? 0) + 1;
    for (const r of rs) if (r.createStatus !== undefined) createStatuses[String(r.createStatus)] = (createStatuses[String(r.createStatus)] ?? 0) + 1;
    const created = pick((r) => r.createdMs);
    const createAfterAnswer = pick((r) => (r.createdMs !== undefined && r.answeredMs !== undefined ? r.createdMs - r.answeredMs : undefined));
    const rssCreated = pick((r) => r.rssCreatedKb);
    const answered = pick((r) => r.answeredMs);
    const required = pick((r) => r.requireMs);
    const rssAnswered = pick((r) => r.rssAnsweredKb);
    return {
      name: target.name,
      kind: target.kind,
      runs: rs.length,
      failures: [...new Set(failures.get(target.name) ?? [])],
      start: summarize(pick((r) => r.startMs)),
      ready: summarize(pick((r) => r.readyMs ?? r.startMs)),
      ...(answered.length > 0 ? { answered: summarize(answered) } : {}),
      ...(required.length > 0 ? { require: summarize(required) } : {}),
      markerReceived: summarize(pick((r) => r.markerReceivedMs)),
      rssReadyKb: summarize(pick((r) => r.rssReadyKb)),
      ...(rssAnswered.length > 0 ? { rssAnsweredKb: summarize(rssAnswered) } : {}),
      statuses,
      ...(created.length > 0 ? { created: summarize(created) } : {}),
      ...(createAfterAnswer.length > 0 ? { createAfterAnswer: summarize(createAfterAnswer) } : {}),
      ...(rssCreated.length > 0 ? { rssCreatedKb: summarize(rssCreated) } : {}),
      createStatuses,
    };
  });
}

export interface InputShare {
  input: string;
  bytes: number;
}

/** Bytes each input contributes to the (minified) output, largest first, from esbuild's metafile. */
export function inputsByOutputBytes(metafile: Metafile): InputShare[] {
  const output = Object.values(metafile.outputs)[0];
  if (!output) return [];
  return Object.entries(output.inputs)
    .map(([input, info]) => ({ input, bytes: info.bytesInOutput }))
    .sort((a, b) => b.bytes - a.bytes);
}

/** The same, grouped by npm package (node_modules/<pkg>); the repo's own code is one group. */
export function bytesByPackage(metafile: Metafile): InputShare[] {
  const groups = new Map<string, number>();
  for (const { input, bytes } of inputsByOutputBytes(metafile)) {
    const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input)?.[1];
    const key = pkg ?? (/^(shared|functions)\//.test(input) ? "(this repo: shared/, functions/)" : input);
    groups.set(key, (groups.get(key) ?? 0) + bytes);
  }
  return [...groups.entries()].map(([input, bytes]) => ({ input, bytes })).sort((a, b) => b.bytes - a.bytes);
}

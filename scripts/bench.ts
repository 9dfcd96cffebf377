/**
 * `npm run bench` (tsx scripts/bench.ts): a benchmark script, not a test. Prints a plain-text table
 * and writes bench/results.json (gitignored). Never touches dist/; builds into a temporary directory.
 *
 *   1. bundles and cold start   fresh esbuild build of every function + a whole-SDK reference bundle;
 *                               bytes (minified, gzip -9) and cold start in fresh node children
 *   2. handler overhead         p50/p99 of in-process invocations per route, upstream answering instantly
 *   3. rate-limit drain         a burst of creates through the local API Gateway at a 20/s stand-in
 *   4. tracker                  one tick over 1,000 pending tasks and 160 pending events (and a mixed variant)
 *   5. tracker at scale         one tick over 10,000 and 100,000 open tasks of which 1,000 are due
 *   then the issue's targets, each checked against this run's figures.
 *
 * Options: --cold-runs N (20)  --invocations N (2000)  --warmup N (3000; section 2, per route)  --side N (500)  --burst N (200)
 *          --tracker-runs N (3; the mixed tracker scenario runs once)
 *          --keep-build (keep the temporary build directory and print where it is)
 *          --section tracker-scale (run section 5 only, about two minutes; figures in bench/results-tracker-scale.json)
 * Everything listens on 127.0.0.1 only; every server is closed before exit.
 */

import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { mkdir, mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { version as esbuildVersion } from "esbuild";
import { startTencentStandIn } from "../local/tencent/server";
import { TASK_KINDS } from "../shared/tasks/kinds";
import {
  buildBundles,
  bytesByPackage,
  inputsByOutputBytes,
  measureColdStarts,
  type BuildFailure,
  type BuiltBundle,
  type ColdResult,
  type ColdTarget,
} from "./bench/cold-start";
import { measureDrain, type DrainResult } from "./bench/drain";
import { loopbackFloor, measureHandlerOverhead, type RouteOverhead } from "./bench/handler-overhead";
import { benchRoutes, loadSourceHandlers, readJson, type ScfHandler } from "./bench/handlers";
import { bytes, ms, rssKb, table, type Summary } from "./bench/stats";
import { checkTargets, type TargetCheck } from "./bench/targets";
import { measureTracker, TRACKER_SCENARIOS, type TrackerResult } from "./bench/tracker";
import { checkScaleTargets, measureTrackerScale, renderTrackerScale, SCALE_CASES } from "./bench/tracker-scale";

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const RESULTS_FILE = path.join(REPO_ROOT, "bench", "results.json");
const BREAKDOWN_FUNCTION = "vod-aigc-video";

const COLD_METHOD =
  "t0 = parent hrtime just before spawn(`node -e <script>`); the child records hrtime (same CLOCK_MONOTONIC) " +
  "at its first line, after require(bundle) returned with main_handler a function (ready), after its first " +
  "invocation settled (401), and after a second one, a valid create, settled; maxRSS from process.resourceUsage() " +
  "in the child at each point. Bare = the same child script with no bundle (prints its marker at once). " +
  "Runs interleaved round-robin after one unmeasured warm-up round; percentiles are nearest-rank.";

/** Every functions/<name>/index.ts, as npm run build finds them. */
async function functionNames(functionsDir: string): Promise<string[]> {
  const entries = await readdir(functionsDir, { withFileTypes: true });
  return entries
    .filter((entry) => entry.isDirectory() && existsSync(path.join(functionsDir, entry.name, "index.ts")))
    .map((entry) => entry.name)
    .sort();
}

function progress(line: string): void {
  process.stderr.write(`${line}\n`);
}

class UsageError extends Error {}

function intOption(value: string | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`--${name} must be a positive integer, got "${value}"`);
  return n;
}

async function packageVersion(name: string): Promise<string> {
  try {
    return (await readJson<{ version: string }>(path.join(REPO_ROOT, "node_modules", name, "package.json"))).version;
  } catch {
    return "?";
  }
}

function statusText(statuses: Record<string, number>): string {
  const entries = Object.entries(statuses);
  return entries.length === 0 ? "-" : entries.map(([s, n]) => `${s}x${n}`).join(" ");
}

/** The built bundles' main_handler, loaded in this process the way SCF loads them (require). */
function loadBundleHandlers(bundles: BuiltBundle[], names: string[]): { handlers: Record<string, ScfHandler>; failures: Array<{ name: string; message: string }> } {
  const handlers: Record<string, ScfHandler> = {};
  const failures: Array<{ name: string; message: string }> = [];
  const load = createRequire(import.meta.url);
  for (const name of names) {
    const bundle = bundles.find((b) => b.kind === "function" && b.name === name);
    try {
      if (!bundle) throw new Error("the bundle was not built");
      const handler = (load(bundle.bundlePath) as { main_handler?: ScfHandler }).main_handler;
      if (typeof handler !== "function") throw new Error("main_handler is not exported");
      handlers[name] = handler;
    } catch (error) {
      failures.push({ name, message: error instanceof Error ? error.message : String(error) });
    }
  }
  return { handlers, failures };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      "cold-runs": { type: "string" },
      invocations: { type: "string" },
      warmup: { type: "string" },
      side: { type: "string" },
      burst: { type: "string" },
      "tracker-runs": { type: "string" },
      "keep-build": { type: "boolean" },
      section: { type: "string" },
    },
  });
  if (values.section !== undefined && values.section !== "tracker-scale") throw new UsageError(`--section takes tracker-scale, got ${values.section}`);
  if (values.section === "tracker-scale") return runTrackerScaleOnly();
  const opts = {
    coldRuns: intOption(values["cold-runs"], 20, "cold-runs"),
    invocations: intOption(values.invocations, 2000, "invocations"),
    // Section 2 times a warm instance: V8 is still compiling a bundle's hot functions for its first
    // thousand or so invocations (each bundle has its own copy of the SDK and shared code), which the
    // timed pass would otherwise count. The warm-up is timed too and reported beside.
    warmup: intOption(values.warmup, 3000, "warmup"),
    side: intOption(values.side, 500, "side"),
    burst: intOption(values.burst, 200, "burst"),
    trackerRuns: intOption(values["tracker-runs"], 3, "tracker-runs"),
  };
  const benchStarted = performance.now();
  const startedAt = new Date();
  const cpus = os.cpus();
  const machine = {
    cpus: cpus.length,
    cpuModel: cpus[0]?.model.trim() ?? "?",
    memory: os.totalmem(),
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
    node: process.version,
    esbuild: esbuildVersion,
    tencentcloudSdk: await packageVersion("tencentcloud-sdk-nodejs"),
    zod: await packageVersion("zod"),
    loadAverageAtStart: os.loadavg().map((v) => Number(v.toFixed(2))),
  };

  const routes = await benchRoutes(REPO_ROOT);
  const names = Object.values(TASK_KINDS).map((k) => k.functionName);
  // Section 1 builds and starts every function; the create routes are also invoked in their cold children.
  const allFunctions = await functionNames(path.join(REPO_ROOT, "functions"));
  const routeOf = Object.fromEntries(routes.map((r) => [r.functionName, r.path]));
  const fixture = await readJson<Record<string, any>>(path.join(REPO_ROOT, "test", "events", "apigw-create-video.json"));

  // 1. Bundles and cold start.
  const buildDir = await mkdtemp(path.join(os.tmpdir(), "aigc-bench-"));
  // Answers the valid create each cold child sends after its 401; limits high enough never to throttle.
  const coldUpstream = await startTencentStandIn({ port: 0, rateLimits: { vod: 1e6, mps: 1e6 } });
  let bundles: BuiltBundle[] = [];
  let buildFailures: BuildFailure[] = [];
  let buildMs = 0;
  let cold: ColdResult[] = [];
  try {
    progress(`[1/4] building ${allFunctions.length} functions + whole-SDK reference into ${buildDir}`);
    ({ bundles, failures: buildFailures, buildMs } = await buildBundles({ repoRoot: REPO_ROOT, outDir: buildDir, names: allFunctions, routes: routeOf }));
    const targets: ColdTarget[] = [
      { name: "bare node -e", kind: "baseline" },
      ...bundles.map((b) => {
        const seed = routes.find((r) => r.functionName === b.name)?.seed;
        return { name: b.name, kind: b.kind, bundlePath: b.bundlePath, ...(b.route ? { route: b.route } : {}), ...(seed ? { seed } : {}) };
      }),
    ];
    progress(`[1/4] cold start: ${targets.length} targets x (1 warm-up + ${opts.coldRuns}) runs`);
    cold = await measureColdStarts(targets, fixture, coldUpstream.url, opts.coldRuns);
  } finally {
    await coldUpstream.close();
  }

  // 2. Handler overhead, in-process: the bundles just built, as SCF runs them (their transport is the
  // node:http shim, not the SDK's node-fetch stack that the sources run on).
  progress(`[2/4] handler overhead: ${routes.length} routes x ${opts.invocations} invocations`);
  let overhead: RouteOverhead[];
  let loadFailures: Array<{ name: string; message: string }>;
  try {
    const loaded = loadBundleHandlers(bundles, names);
    loadFailures = loaded.failures;
    overhead = await measureHandlerOverhead(
      routes,
      loaded.handlers,
      fixture,
      { invocations: opts.invocations, warmup: opts.warmup, sideIterations: opts.side },
      progress,
    );
  } finally {
    if (values["keep-build"]) progress(`build kept in ${buildDir}`);
    else await rm(buildDir, { recursive: true, force: true });
  }
  const floor = await loopbackFloor(opts.invocations);
  const { handlers } = await loadSourceHandlers(REPO_ROOT, names);

  // 3. Rate-limit drain through the local API Gateway.
  progress(`[3/4] rate-limit drain: ${opts.burst} creates at once through the local API Gateway`);
  let drain: DrainResult | { error: string };
  try {
    drain = await measureDrain(handlers, opts.burst);
  } catch (error) {
    drain = { error: error instanceof Error ? error.message : String(error) };
  }

  // 4. The tracker: the issue's scenario, then the mixed one once.
  progress(`[4/4] tracker: ${TRACKER_SCENARIOS.length} scenarios`);
  const tracker: TrackerResult[] = [];
  for (const [i, scenario] of TRACKER_SCENARIOS.entries()) {
    tracker.push(await measureTracker(REPO_ROOT, scenario, i === 0 ? opts.trackerRuns : 1, progress));
  }

  // 5. The tracker at scale.
  progress(`[5/5] tracker at scale: ${SCALE_CASES.length} ledgers`);
  const scale = await measureTrackerScale(REPO_ROOT, SCALE_CASES, progress);

  const totalMs = performance.now() - benchStarted;
  const targets = [...checkTargets({ bundles, cold, overhead, drain, tracker }), ...checkScaleTargets(scale)];
  const text = render({ machine, startedAt, opts, bundles, buildFailures, buildMs, cold, loadFailures, overhead, floor, drain, tracker, targets, totalMs });
  process.stdout.write(`${text}\n\n5. TRACKER AT SCALE  (one tick; due index, rate budget; stand-ins in this process)\n${renderTrackerScale(scale).map((l) => `   ${l}`).join("\n")}\n`);

  await mkdir(path.dirname(RESULTS_FILE), { recursive: true });
  const breakdown = bundles.find((b) => b.name === BREAKDOWN_FUNCTION);
  await writeFile(
    RESULTS_FILE,
    JSON.stringify(
      {
        command: "npm run bench",
        startedAt: startedAt.toISOString(),
        totalMs,
        machine,
        options: opts,
        bundles: {
          buildMs,
          failures: buildFailures,
          items: bundles.map((b) => ({
            name: b.name,
            kind: b.kind,
            bytes: b.bytes,
            gzipBytes: b.gzipBytes,
            inputs: Object.keys(b.metafile.inputs).length,
            byPackage: bytesByPackage(b.metafile).slice(0, 25),
          })),
          topInputs: breakdown ? { function: breakdown.name, inputs: inputsByOutputBytes(breakdown.metafile).slice(0, 25) } : undefined,
        },
        coldStart: { method: COLD_METHOD, results: cold },
        handlerOverhead: { loadFailures, results: overhead, loopbackFloor: floor },
        rateLimitDrain: drain,
        tracker,
        trackerScale: scale,
        targets,
      },
      null,
      2,
    ) + "\n",
  );
  progress(`wrote ${path.relative(process.cwd(), RESULTS_FILE)}`);
}

interface RenderInput {
  machine: { cpus: number; cpuModel: string; memory: number; platform: string; node: string; esbuild: string; tencentcloudSdk: string; zod: string; loadAverageAtStart: number[] };
  startedAt: Date;
  opts: { coldRuns: number; invocations: number; warmup: number; side: number; burst: number; trackerRuns: number };
  bundles: BuiltBundle[];
  buildFailures: BuildFailure[];
  buildMs: number;
  cold: ColdResult[];
  loadFailures: Array<{ name: string; message: string }>;
  overhead: RouteOverhead[];
  floor: Summary;
  drain: DrainResult | { error: string };
  tracker: TrackerResult[];
  targets: TargetCheck[];
  totalMs: number;
}

function render(r: RenderInput): string {
  const out: string[] = [];
  const m = r.machine;
  out.push("$ npm run bench   (tsx scripts/bench.ts)");
  out.push(
    `${r.startedAt.toISOString()}  ${m.cpus} cpus (${m.cpuModel}), ${bytes(m.memory)} RAM, ${m.platform}, node ${m.node}, ` +
      `esbuild ${m.esbuild}, tencentcloud-sdk-nodejs ${m.tencentcloudSdk}, zod ${m.zod}, load avg ${m.loadAverageAtStart.join(" ")}`,
  );
  out.push("");

  // 1
  out.push(`1. BUNDLES AND COLD START  (fresh build in a temp dir, same esbuild options as npm run build; ${r.opts.coldRuns} cold runs per target; build took ${ms(r.buildMs)})`);
  const bare = r.cold.find((c) => c.kind === "baseline");
  const rows: string[][] = [["target", "minified", "gzip -9", "require p50", "ready p50", "ready p90", "ready - bare", "maxRSS ready"]];
  for (const c of r.cold) {
    const b = r.bundles.find((x) => x.name === c.name);
    rows.push([
      c.name,
      b ? bytes(b.bytes) : "-",
      b ? bytes(b.gzipBytes) : "-",
      c.require ? ms(c.require.p50) : "-",
      ms(c.ready.p50),
      ms(c.ready.p90),
      bare && c !== bare ? `+${ms(c.ready.p50 - bare.ready.p50)}` : "-",
      rssKb(c.rssReadyKb.p50),
    ]);
    if (c.failures.length > 0) rows.push([`  ! ${c.failures.length} failed runs: ${c.failures[0] ?? ""}`]);
  }
  out.push(table(rows, new Set([1, 2, 3, 4, 5, 6, 7])));
  for (const f of r.buildFailures) out.push(`  ! build failed: ${f.name}: ${f.message.split("\n")[0] ?? ""}`);
  out.push("");
  out.push("   ready and answering, in the same cold children (spawn to ...; the create routes: task-query and task-tracker are started only):");
  const aRows: string[][] = [["function", "401 p50", "401 p90", "maxRSS 401", "statuses", "1st create p50", "1st create p90", "create alone p50", "maxRSS create", "statuses"]];
  for (const c of r.cold.filter((x) => x.kind === "function" && x.answered)) {
    aRows.push([
      c.name,
      ms(c.answered?.p50),
      ms(c.answered?.p90),
      rssKb(c.rssAnsweredKb?.p50),
      statusText(c.statuses),
      ms(c.created?.p50),
      ms(c.created?.p90),
      ms(c.createAfterAnswer?.p50),
      rssKb(c.rssCreatedKb?.p50),
      statusText(c.createStatuses),
    ]);
  }
  out.push(indent(table(aRows, new Set([1, 2, 3, 5, 6, 7, 8])), 3));
  out.push("   ready = main_handler available; 401 = first invocation (API Gateway event without a token) answered;");
  out.push("   1st create = then a valid create (seed body) answered by a stand-in in the parent: the first upstream call");
  out.push("   (SDK client, first TC3 signature, first connect); create alone = 1st create - 401. require = require(bundle)");
  out.push("   alone inside the child; ready - bare = ready p50 minus the bare node baseline; maxRSS = median.");
  out.push(`   method: ${COLD_METHOD}`);
  const breakdown = r.bundles.find((b) => b.name === BREAKDOWN_FUNCTION);
  if (breakdown) {
    out.push("");
    out.push(`   where the bytes go in ${breakdown.name} (esbuild metafile, bytes in the minified output):`);
    const byPkg = bytesByPackage(breakdown.metafile);
    const pkgRows: string[][] = [["package", "bytes", "share"]];
    for (const p of byPkg.slice(0, 10)) pkgRows.push([p.input, bytes(p.bytes), `${((100 * p.bytes) / breakdown.bytes).toFixed(1)}%`]);
    const rest = byPkg.slice(10).reduce((a, p) => a + p.bytes, 0);
    pkgRows.push([`(${Math.max(0, byPkg.length - 10)} more packages)`, bytes(rest), `${((100 * rest) / breakdown.bytes).toFixed(1)}%`]);
    out.push(indent(table(pkgRows, new Set([1, 2])), 3));
    out.push("");
    const inRows: string[][] = [["top 10 inputs", "bytes"]];
    for (const p of inputsByOutputBytes(breakdown.metafile).slice(0, 10)) inRows.push([p.input, bytes(p.bytes)]);
    out.push(indent(table(inRows, new Set([1])), 3));
    const reference = r.bundles.find((b) => b.kind === "reference");
    if (reference) {
      const refPkgs = bytesByPackage(reference.metafile).slice(0, 3).map((p) => `${p.input} ${bytes(p.bytes)}`).join(", ");
      out.push(
        `   whole-SDK reference: require("tencentcloud-sdk-nodejs") built with the same options minus the dependency substitutions ` +
          `(the SDK as published); ${Object.keys(reference.metafile.inputs).length} inputs; largest packages: ${refPkgs}`,
      );
    }
  }
  out.push("");

  // 2
  out.push(
    `2. HANDLER OVERHEAD  (bundled main_handler, required in-process, sequential; per route ${r.opts.warmup} warm-up invocations checked by the stand-in, ` +
      `then ${r.opts.invocations} timed against an instant upstream and ${r.opts.invocations} against the stand-in; real API Gateway fixture + seed body)`,
  );
  const gcText = (gc: RouteOverhead["gc"], invocations: number) =>
    gc ? `${gc.pauses} (${ms(gc.meanPauseMs)}), hit ${gc.invocationsHit} (${((100 * gc.invocationsHit) / Math.max(1, invocations)).toFixed(1)}%)` : "-";
  const oRows: string[][] = [
    ["route", "function", "checked", "p50", "p99", "max", "statuses", "GC pauses (mean), invocations hit", "slowest 1%: with a GC", "with stand-in p50", "p99", "GC", "401 p50", "401 p99", "SDK call alone p50", "log lines/inv"],
  ];
  for (const o of r.overhead) {
    if (o.error) {
      oRows.push([o.route, o.functionName, `error: ${o.error}`]);
      continue;
    }
    const w = o.withStandIn;
    oRows.push([
      o.route,
      o.functionName,
      o.checked ? `${o.checked.created}/${o.checked.invocations} created` : "-",
      ms(o.full.p50),
      ms(o.full.p99),
      ms(o.full.max),
      statusText(o.statuses),
      gcText(o.gc, o.invocations),
      o.slowest ? `${o.slowest.filter((x) => x.gc).length}/${o.slowest.length}` : "-",
      w ? ms(w.summary.p50) : "-",
      w ? ms(w.summary.p99) : "-",
      w ? gcText(w.gc, w.invocations) : "-",
      ms(o.unauthorized.p50),
      ms(o.unauthorized.p99),
      o.sdkCallAlone ? ms(o.sdkCallAlone.p50) : "-",
      o.logLinesPerInvocation.toFixed(1),
    ]);
  }
  out.push(table(oRows, new Set([3, 4, 5, 9, 10, 12, 13, 14, 15])));
  for (const f of r.loadFailures) out.push(`  ! ${f.name} did not load: ${f.message.split("\n")[0] ?? ""}`);
  out.push(
    `   p50/p99 = whole await main_handler(): auth, JSON, validation, SessionId, TC3 signing, loopback HTTP, response mapping, logging (lines built, then dropped), ` +
      `against an upstream in this process that answers each signed create at once and keeps nothing (scripts/bench/instant-upstream.ts). ` +
      `checked = warm-up creates the stand-in verified (TC3 signature, action, version, params) and created. ` +
      `with stand-in = the same again against local/tencent in this process: its TC3 verification and the tasks it keeps are then Tencent's work counted as ours. ` +
      `401 = same route without a token (${r.opts.side} runs). SDK call alone = the last create's params through the unbundled SDK client to the instant upstream (${r.opts.side} runs). ` +
      `GC = V8 pauses (node:perf_hooks) during the timed invocations, and how many invocations one fell inside: when that share is over 1%, the p99 is a GC pause. ` +
      `slowest 1% = the invocations at and above the p99, and how many of them a GC pause fell inside (the rest: JIT, scheduling).`,
  );
  const warm = r.overhead.filter((o) => o.checked).map((o) => `${o.functionName} ${ms(o.checked?.summary.p50)} / ${ms(o.checked?.summary.p99)}`);
  if (warm.length > 0) out.push(`   warm-up, the first ${r.opts.warmup} invocations of each bundle (JIT still compiling; against the stand-in), p50 / p99: ${warm.join(", ")}.`);
  out.push(
    `   floor: a bare keep-alive loopback POST, no handler and no stand-in, same loop (${r.floor.n} runs): ` +
      `p50 ${ms(r.floor.p50)}, p99 ${ms(r.floor.p99)}, max ${ms(r.floor.max)}; on a busy machine its tail is most of a route's p99.`,
  );
  out.push("");

  // 3
  const d = r.drain;
  out.push("3. RATE-LIMIT DRAIN  (creates fired at once through the local API Gateway (startLocalStack) at a stand-in enforcing 20/s VOD)");
  if ("error" in d && !("requests" in d)) {
    out.push(`   error: ${d.error}`);
  } else {
    const dr = d as DrainResult;
    const dRows: string[][] = [
      ["requests", "route", "200 OK", "other statuses", "wall", "last 200 at", "achieved / limit", "upstream calls", "throttled upstream", "tasks created", "latency p50", "latency max"],
      [
        String(dr.requests),
        dr.route,
        String(dr.succeeded),
        Object.entries(dr.failureCodes).map(([k, n]) => `${k} x${n}`).join(", ") || "none",
        ms(dr.wallMs),
        ms(dr.lastSuccessMs),
        `${dr.achievedFractionOfLimit.toFixed(2)} (${(dr.succeeded / (dr.wallMs / 1000)).toFixed(1)}/s of ${dr.limitPerSecond}/s)`,
        String(dr.upstreamCalls),
        String(dr.upstreamThrottled),
        String(dr.tasksCreated),
        ms(dr.latency.p50),
        ms(dr.latency.max),
      ],
    ];
    out.push(table(dRows, new Set([0, 2, 7, 8, 9, 10, 11])));
    out.push(
      `   function time limit: ${dr.functionTimeLimitMs} ms (startLocalStack cannot raise it: its gateway always passes the 30 s default); ` +
        "achieved / limit = successes / wall seconds / 20.",
    );
  }
  out.push("");

  // 4
  out.push(
    "4. TRACKER  (one trackTasks tick, 60 s function deadline; stand-ins in this process, COS objects in a memory-backed temp dir; " +
      "Tencent's limits for the tick's calls; seeded through the SDK and TaskLedger.recordNewTask)",
  );
  const tRows: string[][] = [["scenario", "open tasks", "events", "runs", "tick p50", "tick max", "upstream calls (throttled)", "COS requests", "webhooks", "polled", "closed", "peak RSS +", "peak heap +"]];
  for (const t of r.tracker) {
    const last = t.runs.at(-1);
    const upstream = last ? Object.values(last.upstream).reduce((a, u) => ({ calls: a.calls + u.calls, throttled: a.throttled + u.throttled }), { calls: 0, throttled: 0 }) : undefined;
    tRows.push([
      t.scenario.name,
      String(t.scenario.openTasks),
      String(t.scenario.events),
      String(t.runs.length),
      ms(t.tick.p50),
      ms(t.tick.max),
      upstream ? `${upstream.calls} (${upstream.throttled})` : "-",
      last ? String(last.cosRequests) : "-",
      last ? String(last.webhooksReceived) : "-",
      last ? String(last.report.tasks.polled) : "-",
      last ? String(last.report.tasks.closed) : "-",
      rssKb(t.peakRssDeltaKb.max),
      last ? rssKb(last.peakHeapDeltaKb) : "-",
    ]);
    for (const f of t.failures) tRows.push([`  ! ${f.split("\n")[0] ?? ""}`]);
  }
  out.push(indent(table(tRows, new Set([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12])), 3));
  const mixed = r.tracker[1]?.runs.at(-1);
  if (mixed) {
    out.push(`   mixed, upstream by action: ${Object.entries(mixed.upstream).map(([a, u]) => `${a} ${u.calls}${u.throttled ? ` (${u.throttled} throttled)` : ""}`).join(", ")}`);
  }
  out.push(
    "   A tick pulls events (16 a call) and confirms them, then walks the due index (COS work 16 at a time; AIGC_TRACKER_POLL_SCALE=0): the redraw and MPS tasks are due at once " +
      "(polled), a pending VOD video or image task only when its event is 10 minutes late (not in this tick); it delivers and closes the finished. Once the events are drained, the last PullEvents waits Tencent's 5 s hold " +
      "(160 is ten full pages, so an eleventh pull is needed to see there is no more). peak RSS/heap + = over the level at the tick's start.",
  );
  out.push("");

  // Targets
  out.push("TARGETS  (the issue's, each from this run's figures above)");
  const gRows: string[][] = [["target", "measured", "met"]];
  for (const t of r.targets) gRows.push([t.target, t.measured, t.met ? "yes" : "NO"]);
  out.push(indent(table(gRows), 3));
  out.push("");
  out.push(`total bench time ${ms(r.totalMs)}; raw figures in bench/results.json`);
  return out.join("\n");
}

function indent(text: string, n: number): string {
  return text
    .split("\n")
    .map((l) => " ".repeat(n) + l)
    .join("\n");
}

/** `--section tracker-scale`: section 5 alone, with its targets. */
async function runTrackerScaleOnly(): Promise<void> {
  const started = performance.now();
  const scale = await measureTrackerScale(REPO_ROOT, SCALE_CASES, progress);
  const gRows: string[][] = [["target", "measured", "met"]];
  for (const t of checkScaleTargets(scale)) gRows.push([t.target, t.measured, t.met ? "yes" : "NO"]);
  process.stdout.write(
    ["5. TRACKER AT SCALE  (one tick; due index, rate budget; stand-ins in this process)", ...renderTrackerScale(scale).map((l) => `   ${l}`), "", "TARGETS", indent(table(gRows), 3), "", `section time ${ms(performance.now() - started)}`].join("\n") + "\n",
  );
  await mkdir(path.dirname(RESULTS_FILE), { recursive: true });
  await writeFile(path.join(path.dirname(RESULTS_FILE), "results-tracker-scale.json"), JSON.stringify({ command: "npm run bench -- --section tracker-scale", scale, targets: checkScaleTargets(scale) }, null, 2) + "\n");
}

main().catch((error: unknown) => {
  const detail = error instanceof UsageError ? error.message : error instanceof Error ? (error.stack ?? error.message) : String(error);
  process.stderr.write(`bench failed: ${detail}\n`);
  process.exitCode = 1;
});

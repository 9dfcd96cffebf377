/**
 * Section 5: the tracker at scale. A ledger of 10,000 or 100,000 open tasks of mixed types, of which
 * 1,000 are due, and one tick of each shard over it (K = 1 or 4), on fresh stand-ins in this process
 * (Tencent with its documented Describe/PullEvents limits; COS over a memory-backed temp dir with its
 * key index on). Each tick runs the built task-tracker bundle in a process of its own, invoked with
 * its shard's timer event (./tracker-tick-child.cjs), as SCF runs it: its memory is the tick's alone.
 *
 * Seeding: the 1,000 due tasks that Tencent is asked about are created in the Tencent stand-in
 * through the SDK (its create limits raised: seeding is not measured); every ledger object (records,
 * open markers, due entries) is written straight into the COS stand-in's data directory through its
 * bulk path (ObjectStore.seedSync), not by 100,000 HTTP creates. The not-due tasks are due between 5
 * and 60 minutes from now, so the tick must not touch them. The due ones:
 *   - 300 MPS video, 100 MPS image, 200 VOD redraw tasks whose first poll is due (Tencent is asked);
 *   - 200 VOD video tasks whose completion event is overdue (Tencent is asked);
 *   - 200 finished VOD image tasks whose webhook retry is due (a POST, then the task closes).
 * Measured per tick: time, COS requests, Tencent calls (and the busiest second of each action, and
 * how many Tencent throttled), and the peak RSS and heap of the tick's process.
 */

import { fork } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startCosStandIn } from "../../local/cos/server";
import { startTencentStandIn } from "../../local/tencent/server";
import { getConfig, resetConfigCache } from "../../shared/config";
import type { TaskRecord } from "../../shared/tasks/ledger";
import { tencentClients } from "../../shared/tencent/clients";
import { TENCENT_RATE_LIMITS } from "../../shared/tencent/rate-budget";
import { dueKey } from "../../shared/tasks/due-index";
import { shardOf, SLOT_GAP_MS, trackerTriggerName } from "../../shared/tasks/shards";
import { buildFunctions } from "../build";
import type { TickReport } from "../../shared/tracking/tracker";
import type { TaskKind } from "../../shared/validation";
import { LEDGER_BUCKET, mapLimit, memoryBackedTmp, seedParams, startReceiver, SUBAPPID, trackerBenchEnv } from "./tracker";

export interface ScaleCase {
  open: number;
  due: number;
  shards: number;
  /**
   * The K the ledger was written under, when it is not `shards`: K just changed, and only shard 0's
   * first tick is measured. It finds nothing due in its new index, then moves its tasks' entries
   * out of the old layout (the other shards do the same with theirs, in their own slots).
   */
  writtenWith?: number;
}

/** The issue's cases: 10,000 and 100,000 open, 1,000 due, each with one shard and with four. */
export const SCALE_CASES: readonly ScaleCase[] = [
  { open: 10_000, due: 1_000, shards: 1 },
  { open: 100_000, due: 1_000, shards: 1 },
  { open: 10_000, due: 1_000, shards: 4 },
  { open: 100_000, due: 1_000, shards: 4 },
  { open: 10_000, due: 1_000, shards: 4, writtenWith: 1 },
];

/** One case: the ledger seeded once, then one tick of each shard, in slot order. */
export interface ScaleRun {
  case: ScaleCase;
  seedMs: number;
  ticks: ShardTick[];
  webhooksReceived: number;
}

/** One shard's tick, measured alone (on SCF each shard runs in its own instance, in its own slot). */
export interface ShardTick {
  shard: number;
  /** The open tasks in this shard's index. */
  open: number;
  tickMs: number;
  report: TickReport;
  cosRequests: number;
  cosByMethod: Record<string, number>;
  tencentCalls: number;
  /** By `<service>.<Action>`: calls, throttled calls, and the most calls started in any one second. */
  upstream: Record<string, { calls: number; throttled: number; busiestSecond: number }>;
  /** The tick's process (the built task-tracker bundle alone, as on SCF): RSS before the tick, and peaks during it. */
  rssBeforeKb: number;
  peakRssKb: number;
  peakHeapKb: number;
  error?: string;
}

const LEDGER_PREFIX = ".aigc-ledger/";
const FUNCTION_TIME_LIMIT_MS = 60_000;
const MINUTE = 60_000;
/** Tencent's tasks stay running through the bench: every poll is a real answer, none ends them. */
const LIFECYCLE = { queuedMs: 60_000, processingMs: 600_000, vodConcurrency: 100_000 };
const SEED_CONCURRENCY = 32;
const NOT_DUE_KINDS: readonly TaskKind[] = ["vod-video", "vod-image", "vod-redraw", "mps-video", "mps-image"];

/** How the due tasks are made up, by what the tick has to do for them. */
const DUE_MIX: ReadonlyArray<{ kind: TaskKind; share: number; how: "poll" | "overdue" | "retry" }> = [
  { kind: "mps-video", share: 0.3, how: "poll" },
  { kind: "mps-image", share: 0.1, how: "poll" },
  { kind: "vod-redraw", share: 0.2, how: "poll" },
  { kind: "vod-video", share: 0.2, how: "overdue" },
  { kind: "vod-image", share: 0.2, how: "retry" },
];

const CREATE_ACTIONS: Record<TaskKind, { service: "vod" | "mps"; action: string }> = {
  "vod-video": { service: "vod", action: "CreateAigcVideoTask" },
  "vod-image": { service: "vod", action: "CreateAigcImageTask" },
  "vod-redraw": { service: "vod", action: "CreateAigcVideoRedrawTask" },
  "mps-video": { service: "mps", action: "CreateAigcVideoTask" },
  "mps-image": { service: "mps", action: "CreateAigcImageTask" },
};

/** A record as the create route writes one, `ageMs` old, due at `dueAt`. */
function record(kind: TaskKind, taskId: string, now: number, ageMs: number, dueAt: number, extra: Partial<TaskRecord> = {}): TaskRecord {
  const createdAt = new Date(now - ageMs).toISOString();
  return {
    taskId,
    kind,
    createdAt,
    updatedAt: createdAt,
    origin: { type: "http", tokenId: "bench0000000000" },
    input: { prompt: "bench" },
    status: "queued",
    history: [{ status: "queued", at: createdAt }],
    delivery: {},
    dueAt: new Date(dueAt).toISOString(),
    ...extra,
  };
}

/** The ledger objects of one open task: its record, its open marker, its due entry in its shard's index. */
function ledgerObjects(task: TaskRecord, shards: number): Array<{ key: string; body: string }> {
  const id = encodeURIComponent(task.taskId);
  return [
    { key: `${LEDGER_PREFIX}tasks/${id}.json`, body: JSON.stringify(task) },
    { key: `${LEDGER_PREFIX}open/${id}`, body: "" },
    { key: dueKey(LEDGER_PREFIX, shards, { taskId: task.taskId, at: Date.parse(task.dueAt ?? task.createdAt) }), body: "" },
  ];
}

/** The most items of `times` (epoch ms) inside any one-second window. */
function busiestSecond(times: number[]): number {
  times.sort((a, b) => a - b);
  let most = 0;
  for (let i = 0, j = 0; i < times.length; i++) {
    while ((times[i] as number) - (times[j] as number) >= 1_000) j++;
    most = Math.max(most, i - j + 1);
  }
  return most;
}

/** Seeds one case and measures one tick over it. */
export async function measureScaleCase(repoRoot: string, bundle: string, scaleCase: ScaleCase, progress: (line: string) => void): Promise<ScaleRun> {
  const seeds = seedParams(repoRoot);
  const dataDir = mkdtempSync(join(memoryBackedTmp(), "aigc-bench-scale-"));
  // Creates unthrottled (seeding is not measured); Describe, PullEvents and ConfirmEvents keep Tencent's limits.
  const tencent = await startTencentStandIn({ port: 0, rateLimits: { vod: 1e6, mps: 1e6 }, lifecycle: LIFECYCLE });
  let cosRequests = 0;
  const cosByMethod: Record<string, number> = {};
  let counting = false;
  const cosStandIn = await startCosStandIn({
    port: 0,
    dataDir,
    triggers: [],
    keyIndex: true,
    log: (line) => {
      if (!counting || typeof line.method !== "string") return;
      cosRequests++;
      cosByMethod[line.method] = (cosByMethod[line.method] ?? 0) + 1;
    },
  });
  const receiver = await startReceiver();
  const savedEnv = process.env;
  process.env = { ...trackerBenchEnv(savedEnv, tencent.url, cosStandIn.url), AIGC_TRACKER_SHARDS: String(scaleCase.shards) };
  resetConfigCache();
  try {
    const config = getConfig();
    const clients = tencentClients(config);
    const now = Date.now();
    const seedStarted = performance.now();

    // The due tasks Tencent is asked about exist at Tencent.
    const due: TaskRecord[] = [];
    for (const { kind, share, how } of DUE_MIX) {
      const n = Math.round(scaleCase.due * share);
      if (how === "retry") {
        for (let i = 0; i < n; i++) {
          const taskId = `${SUBAPPID}-AigcImage-retry${String(i).padStart(6, "0")}t`;
          due.push(
            record(kind, taskId, now, 30 * MINUTE, now - 1_000, {
              status: "succeeded",
              finishedAt: new Date(now - 20 * MINUTE).toISOString(),
              callbackUrl: receiver.url,
              eventHandledAt: new Date(now - 20 * MINUTE).toISOString(),
              delivery: { webhook: { state: "pending", attempts: 1, firstAttemptAt: new Date(now - 20 * MINUTE).toISOString(), nextAttemptAt: new Date(now - 1_000).toISOString() } },
            }),
          );
        }
        continue;
      }
      const { service, action } = CREATE_ACTIONS[kind];
      const params = seeds[kind];
      const ids: string[] = [];
      await mapLimit(Array.from({ length: n }), SEED_CONCURRENCY, async (_, i) => {
        const answer = await clients[service].request(action, { ...params, ...(service === "vod" ? { SubAppId: SUBAPPID, SessionId: `scale-${kind}-${i}` } : {}) });
        ids.push(String(answer.TaskId));
      });
      const ageMs = how === "overdue" ? 11 * MINUTE : 3 * MINUTE;
      for (const taskId of ids) due.push(record(kind, taskId, now, ageMs, now - 30_000));
    }
    progress(`    ${due.length} due tasks made; writing ${scaleCase.open} open tasks into the COS stand-in`);
    const objects: Array<{ key: string; body: string }> = [];
    const openByShard: number[] = Array.from({ length: scaleCase.shards }, () => 0);
    const add = (task: TaskRecord) => {
      objects.push(...ledgerObjects(task, scaleCase.writtenWith ?? scaleCase.shards));
      const shard = shardOf(task.taskId, scaleCase.shards);
      openByShard[shard] = (openByShard[shard] ?? 0) + 1;
    };
    for (const task of due) add(task);
    for (let i = due.length; i < scaleCase.open; i++) {
      const kind = NOT_DUE_KINDS[i % NOT_DUE_KINDS.length] as TaskKind;
      const taskId = `bench-${createHash("sha1").update(String(i)).digest("hex").slice(0, 24)}`;
      add(record(kind, taskId, now, 2 * MINUTE, now + 5 * MINUTE + (i % 3300) * 1_000));
    }
    // The ledger was already migrated to the due index.
    objects.push({ key: `${LEDGER_PREFIX}index/due.json`, body: JSON.stringify({ completedAt: new Date(now).toISOString() }) });
    cosStandIn.seedSync(LEDGER_BUCKET, objects);
    objects.length = 0;
    const seedMs = performance.now() - seedStarted;

    const ticks: ShardTick[] = [];
    const measured = scaleCase.writtenWith === undefined ? scaleCase.shards : 1;
    for (let shard = 0; shard < measured; shard++) {
      // Like consecutive slots of the minute: the next shard starts its calls a slot gap after this one's end.
      if (shard > 0) await new Promise((resolve) => setTimeout(resolve, SLOT_GAP_MS));
      const callsBefore = tencent.calls().length;
      cosRequests = 0;
      for (const key of Object.keys(cosByMethod)) delete cosByMethod[key];
      const child = await startTickChild(bundle, process.env, {
        Type: "Timer",
        TriggerName: trackerTriggerName(shard, scaleCase.shards),
        Time: new Date().toISOString().replace(/\.\d+Z$/, "Z"),
        Message: String(shard),
      });
      counting = true;
      let result: ChildResult;
      try {
        result = await child.go();
      } finally {
        counting = false;
      }
      ticks.push({
        shard,
        open: openByShard[shard] ?? 0,
        tickMs: result.tickMs,
        report: result.report,
        cosRequests,
        cosByMethod: { ...cosByMethod },
        ...upstreamCalls(tencent.calls().slice(callsBefore)),
        rssBeforeKb: result.rssBeforeKb,
        peakRssKb: result.peakRssKb,
        peakHeapKb: result.peakHeapKb,
      });
    }
    return { case: scaleCase, seedMs, ticks, webhooksReceived: receiver.received() };
  } finally {
    process.env = savedEnv;
    resetConfigCache();
    await receiver.close();
    await cosStandIn.close();
    await tencent.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** Tencent's calls of one tick: how many, and by action the calls, the throttled ones and the busiest second. */
function upstreamCalls(calls: ReadonlyArray<{ service: string; action: string; errorCode?: string; at: string }>): Pick<ShardTick, "tencentCalls" | "upstream"> {
  const upstream: ShardTick["upstream"] = {};
  const times: Record<string, number[]> = {};
  for (const call of calls) {
    const key = `${call.service}.${call.action}`;
    const entry = (upstream[key] ??= { calls: 0, throttled: 0, busiestSecond: 0 });
    entry.calls++;
    if (call.errorCode === "RequestLimitExceeded") entry.throttled++;
    (times[key] ??= []).push(Date.parse(call.at));
  }
  for (const [key, list] of Object.entries(times)) (upstream[key] as { busiestSecond: number }).busiestSecond = busiestSecond(list);
  return { tencentCalls: calls.length, upstream };
}

/** Runs every case once, in order, each tick in a process of its own running the built task-tracker bundle. */
export async function measureTrackerScale(repoRoot: string, cases: readonly ScaleCase[], progress: (line: string) => void): Promise<ScaleRun[]> {
  const buildDir = mkdtempSync(join(tmpdir(), "aigc-bench-scale-build-"));
  try {
    const [built] = await buildFunctions({ names: ["task-tracker"], outDir: buildDir, log: () => {} });
    if (!built) throw new Error("task-tracker did not build");
    const runs: ScaleRun[] = [];
    for (const scaleCase of cases) {
      progress(`  ${scaleCase.open.toLocaleString("en-US")} open, ${scaleCase.due.toLocaleString("en-US")} due, K = ${kOf(scaleCase)}`);
      runs.push(await measureScaleCase(repoRoot, built.bundlePath, scaleCase, progress));
    }
    return runs;
  } finally {
    rmSync(buildDir, { recursive: true, force: true });
  }
}

/** What the tick's process reports. */
interface ChildResult {
  tickMs: number;
  report: TickReport;
  rssBeforeKb: number;
  peakRssKb: number;
  peakHeapKb: number;
}

const CHILD = join(__dirname, "tracker-tick-child.cjs");

/** Starts the tick's process and loads the bundle in it; `go` runs the tick (its start-up is not timed). */
async function startTickChild(bundle: string, env: NodeJS.ProcessEnv, event: Record<string, unknown>): Promise<{ go(): Promise<ChildResult> }> {
  const child = fork(CHILD, [], { env, stdio: ["ignore", "ignore", "pipe", "ipc"], execArgv: ["--expose-gc"] });
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")).slice(-4000));
  const next = () =>
    new Promise<unknown>((resolve, reject) => {
      const onExit = (code: number | null) => reject(new Error(`the tick's process exited with ${code}: ${stderr.slice(-2000)}`));
      child.once("exit", onExit);
      child.once("message", (message) => {
        child.off("exit", onExit);
        resolve(message);
      });
    });
  const ready = next();
  child.send({ bundle, event, timeLimitMs: FUNCTION_TIME_LIMIT_MS });
  await ready;
  return {
    async go() {
      const result = next();
      child.send("go");
      const message = (await result) as ChildResult | { error: string };
      if ("error" in message) throw new Error(`the tick failed: ${message.error}`);
      return message;
    },
  };
}

/** K as a table shows it: "4", or "1 to 4" for a ledger written under another K. */
const kOf = (c: ScaleCase) => (c.writtenWith === undefined ? String(c.shards) : `${c.writtenWith} to ${c.shards}`);

const fmt = (n: number, digits = 0) => n.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });

/** The section's table, a row per shard tick, and what each case did. */
export function renderTrackerScale(runs: readonly ScaleRun[]): string[] {
  const out: string[] = [];
  out.push("| open | due | K | shard | tick | COS requests: per tick / per due / per open | Tencent calls: per tick / per due / per open | busiest second by action (limit) | throttled | the tick's process: peak RSS / peak heap |");
  out.push("|---|---|---|---|---|---|---|---|---|---|");
  for (const run of runs) {
    const { open, due } = run.case;
    for (const tick of run.ticks) {
      const busiest = Object.entries(tick.upstream)
        .map(([key, u]) => `${key} ${u.busiestSecond}${TENCENT_RATE_LIMITS[key] ? ` (${TENCENT_RATE_LIMITS[key]})` : ""}`)
        .join(", ");
      const throttled = Object.values(tick.upstream).reduce((a, u) => a + u.throttled, 0);
      const dueHere = Math.max(1, tick.report.tasks.due);
      const openHere = Math.max(1, tick.open);
      out.push(
        `| ${fmt(open)} | ${fmt(due)} | ${kOf(run.case)} | ${tick.shard} (${fmt(tick.report.tasks.due)} due, ${fmt(tick.open)} open) | ${fmt(tick.tickMs / 1000, 2)} s | ${fmt(tick.cosRequests)} / ${fmt(tick.cosRequests / dueHere, 2)} / ${fmt(tick.cosRequests / openHere, 3)} | ${fmt(tick.tencentCalls)} / ${fmt(tick.tencentCalls / dueHere, 2)} / ${fmt(tick.tencentCalls / openHere, 3)} | ${busiest} | ${throttled} | ${fmt(tick.peakRssKb / 1024, 1)} MiB (${fmt(tick.rssBeforeKb / 1024, 1)} before) / ${fmt(tick.peakHeapKb / 1024, 1)} MiB |`,
      );
    }
  }
  out.push("");
  for (const run of runs) {
    out.push(`  ${fmt(run.case.open)} open, K = ${kOf(run.case)}: seeded in ${fmt(run.seedMs / 1000, 1)} s; webhooks received ${run.webhooksReceived}`);
    for (const tick of run.ticks) {
      const moved = tick.report.migrated.staleEntries > 0 ? `, moved ${fmt(tick.report.migrated.staleEntries)} entries of the old layout` : "";
      out.push(`    shard ${tick.shard}: tasks ${JSON.stringify(tick.report.tasks)}, deliveries ${tick.report.deliveries.webhook}${moved}; COS ${JSON.stringify(tick.cosByMethod)}`);
    }
  }
  return out;
}

/** The issue's targets for this section. */
export function checkScaleTargets(runs: readonly ScaleRun[]): Array<{ target: string; measured: string; met: boolean }> {
  const targets: Array<{ target: string; measured: string; met: boolean }> = [];
  const large = runs.find((r) => r.case.shards === 1 && r.case.open === 100_000 && r.case.writtenWith === undefined);
  const cos = (run: ScaleRun) => run.ticks.reduce((a, t) => a + t.cosRequests, 0);
  const slowest = (run: ScaleRun) => Math.max(...run.ticks.map((t) => t.tickMs));
  if (large) targets.push({ target: "100,000 open, 1,000 due, K = 1: tick under 20 s", measured: `${fmt(slowest(large) / 1000, 2)} s`, met: slowest(large) < 20_000 });
  const k4 = runs.find((r) => r.case.shards === 4 && r.case.open === 100_000 && r.case.writtenWith === undefined);
  if (k4) {
    const every = k4.ticks.map((t) => `${fmt(t.tickMs / 1000, 2)}`).join(" / ");
    targets.push({ target: "100,000 open, 1,000 due, K = 4: every shard's tick under 8 s", measured: `${every} s`, met: slowest(k4) < 8_000 });
  }
  for (const shards of [1, 4]) {
    const from = runs.find((r) => r.case.shards === shards && r.case.open === 10_000 && r.case.writtenWith === undefined);
    const to = runs.find((r) => r.case.shards === shards && r.case.open === 100_000 && r.case.writtenWith === undefined);
    if (!from || !to) continue;
    const growth = cos(to) / cos(from) - 1;
    targets.push({
      target: `10,000 to 100,000 open (1,000 due), K = ${shards}: at most 10% more COS requests`,
      measured: `${fmt(cos(from))} to ${fmt(cos(to))} (${growth >= 0 ? "+" : ""}${fmt(growth * 100, 1)}%)`,
      met: growth <= 0.1,
    });
  }
  const ticks = runs.flatMap((r) => r.ticks);
  const worst = Math.max(0, ...ticks.flatMap((t) => Object.entries(t.upstream).map(([key, u]) => u.busiestSecond / (TENCENT_RATE_LIMITS[key] ?? Number.POSITIVE_INFINITY))));
  const throttled = ticks.reduce((a, t) => a + Object.values(t.upstream).reduce((b, u) => b + u.throttled, 0), 0);
  targets.push({ target: "Tencent calls per second within the documented limits; none throttled", measured: `busiest second at ${fmt(worst * 100, 0)}% of its limit; ${throttled} throttled`, met: worst <= 1 && throttled === 0 });
  const peak = Math.max(...ticks.map((t) => t.peakRssKb));
  targets.push({ target: "peak memory of a tick under 128 MB", measured: `${fmt(peak / 1024, 1)} MiB peak RSS of the tick's process`, met: peak < 128 * 1024 });
  return targets;
}

/**
 * Section 5: the tracker at scale. A ledger of 10,000 or 100,000 open tasks of mixed types, of which
 * 1,000 are due, and one tick over it, on fresh stand-ins in this process (Tencent with its documented
 * Describe/PullEvents limits; COS over a memory-backed temp dir with its key index on).
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
 * how many Tencent throttled), and the peak RSS and heap over their level when the tick started.
 */

import { createHash } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { join } from "node:path";
import { startCosStandIn } from "../../local/cos/server";
import { startTencentStandIn } from "../../local/tencent/server";
import { getConfig, resetConfigCache } from "../../shared/config";
import { invocationDeadline } from "../../shared/http/function";
import { createLogger } from "../../shared/log";
import type { TaskRecord } from "../../shared/tasks/ledger";
import { cosClientFor, ledgerFor } from "../../shared/tasks/services";
import { tencentClients } from "../../shared/tencent/clients";
import { TENCENT_RATE_LIMITS } from "../../shared/tencent/rate-budget";
import { trackTasks, type TickReport } from "../../shared/tracking/tracker";
import type { TaskKind } from "../../shared/validation";
import { LEDGER_BUCKET, mapLimit, memoryBackedTmp, seedParams, startReceiver, SUBAPPID, trackerBenchEnv } from "./tracker";

export interface ScaleCase {
  open: number;
  due: number;
  shards: number;
}

/** The issue's cases: 10,000 and 100,000 open, 1,000 due, one shard. */
export const SCALE_CASES: readonly ScaleCase[] = [
  { open: 10_000, due: 1_000, shards: 1 },
  { open: 100_000, due: 1_000, shards: 1 },
];

export interface ScaleRun {
  case: ScaleCase;
  seedMs: number;
  tickMs: number;
  report: TickReport;
  cosRequests: number;
  cosByMethod: Record<string, number>;
  tencentCalls: number;
  /** By `<service>.<Action>`: calls, throttled calls, and the most calls started in any one second. */
  upstream: Record<string, { calls: number; throttled: number; busiestSecond: number }>;
  webhooksReceived: number;
  peakRssDeltaKb: number;
  peakHeapDeltaKb: number;
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

/** The ledger objects of one open task: its record, its open marker, its due entry. */
function ledgerObjects(task: TaskRecord): Array<{ key: string; body: string }> {
  const id = encodeURIComponent(task.taskId);
  const due = String(Date.parse(task.dueAt ?? task.createdAt)).padStart(13, "0");
  return [
    { key: `${LEDGER_PREFIX}tasks/${id}.json`, body: JSON.stringify(task) },
    { key: `${LEDGER_PREFIX}open/${id}`, body: "" },
    { key: `${LEDGER_PREFIX}due/${due}~${id}`, body: "" },
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
export async function measureScaleCase(repoRoot: string, scaleCase: ScaleCase, progress: (line: string) => void): Promise<ScaleRun> {
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
  process.env = trackerBenchEnv(savedEnv, tencent.url, cosStandIn.url);
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
    for (const task of due) objects.push(...ledgerObjects(task));
    for (let i = due.length; i < scaleCase.open; i++) {
      const kind = NOT_DUE_KINDS[i % NOT_DUE_KINDS.length] as TaskKind;
      const taskId = `bench-${createHash("sha1").update(String(i)).digest("hex").slice(0, 24)}`;
      objects.push(...ledgerObjects(record(kind, taskId, now, 2 * MINUTE, now + 5 * MINUTE + (i % 3300) * 1_000)));
    }
    // The ledger was already migrated to the due index.
    objects.push({ key: `${LEDGER_PREFIX}index/due.json`, body: JSON.stringify({ completedAt: new Date(now).toISOString() }) });
    cosStandIn.seedSync(LEDGER_BUCKET, objects);
    objects.length = 0;
    const seedMs = performance.now() - seedStarted;

    const callsBefore = tencent.calls().length;
    const ledger = ledgerFor(config);
    global.gc?.();
    const base = process.memoryUsage();
    let peakRss = base.rss;
    let peakHeap = base.heapUsed;
    const sample = () => {
      const m = process.memoryUsage();
      peakRss = Math.max(peakRss, m.rss);
      peakHeap = Math.max(peakHeap, m.heapUsed);
    };
    const sampler = setInterval(sample, 20);
    counting = true;
    const startedAt = Date.now();
    const started = performance.now();
    let report: TickReport;
    try {
      report = await trackTasks({
        config,
        ledger,
        cos: cosClientFor(config),
        clients,
        log: createLogger("bench-scale", {}, () => {}),
        deadline: invocationDeadline({ time_limit_in_ms: FUNCTION_TIME_LIMIT_MS }, startedAt),
      });
    } finally {
      clearInterval(sampler);
      counting = false;
    }
    const tickMs = performance.now() - started;
    sample();

    const upstream: ScaleRun["upstream"] = {};
    const times: Record<string, number[]> = {};
    const calls = tencent.calls().slice(callsBefore);
    for (const call of calls) {
      const key = `${call.service}.${call.action}`;
      const entry = (upstream[key] ??= { calls: 0, throttled: 0, busiestSecond: 0 });
      entry.calls++;
      if (call.errorCode === "RequestLimitExceeded") entry.throttled++;
      (times[key] ??= []).push(Date.parse(call.at));
    }
    for (const [key, list] of Object.entries(times)) (upstream[key] as { busiestSecond: number }).busiestSecond = busiestSecond(list);
    return {
      case: scaleCase,
      seedMs,
      tickMs,
      report,
      cosRequests,
      cosByMethod,
      tencentCalls: calls.length,
      upstream,
      webhooksReceived: receiver.received(),
      peakRssDeltaKb: Math.round((peakRss - base.rss) / 1024),
      peakHeapDeltaKb: Math.round((peakHeap - base.heapUsed) / 1024),
    };
  } finally {
    process.env = savedEnv;
    resetConfigCache();
    await receiver.close();
    await cosStandIn.close();
    await tencent.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** Runs every case once, in order. */
export async function measureTrackerScale(repoRoot: string, cases: readonly ScaleCase[], progress: (line: string) => void): Promise<ScaleRun[]> {
  const runs: ScaleRun[] = [];
  for (const scaleCase of cases) {
    progress(`  ${scaleCase.open.toLocaleString("en-US")} open, ${scaleCase.due.toLocaleString("en-US")} due, K = ${scaleCase.shards}`);
    runs.push(await measureScaleCase(repoRoot, scaleCase, progress));
  }
  return runs;
}

const fmt = (n: number, digits = 0) => n.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });

/** The section's table and its targets, each checked against the same runs. */
export function renderTrackerScale(runs: readonly ScaleRun[]): string[] {
  const out: string[] = [];
  out.push("| open | due | K | tick | COS requests: per tick / per due / per open | Tencent calls: per tick / per due / per open | busiest second by action (limit) | throttled | peak RSS / heap over the tick's start |");
  out.push("|---|---|---|---|---|---|---|---|---|");
  for (const run of runs) {
    const { open, due, shards } = run.case;
    const busiest = Object.entries(run.upstream)
      .map(([key, u]) => `${key} ${u.busiestSecond}${TENCENT_RATE_LIMITS[key] ? ` (${TENCENT_RATE_LIMITS[key]})` : ""}`)
      .join(", ");
    const throttled = Object.values(run.upstream).reduce((a, u) => a + u.throttled, 0);
    out.push(
      `| ${fmt(open)} | ${fmt(due)} | ${shards} | ${fmt(run.tickMs / 1000, 2)} s | ${fmt(run.cosRequests)} / ${fmt(run.cosRequests / due, 2)} / ${fmt(run.cosRequests / open, 3)} | ${fmt(run.tencentCalls)} / ${fmt(run.tencentCalls / due, 2)} / ${fmt(run.tencentCalls / open, 3)} | ${busiest} | ${throttled} | ${fmt(run.peakRssDeltaKb / 1024, 1)} / ${fmt(run.peakHeapDeltaKb / 1024, 1)} MiB |`,
    );
  }
  out.push("");
  for (const run of runs) {
    out.push(`  ${fmt(run.case.open)} open: seeded in ${fmt(run.seedMs / 1000, 1)} s; tick report ${JSON.stringify(run.report.tasks)}, deliveries ${run.report.deliveries.webhook}, webhooks received ${run.webhooksReceived}; COS ${JSON.stringify(run.cosByMethod)}`);
  }
  return out;
}

/** The issue's targets for this section. */
export function checkScaleTargets(runs: readonly ScaleRun[]): Array<{ target: string; measured: string; met: boolean }> {
  const targets: Array<{ target: string; measured: string; met: boolean }> = [];
  const k1 = runs.filter((r) => r.case.shards === 1);
  const small = k1.find((r) => r.case.open === 10_000);
  const large = k1.find((r) => r.case.open === 100_000);
  if (large) targets.push({ target: "100,000 open, 1,000 due, K = 1: tick under 20 s", measured: `${fmt(large.tickMs / 1000, 2)} s`, met: large.tickMs < 20_000 });
  if (small && large) {
    const growth = large.cosRequests / small.cosRequests - 1;
    targets.push({ target: "10,000 to 100,000 open (1,000 due): at most 10% more COS requests", measured: `${fmt(small.cosRequests)} to ${fmt(large.cosRequests)} (${growth >= 0 ? "+" : ""}${fmt(growth * 100, 1)}%)`, met: growth <= 0.1 });
  }
  const worst = Math.max(0, ...runs.flatMap((r) => Object.entries(r.upstream).map(([key, u]) => u.busiestSecond / (TENCENT_RATE_LIMITS[key] ?? Number.POSITIVE_INFINITY))));
  const throttled = runs.reduce((a, r) => a + Object.values(r.upstream).reduce((b, u) => b + u.throttled, 0), 0);
  targets.push({ target: "Tencent calls per second within the documented limits; none throttled", measured: `busiest second at ${fmt(worst * 100, 0)}% of its limit; ${throttled} throttled`, met: worst <= 1 && throttled === 0 });
  const peak = Math.max(...runs.map((r) => r.peakRssDeltaKb));
  targets.push({ target: "peak memory of a tick under 128 MB", measured: `${fmt(peak / 1024, 1)} MiB RSS over the tick's start`, met: peak < 128 * 1024 });
  return targets;
}

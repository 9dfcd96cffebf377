/**
 * Section 4: one tracker tick over a full ledger.
 *
 * Each run starts fresh stand-ins in this process (Tencent; COS over a memory-backed temp dir; a
 * webhook receiver answering 204) and seeds them. Tasks are created in the Tencent stand-in through
 * the SDK, with the seed example bodies validated as the create route validates them (the create
 * limits are raised: seeding is not what is measured), and recorded in the ledger with
 * TaskLedger.recordNewTask, as the create route records them (an open marker, a TaskRecord, and a
 * first due entry at the time the tracker's schedule first needs the task):
 *   - `finished` VOD video tasks, each with a CallbackUrl; the stand-in's clock is then moved past
 *     their end, so each has its completion event pending (a webhook is due for each);
 *   - `pending` tasks, still queued at Tencent, by kind: VOD video and image wait for their event,
 *     VOD redraw and MPS video are polled on every tick (they have no event).
 * Then one tick: `trackTasks` with the timer function's deadline (serverless.yml: 60 s), facing
 * Tencent's own limits for what a tick calls (DescribeTaskDetail, PullEvents, ConfirmEvents 100/s,
 * MPS DescribeAigcVideoTask 50/s) and PullEvents' 5 s hold once nothing is left to pull.
 * Memory: RSS and heap sampled every 20 ms during the tick, over their level when it started.
 */

import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DEV_SECRET_ID, DEV_SECRET_KEY } from "../../local/dev-credentials";
import { startCosStandIn } from "../../local/cos/server";
import { startTencentStandIn } from "../../local/tencent/server";
import { getConfig, resetConfigCache } from "../../shared/config";
import { invocationDeadline } from "../../shared/http/function";
import { createLogger } from "../../shared/log";
import type { TaskRecord } from "../../shared/tasks/ledger";
import { cosClientFor, ledgerFor } from "../../shared/tasks/services";
import { tencentClients } from "../../shared/tencent/clients";
import { trackTasks, type TickReport } from "../../shared/tracking/tracker";
import { firstDueAt } from "../../shared/tracking/schedule";
import { validateCreateRequest, type TaskKind } from "../../shared/validation";
import { summarize, type Summary } from "./stats";

export interface TrackerScenario {
  name: string;
  /** Finished VOD video tasks: one pending completion event and one webhook each. */
  finished: number;
  /** Tasks still queued at Tencent, by kind. */
  pending: Partial<Record<TaskKind, number>>;
}

/**
 * The scenario first (1,000 pending tasks and 160 events; the target applies to it), then
 * the same with 300 of the pending tasks of the kinds that are polled, which Tencent rate-limits.
 */
export const TRACKER_SCENARIOS: readonly TrackerScenario[] = [
  { name: "1,000 pending VOD tasks + 160 events", finished: 160, pending: { "vod-video": 1000 } },
  { name: "mixed: 300 of them polled (150 redraw, 150 MPS)", finished: 160, pending: { "vod-video": 700, "vod-redraw": 150, "mps-video": 150 } },
];

export interface TrackerRun {
  seedMs: number;
  tickMs: number;
  report: TickReport;
  /** Upstream calls of the tick, by `<service>.<Action>`: how many, how many refused for rate. */
  upstream: Record<string, { calls: number; throttled: number }>;
  cosRequests: number;
  webhooksReceived: number;
  logLines: number;
  peakRssDeltaKb: number;
  peakHeapDeltaKb: number;
}

export interface TrackerResult {
  scenario: TrackerScenario & { openTasks: number; events: number };
  functionTimeLimitMs: number;
  runs: TrackerRun[];
  tick: Summary;
  peakRssDeltaKb: Summary;
  failures: string[];
}

export const SUBAPPID = 251007502;
export const LEDGER_BUCKET = "aigc-bench-1250000000";
const WEBHOOK_SECRET = `whsec_${Buffer.from("bench-webhook-secret-of-32-bytes").toString("base64")}`;
const FUNCTION_TIME_LIMIT_MS = 60_000;
/** Long enough that no pending task finishes while the bench runs; VOD runs them all at once (by default, one at a time). */
const LIFECYCLE = { queuedMs: 60_000, processingMs: 600_000, vodConcurrency: 10_000 };
const SEED_CONCURRENCY = 32;

const ACTIONS: Record<TaskKind, { service: "vod" | "mps"; action: string }> = {
  "vod-video": { service: "vod", action: "CreateAigcVideoTask" },
  "vod-image": { service: "vod", action: "CreateAigcImageTask" },
  "vod-redraw": { service: "vod", action: "CreateAigcVideoRedrawTask" },
  "mps-video": { service: "mps", action: "CreateAigcVideoTask" },
  "mps-image": { service: "mps", action: "CreateAigcImageTask" },
};

/** The number of open tasks a scenario seeds. */
export function openTasksOf(scenario: TrackerScenario): number {
  return scenario.finished + Object.values(scenario.pending).reduce((a, n) => a + (n ?? 0), 0);
}

/**
 * Where the COS stand-in keeps objects: a memory-backed directory when there is one (/dev/shm), so
 * the figure is the tracker's work and not this machine's disk (COS is no local disk either).
 */
export function memoryBackedTmp(): string {
  return existsSync("/dev/shm") ? "/dev/shm" : tmpdir();
}

/** Runs `fn` over `items`, at most `limit` at a time. */
export async function mapLimit<T>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const index = next++;
        await fn(items[index] as T, index);
      }
    }),
  );
}

/** A webhook receiver that only counts what it is sent (the bench measures the tracker, not the receiver). */
export async function startReceiver(): Promise<{ url: string; received: () => number; close: () => Promise<void> }> {
  let received = 0;
  const server: Server = createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      received++;
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`,
    received: () => received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** A TaskRecord as the create route writes one. */
function taskRecord(kind: TaskKind, taskId: string, requestId: string, sessionId: string | undefined, callbackUrl: string | undefined): TaskRecord {
  const now = new Date().toISOString();
  return {
    taskId,
    kind,
    createdAt: now,
    updatedAt: now,
    ...(sessionId ? { sessionId } : {}),
    upstreamRequestId: requestId,
    origin: { type: "http", tokenId: "bench0000000000" },
    input: { prompt: "bench" },
    status: "queued",
    history: [{ status: "queued", at: now }],
    ...(callbackUrl ? { callbackUrl } : {}),
    delivery: callbackUrl ? { webhook: { state: "pending", attempts: 0 } } : {},
  };
}

/** The seed example bodies, validated as the create route does, which gives Tencent-ready params. */
export function seedParams(repoRoot: string): Record<TaskKind, Record<string, unknown>> {
  return Object.fromEntries(
    (Object.keys(ACTIONS) as TaskKind[]).map((kind) => {
      const body: unknown = JSON.parse(readFileSync(join(repoRoot, "test", "events", "bodies", `${kind}.seed.json`), "utf8"));
      const result = validateCreateRequest(kind, body);
      if (!result.ok) throw new Error(`the ${kind} seed body does not validate: ${result.issues.map((i) => i.message).join("; ")}`);
      return [kind, result.params];
    }),
  ) as Record<TaskKind, Record<string, unknown>>;
}

/** Runs a scenario `runs` times, each on fresh stand-ins. */
export async function measureTracker(repoRoot: string, scenario: TrackerScenario, runs: number, progress: (line: string) => void): Promise<TrackerResult> {
  const results: TrackerRun[] = [];
  const failures: string[] = [];
  try {
    const seeds = seedParams(repoRoot);
    for (let run = 0; run < runs; run++) {
      progress(`  ${scenario.name}: run ${run + 1} of ${runs}`);
      try {
        results.push(await oneRun(scenario, seeds, run));
      } catch (error) {
        failures.push(error instanceof Error ? error.message : String(error));
      }
    }
  } catch (error) {
    failures.push(error instanceof Error ? error.message : String(error));
  }
  return {
    scenario: { ...scenario, openTasks: openTasksOf(scenario), events: scenario.finished },
    functionTimeLimitMs: FUNCTION_TIME_LIMIT_MS,
    runs: results,
    tick: summarize(results.map((r) => r.tickMs)),
    peakRssDeltaKb: summarize(results.map((r) => r.peakRssDeltaKb)),
    failures: [...new Set(failures)],
  };
}

/** The environment a bench tick runs in: the stand-ins, the dev credentials, the bench's ledger and webhook secret. */
export function trackerBenchEnv(saved: NodeJS.ProcessEnv, tencentUrl: string, cosUrl: string): NodeJS.ProcessEnv {
  return {
    PATH: saved.PATH,
    TENCENTCLOUD_SECRETID: DEV_SECRET_ID,
    TENCENTCLOUD_SECRETKEY: DEV_SECRET_KEY,
    AIGC_VOD_ENDPOINT: tencentUrl,
    AIGC_MPS_ENDPOINT: tencentUrl,
    AIGC_VOD_SUBAPPID: String(SUBAPPID),
    AIGC_COS_ENDPOINT: cosUrl,
    AIGC_LEDGER_BUCKET: LEDGER_BUCKET,
    AIGC_WEBHOOK_SECRET: WEBHOOK_SECRET,
    AIGC_ALLOW_PRIVATE_CALLBACKS: "true",
  };
}

async function oneRun(scenario: TrackerScenario, seeds: Record<TaskKind, Record<string, unknown>>, run: number): Promise<TrackerRun> {
  const dataDir = mkdtempSync(join(memoryBackedTmp(), "aigc-bench-tracker-"));
  const tencent = await startTencentStandIn({ port: 0, rateLimits: { vod: 1e6, mps: 1e6 }, lifecycle: LIFECYCLE });
  let cosRequests = 0;
  const cosStandIn = await startCosStandIn({ port: 0, dataDir, triggers: [], log: () => void cosRequests++ });
  const receiver = await startReceiver();
  const savedEnv = process.env;
  process.env = {
    ...trackerBenchEnv(savedEnv, tencent.url, cosStandIn.url),
    // This section measures a tick over tasks that are all due, as before the due index.
    AIGC_TRACKER_POLL_SCALE: "0",
  };
  resetConfigCache();
  try {
    const config = getConfig();
    const ledger = ledgerFor(config);
    const clients = tencentClients(config);

    const seedStarted = performance.now();
    const create = async (group: string, kind: TaskKind, n: number, callbackUrl?: string) => {
      const { service, action } = ACTIONS[kind];
      await mapLimit(Array.from({ length: n }), SEED_CONCURRENCY, async (_, i) => {
        const sessionId = service === "vod" ? `bench-${run}-${group}-${kind}-${i}` : undefined;
        const params = { ...seeds[kind], ...(service === "vod" ? { SubAppId: SUBAPPID, SessionId: sessionId } : {}) };
        const answer = await clients[service].request(action, params);
        const record = taskRecord(kind, String(answer.TaskId), String(answer.RequestId), sessionId, callbackUrl);
        await ledger.recordNewTask(record, firstDueAt(record, config.trackerPollScale));
      });
    };
    await create("finished", "vod-video", scenario.finished, receiver.url);
    tencent.advance(LIFECYCLE.queuedMs + LIFECYCLE.processingMs + 1_000);
    for (const [kind, n] of Object.entries(scenario.pending) as Array<[TaskKind, number]>) await create("pending", kind, n);
    const pendingEvents = tencent.events().filter((event) => event.state === "pending").length;
    if (pendingEvents !== scenario.finished) throw new Error(`seeding left ${pendingEvents} events pending, expected ${scenario.finished}`);
    const seedMs = performance.now() - seedStarted;

    const callsBefore = tencent.calls().length;
    const cosBefore = cosRequests;
    let logLines = 0;
    const base = process.memoryUsage();
    let peakRss = base.rss;
    let peakHeap = base.heapUsed;
    const sample = () => {
      const m = process.memoryUsage();
      peakRss = Math.max(peakRss, m.rss);
      peakHeap = Math.max(peakHeap, m.heapUsed);
    };
    const sampler = setInterval(sample, 20);
    const startedAt = Date.now();
    const started = performance.now();
    let report: TickReport;
    try {
      report = await trackTasks({
        config,
        ledger,
        cos: cosClientFor(config),
        clients,
        log: createLogger(`bench-tick-${run}`, {}, () => void logLines++),
        deadline: invocationDeadline({ time_limit_in_ms: FUNCTION_TIME_LIMIT_MS }, startedAt),
      });
    } finally {
      clearInterval(sampler);
    }
    const tickMs = performance.now() - started;
    sample();

    const upstream: TrackerRun["upstream"] = {};
    for (const call of tencent.calls().slice(callsBefore)) {
      const entry = (upstream[`${call.service}.${call.action}`] ??= { calls: 0, throttled: 0 });
      entry.calls++;
      if (call.errorCode === "RequestLimitExceeded") entry.throttled++;
    }
    return {
      seedMs,
      tickMs,
      report,
      upstream,
      cosRequests: cosRequests - cosBefore,
      webhooksReceived: receiver.received(),
      logLines,
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

/**
 * One tick of the task tracker (the `task-tracker` timer function) over one shard of the tasks
 * (AIGC_TRACKER_SHARDS = K, ../tasks/shards):
 *   1. shard 0 only: pull VOD completion events, recording each outcome before confirming it, and
 *      hand the events of other shards' tasks to their due index (./tracker-events); give old
 *      open markers an entry (./migrations);
 *   2. walk the shard's due index (entries up to now), reading only the tasks that are due, not
 *      every open one: each is polled when its type's schedule says so (./schedule), delivered,
 *      then put back in the index at the time it is next due (./due-walk);
 *   3. deliver (./deliveries): task.started webhooks of running tasks that asked for one; for
 *      finished tasks, keep a copy in our bucket (AIGC_KEEP_RESULTS), write redraw results and
 *      their status sidecar into the bucket, and POST the final webhook; failed deliveries are
 *      retried at their retry time for 24 hours, then marked undeliverable, never dropped silently;
 *   4. move this shard's due entries left in another K's layout into its index (./migrations);
 *   5. stop starting work before the function's time runs out: what is left stays due.
 * Every call to Tencent first takes a slot of its action's rate budget (../tencent/rate-budget), so
 * the tick never makes Tencent throttle it; with K > 1 the calls are made inside the shard's slot of
 * the minute, so shards never spend the account's limits at once. A poll the budget cannot fit is
 * not made, and its task stays due for the next tick.
 *
 * Per task, work is serialized within the tick, and one tick per shard runs at a time (a lease in
 * the ledger), so a task record has one writer: its shard's tick.
 */

import { randomUUID } from "node:crypto";
import type { Config } from "../config";
import type { CosClient } from "../cos/client";
import { UpstreamError } from "../errors";
import type { Logger } from "../log";
import type { TaskLedger } from "../tasks/ledger";
import { spendingWindow } from "../tasks/shards";
import { callTencent } from "../tencent/call";
import type { TencentClients } from "../tencent/clients";
import { RateBudget, TENCENT_RATE_LIMITS, TRACKER_SHARE } from "../tencent/rate-budget";
import { describeTask } from "./describe";
import { STOP_MARGIN_MS, taskDeliveries } from "./deliveries";
import { dueWalk } from "./due-walk";
import { mapLimit, workSlots } from "./concurrency";
import { migrateOpenMarkers, moveStaleEntries } from "./migrations";
import { emptyReport, type TickContext, type TickReport } from "./tick-context";
import { drainEvents } from "./tracker-events";

export type { TickReport } from "./tick-context";

export interface TrackerDeps {
  config: Config;
  ledger: TaskLedger;
  cos: CosClient;
  clients: TencentClients;
  log: Logger;
  /** Epoch ms by which the tick must be over (the function's limit less a margin). */
  deadline: number;
  now?: () => number;
  /** How many tasks do COS and webhook work at once (tasks waiting for Tencent's rate budget are not counted). */
  concurrency?: number;
  /** The shard this tick works on, 0 to K - 1 (K = the ledger's shard count); default 0. */
  shard?: number;
  /** When the shard's slot of the minute began (epoch ms, real clock): its timer's scheduled time; default now. */
  slotStart?: number;
  /** The tick's share of Tencent's per-action limits; default: TRACKER_SHARE of each, on the real clock. */
  budget?: RateBudget;
  /** Test hook: runs after pulled events are recorded and before they are confirmed (a crash there must lose nothing). */
  beforeConfirm?: () => Promise<void> | void;
}

/** One tick per shard at a time: shard 0 keeps the single tracker's lease name. */
export function leaseName(shard: number): string {
  return shard === 0 ? "task-tracker" : `task-tracker-shard-${shard}`;
}

/** Only shard 0 pulls and confirms events: no other shard spends these limits, so they need no slot. */
const SLOTLESS_ACTIONS = ["vod.PullEvents", "vod.ConfirmEvents"];

/** Runs one tracker tick over one shard. */
export async function trackTasks(deps: TrackerDeps): Promise<TickReport> {
  const now = deps.now ?? Date.now;
  const started = now();
  const { ledger, config } = deps;
  const shards = ledger.due.shards;
  const shard = deps.shard ?? 0;
  if (!Number.isInteger(shard) || shard < 0 || shard >= shards) throw new RangeError(`shard ${shard} is not one of 0 to ${shards - 1}`);
  const report = emptyReport(shard, shards);
  const log = shards > 1 ? deps.log.with({ shard }) : deps.log;
  const timeLeft = () => deps.deadline - now();
  const holder = randomUUID();
  if (!(await ledger.acquireLease(leaseName(shard), holder, now(), Math.max(5_000, timeLeft() + 5_000)))) {
    log.info("tracker.skipped", { reason: "another tick holds the lease" });
    return { ...report, skipped: "another tick is running", ms: now() - started };
  }

  // Per-task serialization within this tick: events and the due walk may reach the same task.
  const chains = new Map<string, Promise<unknown>>();
  /** Tasks an event finished in this tick. */
  const finishedByEvents = new Set<string>();
  const withTask = <T>(taskId: string, fn: () => Promise<T>): Promise<T> => {
    const previous = chains.get(taskId) ?? Promise.resolve();
    const run = previous.then(fn, fn);
    chains.set(taskId, run.catch(() => undefined));
    return run;
  };
  const concurrency = deps.concurrency ?? 16;

  // Shared by everything the tick calls, events and polls alike; calls stop being started in time
  // to finish, and (K > 1) when the shard's slot of the minute ends.
  const budget = deps.budget ?? new RateBudget(TENCENT_RATE_LIMITS, TRACKER_SHARE);
  const window = shards > 1 ? { ...spendingWindow(shard, shards, deps.slotStart ?? Date.now()), exempt: SLOTLESS_ACTIONS } : undefined;
  const clients = budget.wrap(deps.clients, () => deps.deadline - STOP_MARGIN_MS, window);
  if (window && Date.now() > window.closesAt) {
    // Started after its slot (a late timer, a retried invocation): COS work and deliveries only.
    log.warn("tracker.slot-closed", { slotStart: new Date(window.opensAt).toISOString(), closedMsAgo: Date.now() - window.closesAt });
  }

  const tick: TickContext = {
    config,
    ledger,
    log,
    report,
    shard,
    now,
    timeLeft,
    inSlot: workSlots(concurrency),
    withTask,
    /** What Tencent says about a task; a forgotten one past Tencent's query window ends as TaskExpired. */
    poll: (record) =>
      describeTask(record, {
        clients,
        ...(config.vodSubAppId !== undefined ? { vodSubAppId: config.vodSubAppId } : {}),
        deadline: deps.deadline,
        attemptTimeoutMs: config.upstreamAttemptTimeoutMs,
        log,
        now,
      }),
    vodCall: (action, params) =>
      callTencent(clients.vod, { action, params, idempotent: true, deadline: deps.deadline, attemptTimeoutMs: config.upstreamAttemptTimeoutMs, log }),
    schedule: (taskId, at) => ledger.due.schedule(taskId, at),
    unschedule: (entry) => ledger.due.unschedule(entry),
    ...(deps.beforeConfirm ? { beforeConfirm: deps.beforeConfirm } : {}),
  };

  const { deliver } = taskDeliveries({ config, ledger, cos: deps.cos, log, now, timeLeft, counts: report.deliveries });
  const walk = dueWalk(tick, deliver);

  async function migrateThenWalk(): Promise<void> {
    if (shard === 0) await migrateOpenMarkers(tick, concurrency);
    await walk.processDueTasks();
    // After the walk, so moving a changed K's entries (COS work only) never takes the shard's slot
    // of Tencent calls; what it moves for this shard is walked from the next tick on.
    await moveStaleEntries(tick, concurrency);
  }

  try {
    // The event drain and the due walk run side by side, so the walk does not wait out
    // PullEvents' long poll (up to 5 s when nothing is left); per-task serialization keeps them
    // from writing one record at once. Tencent failing to answer must not stop deliveries; anything
    // else (the ledger failing, a crash) fails the tick, and the unconfirmed events come back.
    const [drained, walked] = await Promise.allSettled([
      drainEvents(tick, finishedByEvents).catch((error: unknown) => {
        if (!(error instanceof UpstreamError)) throw error;
        log.error("tracker.events-failed", { code: error.code, error });
      }),
      migrateThenWalk(),
    ]);
    if (drained.status === "rejected") throw drained.reason;
    if (walked.status === "rejected") throw walked.reason;
    // A task whose event arrived after the walk passed it is delivered in this same tick.
    await mapLimit([...finishedByEvents].filter((id) => !walk.closedIds.has(id)), concurrency, (taskId) =>
      walk.processTask(taskId).catch((error: unknown) => log.error("tracker.task-failed", { taskId, error })),
    );
  } finally {
    await ledger.releaseLease(leaseName(shard)).catch(() => undefined);
  }
  report.ms = now() - started;
  log.info("tracker.tick", { ...report });
  return report;
}

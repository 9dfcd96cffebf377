/**
 * One tick of the task tracker (the `task-tracker` timer function):
 *   1. pull VOD completion events and record each outcome before confirming it (./tracker-events);
 *   2. walk the due index (ledger due/ entries up to now), reading only the tasks that are due, not
 *      every open one: each is polled when its type's schedule says so (./schedule: VOD redraw and
 *      MPS tasks, which have no event; VOD tasks whose event is overdue; queued VOD tasks whose
 *      create asked for task.started), then put back in the index at the time it is next due;
 *   3. deliver (./deliveries): task.started webhooks of running tasks that asked for one; for
 *      finished tasks, keep a copy in our bucket (AIGC_KEEP_RESULTS), write redraw results and
 *      their status sidecar into the bucket, and POST the final webhook; failed deliveries are
 *      retried at their retry time for 24 hours, then marked undeliverable, never dropped silently;
 *   4. stop starting work before the function's time runs out: what is left stays due.
 * Every call to Tencent first takes a slot of its action's rate budget (../tencent/rate-budget), so
 * the tick never makes Tencent throttle it; a poll the budget cannot fit before the deadline is not
 * made, and its task stays due for the next tick.
 *
 * Per task, work is serialized within the tick, and one tick runs at a time (a lease in the
 * ledger), so a task record has one writer. A task's due entry moves by writing the new entry
 * first, then the record, then deleting the old entry: a crash anywhere leaves an extra entry
 * (read once more, harmlessly), never a task without one.
 */

import { randomUUID } from "node:crypto";
import type { Config } from "../config";
import type { CosClient } from "../cos/client";
import { UpstreamError } from "../errors";
import type { Logger } from "../log";
import type { DueEntry, TaskLedger, TaskRecord } from "../tasks/ledger";
import { callTencent } from "../tencent/call";
import type { TencentClients } from "../tencent/clients";
import { isRateBudgetSpent, RateBudget, TENCENT_RATE_LIMITS, TRACKER_SHARE } from "../tencent/rate-budget";
import { describeTask } from "./describe";
import { STOP_MARGIN_MS, taskDeliveries } from "./deliveries";
import { isPollDue, nextDueAt } from "./schedule";
import { applySnapshot, isFinal } from "./status";
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
  /** How many tasks are worked on at once. */
  concurrency?: number;
  /** The tick's share of Tencent's per-action limits; default: TRACKER_SHARE of each, on the real clock. */
  budget?: RateBudget;
  /** Test hook: runs after pulled events are recorded and before they are confirmed (a crash there must lose nothing). */
  beforeConfirm?: () => Promise<void> | void;
}

/** One tick at a time. */
const LEASE = "task-tracker";
/** A due task without a record is looked at again this much later (its create may still be writing it)... */
const MISSING_RECORD_RETRY_MS = 60 * 1000;
/** ...until its entry is this old: then the create failed after the entry, and no record will come. */
const MISSING_RECORD_GIVE_UP_MS = 24 * 60 * 60 * 1000;

/** Runs `fn` over `items`, at most `limit` at once. */
async function mapLimit<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const item = items[next++] as T;
      await fn(item);
    }
  });
  await Promise.all(workers);
}

function settled(record: TaskRecord): boolean {
  return Object.values(record.delivery).every((state) => !state || state.state !== "pending");
}

/** The record without the field that only says where its due entry is. */
function contentOf(record: TaskRecord): string {
  const { dueAt: _dueAt, ...rest } = record;
  return JSON.stringify(rest);
}

/** Runs one tracker tick. */
export async function trackTasks(deps: TrackerDeps): Promise<TickReport> {
  const now = deps.now ?? Date.now;
  const started = now();
  const report = emptyReport();
  const { ledger, log, config } = deps;
  const timeLeft = () => deps.deadline - now();
  const holder = randomUUID();
  if (!(await ledger.acquireLease(LEASE, holder, now(), Math.max(5_000, timeLeft() + 5_000)))) {
    log.info("tracker.skipped", { reason: "another tick holds the lease" });
    return { ...report, skipped: "another tick is running", ms: now() - started };
  }

  // Per-task serialization within this tick: events and the due walk may reach the same task.
  const chains = new Map<string, Promise<unknown>>();
  /** Tasks an event finished in this tick, tasks closed in this tick, tasks polled in this tick. */
  const finishedByEvents = new Set<string>();
  const closedIds = new Set<string>();
  const polledIds = new Set<string>();
  const withTask = <T>(taskId: string, fn: () => Promise<T>): Promise<T> => {
    const previous = chains.get(taskId) ?? Promise.resolve();
    const run = previous.then(fn, fn);
    chains.set(taskId, run.catch(() => undefined));
    return run;
  };

  // Shared by everything the tick calls, events and polls alike; calls stop being started in time to finish.
  const budget = deps.budget ?? new RateBudget(TENCENT_RATE_LIMITS, TRACKER_SHARE);
  const clients = budget.wrap(deps.clients, () => deps.deadline - STOP_MARGIN_MS);

  const tick: TickContext = {
    config,
    ledger,
    log,
    report,
    now,
    timeLeft,
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
    schedule: (taskId, at) => ledger.scheduleTask(taskId, at),
    unschedule: (entry) => ledger.unscheduleTask(entry),
    ...(deps.beforeConfirm ? { beforeConfirm: deps.beforeConfirm } : {}),
  };

  const { deliver } = taskDeliveries({ config, ledger, cos: deps.cos, log, now, timeLeft, counts: report.deliveries });
  const scale = config.trackerPollScale;

  /** Deletes the entries other than `keep` (the task's current one). */
  async function unscheduleOthers(entries: readonly DueEntry[], keep?: number): Promise<void> {
    const seen = new Set<number>();
    for (const entry of entries) {
      if (entry.at === keep || seen.has(entry.at)) continue;
      seen.add(entry.at);
      await tick.unschedule(entry);
    }
  }

  async function handleMissingRecord(taskId: string, listed: readonly DueEntry[]): Promise<void> {
    const oldest = Math.min(...listed.map((entry) => entry.at));
    if (listed.length > 0 && now() - oldest > MISSING_RECORD_GIVE_UP_MS) {
      log.warn("tracker.due-without-record", { taskId });
      await unscheduleOthers(listed);
      return;
    }
    const at = now() + MISSING_RECORD_RETRY_MS;
    await tick.schedule(taskId, at);
    await unscheduleOthers(listed, at);
  }

  /** Works on one due task: polls it when its schedule says so, delivers, then closes it or moves its due entry. */
  async function processTask(taskId: string, listed: readonly DueEntry[] = []): Promise<void> {
    if (timeLeft() < STOP_MARGIN_MS) {
      report.tasks.deferred++;
      return;
    }
    await withTask(taskId, async () => {
      if (closedIds.has(taskId)) return;
      const record = await ledger.getTask(taskId);
      if (!record) return handleMissingRecord(taskId, listed);
      const before = contentOf(record);
      const previousDue = record.dueAt !== undefined ? Date.parse(record.dueAt) : undefined;
      const entries = previousDue !== undefined && !Number.isNaN(previousDue) ? [...listed, { taskId, at: previousDue }] : [...listed];
      // A task is asked about at most once a tick, whichever way it was reached.
      if (!isFinal(record.status) && !polledIds.has(taskId) && isPollDue(record, now(), scale)) {
        polledIds.add(taskId);
        try {
          const snapshot = await tick.poll(record);
          report.tasks.polled++;
          if (applySnapshot(record, snapshot, now()) && isFinal(record.status)) report.tasks.finished++;
        } catch (error) {
          if (isRateBudgetSpent(error)) {
            // Left exactly as it was: still due, for the next tick.
            report.tasks.deferred++;
            return;
          }
          log.warn("tracker.poll-failed", { taskId, error });
        }
      }
      await deliver(record);
      const changed = contentOf(record) !== before;
      if (changed) record.updatedAt = new Date(now()).toISOString();
      const next = isFinal(record.status) && settled(record) ? undefined : nextDueAt(record, now(), scale);
      if (next === undefined) {
        if (changed) await ledger.saveTask(record);
        await ledger.closeTask(taskId);
        await unscheduleOthers(entries);
        closedIds.add(taskId);
        report.tasks.closed++;
        return;
      }
      // A task due again at once (nothing to wait for, or AIGC_TRACKER_POLL_SCALE=0) keeps the entry
      // it has: moving it would cost three COS writes for the same "due now".
      const stillDue = previousDue !== undefined && previousDue <= next && next <= now();
      const moved = next !== previousDue && !stillDue;
      if (moved) {
        await tick.schedule(taskId, next);
        record.dueAt = new Date(next).toISOString();
      }
      if (changed || moved) await ledger.saveTask(record);
      await unscheduleOthers(entries, moved ? next : previousDue);
    });
  }

  /**
   * Once, for a ledger written before the due index: every open marker without a due entry gets one,
   * due now. Until a tick gets through both listings, the next one tries again (writing twice is harmless).
   */
  async function migrateOpenMarkers(): Promise<void> {
    if (await ledger.isDueIndexComplete()) return;
    const scheduled = new Set<string>();
    let marker: string | undefined;
    do {
      const page = await ledger.listScheduledTaskIds(marker);
      for (const taskId of page.taskIds) scheduled.add(taskId);
      marker = page.nextMarker;
    } while (marker && timeLeft() >= STOP_MARGIN_MS);
    let openMarker: string | undefined;
    do {
      const page = await ledger.listOpenTaskIds(openMarker);
      const missing = page.taskIds.filter((taskId) => !scheduled.has(taskId));
      await mapLimit(missing, deps.concurrency ?? 16, (taskId) => tick.schedule(taskId, now()));
      openMarker = page.nextMarker;
    } while (openMarker && timeLeft() >= STOP_MARGIN_MS);
    if (!marker && !openMarker) await ledger.markDueIndexComplete(now());
  }

  async function processDueTasks(): Promise<void> {
    await migrateOpenMarkers();
    // Listed up to the tick's start: entries this tick writes for later are not read again by it.
    const listedUpTo = now();
    const seen = new Set<string>();
    let after: string | undefined;
    let more: boolean;
    // The first page is listed even when time is short, so the report counts what is left (deferred).
    do {
      const page = await ledger.listDueTasks(listedUpTo, after);
      const byTask = new Map<string, DueEntry[]>();
      for (const entry of page.entries) {
        if (seen.has(entry.taskId)) continue;
        const list = byTask.get(entry.taskId) ?? [];
        list.push(entry);
        byTask.set(entry.taskId, list);
      }
      for (const taskId of byTask.keys()) seen.add(taskId);
      report.tasks.due += byTask.size;
      report.tasks.open += byTask.size;
      await mapLimit([...byTask], deps.concurrency ?? 16, async ([taskId, listed]) => {
        try {
          await processTask(taskId, listed);
        } catch (error) {
          log.error("tracker.task-failed", { taskId, error });
        }
      });
      after = page.last;
      more = page.more && after !== undefined;
    } while (more && timeLeft() >= STOP_MARGIN_MS);
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
      processDueTasks(),
    ]);
    if (drained.status === "rejected") throw drained.reason;
    if (walked.status === "rejected") throw walked.reason;
    // A task whose event arrived after the walk passed it is delivered in this same tick.
    await mapLimit([...finishedByEvents].filter((id) => !closedIds.has(id)), deps.concurrency ?? 16, (taskId) =>
      processTask(taskId).catch((error: unknown) => log.error("tracker.task-failed", { taskId, error })),
    );
  } finally {
    await ledger.releaseLease(LEASE).catch(() => undefined);
  }
  report.ms = now() - started;
  log.info("tracker.tick", { ...report });
  return report;
}

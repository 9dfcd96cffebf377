/**
 * One tick of the task tracker (the `task-tracker` timer function):
 *   1. pull VOD completion events (PullEvents, up to 16 a call) and record each outcome in the
 *      ledger BEFORE confirming it (ConfirmEvents): a crash in between loses nothing, since the
 *      event comes back, and handling an event twice changes nothing;
 *   2. poll what has no event: VOD redraw tasks (DescribeTaskDetail), MPS tasks
 *      (DescribeAigcVideoTask), VOD tasks whose event is overdue, and queued VOD tasks whose
 *      create asked for task.started (the completion event says nothing about a start);
 *   3. deliver (./deliveries): task.started webhooks of running tasks that asked for one; for
 *      finished tasks, keep a copy in our bucket (AIGC_KEEP_RESULTS), write redraw results and
 *      their status sidecar into the bucket, and POST the final webhook; failed deliveries are
 *      retried on later ticks for 24 hours, then marked undeliverable, never dropped silently;
 *   4. stop starting work before the function's time runs out.
 *
 * Per task, work is serialized within the tick, and one tick runs at a time (a lease in the
 * ledger), so a task record has one writer.
 */

import { randomUUID } from "node:crypto";
import type { Config } from "../config";
import type { CosClient } from "../cos/client";
import { UpstreamError } from "../errors";
import type { Logger } from "../log";
import { isMpsKind } from "../tasks/kinds";
import type { TaskLedger, TaskRecord } from "../tasks/ledger";
import { callTencent } from "../tencent/call";
import type { TencentClients } from "../tencent/clients";
import { describeTask } from "./describe";
import { STOP_MARGIN_MS, taskDeliveries, type DeliveryCounts } from "./deliveries";
import { applySnapshot, fromVodTask, isFinal, type TaskSnapshot } from "./status";
import { awaitsStart } from "./webhook-events";

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
  /** Test hook: runs after pulled events are recorded and before they are confirmed (a crash there must lose nothing). */
  beforeConfirm?: () => Promise<void> | void;
}

export interface TickReport {
  skipped?: string;
  events: { pulled: number; handled: number; notOurs: number; confirmed: number };
  tasks: { open: number; polled: number; finished: number; closed: number; deferred: number };
  deliveries: DeliveryCounts;
  ms: number;
}

/** VOD video/image tasks are polled only when their completion event is this late. */
const EVENT_OVERDUE_MS = 10 * 60 * 1000;
/** And then at most this often. */
const OVERDUE_POLL_EVERY_MS = 60 * 1000;
/** One tick at a time. */
const LEASE = "task-tracker";

const EVENT_KINDS: Record<string, { kind: "vod-video" | "vod-image"; field: string }> = {
  AigcVideoTaskComplete: { kind: "vod-video", field: "AigcVideoCompleteEvent" },
  AigcImageTaskComplete: { kind: "vod-image", field: "AigcImageCompleteEvent" },
};

function emptyReport(): TickReport {
  return {
    events: { pulled: 0, handled: 0, notOurs: 0, confirmed: 0 },
    tasks: { open: 0, polled: 0, finished: 0, closed: 0, deferred: 0 },
    deliveries: { webhook: 0, webhookStarted: 0, bucket: 0, keep: 0, failed: 0, undeliverable: 0 },
    ms: 0,
  };
}

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

  // Per-task serialization within this tick: events and polling may reach the same task.
  const chains = new Map<string, Promise<unknown>>();
  /** Tasks an event finished in this tick, and tasks closed in this tick. */
  const finishedByEvents = new Set<string>();
  const closedIds = new Set<string>();
  const withTask = <T>(taskId: string, fn: () => Promise<T>): Promise<T> => {
    const previous = chains.get(taskId) ?? Promise.resolve();
    const run = previous.then(fn, fn);
    chains.set(taskId, run.catch(() => undefined));
    return run;
  };

  const vodCall = (action: string, params: Record<string, unknown>) =>
    callTencent(deps.clients.vod, { action, params, idempotent: true, deadline: deps.deadline, attemptTimeoutMs: config.upstreamAttemptTimeoutMs, log });

  async function handleEvent(event: Record<string, unknown>): Promise<void> {
    const type = String(event.EventType ?? "");
    const spec = EVENT_KINDS[type];
    const payload = spec ? (event[spec.field] as Record<string, unknown> | undefined) : undefined;
    const taskId = typeof payload?.TaskId === "string" ? payload.TaskId : undefined;
    if (!spec || !payload || !taskId) {
      report.events.notOurs++;
      log.info("tracker.event.ignored", { eventType: type });
      return;
    }
    await withTask(taskId, async () => {
      const record = await ledger.getTask(taskId);
      if (!record) {
        report.events.notOurs++;
        log.info("tracker.event.unknown-task", { eventType: type, taskId });
        return;
      }
      const fromEvent = fromVodTask(spec.kind, payload as Parameters<typeof fromVodTask>[1]);
      const snapshot = isFinal(fromEvent.status) && !isFinal(record.status) ? await withTencentTimes(record, fromEvent) : fromEvent;
      const changed = applySnapshot(record, snapshot, now());
      if (changed || !record.eventHandledAt) {
        record.eventHandledAt ??= new Date(now()).toISOString();
        await ledger.saveTask(record);
      }
      report.events.handled++;
      if (isFinal(record.status) && changed) report.tasks.finished++;
      if (isFinal(record.status)) finishedByEvents.add(taskId);
    });
  }

  /**
   * A completion event carries the task object but no times (EventContent.AigcVideoCompleteEvent is
   * an AigcVideoTask), so the task that ends by it is read once with DescribeTaskDetail: its record
   * then holds Tencent's FinishTime and whole answer, the same ones a query showed before the tracker
   * closed it, instead of this tick's time. Best effort: without an answer the event alone decides.
   */
  async function withTencentTimes(record: TaskRecord, fromEvent: TaskSnapshot): Promise<TaskSnapshot> {
    try {
      const described = await poll(record);
      return described.status === fromEvent.status && described.finishedAt !== undefined ? described : fromEvent;
    } catch (error) {
      if (!(error instanceof UpstreamError)) throw error;
      log.warn("tracker.event.describe-failed", { taskId: record.taskId, code: error.code });
      return fromEvent;
    }
  }

  async function drainEvents(): Promise<void> {
    if (config.vodSubAppId === undefined) return;
    while (timeLeft() > STOP_MARGIN_MS + 6_000) {
      const answer = await vodCall("PullEvents", { SubAppId: config.vodSubAppId });
      const events = (Array.isArray(answer.EventSet) ? answer.EventSet : []) as Array<Record<string, unknown>>;
      if (events.length === 0) return;
      report.events.pulled += events.length;
      // Every outcome is in the ledger before anything is confirmed.
      await Promise.all(events.map((event) => handleEvent(event)));
      await deps.beforeConfirm?.();
      const handles = events.map((event) => event.EventHandle).filter((handle): handle is string => typeof handle === "string");
      if (handles.length > 0) {
        await vodCall("ConfirmEvents", { EventHandles: handles, SubAppId: config.vodSubAppId });
        report.events.confirmed += handles.length;
      }
      if (events.length < 16) return;
    }
  }

  /** What Tencent says about a task; a forgotten one past Tencent's query window ends as TaskExpired. */
  const poll = (record: TaskRecord): Promise<TaskSnapshot> =>
    describeTask(record, {
      clients: deps.clients,
      ...(config.vodSubAppId !== undefined ? { vodSubAppId: config.vodSubAppId } : {}),
      deadline: deps.deadline,
      attemptTimeoutMs: config.upstreamAttemptTimeoutMs,
      log,
      now,
    });

  const { deliver } = taskDeliveries({ config, ledger, cos: deps.cos, log, now, timeLeft, counts: report.deliveries });

  function shouldPoll(record: TaskRecord, at: number): boolean {
    if (isMpsKind(record.kind) || record.kind === "vod-redraw") return true; // no completion event exists
    // Tencent sends an event only when a task ends: seeing it start (for task.started) takes a poll.
    if (awaitsStart(record)) return true;
    if (record.eventHandledAt) return false;
    const age = at - Date.parse(record.createdAt);
    const sinceCheck = record.lastCheckedAt ? at - Date.parse(record.lastCheckedAt) : Number.POSITIVE_INFINITY;
    return age > EVENT_OVERDUE_MS && sinceCheck > OVERDUE_POLL_EVERY_MS;
  }

  async function processTask(taskId: string): Promise<void> {
    if (timeLeft() < STOP_MARGIN_MS) {
      report.tasks.deferred++;
      return;
    }
    await withTask(taskId, async () => {
      if (closedIds.has(taskId)) return;
      const record = await ledger.getTask(taskId);
      if (!record) return; // its record is still being written
      const before = JSON.stringify(record);
      if (!isFinal(record.status) && shouldPoll(record, now())) {
        try {
          const snapshot = await poll(record);
          report.tasks.polled++;
          if (applySnapshot(record, snapshot, now()) && isFinal(record.status)) report.tasks.finished++;
        } catch (error) {
          log.warn("tracker.poll-failed", { taskId, error });
        }
      }
      await deliver(record);
      if (JSON.stringify(record) !== before) {
        record.updatedAt = new Date(now()).toISOString();
        await ledger.saveTask(record);
      }
      if (isFinal(record.status) && settled(record)) {
        await ledger.closeTask(taskId);
        closedIds.add(taskId);
        report.tasks.closed++;
      }
    });
  }

  async function processOpenTasks(): Promise<void> {
    let marker: string | undefined;
    do {
      const page = await ledger.listOpenTaskIds(marker);
      report.tasks.open += page.taskIds.length;
      await mapLimit(page.taskIds, deps.concurrency ?? 16, async (taskId) => {
        try {
          await processTask(taskId);
        } catch (error) {
          log.error("tracker.task-failed", { taskId, error });
        }
      });
      marker = page.nextMarker;
    } while (marker && timeLeft() >= STOP_MARGIN_MS);
  }

  try {
    // The event drain and the walk over open tasks run side by side, so the walk does not wait out
    // PullEvents' long poll (up to 5 s when nothing is left); per-task serialization keeps them
    // from writing one record at once. Tencent failing to answer must not stop deliveries; anything
    // else (the ledger failing, a crash) fails the tick, and the unconfirmed events come back.
    const [drained, walked] = await Promise.allSettled([
      drainEvents().catch((error: unknown) => {
        if (!(error instanceof UpstreamError)) throw error;
        log.error("tracker.events-failed", { code: error.code, error });
      }),
      processOpenTasks(),
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

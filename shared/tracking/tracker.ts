/**
 * One tick of the task tracker (the `task-tracker` timer function):
 *   1. pull VOD completion events (PullEvents, up to 16 a call) and record each outcome in the
 *      ledger BEFORE confirming it (ConfirmEvents): a crash in between loses nothing, since the
 *      event comes back, and handling an event twice changes nothing;
 *   2. poll what has no event: VOD redraw tasks (DescribeTaskDetail), MPS tasks
 *      (DescribeAigcVideoTask), and VOD tasks whose event is overdue;
 *   3. deliver finished tasks: keep a copy in our bucket (AIGC_KEEP_RESULTS), write redraw results
 *      and their status sidecar into the bucket, and POST signed webhooks; failed deliveries are
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
import { redact } from "../log";
import { isMpsKind } from "../tasks/kinds";
import type { TaskLedger, TaskOutput, TaskRecord } from "../tasks/ledger";
import { callTencent } from "../tencent/call";
import type { TencentClients } from "../tencent/clients";
import { describeTask } from "./describe";
import { copyUrlToBucket, RESULT_EXTENSIONS } from "./results";
import { applySnapshot, fromVodTask, isFinal, type TaskSnapshot } from "./status";
import { buildTaskEvent, deliverWebhook, isDeliveryDue, markDelivered, markUndeliverable, nextAttempt, webhookIdFor } from "./webhooks";

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
  deliveries: { webhook: number; bucket: number; keep: number; failed: number; undeliverable: number };
  ms: number;
}

/** Work is not started with less time than this left: a poll or a delivery needs room to finish. */
const STOP_MARGIN_MS = 3_000;
/** VOD video/image tasks are polled only when their completion event is this late. */
const EVENT_OVERDUE_MS = 10 * 60 * 1000;
/** And then at most this often. */
const OVERDUE_POLL_EVERY_MS = 60 * 1000;
/** One tick at a time. */
const LEASE = "task-tracker";
/** A webhook receiver gets this long to answer. */
const WEBHOOK_TIMEOUT_MS = 10_000;
/** Kept results are served as presigned URLs this long. */
const KEPT_URL_TTL_SECONDS = 7 * 24 * 60 * 60;

const EVENT_KINDS: Record<string, { kind: "vod-video" | "vod-image"; field: string }> = {
  AigcVideoTaskComplete: { kind: "vod-video", field: "AigcVideoCompleteEvent" },
  AigcImageTaskComplete: { kind: "vod-image", field: "AigcImageCompleteEvent" },
};

function emptyReport(): TickReport {
  return {
    events: { pulled: 0, handled: 0, notOurs: 0, confirmed: 0 },
    tasks: { open: 0, polled: 0, finished: 0, closed: 0, deferred: 0 },
    deliveries: { webhook: 0, bucket: 0, keep: 0, failed: 0, undeliverable: 0 },
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

  function shouldPoll(record: TaskRecord, at: number): boolean {
    if (isMpsKind(record.kind) || record.kind === "vod-redraw") return true; // no completion event exists
    if (record.eventHandledAt) return false;
    const age = at - Date.parse(record.createdAt);
    const sinceCheck = record.lastCheckedAt ? at - Date.parse(record.lastCheckedAt) : Number.POSITIVE_INFINITY;
    return age > EVENT_OVERDUE_MS && sinceCheck > OVERDUE_POLL_EVERY_MS;
  }

  async function keepResults(record: TaskRecord, signal: AbortSignal): Promise<void> {
    const ledgerRef = ledger.ref;
    const outputs = record.outputs ?? [];
    for (const [index, output] of outputs.entries()) {
      if (output.kept || !output.url) continue;
      const key = `${config.resultsPrefix}${record.taskId}/${index}.${RESULT_EXTENSIONS[output.type]}`;
      await copyUrlToBucket(deps.cos, output.url, ledgerRef, key, signal);
      output.kept = { bucket: ledgerRef.bucket, region: ledgerRef.region, key };
    }
  }

  async function writeToBucket(record: TaskRecord, signal: AbortSignal): Promise<void> {
    const target = record.output;
    if (!target) return;
    const ref = { bucket: target.bucket, region: target.region };
    const output = record.outputs?.[0];
    if (record.status === "succeeded") {
      if (output?.kept) {
        const source = deps.cos.presignGetUrl({ bucket: output.kept.bucket, region: output.kept.region }, output.kept.key, 3600);
        await copyUrlToBucket(deps.cos, source, ref, target.key, signal);
      } else if (output?.url) {
        await copyUrlToBucket(deps.cos, output.url, ref, target.key, signal);
      } else {
        throw new Error("the task succeeded without an output URL (permanent storage gives a FileId only)");
      }
    }
    const upload = record.origin.type === "cos-upload" ? await ledger.getUpload(record.origin.uploadSessionId) : undefined;
    const sidecar = {
      taskId: record.taskId,
      status: record.status,
      ...(upload ? { source: { bucket: upload.source.bucket, key: upload.source.key } } : {}),
      output: record.status === "succeeded" ? { bucket: target.bucket, key: target.key } : null,
      createdAt: record.createdAt,
      finishedAt: record.finishedAt,
      durationSeconds: record.finishedAt ? Math.round((Date.parse(record.finishedAt) - Date.parse(record.createdAt)) / 1000) : undefined,
      ...(record.error ? { error: record.error } : {}),
    };
    await deps.cos.putObject(ref, target.sidecarKey, JSON.stringify(sidecar, null, 2), { contentType: "application/json" });
  }

  function publishedOutputs(record: TaskRecord): TaskOutput[] {
    return (record.outputs ?? []).map((output) =>
      output.kept
        ? {
            type: output.type,
            url: deps.cos.presignGetUrl({ bucket: output.kept.bucket, region: output.kept.region }, output.kept.key, KEPT_URL_TTL_SECONDS),
            expiresAt: new Date(now() + KEPT_URL_TTL_SECONDS * 1000).toISOString(),
          }
        : output,
    );
  }

  /** A failed delivery attempt, with what the receiver said about retrying. */
  class DeliveryFailure extends Error {
    constructor(
      message: string,
      readonly retryAfterMs?: number,
      readonly final = false,
    ) {
      super(message);
    }
  }

  async function attempt(record: TaskRecord, name: "keep" | "bucket" | "webhook", work: (signal: AbortSignal) => Promise<void>): Promise<void> {
    const state = record.delivery[name];
    if (!state || !isDeliveryDue(state, now())) return;
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), Math.max(1_000, timeLeft() - STOP_MARGIN_MS));
    try {
      await work(controller.signal);
      record.delivery[name] = markDelivered(state, now());
      report.deliveries[name]++;
      log.info(`tracker.delivered.${name}`, { taskId: record.taskId, attempts: record.delivery[name]?.attempts });
    } catch (error) {
      const message = String(redact((error as Error).message ?? error));
      const failure = error instanceof DeliveryFailure ? error : undefined;
      const next = failure?.final
        ? markUndeliverable(state, now(), message)
        : nextAttempt(state, now(), { error: message, ...(failure?.retryAfterMs !== undefined ? { retryAfterMs: failure.retryAfterMs } : {}) });
      record.delivery[name] = next;
      report.deliveries.failed++;
      if (next.state === "undeliverable") {
        report.deliveries.undeliverable++;
        log.error(`tracker.undeliverable.${name}`, { taskId: record.taskId, attempts: next.attempts, lastError: next.lastError });
      } else {
        log.warn(`tracker.delivery-failed.${name}`, { taskId: record.taskId, attempts: next.attempts, nextAttemptAt: next.nextAttemptAt, error: next.lastError });
      }
    } finally {
      clearTimeout(timer);
    }
  }

  async function deliver(record: TaskRecord): Promise<void> {
    if (config.keepResults && record.status === "succeeded" && !record.delivery.keep) record.delivery.keep = { state: "pending", attempts: 0 };
    if (record.output && !record.delivery.bucket) record.delivery.bucket = { state: "pending", attempts: 0 };
    if (record.callbackUrl && !record.delivery.webhook) record.delivery.webhook = { state: "pending", attempts: 0 };
    // Keep first: the bucket copy and the webhook then point at our own copy.
    await attempt(record, "keep", (signal) => keepResults(record, signal));
    if (record.delivery.keep?.state === "pending") return;
    await attempt(record, "bucket", (signal) => writeToBucket(record, signal));
    const callbackUrl = record.callbackUrl;
    if (callbackUrl) {
      await attempt(record, "webhook", async () => {
        if (!config.webhookSecret) throw new Error("AIGC_WEBHOOK_SECRET is not set, so webhooks cannot be signed");
        const event = buildTaskEvent(record, { outputs: publishedOutputs(record) });
        const result = await deliverWebhook(callbackUrl, {
          id: webhookIdFor(record.taskId, event.type),
          body: JSON.stringify(event),
          secret: config.webhookSecret,
          timeoutMs: Math.min(WEBHOOK_TIMEOUT_MS, Math.max(1_000, timeLeft() - STOP_MARGIN_MS)),
          allowPrivate: config.allowPrivateCallbacks,
        });
        // 410 Gone is Standard Webhooks' "stop sending"; everything else is retried for 24 h.
        if (!result.delivered) throw new DeliveryFailure(result.error, result.retryAfterMs, result.status === 410);
      });
    }
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
      if (isFinal(record.status)) await deliver(record);
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

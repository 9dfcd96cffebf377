/**
 * The event half of a tracker tick: VOD completion events pulled with PullEvents (up to 16 a call),
 * each outcome recorded in the ledger BEFORE the events are confirmed with ConfirmEvents, so a crash
 * in between loses nothing (the events come back, and handling an event twice changes nothing).
 * A task an event finishes is made due at once in the due index, so its deliveries do not wait for
 * the schedule it had while it was running.
 *
 * PullEvents is per SubAppId, so one shard pulls (shard 0). A task of another shard has exactly one
 * writer, that shard's tick, so its event is not applied here: it is handed off as an event entry
 * in the task's shard's due index (due now, holding the event), and that shard applies it
 * (`applyEvent`) on its next tick. The entry is written before the event is confirmed.
 */

import { createHash } from "node:crypto";
import { UpstreamError } from "../errors";
import type { TaskRecord } from "../tasks/ledger";
import { STOP_MARGIN_MS } from "./deliveries";
import { applySnapshot, fromVodTask, isFinal, type TaskSnapshot } from "./status";
import type { TickContext } from "./tick-context";

const EVENT_KINDS: Record<string, { kind: "vod-video" | "vod-image"; field: string }> = {
  AigcVideoTaskComplete: { kind: "vod-video", field: "AigcVideoCompleteEvent" },
  AigcImageTaskComplete: { kind: "vod-image", field: "AigcImageCompleteEvent" },
};

/** PullEvents returns at most this many events a call; fewer means the queue is empty. */
const PULL_BATCH = 16;

/** A completion event of a task: its type, its task, and the task object it carries. */
export interface TaskEvent {
  type: string;
  kind: "vod-video" | "vod-image";
  taskId: string;
  /** The event without its handle: what an event entry keeps. */
  body: Record<string, unknown>;
  payload: Record<string, unknown>;
}

/** The task completion event in a VOD event (EventContent), or undefined for any other event. */
export function taskEventOf(event: Record<string, unknown>): TaskEvent | undefined {
  const type = String(event.EventType ?? "");
  const spec = EVENT_KINDS[type];
  const payload = spec ? (event[spec.field] as Record<string, unknown> | undefined) : undefined;
  if (!spec || !payload || typeof payload !== "object" || typeof payload.TaskId !== "string") return undefined;
  return { type, kind: spec.kind, taskId: payload.TaskId, body: { EventType: type, [spec.field]: payload }, payload };
}

/** An event entry's id: the same event pulled twice is one entry. */
export function eventIdOf(event: TaskEvent): string {
  return createHash("sha256").update(JSON.stringify(event.body)).digest("base64url").slice(0, 22);
}

/**
 * Applies a completion event to its task's record in memory (the caller saves it): the status it
 * carries and when the event was handled. Returns whether the task ended by it.
 */
export async function applyEvent(tick: TickContext, record: TaskRecord, event: TaskEvent): Promise<boolean> {
  const wasFinal = isFinal(record.status);
  const fromEvent = fromVodTask(event.kind, event.payload as Parameters<typeof fromVodTask>[1]);
  const snapshot = isFinal(fromEvent.status) && !wasFinal ? await withTencentTimes(tick, record, fromEvent) : fromEvent;
  const changed = applySnapshot(record, snapshot, tick.now());
  record.eventHandledAt ??= new Date(tick.now()).toISOString();
  tick.report.events.handled++;
  const ended = isFinal(record.status) && changed && !wasFinal;
  if (ended) tick.report.tasks.finished++;
  return ended;
}

/**
 * A completion event carries the task object but no times (EventContent.AigcVideoCompleteEvent is
 * an AigcVideoTask), so the task that ends by it is read once with DescribeTaskDetail: its record
 * then holds Tencent's FinishTime and whole answer, the same ones a query showed before the tracker
 * closed it, instead of this tick's time. Best effort: without an answer the event alone decides.
 */
async function withTencentTimes(tick: TickContext, record: TaskRecord, fromEvent: TaskSnapshot): Promise<TaskSnapshot> {
  try {
    const described = await tick.poll(record);
    return described.status === fromEvent.status && described.finishedAt !== undefined ? described : fromEvent;
  } catch (error) {
    if (!(error instanceof UpstreamError)) throw error;
    tick.log.warn("tracker.event.describe-failed", { taskId: record.taskId, code: error.code });
    return fromEvent;
  }
}

/** Pulls and confirms VOD completion events until none are left or the tick's time runs short (PullEvents, ConfirmEvents). */
export async function drainEvents(tick: TickContext, finishedByEvents: Set<string>): Promise<void> {
  const { config, ledger, log, report, now } = tick;
  if (config.vodSubAppId === undefined || tick.shard !== 0) return;
  const subAppId = config.vodSubAppId;

  async function handleEvent(raw: Record<string, unknown>): Promise<void> {
    const event = taskEventOf(raw);
    if (!event) {
      report.events.notOurs++;
      log.info("tracker.event.ignored", { eventType: String(raw.EventType ?? "") });
      return;
    }
    const { taskId } = event;
    if (ledger.due.shardOf(taskId) !== tick.shard) {
      if (!(await ledger.hasTask(taskId))) return unknownTask(event);
      await ledger.due.handOffEvent(taskId, now(), eventIdOf(event), event.body);
      report.events.handedOff++;
      return;
    }
    await tick.withTask(taskId, async () => {
      const record = await ledger.getTask(taskId);
      if (!record) return unknownTask(event);
      const before = JSON.stringify(record);
      await applyEvent(tick, record, event);
      const previousDue = record.dueAt;
      if (isFinal(record.status) && (previousDue === undefined || Date.parse(previousDue) > now())) {
        // The new entry is written before the record names it: a crash leaves an extra entry, never none.
        const at = now();
        await tick.schedule(taskId, at);
        record.dueAt = new Date(at).toISOString();
      }
      if (JSON.stringify(record) !== before) await ledger.saveTask(record);
      if (previousDue !== undefined && record.dueAt !== previousDue) await tick.unschedule({ taskId, at: Date.parse(previousDue) });
      if (isFinal(record.status)) finishedByEvents.add(taskId);
    });
  }

  function unknownTask(event: TaskEvent): void {
    report.events.notOurs++;
    log.info("tracker.event.unknown-task", { eventType: event.type, taskId: event.taskId });
  }

  while (tick.timeLeft() > STOP_MARGIN_MS + 6_000) {
    const answer = await tick.vodCall("PullEvents", { SubAppId: subAppId });
    const events = (Array.isArray(answer.EventSet) ? answer.EventSet : []) as Array<Record<string, unknown>>;
    if (events.length === 0) return;
    report.events.pulled += events.length;
    // Every outcome is in the ledger (or in its shard's due index) before anything is confirmed.
    await Promise.all(events.map((event) => handleEvent(event)));
    await tick.beforeConfirm?.();
    const handles = events.map((event) => event.EventHandle).filter((handle): handle is string => typeof handle === "string");
    if (handles.length > 0) {
      await tick.vodCall("ConfirmEvents", { EventHandles: handles, SubAppId: subAppId });
      report.events.confirmed += handles.length;
    }
    if (events.length < PULL_BATCH) return;
  }
}

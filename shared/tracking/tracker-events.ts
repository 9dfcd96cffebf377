/**
 * The event half of a tracker tick: VOD completion events pulled with PullEvents (up to 16 a call),
 * each outcome recorded in the ledger BEFORE the events are confirmed with ConfirmEvents, so a crash
 * in between loses nothing (the events come back, and handling an event twice changes nothing).
 * A task an event finishes is made due at once in the due index, so its deliveries do not wait for
 * the schedule it had while it was running.
 */

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

/** Pulls and confirms VOD completion events until none are left or the tick's time runs short (PullEvents, ConfirmEvents). */
export async function drainEvents(tick: TickContext, finishedByEvents: Set<string>): Promise<void> {
  const { config, ledger, log, report, now } = tick;
  if (config.vodSubAppId === undefined) return;
  const subAppId = config.vodSubAppId;

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
    await tick.withTask(taskId, async () => {
      const record = await ledger.getTask(taskId);
      if (!record) {
        report.events.notOurs++;
        log.info("tracker.event.unknown-task", { eventType: type, taskId });
        return;
      }
      const fromEvent = fromVodTask(spec.kind, payload as Parameters<typeof fromVodTask>[1]);
      const snapshot = isFinal(fromEvent.status) && !isFinal(record.status) ? await withTencentTimes(record, fromEvent) : fromEvent;
      const changed = applySnapshot(record, snapshot, now());
      const previousDue = record.dueAt;
      if (isFinal(record.status) && (previousDue === undefined || Date.parse(previousDue) > now())) {
        // The new entry is written before the record names it: a crash leaves an extra entry, never none.
        const at = now();
        await tick.schedule(taskId, at);
        record.dueAt = new Date(at).toISOString();
      }
      if (changed || !record.eventHandledAt || record.dueAt !== previousDue) {
        record.eventHandledAt ??= new Date(now()).toISOString();
        await ledger.saveTask(record);
      }
      if (previousDue !== undefined && record.dueAt !== previousDue) await tick.unschedule({ taskId, at: Date.parse(previousDue) });
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
      const described = await tick.poll(record);
      return described.status === fromEvent.status && described.finishedAt !== undefined ? described : fromEvent;
    } catch (error) {
      if (!(error instanceof UpstreamError)) throw error;
      log.warn("tracker.event.describe-failed", { taskId: record.taskId, code: error.code });
      return fromEvent;
    }
  }

  while (tick.timeLeft() > STOP_MARGIN_MS + 6_000) {
    const answer = await tick.vodCall("PullEvents", { SubAppId: subAppId });
    const events = (Array.isArray(answer.EventSet) ? answer.EventSet : []) as Array<Record<string, unknown>>;
    if (events.length === 0) return;
    report.events.pulled += events.length;
    // Every outcome is in the ledger before anything is confirmed.
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

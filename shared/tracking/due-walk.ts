/**
 * The due half of a tracker tick: walks the shard's due index up to the tick's start and works on
 * each due task: applies the events handed to it, polls it when its type's schedule says so, runs
 * its deliveries, then closes it or moves its due entry to when it is next due.
 *
 * Up to IN_FLIGHT tasks of a listed page are in hand at once, but COS and webhook work take one of
 * the tick's work slots (TickContext.inSlot), and waiting for Tencent's rate budget takes none:
 * tasks waiting for a busy action (300 MPS polls at 40 a second) do not hold up the others.
 *
 * A task's due entry moves by writing the new entry first, then the record, then deleting the old
 * entries: a crash anywhere leaves an extra entry (read once more, harmlessly), never a task without one.
 */

import type { DueEntry, TaskRecord } from "../tasks/ledger";
import { isRateBudgetSpent } from "../tencent/rate-budget";
import { mapLimit } from "./concurrency";
import { STOP_MARGIN_MS } from "./deliveries";
import { isPollDue, nextDueAt } from "./schedule";
import { applySnapshot, isFinal } from "./status";
import type { TickContext } from "./tick-context";
import { applyEvent, taskEventOf } from "./tracker-events";

/**
 * How many tasks are in hand at once, most of them waiting for a rate budget slot: enough that the
 * tasks of a busy action (300 MPS video polls take 7.5 s) leave room for the others, few enough
 * that a page's records are not all held at once.
 */
const IN_FLIGHT = 256;

/** A due task without a record is looked at again this much later (its create may still be writing it)... */
const MISSING_RECORD_RETRY_MS = 60 * 1000;
/** ...until its entry is this old: then the create failed after the entry, and no record will come. */
const MISSING_RECORD_GIVE_UP_MS = 24 * 60 * 60 * 1000;

function settled(record: TaskRecord): boolean {
  return Object.values(record.delivery).every((state) => !state || state.state !== "pending");
}

/** The record without the field that only says where its due entry is. */
function contentOf(record: TaskRecord): string {
  const { dueAt: _dueAt, ...rest } = record;
  return JSON.stringify(rest);
}

export interface DueWalk {
  /** Works on one task: `listed` are its entries the listing found (none when an event reached it). */
  processTask(taskId: string, listed?: readonly DueEntry[]): Promise<void>;
  /** Lists the shard's due entries up to now, page by page, and works on each task. */
  processDueTasks(): Promise<void>;
  /** Tasks closed in this tick. */
  closedIds: ReadonlySet<string>;
}

export function dueWalk(tick: TickContext, deliver: (record: TaskRecord) => Promise<void>): DueWalk {
  const { ledger, log, report, now, timeLeft } = tick;
  const scale = tick.config.trackerPollScale;
  const closedIds = new Set<string>();
  const polledIds = new Set<string>();

  /** Deletes the entries other than the plain entry at `keep` (the task's current one). */
  async function unscheduleOthers(entries: readonly DueEntry[], keep?: number): Promise<void> {
    const seen = new Set<string>();
    for (const entry of entries) {
      const id = `${entry.at}~${entry.event ?? ""}`;
      if ((entry.at === keep && !entry.event) || seen.has(id)) continue;
      seen.add(id);
      await tick.unschedule(entry);
    }
  }

  async function handleMissingRecord(taskId: string, listed: readonly DueEntry[]): Promise<void> {
    // Events are handed off only for tasks whose record exists: one without is not ours any more.
    const events = listed.filter((entry) => entry.event);
    report.events.notOurs += events.length;
    await unscheduleOthers(events);
    const plain = listed.filter((entry) => !entry.event);
    if (plain.length === 0) return;
    const oldest = Math.min(...plain.map((entry) => entry.at));
    if (now() - oldest > MISSING_RECORD_GIVE_UP_MS) {
      log.warn("tracker.due-without-record", { taskId });
      await unscheduleOthers(plain);
      return;
    }
    const at = now() + MISSING_RECORD_RETRY_MS;
    await tick.schedule(taskId, at);
    await unscheduleOthers(plain, at);
  }

  /** Reads the task's record in a work slot; undefined when there is none or no time is left. */
  function readRecord(taskId: string, listed: readonly DueEntry[]): Promise<TaskRecord | undefined> {
    return tick.inSlot(async () => {
      if (timeLeft() < STOP_MARGIN_MS) {
        report.tasks.deferred++;
        return undefined;
      }
      const record = await ledger.getTask(taskId);
      if (!record) await handleMissingRecord(taskId, listed);
      return record;
    });
  }

  /** Applies the events other shards' pullers handed to this task. */
  async function applyHandedEvents(record: TaskRecord, listed: readonly DueEntry[]): Promise<void> {
    for (const entry of listed) {
      if (!entry.event) continue;
      const body = await tick.inSlot(() => ledger.due.readEvent(entry));
      const event = body ? taskEventOf(body) : undefined;
      if (event?.taskId === record.taskId) await applyEvent(tick, record, event);
    }
  }

  async function processTask(taskId: string, listed: readonly DueEntry[] = []): Promise<void> {
    await tick.withTask(taskId, async () => {
      if (closedIds.has(taskId)) return;
      const record = await readRecord(taskId, listed);
      if (!record) return;
      const before = contentOf(record);
      const previousDue = record.dueAt !== undefined ? Date.parse(record.dueAt) : undefined;
      const entries = previousDue !== undefined && !Number.isNaN(previousDue) ? [...listed, { taskId, at: previousDue }] : [...listed];
      await applyHandedEvents(record, listed);
      // A task is asked about at most once a tick, whichever way it was reached.
      if (!isFinal(record.status) && !polledIds.has(taskId) && isPollDue(record, now(), scale)) {
        polledIds.add(taskId);
        try {
          const snapshot = await tick.poll(record);
          report.tasks.polled++;
          if (applySnapshot(record, snapshot, now()) && isFinal(record.status)) report.tasks.finished++;
        } catch (error) {
          // No rate budget left before the slot ends: the poll stays due, for the next tick.
          if (isRateBudgetSpent(error)) report.tasks.deferred++;
          else log.warn("tracker.poll-failed", { taskId, error });
        }
      }
      await tick.inSlot(async () => {
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
        // A task due again at once (nothing to wait for, a deferred poll, or AIGC_TRACKER_POLL_SCALE=0)
        // keeps the entry it has: moving it would cost three COS writes for the same "due now".
        const stillDue = previousDue !== undefined && previousDue <= next && next <= now();
        const moved = next !== previousDue && !stillDue;
        if (moved) {
          await tick.schedule(taskId, next);
          record.dueAt = new Date(next).toISOString();
        }
        if (changed || moved) await ledger.saveTask(record);
        await unscheduleOthers(entries, moved ? next : previousDue);
      });
    });
  }

  async function processDueTasks(): Promise<void> {
    // Listed up to the tick's start: entries this tick writes for later are not read again by it.
    const listedUpTo = now();
    const seen = new Set<string>();
    let after: string | undefined;
    let more: boolean;
    // The first page is listed even when time is short, so the report counts what is left (deferred).
    do {
      const page = await ledger.due.list(tick.shard, listedUpTo, after);
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
      await mapLimit([...byTask], IN_FLIGHT, ([taskId, listed]) => processTask(taskId, listed).catch((error: unknown) => log.error("tracker.task-failed", { taskId, error })));
      after = page.last;
      more = page.more && after !== undefined;
    } while (more && timeLeft() >= STOP_MARGIN_MS);
  }

  return { processTask, processDueTasks, closedIds };
}

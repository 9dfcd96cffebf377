/**
 * When the tracker next needs to look at a task, which is what the ledger's due index holds.
 *
 * A tick reads only the tasks that are due, so each task says when it next matters: a poll (the
 * kinds without a completion event, and queued VOD tasks that asked for task.started), the check
 * of a VOD task whose completion event is overdue, or a delivery retry. Polls follow a schedule per
 * task type: the first one when such a task usually finishes, then a wait of a quarter of the
 * task's age (so a task twice as old is asked half as often), at least MIN_POLL_WAIT_MS, at most the
 * type's cap. Nothing here reads or writes: it is a pure function of the record and the clock.
 */

import type { DeliveryState, TaskRecord } from "../tasks/ledger";
import type { TaskKind } from "../validation";
import { isFinal } from "./status";
import { awaitsStart } from "./webhook-events";

/** When a poll of a task type is first worth making, and how long the wait between polls grows to. */
export interface PollPlan {
  firstPollMs: number;
  capMs: number;
}

const SECOND = 1_000;
const MINUTE = 60 * SECOND;

/**
 * Typical durations at Tencent: images end within about half a minute, videos and redraws in a few
 * minutes. The caps keep a slow task's answer at most that late.
 */
export const POLL_PLANS: Readonly<Record<TaskKind, PollPlan>> = {
  "vod-video": { firstPollMs: 2 * MINUTE, capMs: 10 * MINUTE },
  "vod-image": { firstPollMs: 20 * SECOND, capMs: 5 * MINUTE },
  "vod-redraw": { firstPollMs: 2 * MINUTE, capMs: 10 * MINUTE },
  "mps-video": { firstPollMs: 2 * MINUTE, capMs: 10 * MINUTE },
  "mps-image": { firstPollMs: 20 * SECOND, capMs: 5 * MINUTE },
};

/** The shortest wait between two polls of one task. */
export const MIN_POLL_WAIT_MS = 15 * SECOND;
/** A queued task that asked for task.started is first asked this soon: starting takes seconds. */
const START_FIRST_POLL_MS = 30 * SECOND;
/** VOD video/image tasks are polled only when their completion event is this late... */
export const EVENT_OVERDUE_MS = 10 * MINUTE;
/** ...and then at most this often (events, not polls, are how VOD tasks are meant to end). */
const OVERDUE_MIN_WAIT_MS = MINUTE;

function time(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const parsed = Date.parse(value);
  return Number.isNaN(parsed) ? undefined : parsed;
}

/**
 * True when a pending delivery's next attempt is due at `now` (a new one is due at once). Here,
 * not in ./webhooks, so the create functions (which write a task's first due time) do not bundle
 * the webhook sender.
 */
export function isDeliveryDue(state: DeliveryState, now: number): boolean {
  if (state.state !== "pending") return false;
  const next = time(state.nextAttemptAt);
  return next === undefined || next <= now;
}

/** When the poll after the last one is worth making: `firstPollMs` after creation, then a quarter of the age at the last check. */
function nextPollAt(record: TaskRecord, plan: PollPlan, minWaitMs: number, scale: number): number {
  const created = time(record.createdAt) ?? 0;
  const checked = time(record.lastCheckedAt);
  if (checked === undefined) return created + plan.firstPollMs * scale;
  const wait = Math.min(plan.capMs, Math.max(minWaitMs, (checked - created) / 4));
  return checked + wait * scale;
}

/** The epoch ms at which Tencent should next be asked about a task; undefined when events tell us instead. */
export function pollDueAt(record: TaskRecord, scale: number): number | undefined {
  if (isFinal(record.status)) return undefined;
  const plan = POLL_PLANS[record.kind];
  const polled = record.kind === "vod-redraw" || record.kind === "mps-video" || record.kind === "mps-image";
  if (polled) return nextPollAt(record, plan, MIN_POLL_WAIT_MS, scale);
  // Tencent sends an event only when a task ends: seeing it start (for task.started) takes a poll.
  if (awaitsStart(record)) return nextPollAt(record, { ...plan, firstPollMs: Math.min(plan.firstPollMs, START_FIRST_POLL_MS) }, MIN_POLL_WAIT_MS, scale);
  if (record.eventHandledAt) return undefined;
  const overdueAt = (time(record.createdAt) ?? 0) + EVENT_OVERDUE_MS;
  const checked = time(record.lastCheckedAt);
  if (checked === undefined || checked < overdueAt) return overdueAt;
  return nextPollAt(record, plan, OVERDUE_MIN_WAIT_MS, 1);
}

/** Whether a tick at `now` should ask Tencent about the task. */
export function isPollDue(record: TaskRecord, now: number, scale: number): boolean {
  const at = pollDueAt(record, scale);
  return at !== undefined && at <= now;
}

/**
 * When a task is next due for the tracker (a poll, an overdue-event check, a delivery attempt), or
 * undefined when nothing about it will ever be due again (final and every delivery settled).
 */
export function nextDueAt(record: TaskRecord, now: number, scale: number): number | undefined {
  const candidates: number[] = [];
  const poll = pollDueAt(record, scale);
  if (poll !== undefined) candidates.push(poll);
  const final = isFinal(record.status);
  for (const [name, state] of Object.entries(record.delivery)) {
    // Before the end only task.started can go out: a pending final webhook waits for the task, not the clock.
    if (!state || state.state !== "pending" || (!final && name !== "webhookStarted")) continue;
    candidates.push(isDeliveryDue(state, now) ? now : (time(state.nextAttemptAt) ?? now));
  }
  // A VOD task whose event came without ending it is not expected; look again now and then anyway.
  if (candidates.length === 0) return final ? undefined : now + POLL_PLANS[record.kind].capMs;
  return Math.max(now, Math.min(...candidates));
}

/**
 * When the tracker first needs a task just created: its first poll, its overdue-event check, or
 * at once when it asked for task.started. Written as its first due entry at creation.
 */
export function firstDueAt(record: TaskRecord, scale: number): number {
  const created = time(record.createdAt) ?? Date.now();
  return nextDueAt(record, created, scale) ?? created;
}

/**
 * Which webhook events a task sends (the create body's own `WebhookEvents` field, never Tencent's)
 * and which delivery of the task record carries each one.
 *
 * - Absent, a task sends the two final events, as it did before WebhookEvents existed, so records
 *   written before it (which have no `webhookEvents`) behave as they always did.
 * - `task.started` is sent once Tencent has been seen reporting the task processing (a `running`
 *   entry in the record's history). A task first seen when already final never was seen running and
 *   gets no `task.started`: the product does not send an event for something it did not observe.
 * - Each event has its own delivery state, so its retries, 410 and undeliverable handling are
 *   those of any delivery: `webhook` (the final event, the key it always had) and `webhookStarted`.
 */

import type { TaskRecord } from "../tasks/ledger";
import { isFinal } from "./status";
import type { TaskEventType } from "./webhooks";

/** Every event a create may ask for, in the order a task sends them. */
export const WEBHOOK_EVENT_TYPES: readonly TaskEventType[] = ["task.started", "task.succeeded", "task.failed"];

/** What a task without WebhookEvents sends: the two final events. */
export const DEFAULT_WEBHOOK_EVENTS: readonly TaskEventType[] = ["task.succeeded", "task.failed"];

/** The delivery (a key of TaskRecord.delivery) that carries each event. */
export type WebhookDeliveryName = "webhook" | "webhookStarted";

/** Reads a WebhookEvents value: a non-empty array of event names; duplicates collapse, the order is ours. */
export function parseWebhookEvents(value: unknown): { ok: true; events: TaskEventType[] } | { ok: false; reason: string } {
  const allowed = WEBHOOK_EVENT_TYPES.join(", ");
  if (!Array.isArray(value)) return { ok: false, reason: `must be an array of event names (${allowed})` };
  if (value.length === 0) return { ok: false, reason: `must name at least one event (${allowed}); leave it out for the two final ones` };
  const unknown = value.find((item) => typeof item !== "string" || !(WEBHOOK_EVENT_TYPES as readonly unknown[]).includes(item));
  if (unknown !== undefined) return { ok: false, reason: `${JSON.stringify(unknown)} is not an event; use ${allowed}` };
  return { ok: true, events: WEBHOOK_EVENT_TYPES.filter((type) => value.includes(type)) };
}

/** True when a task's create asked for `type` (or asked for nothing, and `type` is a final event). */
export function wantsEvent(record: Pick<TaskRecord, "callbackUrl" | "webhookEvents">, type: TaskEventType): boolean {
  if (!record.callbackUrl) return false;
  return (record.webhookEvents ?? DEFAULT_WEBHOOK_EVENTS).includes(type);
}

/** True when the final webhook will certainly be sent, so its delivery can be recorded at create time. */
export function sendsEveryFinalEvent(events: readonly TaskEventType[] | undefined): boolean {
  return (events ?? DEFAULT_WEBHOOK_EVENTS).includes("task.succeeded") && (events ?? DEFAULT_WEBHOOK_EVENTS).includes("task.failed");
}

/** The final event a finished task sends, or undefined while it runs. */
export function finalEventOf(record: Pick<TaskRecord, "status">): TaskEventType | undefined {
  if (!isFinal(record.status)) return undefined;
  return record.status === "succeeded" ? "task.succeeded" : "task.failed";
}

/**
 * Adds a pending delivery for each event the task now owes and does not have yet: task.started
 * once it was seen running, the final event once it ended. A delivery, once added, is never
 * re-added, so each event is sent at most once per task.
 */
export function openWebhookDeliveries(record: TaskRecord): void {
  if (!record.delivery.webhookStarted && wantsEvent(record, "task.started") && record.history.some((entry) => entry.status === "running")) {
    record.delivery.webhookStarted = { state: "pending", attempts: 0 };
  }
  const final = finalEventOf(record);
  if (!record.delivery.webhook && final && wantsEvent(record, final)) record.delivery.webhook = { state: "pending", attempts: 0 };
}

/** True when the tracker must poll a task to see it start: task.started is wanted and it has not been seen running. */
export function awaitsStart(record: TaskRecord): boolean {
  return record.status === "queued" && wantsEvent(record, "task.started");
}

/**
 * What a query route answers about one task: Tencent's own answer, in Tencent's shape (VOD
 * DescribeTaskDetail, MPS DescribeAigcVideoTask / DescribeAigcImageTask), so that clients written for
 * Tencent or for the relay APIs whose paths we serve read it unchanged, plus the product's own view of
 * the task under one key of ours, `aigcScf`.
 *
 * Why `aigcScf`: every field of a Tencent API 3.0 answer is PascalCase, so a camelCase key can never
 * collide with one Tencent adds later; our other members of shared envelopes are camelCase too
 * (problem+json's `requestId`, `upstreamRequestId`).
 *
 * The answer keeps one shape for the task's whole life: it is built from the task's state (ledger,
 * or Tencent's fresher answer), whichever form Tencent's last object had (a whole DescribeTaskDetail
 * answer from a poll, or the bare task object of a completion event), and the Tencent fields agree
 * with the normalized status (a task we count as failed never shows Tencent's success values).
 */

import type { DeliveryState, TaskOutput, TaskRecord, TaskStatus } from "../tasks/ledger";
import type { TaskKind } from "../validation";

/** The key of the product's own view inside `Response`. */
export const OWN_VIEW_KEY = "aigcScf";

/** One result file as the answer shows it, its URL already chosen. */
export interface ShownOutput {
  type: TaskOutput["type"];
  /** The URL to download: a presigned URL of our copy when one was kept, else Tencent's. */
  url?: string;
  expiresAt?: string;
  fileId?: string;
  /** Tencent's own URL of the file, to find it in Tencent's object. */
  tencentUrl?: string;
  source: "tencent" | "bucket";
}

/** A task's state at the moment of answering: what both halves of an answer are built from. */
export interface AnsweredTask {
  record: Pick<TaskRecord, "taskId" | "kind" | "createdAt" | "delivery">;
  status: TaskStatus;
  progress?: number;
  outputs: ShownOutput[];
  error?: { code: string; message: string };
  finishedAt?: string;
  /** Tencent's last object about the task: a whole Describe answer, or a completion event's task object. */
  detail: unknown;
  updatedAt: string;
  /** Tencent could not be asked: the state is the ledger's. */
  stale: boolean;
}

/** One result file in the product's view. */
export interface TaskViewOutput {
  Type: TaskOutput["type"];
  Url?: string;
  ExpiresAt?: string;
  FileId?: string;
  /** bucket: a copy kept in our bucket (presigned URL); tencent: Tencent's own, temporary URL. */
  Source: "tencent" | "bucket";
}

/** One delivery's state in the product's view. */
export interface TaskViewDelivery {
  State: DeliveryState["state"];
  Attempts: number;
  LastAttemptAt?: string;
  NextAttemptAt?: string;
  DeliveredAt?: string;
  LastError?: string;
}

/** The product's own view of a task (the same fields a webhook carries, plus live state). */
export interface TaskView {
  TaskId: string;
  /** Which create route made the task, as in webhooks (`vod-video`, `mps-video`, …). */
  TaskType: TaskKind;
  Status: TaskStatus;
  Progress?: number;
  CreatedAt: string;
  UpdatedAt: string;
  FinishedAt?: string;
  Outputs: TaskViewOutput[];
  Error?: { Code: string; Message: string };
  /** Webhook: the final event; WebhookStarted: task.started (when asked for and seen running). */
  Delivery?: { Webhook?: TaskViewDelivery; WebhookStarted?: TaskViewDelivery; Bucket?: TaskViewDelivery; Keep?: TaskViewDelivery };
  Stale?: true;
}

/** The body inside `Response`, without our RequestId: Tencent's fields at the top, our view under OWN_VIEW_KEY. */
export type TaskAnswer = Record<string, unknown> & { [OWN_VIEW_KEY]: TaskView };

function deliveryOf(state: DeliveryState, withError: boolean): TaskViewDelivery {
  return {
    State: state.state,
    Attempts: state.attempts,
    ...(state.lastAttemptAt ? { LastAttemptAt: state.lastAttemptAt } : {}),
    ...(state.nextAttemptAt ? { NextAttemptAt: state.nextAttemptAt } : {}),
    ...(state.deliveredAt ? { DeliveredAt: state.deliveredAt } : {}),
    ...(withError && state.lastError ? { LastError: state.lastError } : {}),
  };
}

function deliveriesOf(delivery: TaskRecord["delivery"]): TaskView["Delivery"] {
  // Only the webhook's error is the client's business (it is about their endpoint); bucket and keep
  // errors are about our storage and stay in the logs.
  const out: NonNullable<TaskView["Delivery"]> = {
    ...(delivery.webhook ? { Webhook: deliveryOf(delivery.webhook, true) } : {}),
    ...(delivery.webhookStarted ? { WebhookStarted: deliveryOf(delivery.webhookStarted, true) } : {}),
    ...(delivery.bucket ? { Bucket: deliveryOf(delivery.bucket, false) } : {}),
    ...(delivery.keep ? { Keep: deliveryOf(delivery.keep, false) } : {}),
  };
  return Object.keys(out).length > 0 ? out : undefined;
}

/** The product's own view of a task. */
export function taskView(task: AnsweredTask): TaskView {
  const delivery = deliveriesOf(task.record.delivery);
  return {
    TaskId: task.record.taskId,
    TaskType: task.record.kind,
    Status: task.status,
    ...(task.progress !== undefined ? { Progress: task.progress } : {}),
    CreatedAt: task.record.createdAt,
    UpdatedAt: task.updatedAt,
    ...(task.finishedAt ? { FinishedAt: task.finishedAt } : {}),
    Outputs: task.outputs.map((output) => ({
      Type: output.type,
      ...(output.url ? { Url: output.url } : {}),
      ...(output.expiresAt ? { ExpiresAt: output.expiresAt } : {}),
      ...(output.fileId ? { FileId: output.fileId } : {}),
      Source: output.source,
    })),
    ...(task.error ? { Error: { Code: task.error.code, Message: task.error.message } } : {}),
    ...(delivery ? { Delivery: delivery } : {}),
    ...(task.stale ? { Stale: true as const } : {}),
  };
}

/** A time in Tencent's form (ISO 8601, seconds, UTC, `Z`), or undefined for none (empty, zero or unparsable). */
export function tencentTime(value: unknown): string | undefined {
  if (typeof value !== "string" || value === "" || value.startsWith("0000")) return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** Whether a value is a JSON object (not null, not an array). */
export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

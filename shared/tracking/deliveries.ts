/**
 * The tracker's deliveries of a task: a copy of its results kept in our bucket (AIGC_KEEP_RESULTS),
 * a redraw result and its status sidecar written into the bucket, and signed webhooks (task.started
 * while it runs, when asked for; the final event once it ends). Each delivery has its own state in
 * the task record, so a failed one is retried on later ticks on its own schedule (see `nextAttempt`)
 * and is never dropped silently; the tracker closes the task once every delivery is settled.
 */

import type { Config } from "../config";
import type { CosClient } from "../cos/client";
import type { Logger } from "../log";
import { redact } from "../log";
import type { TaskLedger, TaskOutput, TaskRecord } from "../tasks/ledger";
import { copyUrlToBucket, RESULT_EXTENSIONS } from "./results";
import { isFinal } from "./status";
import { openWebhookDeliveries } from "./webhook-events";
import { isDeliveryDue } from "./schedule";
import { buildStartedEvent, buildTaskEvent, deliverWebhook, markDelivered, markUndeliverable, nextAttempt, webhookIdFor, type TaskEventPayload } from "./webhooks";

/** Work is not started with less time than this left: a poll or a delivery needs room to finish. */
export const STOP_MARGIN_MS = 3_000;
/** A webhook receiver gets this long to answer. */
const WEBHOOK_TIMEOUT_MS = 10_000;
/** Kept results are served as presigned URLs this long. */
const KEPT_URL_TTL_SECONDS = 7 * 24 * 60 * 60;

/** What one tick delivered, by delivery (webhookStarted: task.started webhooks). */
export interface DeliveryCounts {
  webhook: number;
  webhookStarted: number;
  bucket: number;
  keep: number;
  failed: number;
  undeliverable: number;
}

/** What deliveries need from the tick that runs them. */
export interface DeliveryContext {
  config: Config;
  ledger: TaskLedger;
  cos: CosClient;
  log: Logger;
  now: () => number;
  /** Time left in the tick, in ms. */
  timeLeft: () => number;
  /** The tick's counters, updated in place. */
  counts: DeliveryCounts;
}

type DeliveryName = keyof TaskRecord["delivery"];

/** A failed delivery attempt, with what the receiver said about retrying. */
class DeliveryFailure extends Error {
  constructor(
    message: string,
    readonly retryAfterMs?: number,
    readonly final = false,
  ) {
    super(message);
    this.name = "DeliveryFailure";
  }
}

/** Builds the tick's `deliver(record)`, which makes every due attempt of one task's deliveries and records each outcome in the record. */
export function taskDeliveries(context: DeliveryContext): { deliver(record: TaskRecord): Promise<void> } {
  const { config, ledger, cos, log, now, timeLeft, counts } = context;

  async function keepResults(record: TaskRecord, signal: AbortSignal): Promise<void> {
    const ledgerRef = ledger.ref;
    const outputs = record.outputs ?? [];
    for (const [index, output] of outputs.entries()) {
      if (output.kept || !output.url) continue;
      const key = `${config.resultsPrefix}${record.taskId}/${index}.${RESULT_EXTENSIONS[output.type]}`;
      await copyUrlToBucket(cos, output.url, ledgerRef, key, signal);
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
        const source = cos.presignGetUrl({ bucket: output.kept.bucket, region: output.kept.region }, output.kept.key, 3600);
        await copyUrlToBucket(cos, source, ref, target.key, signal);
      } else if (output?.url) {
        await copyUrlToBucket(cos, output.url, ref, target.key, signal);
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
    await cos.putObject(ref, target.sidecarKey, JSON.stringify(sidecar, null, 2), { contentType: "application/json" });
  }

  function publishedOutputs(record: TaskRecord): TaskOutput[] {
    return (record.outputs ?? []).map((output) =>
      output.kept
        ? {
            type: output.type,
            url: cos.presignGetUrl({ bucket: output.kept.bucket, region: output.kept.region }, output.kept.key, KEPT_URL_TTL_SECONDS),
            expiresAt: new Date(now() + KEPT_URL_TTL_SECONDS * 1000).toISOString(),
          }
        : output,
    );
  }

  /** POSTs one event; the id is per task and event type, so every attempt of it carries the same one. */
  async function sendEvent(callbackUrl: string, event: TaskEventPayload, taskId: string): Promise<void> {
    if (!config.webhookSecret) throw new Error("AIGC_WEBHOOK_SECRET is not set, so webhooks cannot be signed");
    const result = await deliverWebhook(callbackUrl, {
      id: webhookIdFor(taskId, event.type),
      body: JSON.stringify(event),
      secret: config.webhookSecret,
      timeoutMs: Math.min(WEBHOOK_TIMEOUT_MS, Math.max(1_000, timeLeft() - STOP_MARGIN_MS)),
      allowPrivate: config.allowPrivateCallbacks,
    });
    // 410 Gone is Standard Webhooks' "stop sending"; everything else is retried for 24 h.
    if (!result.delivered) throw new DeliveryFailure(result.error, result.retryAfterMs, result.status === 410);
  }

  async function attempt(record: TaskRecord, name: DeliveryName, work: (signal: AbortSignal) => Promise<void>): Promise<void> {
    const state = record.delivery[name];
    if (!state || !isDeliveryDue(state, now())) return;
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), Math.max(1_000, timeLeft() - STOP_MARGIN_MS));
    try {
      await work(controller.signal);
      record.delivery[name] = markDelivered(state, now());
      counts[name]++;
      log.info(`tracker.delivered.${name}`, { taskId: record.taskId, attempts: record.delivery[name]?.attempts });
    } catch (error) {
      const message = String(redact((error as Error).message ?? error));
      const failure = error instanceof DeliveryFailure ? error : undefined;
      const next = failure?.final
        ? markUndeliverable(state, now(), message)
        : nextAttempt(state, now(), { error: message, ...(failure?.retryAfterMs !== undefined ? { retryAfterMs: failure.retryAfterMs } : {}) });
      record.delivery[name] = next;
      counts.failed++;
      if (next.state === "undeliverable") {
        counts.undeliverable++;
        log.error(`tracker.undeliverable.${name}`, { taskId: record.taskId, attempts: next.attempts, lastError: next.lastError });
      } else {
        log.warn(`tracker.delivery-failed.${name}`, { taskId: record.taskId, attempts: next.attempts, nextAttemptAt: next.nextAttemptAt, error: next.lastError });
      }
    } finally {
      clearTimeout(timer);
    }
  }

  async function deliver(record: TaskRecord): Promise<void> {
    openWebhookDeliveries(record);
    const callbackUrl = record.callbackUrl;
    // task.started goes first, so a task seen running and ending in one tick sends it before the final event.
    const started = buildStartedEvent(record);
    if (callbackUrl && started) await attempt(record, "webhookStarted", () => sendEvent(callbackUrl, started, record.taskId));
    if (!isFinal(record.status)) return;
    if (config.keepResults && record.status === "succeeded" && !record.delivery.keep) record.delivery.keep = { state: "pending", attempts: 0 };
    if (record.output && !record.delivery.bucket) record.delivery.bucket = { state: "pending", attempts: 0 };
    // Keep first: the bucket copy and the webhook then point at our own copy.
    await attempt(record, "keep", (signal) => keepResults(record, signal));
    if (record.delivery.keep?.state === "pending") return;
    await attempt(record, "bucket", (signal) => writeToBucket(record, signal));
    if (callbackUrl) await attempt(record, "webhook", () => sendEvent(callbackUrl, buildTaskEvent(record, { outputs: publishedOutputs(record) }), record.taskId));
  }

  return { deliver };
}

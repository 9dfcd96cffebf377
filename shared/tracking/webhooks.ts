/**
 * Task webhooks, per Standard Webhooks (https://www.standardwebhooks.com): when a task finishes the
 * tracker POSTs a `task.succeeded` / `task.failed` event to the client's CallbackUrl (and, when the
 * create asked for it in WebhookEvents, `task.started` when Tencent reports it processing), signed
 * with HMAC-SHA256 over `{webhook-id}.{webhook-timestamp}.{body}` by the reference library.
 *
 * - `webhook-id` is derived from the task and the event, so every redelivery carries the same id and
 *   receivers can dedupe on it; `webhook-timestamp` is the attempt's time (re-signed per attempt).
 * - Delivery goes through node:http/https with the guarded DNS lookup of `../http/callback-url`, not
 *   global fetch, so the address checked is the address connected to. Redirects are not followed.
 * - Every non-2xx is a failure and, like Svix, is retried on the schedule of `nextAttempt` for 24 h;
 *   `retryable` only says whether the failure looks transient, for the caller's logs.
 * - Neither the secret nor the signature is ever returned, thrown or put into an error message.
 */

import { createHash } from "node:crypto";
import { request as httpRequest, type IncomingHttpHeaders, type IncomingMessage } from "node:http";
import { request as httpsRequest } from "node:https";
import { Webhook } from "standardwebhooks";
import { CallbackTargetRefused, checkCallbackUrl, createGuardedLookup } from "../http/callback-url";
import type { DeliveryState, TaskOutput, TaskRecord } from "../tasks/ledger";
import type { TaskKind } from "../validation";

/** The events a task can send: started (only when asked for), then one of the two final ones. */
export type TaskEventType = "task.started" | "task.succeeded" | "task.failed";

/** One result file as a webhook receiver sees it. */
export interface TaskEventOutput {
  Type: TaskOutput["type"];
  Url?: string;
  ExpiresAt?: string;
  FileId?: string;
}

/** The body of a task webhook (PascalCase inside `data`, like the rest of the API). */
export interface TaskEventPayload {
  type: TaskEventType;
  /** When the event happened (the task was seen running, or finished), not when this attempt was sent. */
  timestamp: string;
  data: {
    TaskId: string;
    TaskType: TaskKind;
    Status: "running" | "succeeded" | "failed";
    Progress?: number;
    Outputs: TaskEventOutput[];
    Error?: { Code: string; Message: string };
    CreatedAt: string;
    FinishedAt?: string;
  };
}

/** The Standard Webhooks headers of one attempt. */
export interface WebhookHeaders {
  "webhook-id": string;
  "webhook-timestamp": string;
  "webhook-signature": string;
}

export type WebhookDeliveryResult =
  | { delivered: true; status: number }
  | { delivered: false; status?: number; error: string; retryable: boolean; retryAfterMs?: number };

export interface DeliverWebhookOptions {
  /** `webhookIdFor(taskId, type)`: the same for every attempt of one event. */
  id: string;
  /** The exact JSON text to send; it is what gets signed. */
  body: string;
  /** `whsec_<base64>`; see `checkWebhookSecret`. */
  secret: string;
  /** Time limit of the whole attempt: connect, send, status and the capped body read. */
  timeoutMs: number;
  /** Lets private, loopback and link-local targets through (local development only). */
  allowPrivate: boolean;
  /** Time of the attempt (epoch ms), for `webhook-timestamp`; defaults to the clock. */
  now?: number;
  /** DNS resolver behind the guarded lookup; tests inject one to play a name resolving anywhere. */
  resolve?: Parameters<typeof createGuardedLookup>[0]["resolve"];
}

/** The User-Agent of our webhook requests, naming the product so receivers can recognize it. */
export const WEBHOOK_USER_AGENT = "tencent-aigc-scf-webhooks/1.0 (+https://www.standardwebhooks.com)";

/** How much of a receiver's answer is read (then discarded); the status is all we need. */
export const MAX_RESPONSE_BYTES = 64 * 1024;

/**
 * The retry schedule across tracker ticks: the first retry about 30 s after a failure, doubling up
 * to 1 h between attempts, for 24 h after the first attempt (Standard Webhooks recommends days; a
 * task's result URLs expire anyway: MPS 12 h, VOD 7 days).
 */
export const WEBHOOK_RETRY = {
  firstDelayMs: 30_000,
  maxDelayMs: 60 * 60_000,
  giveUpAfterMs: 24 * 60 * 60_000,
  /** Each delay is scaled by a random factor in [1 - jitter, 1 + jitter), then capped. */
  jitter: 0.25,
} as const;

/** Statuses worth retrying soon: the receiver is busy or timing out, not refusing the message. */
const TRANSIENT_STATUSES: ReadonlySet<number> = new Set([
  408, // Request Timeout: the receiver gave up waiting, nothing wrong with the message
  409, // Conflict: often a receiver still busy with an earlier copy of the same event
  425, // Too Early: the receiver asks for a replay later
  429, // Too Many Requests: rate limited
]);

/** Network errors that say nothing about the receiver's will to take the message. */
const NOT_RETRYABLE_ERRORS: ReadonlySet<string> = new Set([
  "ERR_CALLBACK_TARGET_REFUSED", // our own SSRF gate: the receiver's DNS would have to change
  "CERT_HAS_EXPIRED",
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "ERR_TLS_CERT_ALTNAME_INVALID",
]);

/** Builds the webhook payload of a finished task; `outputs` replaces the record's (e.g. presigned URLs of kept copies). */
export function buildTaskEvent(record: TaskRecord, options: { outputs?: TaskOutput[] } = {}): TaskEventPayload {
  if (record.status !== "succeeded" && record.status !== "failed") {
    throw new Error(`task ${record.taskId} is ${record.status}; only a finished task has a webhook`);
  }
  const outputs = record.status === "succeeded" ? (options.outputs ?? record.outputs ?? []) : [];
  // The event's own time stays the same across attempts, so a redelivered body is the same body.
  const finishedAt = record.finishedAt ?? [...record.history].reverse().find((entry) => entry.status === record.status)?.at ?? record.updatedAt;
  return {
    type: record.status === "succeeded" ? "task.succeeded" : "task.failed",
    timestamp: finishedAt,
    data: {
      TaskId: record.taskId,
      TaskType: record.kind,
      Status: record.status,
      ...(record.progress !== undefined ? { Progress: record.progress } : {}),
      Outputs: outputs.map((output) => ({
        Type: output.type,
        ...(output.url ? { Url: output.url } : {}),
        ...(output.expiresAt ? { ExpiresAt: output.expiresAt } : {}),
        ...(output.fileId ? { FileId: output.fileId } : {}),
      })),
      ...(record.status === "failed" && record.error ? { Error: { Code: record.error.code, Message: record.error.message } } : {}),
      CreatedAt: record.createdAt,
      ...(record.finishedAt ? { FinishedAt: record.finishedAt } : {}),
    },
  };
}

/**
 * Builds the `task.started` payload: the task as it was when first seen running, so every attempt
 * (even one made after the task ended) sends the same body; `undefined` if it was never seen running.
 */
export function buildStartedEvent(record: TaskRecord): TaskEventPayload | undefined {
  const startedAt = record.history.find((entry) => entry.status === "running")?.at;
  if (startedAt === undefined) return undefined;
  return {
    type: "task.started",
    timestamp: startedAt,
    data: { TaskId: record.taskId, TaskType: record.kind, Status: "running", Outputs: [], CreatedAt: record.createdAt },
  };
}

/** The webhook-id of one task's event: `msg_` and a hash, the same on every redelivery. */
export function webhookIdFor(taskId: string, type: TaskEventType): string {
  return `msg_${createHash("sha256").update(`tencent-aigc-scf:webhook:v1\n${taskId}\n${type}`).digest("hex").slice(0, 32)}`;
}

/**
 * Checks a signing secret: `whsec_` then base64 of at least 24 random bytes (the spec's minimum).
 * A raw secret is refused rather than used as bytes: the library and every receiver's library
 * base64-decode what follows `whsec_`, so a raw string either fails to decode or silently becomes a
 * different key than the receiver's.
 */
export function checkWebhookSecret(secret: string): { ok: true } | { ok: false; reason: string } {
  if (typeof secret !== "string" || !secret.startsWith("whsec_")) {
    return { ok: false, reason: "the webhook secret must be whsec_ followed by base64 (e.g. whsec_ + 32 random bytes in base64)" };
  }
  const encoded = secret.slice("whsec_".length);
  if (!/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(encoded)) {
    return { ok: false, reason: "the webhook secret after whsec_ is not padded standard base64" };
  }
  if (Buffer.from(encoded, "base64").length < 24) return { ok: false, reason: "the webhook secret must decode to at least 24 bytes" };
  return { ok: true };
}

/** The Standard Webhooks headers for one attempt: id, unix-seconds timestamp and the v1 signature. */
export function signWebhook(secret: string, id: string, timestamp: Date, body: string): WebhookHeaders {
  const secretCheck = checkWebhookSecret(secret);
  if (!secretCheck.ok) throw new Error(secretCheck.reason);
  // The id is part of the signed content `{id}.{timestamp}.{body}`; a "." in it would blur the fields.
  if (!/^[A-Za-z0-9_-]{1,128}$/.test(id)) throw new Error("a webhook-id may only hold letters, digits, _ and -");
  return {
    "webhook-id": id,
    "webhook-timestamp": String(Math.floor(timestamp.getTime() / 1000)),
    "webhook-signature": new Webhook(secret).sign(id, timestamp, body),
  };
}

/**
 * POSTs one signed webhook attempt to `url` through the SSRF-guarded lookup; never follows redirects.
 * Every delivery failure resolves; it rejects only for an invalid secret or id (configuration errors).
 */
export async function deliverWebhook(url: string, options: DeliverWebhookOptions): Promise<WebhookDeliveryResult> {
  const checked = checkCallbackUrl(url, { allowPrivate: options.allowPrivate });
  if (!checked.ok) return { delivered: false, error: `callback URL refused: ${checked.reason}`, retryable: false };
  const target = checked.url;
  const sentAt = options.now ?? Date.now();
  const headers = {
    ...signWebhook(options.secret, options.id, new Date(sentAt), options.body),
    "content-type": "application/json",
    "content-length": String(Buffer.byteLength(options.body)),
    "user-agent": WEBHOOK_USER_AGENT,
    connection: "close",
  };
  const send = target.protocol === "https:" ? httpsRequest : httpRequest;

  return new Promise<WebhookDeliveryResult>((resolve) => {
    let answered: WebhookDeliveryResult | undefined;
    let settled = false;
    let timer: NodeJS.Timeout | undefined;
    const finish = (result: WebhookDeliveryResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      request.destroy();
      resolve(result);
    };
    const request = send(target, {
      method: "POST",
      headers,
      lookup: createGuardedLookup({ allowPrivate: options.allowPrivate, ...(options.resolve ? { resolve: options.resolve } : {}) }),
      // A fresh connection per attempt: a pooled socket would skip the lookup, and with it the check.
      agent: false,
    });
    timer = setTimeout(() => {
      finish(answered ?? { delivered: false, error: `the receiver did not answer within ${options.timeoutMs} ms`, retryable: true });
    }, options.timeoutMs);

    request.on("response", (response: IncomingMessage) => {
      answered = resultOfStatus(response.statusCode ?? 0, response.headers, sentAt);
      const result = answered;
      // The body is read only so the receiver can finish writing, capped and thrown away.
      let received = 0;
      response.on("data", (chunk: Buffer) => {
        received += chunk.length;
        if (received >= MAX_RESPONSE_BYTES) finish(result);
      });
      response.on("end", () => finish(result));
      response.on("error", () => finish(result));
      response.on("close", () => finish(result));
    });
    request.on("error", (error: NodeJS.ErrnoException) => {
      finish(answered ?? resultOfError(error));
    });
    request.end(options.body);
  });
}

/** Records a failed attempt at `now` and schedules the next, or gives up 24 h after the first attempt. */
export function nextAttempt(
  state: DeliveryState,
  now: number,
  options: { error?: string; retryAfterMs?: number; random?: () => number } = {},
): DeliveryState {
  // A settled delivery stays settled: a late failure report must not reopen it.
  if (state.state !== "pending") return state;
  const firstAttemptAt = parseTime(state.firstAttemptAt) ?? now;
  const attempts = state.attempts + 1;
  const { nextAttemptAt: _previous, ...rest } = state;
  const attempted: DeliveryState = {
    ...rest,
    attempts,
    firstAttemptAt: new Date(firstAttemptAt).toISOString(),
    lastAttemptAt: new Date(now).toISOString(),
    ...(options.error !== undefined ? { lastError: options.error } : {}),
  };
  const deadline = firstAttemptAt + WEBHOOK_RETRY.giveUpAfterMs;
  if (now >= deadline) return { ...attempted, state: "undeliverable" };

  const exponent = Math.min(attempts - 1, 20);
  const backoff = Math.min(WEBHOOK_RETRY.maxDelayMs, WEBHOOK_RETRY.firstDelayMs * 2 ** exponent);
  const random = options.random ?? Math.random;
  let delay = Math.min(WEBHOOK_RETRY.maxDelayMs, backoff * (1 - WEBHOOK_RETRY.jitter + 2 * WEBHOOK_RETRY.jitter * random()));
  // The receiver's Retry-After is honoured, within the same 1 h cap.
  if (options.retryAfterMs !== undefined && options.retryAfterMs > delay) delay = Math.min(WEBHOOK_RETRY.maxDelayMs, options.retryAfterMs);
  // The last retry is placed at the deadline, never beyond it; its failure makes the delivery undeliverable.
  const next = Math.min(now + delay, deadline);
  return { ...attempted, state: "pending", nextAttemptAt: new Date(next).toISOString() };
}

/** Records a successful attempt at `now`. */
export function markDelivered(state: DeliveryState, now: number): DeliveryState {
  const { nextAttemptAt: _next, lastError: _error, ...rest } = state;
  const at = new Date(now).toISOString();
  return { ...rest, state: "delivered", attempts: state.attempts + 1, firstAttemptAt: state.firstAttemptAt ?? at, lastAttemptAt: at, deliveredAt: at };
}

/**
 * Records a failed attempt at `now` and gives up at once (the receiver answered 410 Gone, which
 * Standard Webhooks reads as "stop sending"). The attempt counts: Attempts is the POSTs made.
 */
export function markUndeliverable(state: DeliveryState, now: number, error: string): DeliveryState {
  const { nextAttemptAt: _next, ...rest } = state;
  const at = new Date(now).toISOString();
  return { ...rest, state: "undeliverable", attempts: state.attempts + 1, lastError: error, firstAttemptAt: state.firstAttemptAt ?? at, lastAttemptAt: at };
}

function parseTime(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const parsed = Date.parse(value);
  return Number.isNaN(parsed) ? undefined : parsed;
}

function resultOfStatus(status: number, headers: IncomingHttpHeaders, now: number): WebhookDeliveryResult {
  if (status >= 200 && status <= 299) return { delivered: true, status };
  if (status >= 300 && status <= 399) {
    return { delivered: false, status, error: `the receiver answered ${status}; redirects are not followed, the CallbackUrl must be the final URL`, retryable: false };
  }
  if (status === 410) return { delivered: false, status, error: "the receiver answered 410 Gone: it asks not to be sent this webhook again", retryable: false };
  const retryable = status >= 500 || TRANSIENT_STATUSES.has(status);
  const retryAfterMs = retryable ? parseRetryAfter(headers["retry-after"], now) : undefined;
  return { delivered: false, status, error: `the receiver answered ${status}`, retryable, ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) };
}

function resultOfError(error: NodeJS.ErrnoException): WebhookDeliveryResult {
  if (error instanceof CallbackTargetRefused) return { delivered: false, error: `callback URL refused: ${error.message}`, retryable: false };
  const code = error.code ?? "UNKNOWN";
  const retryable = !NOT_RETRYABLE_ERRORS.has(code);
  // Only the code and Node's short message: neither carries headers, so no signature can leak here.
  return { delivered: false, error: `could not reach the receiver: ${code} (${error.message})`, retryable };
}

/** Retry-After as delay-seconds or an HTTP date, in ms; undefined when absent or unreadable. */
function parseRetryAfter(value: string | string[] | undefined, now: number): number | undefined {
  const text = Array.isArray(value) ? value[0] : value;
  if (!text) return undefined;
  if (/^\d+$/.test(text.trim())) return Number(text.trim()) * 1000;
  const date = Date.parse(text);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

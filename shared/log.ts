/**
 * Structured logging: one JSON line per event, always with the request id.
 * Values are redacted on the way out so that a secret, token, signature or presigned query string
 * cannot reach the log even when a caller passes one by mistake.
 */

import { randomUUID } from "node:crypto";

export type LogLevel = "debug" | "info" | "warn" | "error";

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * The request id of an invocation: the first candidate that looks like an id the platform makes
 * (API Gateway's, SCF's `x-scf-request-id`, the SCF context's `request_id`), else a fresh UUID.
 * Every request id that reaches a response header, a problem body or a log line comes from here,
 * whatever the trigger: a candidate can be a header a client sent or a context field of any shape,
 * and a CR, NUL, non-Latin-1 text, a non-string or a 3,000-character value would break the answer
 * or forge log lines.
 */
export function requestIdFrom(...candidates: unknown[]): string {
  for (const candidate of candidates) {
    if (typeof candidate === "string" && REQUEST_ID.test(candidate)) return candidate;
  }
  return randomUUID();
}

export interface Logger {
  readonly requestId: string;
  log(level: LogLevel, event: string, fields?: Record<string, unknown>): void;
  info(event: string, fields?: Record<string, unknown>): void;
  warn(event: string, fields?: Record<string, unknown>): void;
  error(event: string, fields?: Record<string, unknown>): void;
  /** A logger for the same request with more fixed fields. */
  with(fields: Record<string, unknown>): Logger;
}

export type LogSink = (line: string) => void;

const SECRET_KEY = /^(authorization|cookie|set-cookie|password|.*tokens?|.*secret.*|.*signature|credentials?)$/i;
const SIGNED_QUERY = /([?&](?:q-sign-algorithm|q-ak|q-sign-time|q-key-time|q-header-list|q-url-param-list|q-signature|x-cos-security-token|sign|signature|token|t|us|exper)=)[^&\s"']*/gi;
const BEARER = /\b(Bearer|TC3-HMAC-SHA256)\s+[^\s"',]+/gi;
/** A TC3 Authorization's `, Signature=<hex>` (after BEARER took its Credential), and secret headers quoted in text. */
const SIGNATURE_PARAM = /(\bSignature=)[^\s"',&]+/gi;
const SECRET_HEADER = /(\b(?:x-cos-security-token|x-tc-token)["']?\s*[:=]\s*["']?)[^\s"',&]+/gi;
const WEBHOOK_SECRET = /\bwhsec_[A-Za-z0-9+/=]+/g;
/**
 * Text every pattern above needs somewhere in a string: most logged strings (event names, actions,
 * routes, models) have none of it and are kept as they are, without five replace passes.
 */
const MAY_HOLD_SECRET = /[?&]|bearer|tc3-hmac-sha256|signature=|x-cos-security-token|x-tc-token|whsec_/i;

/** Redacts secrets from any value before it is logged or echoed back. */
export function redact(value: unknown, depth = 0): unknown {
  if (depth > 8) return "[truncated]";
  if (typeof value === "string") {
    if (!MAY_HOLD_SECRET.test(value)) return value;
    return value
      .replace(SIGNED_QUERY, "$1[redacted]")
      .replace(BEARER, "$1 [redacted]")
      .replace(SIGNATURE_PARAM, "$1[redacted]")
      .replace(SECRET_HEADER, "$1[redacted]")
      .replace(WEBHOOK_SECRET, "whsec_[redacted]");
  }
  if (Array.isArray(value)) return value.map((item) => redact(item, depth + 1));
  if (value instanceof Error) {
    return { name: value.name, message: redact(value.message, depth + 1) };
  }
  if (value && typeof value === "object") return redactInto({}, value as Record<string, unknown>, depth);
  return value;
}

/** Copies an object's own enumerable fields into `out`, redacted (later fields win, as in a spread). */
function redactInto(out: Record<string, unknown>, fields: Record<string, unknown>, depth: number): Record<string, unknown> {
  for (const key in fields) {
    if (!Object.prototype.hasOwnProperty.call(fields, key)) continue;
    out[key] = SECRET_KEY.test(key) ? "[redacted]" : redact(fields[key], depth + 1);
  }
  return out;
}

const stdoutSink: LogSink = (line) => {
  process.stdout.write(`${line}\n`);
};

/** Creates a logger for one invocation; `sink` defaults to stdout (SCF collects it). */
export function createLogger(
  requestId: string,
  base: Record<string, unknown> = {},
  sink: LogSink = stdoutSink,
): Logger {
  const write = (level: LogLevel, event: string, fields?: Record<string, unknown>) => {
    // One object, filled in spread order: the four fixed fields first, then base, then fields.
    const record: Record<string, unknown> = { time: new Date().toISOString(), level, event, requestId };
    redactInto(record, base, 0);
    if (fields) redactInto(record, fields, 0);
    sink(JSON.stringify(record));
  };
  return {
    requestId,
    log: write,
    info: (event, fields) => write("info", event, fields),
    warn: (event, fields) => write("warn", event, fields),
    error: (event, fields) => write("error", event, fields),
    with: (fields) => createLogger(requestId, { ...base, ...fields }, sink),
  };
}

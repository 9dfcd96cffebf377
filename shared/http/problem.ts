/**
 * The one place where errors become HTTP answers: RFC 9457 `application/problem+json`.
 * Every status code the API can answer with is decided here. A 5xx body never carries internals:
 * it says what kind of failure it was, Tencent's error code and RequestId, and our request id.
 *
 * Every problem also carries Tencent's error envelope as an extension member (RFC 9457 section 3.2),
 * `"Response": {"Error": {"Code", "Message"}, "RequestId"}`, built from the same code, detail and
 * request id, so a client written for Tencent or for a relay of it reads `Response.Error.Code` while
 * a problem+json client reads `code`.
 */

import { ConfigError } from "../config";
import { CosError } from "../cos/errors";
import { RequestRefused, UpstreamError, type FieldIssue, type RefusalKind, type UpstreamFailure } from "../errors";
import type { Logger } from "../log";
import type { HttpResponse } from "./types";

const PROBLEM_TYPE_BASE = "urn:tencent-aigc-scf:problem:";

/** The status, title and type of one kind of problem. */
export interface ProblemShape {
  status: number;
  title: string;
  type: string;
}

const REFUSALS: Record<RefusalKind, ProblemShape> = {
  "invalid-request": { status: 400, title: "The request is not valid", type: "invalid-request" },
  "unsupported-event": { status: 400, title: "This function does not handle that event", type: "unsupported-event" },
  unauthorized: { status: 401, title: "A valid bearer token is required", type: "unauthorized" },
  "route-not-found": { status: 404, title: "No such route", type: "route-not-found" },
  // Also what a caller gets for a resource another token owns, so ids cannot be probed.
  "resource-not-found": { status: 404, title: "No such resource", type: "resource-not-found" },
  "method-not-allowed": { status: 405, title: "Method not allowed on this route", type: "method-not-allowed" },
  "payload-too-large": { status: 413, title: "The request body is too large", type: "payload-too-large" },
  "unsupported-media-type": { status: 415, title: "The request body must be JSON", type: "unsupported-media-type" },
  "idempotency-in-flight": { status: 409, title: "A request with this Idempotency-Key is in progress", type: "idempotency-in-flight" },
  "idempotency-mismatch": { status: 422, title: "Idempotency-Key reused with a different body", type: "idempotency-mismatch" },
  // A spend cap (AIGC_DAILY_CREATE_LIMIT): 429 with Retry-After until the next UTC day.
  "daily-limit-reached": { status: 429, title: "The daily limit of new tasks is reached", type: "daily-limit-reached" },
};

const UPSTREAM: Record<UpstreamFailure, ProblemShape> = {
  rejected: { status: 400, title: "Tencent refused the request", type: "upstream-rejected" },
  duplicate: { status: 409, title: "A task with this SessionId already exists", type: "duplicate-session" },
  throttled: { status: 429, title: "Tencent is rate limiting; try again later", type: "upstream-throttled" },
  // An account quota (LimitExceeded.*): too many requests, but not for a while, so no Retry-After.
  "quota-exceeded": { status: 429, title: "The service's Tencent account has used up its quota", type: "upstream-quota-exceeded" },
  denied: { status: 502, title: "The service's Tencent account refused the call", type: "upstream-denied" },
  failed: { status: 502, title: "Tencent failed to handle the request", type: "upstream-failed" },
  unavailable: { status: 503, title: "Tencent is unavailable", type: "upstream-unavailable" },
  timeout: { status: 504, title: "Tencent did not answer in time", type: "upstream-timeout" },
};

const STORAGE_UNAVAILABLE: ProblemShape = { status: 503, title: "Task storage is unavailable; try again later", type: "storage-unavailable" };
const STORAGE_FAILED: ProblemShape = { status: 500, title: "Task storage failed", type: "storage-failed" };
const MISCONFIGURED: ProblemShape = { status: 500, title: "The service is not configured correctly", type: "misconfigured" };
const INTERNAL: ProblemShape = { status: 500, title: "Internal error", type: "internal" };

/** Every kind of problem answer (status, title, full type URI), for the OpenAPI description, which documents each one. */
export function problemKinds(): ProblemShape[] {
  const shapes = [...Object.values(REFUSALS), ...Object.values(UPSTREAM), STORAGE_UNAVAILABLE, STORAGE_FAILED, MISCONFIGURED, INTERNAL];
  return shapes.map((shape) => ({ ...shape, type: PROBLEM_TYPE_BASE + shape.type }));
}

/** The JSON body of a problem answer. */
export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  requestId: string;
  errors?: FieldIssue[];
  upstreamRequestId?: string;
  sessionId?: string;
  /** Tencent's error envelope: Code is `code`, Message is `detail`, RequestId is our `requestId`. */
  Response: TencentErrorEnvelope;
}

/** The `Response` of a Tencent API 3.0 error answer. */
export interface TencentErrorEnvelope {
  Error: { Code: string; Message: string };
  RequestId: string;
}

function answer(shape: ProblemShape, body: Omit<ProblemBody, "type" | "title" | "status" | "Response">, headers: Record<string, string> = {}): HttpResponse {
  const problem: ProblemBody = {
    type: PROBLEM_TYPE_BASE + shape.type,
    title: shape.title,
    status: shape.status,
    ...body,
    Response: { Error: { Code: body.code, Message: body.detail }, RequestId: body.requestId },
  };
  return {
    status: shape.status,
    headers: { "content-type": "application/problem+json", "x-request-id": body.requestId, ...headers },
    body: JSON.stringify(problem),
  };
}

/**
 * An error answer stays small whatever was sent: texts echo client input (keys, values, the path),
 * and a body of thousands of bad keys made a multi-megabyte answer, past what SCF returns (6 MB).
 */
const MAX_DETAIL_CHARS = 1000;
const MAX_FIELD_CHARS = 200;
const MAX_LISTED_ISSUES = 20;
const MAX_ISSUES_BYTES = 32 * 1024;

function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

function listedIssues(issues: readonly FieldIssue[]): FieldIssue[] {
  const listed: FieldIssue[] = [];
  let bytes = 0;
  for (const issue of issues) {
    const clipped = { field: clip(issue.field, MAX_FIELD_CHARS), message: clip(issue.message, MAX_DETAIL_CHARS), code: clip(issue.code, MAX_FIELD_CHARS) };
    bytes += Buffer.byteLength(JSON.stringify(clipped));
    if (listed.length >= MAX_LISTED_ISSUES || bytes > MAX_ISSUES_BYTES) break;
    listed.push(clipped);
  }
  const unlisted = issues.length - listed.length;
  if (unlisted > 0) listed.push({ field: "(more)", message: `${unlisted} more issue(s) not listed; fix these first`, code: "InvalidParameter" });
  return listed;
}

function refusal(error: RequestRefused, requestId: string): HttpResponse {
  const headers: Record<string, string> = {};
  if (error.kind === "unauthorized") headers["www-authenticate"] = 'Bearer realm="aigc", error="invalid_token"';
  if (error.kind === "method-not-allowed" && error.details.allow) headers.allow = error.details.allow.join(", ");
  if (error.kind === "idempotency-in-flight") headers["retry-after"] = "1";
  if (error.kind === "daily-limit-reached") headers["retry-after"] = String(error.details.retryAfterSeconds ?? 3600);
  return answer(
    REFUSALS[error.kind],
    { detail: clip(error.message, MAX_DETAIL_CHARS), code: clip(error.code, MAX_FIELD_CHARS), requestId, ...(error.details.issues ? { errors: listedIssues(error.details.issues) } : {}) },
    headers,
  );
}

function upstream(error: UpstreamError, requestId: string): HttpResponse {
  const shape = UPSTREAM[error.failure];
  const headers: Record<string, string> = {};
  if (error.failure === "throttled" || error.failure === "unavailable") {
    headers["retry-after"] = String(error.context.retryAfterSeconds ?? 1);
  }
  // A 4xx passes Tencent's own message on (it tells the client what to fix); a 5xx does not.
  const clientCanFix = shape.status < 500;
  const detail = clientCanFix
    ? `${error.context.action}: ${error.message}`
    : `${error.context.action} failed after ${error.context.attempts} attempt(s); quote the requestId when reporting it.`;
  return answer(
    shape,
    {
      // Tencent's message and ids are clipped like a refusal's texts: a huge one would make an
      // answer larger than SCF can return, and the client would get a gateway error instead.
      detail: clip(detail, MAX_DETAIL_CHARS),
      code: clip(error.code, MAX_FIELD_CHARS),
      requestId,
      ...(error.context.upstreamRequestId ? { upstreamRequestId: clip(error.context.upstreamRequestId, MAX_FIELD_CHARS) } : {}),
      ...(error.context.sessionId ? { sessionId: clip(error.context.sessionId, MAX_FIELD_CHARS) } : {}),
    },
    headers,
  );
}

/** Turns any error into its problem+json answer, logging what the body must not say. */
export function problemResponse(error: unknown, requestId: string, log?: Logger): HttpResponse {
  if (error instanceof RequestRefused) return refusal(error, requestId);
  if (error instanceof UpstreamError) {
    const response = upstream(error, requestId);
    if (response.status >= 500) {
      log?.error("upstream.failed", { action: error.context.action, code: error.code, message: clip(error.message, MAX_DETAIL_CHARS), upstreamRequestId: error.context.upstreamRequestId, attempts: error.context.attempts });
    }
    return response;
  }
  if (error instanceof CosError) {
    // The ledger (or the bucket) could not be read or written: nothing the client can fix.
    log?.error("cos.failed", { code: error.code, status: error.status, cosRequestId: error.cosRequestId, message: error.message });
    return answer(error.retryable ? STORAGE_UNAVAILABLE : STORAGE_FAILED, { detail: "Task storage failed; quote the requestId when reporting it.", code: `InternalError.Storage`, requestId }, error.retryable ? { "retry-after": "1" } : {});
  }
  if (error instanceof ConfigError) {
    log?.error("config.invalid", { variable: error.variable, message: error.message });
    return answer(MISCONFIGURED, { detail: "The operator has been told; quote the requestId when reporting it.", code: "InternalError.Configuration", requestId });
  }
  log?.error("internal.error", { error: error instanceof Error ? { name: error.name, message: error.message, stack: error.stack } : String(error) });
  return answer(INTERNAL, { detail: "An unexpected error occurred; quote the requestId when reporting it.", code: "InternalError", requestId });
}

/**
 * Calling Tencent with a retry policy that can never buy a second task.
 *
 * Retry rules are data: each failure class says whether a retry is safe always (Tencent did not
 * run the call), only when the call carries a SessionId (Tencent may have run it, and the SessionId
 * makes a repeat a no-op), or never. Backoff is exponential with full jitter, except after a
 * throttle (see retryDelay). Retries are bounded by count (RETRY_LIMITS) and by time: one call's
 * attempts and waits fit in CALL_BUDGET_MS and in the time the function has left.
 */

import { UpstreamError, type UpstreamFailure } from "../errors";
import type { Logger } from "../log";
import type { TencentApi } from "./clients";

type RetryRule = "always" | "with-session-id" | "never";

interface FailureClass {
  failure: UpstreamFailure;
  retry: RetryRule;
}

/** What a thrown SDK error tells us (TencentCloudSDKHttpException and node-fetch errors). */
interface SdkErrorLike {
  code?: string;
  requestId?: string;
  message?: string;
  httpCode?: number;
  type?: string;
}

/** Tencent error codes (by prefix) and what they mean for the caller and for retrying. */
const CODE_RULES: ReadonlyArray<[prefix: string, cls: FailureClass, why: string]> = [
  ["RequestLimitExceeded", { failure: "throttled", retry: "always" }, "refused for rate before running"],
  ["InvalidParameterValue.SessionId", { failure: "duplicate", retry: "never" }, "SessionId used within 3 days (exact code; SessionIdTooLong is below)"],
  ["InternalError", { failure: "failed", retry: "with-session-id" }, "may have run; only a SessionId makes a repeat safe"],
  ["ServiceUnavailable", { failure: "unavailable", retry: "with-session-id" }, "not documented as 'not run', so treated like InternalError"],
  ["AuthFailure", { failure: "denied", retry: "never" }, "our credentials or clock; the client cannot fix it"],
  ["UnauthorizedOperation", { failure: "denied", retry: "never" }, "the role lacks a permission"],
  ["FailedOperation.InvalidVodUser", { failure: "denied", retry: "never" }, "VOD is not activated for the account"],
  ["InvalidParameterValue.SubAppId", { failure: "denied", retry: "never" }, "SubAppId comes from our configuration"],
  ["OperationDenied", { failure: "denied", retry: "never" }, "account-level refusal"],
  // Every LimitExceeded code is an account quota, not Tencent failing: LimitExceeded "超过配额限制" (quota
  // exceeded), LimitExceeded.Quota "The quota limit is exceeded", which CreateAigcImageTask and
  // CreateAigcVideoTask list (the AIGC quota its owner sets with CreateAigcQuota: "达到限额后将无法继续使用
  // AIGC 功能", vod_client.d.ts), and the template/tag counts (LimitExceeded.TooMuchTemplate, ...).
  // Sources: tencentcloud-sdk-go vod/v20180717 and mps/v20190612 errors.go and client.go; the Node
  // SDK carries no error codes. RequestLimitExceeded (throttling) is another code, matched above.
  ["LimitExceeded", { failure: "quota-exceeded", retry: "never" }, "an account quota; retrying will not help until its owner raises it"],
  ["ResourceInsufficient", { failure: "unavailable", retry: "never" }, "capacity; retrying now will not help"],
  ["ResourceUnavailable", { failure: "unavailable", retry: "never" }, "capacity; retrying now will not help"],
  ["InvalidParameter", { failure: "rejected", retry: "never" }, "input Tencent refused"],
  ["InvalidParameterValue", { failure: "rejected", retry: "never" }, "input Tencent refused"],
  ["MissingParameter", { failure: "rejected", retry: "never" }, "input Tencent refused"],
  ["UnknownParameter", { failure: "rejected", retry: "never" }, "input Tencent refused"],
  ["ResourceNotFound", { failure: "rejected", retry: "never" }, "a referenced file does not exist"],
  ["RequestSizeLimitExceeded", { failure: "rejected", retry: "never" }, "body too large"],
  ["UnsupportedOperation", { failure: "rejected", retry: "never" }, "not supported for this input"],
];

const EXACT_ONLY = new Set(["InvalidParameterValue.SessionId"]);

/** Classifies a Tencent error code. */
export function classifyCode(code: string): FailureClass {
  for (const [prefix, cls] of CODE_RULES) {
    const matches = EXACT_ONLY.has(prefix) ? code === prefix : code === prefix || code.startsWith(`${prefix}.`);
    if (matches) return cls;
  }
  return { failure: "failed", retry: "never" };
}

/** Classifies anything the SDK can throw, including transport failures that carry no Tencent code. */
export function classifyError(error: unknown, aborted: boolean): FailureClass & { code: string; requestId?: string; message: string } {
  const e = (error ?? {}) as SdkErrorLike;
  const message = typeof e.message === "string" ? e.message : String(error);
  const requestId = e.requestId || undefined;
  if (e.code && typeof e.code === "string" && /^[A-Z][A-Za-z]+(\.[A-Za-z0-9]+)*$/.test(e.code)) {
    return { ...classifyCode(e.code), code: e.code, message, ...(requestId ? { requestId } : {}) };
  }
  if (aborted || /network timeout|aborted/i.test(message)) {
    return { failure: "timeout", retry: "with-session-id", code: "RequestTimeout", message: "no answer in time" };
  }
  if (/ECONNREFUSED|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|ENETUNREACH/.test(message)) {
    // The connection was never made, so the call cannot have run.
    return { failure: "unavailable", retry: "always", code: "NetworkError.Unreachable", message: "could not connect" };
  }
  if (typeof e.httpCode === "number") {
    const failure: UpstreamFailure = e.httpCode === 503 ? "unavailable" : e.httpCode === 504 ? "timeout" : "failed";
    return { failure, retry: "with-session-id", code: `HttpError.${e.httpCode}`, message: `HTTP ${e.httpCode}` };
  }
  if (/ECONNRESET|socket hang up|EPIPE|premature close/i.test(message)) {
    return { failure: "failed", retry: "with-session-id", code: "NetworkError.ConnectionReset", message: "connection dropped" };
  }
  if (/invalid json|Unexpected (token|end)|JSON/i.test(message) || e.type === "invalid-json") {
    return { failure: "failed", retry: "with-session-id", code: "InvalidResponse", message: "malformed answer" };
  }
  return { failure: "failed", retry: "with-session-id", code: "NetworkError", message: "transport failure" };
}

export interface CallOptions {
  action: string;
  params: Record<string, unknown>;
  /** The dedup key the call carries; without one, calls that may have run are not retried. */
  sessionId?: string;
  /** A read (Describe*, PullEvents): running it twice is harmless, so it retries like a deduped call. */
  idempotent?: boolean;
  /** Epoch ms after which no attempt may start or continue. */
  deadline: number;
  attemptTimeoutMs: number;
  log: Logger;
  /**
   * What a successful answer must hold (a create's TaskId): returns what is missing, or undefined
   * when the answer will do. An answer that misses it is Tencent's failure, thrown as "failed" with
   * Tencent's RequestId and not retried (the call ran).
   */
  missingFrom?: (response: Record<string, unknown>) => string | undefined;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
}

const BACKOFF_BASE_MS = 250;
const BACKOFF_CAP_MS = 4_000;
/** Tencent counts each action's calls per account over one second. */
const THROTTLE_WINDOW_MS = 1_000;
/** Spreads the retries of one burst so they do not all land in the same millisecond. */
const THROTTLE_JITTER_MS = 20;
/** An attempt with less time than this left is not worth starting. */
const MIN_ATTEMPT_MS = 300;
/**
 * How many times one call may be tried, by what went wrong. InternalError, 5xx, timeouts and
 * network failures get 5 attempts (4 retries, ~3.75 s of backoff at most). A throttle is a wait
 * for the next 1 s window, so it gets more: 11 attempts let a burst of 10x Tencent's per-second
 * limit (200 creates at VOD's 20/s) drain in full. A throttled attempt does not use up one of the
 * failure attempts.
 */
export const RETRY_LIMITS = { failedAttempts: 5, throttledAttempts: 11 } as const;
/**
 * The most one call spends from its first attempt to its answer, retries and waits included (and
 * never past the caller's deadline): a client waiting on a create hears back within about 11 s
 * whatever Tencent does, well inside API Gateway's 30 s.
 */
export const CALL_BUDGET_MS = 11_000;

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * How long to wait, once an attempt has failed, before the next one. A throttled attempt is
 * repeated one second (plus a little jitter) after it was sent: the window that refused it has
 * then passed and frees the calls it held, so a burst over the limit drains at the limit's rate
 * (exponential backoff left part of each second unused). The wait is cut short when a whole second
 * would leave no time for another attempt. Other failures back off exponentially with full jitter.
 */
export function retryDelay(
  failure: UpstreamFailure,
  attempt: number,
  timing: { sinceAttemptStartMs: number; timeLeftMs: number },
  random: () => number = Math.random,
): number {
  if (failure !== "throttled") return Math.round(random() * Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** (attempt - 1)));
  const windowPassed = THROTTLE_WINDOW_MS + Math.round(random() * THROTTLE_JITTER_MS) - timing.sinceAttemptStartMs;
  return Math.max(0, Math.min(windowPassed, timing.timeLeftMs - MIN_ATTEMPT_MS));
}

/** Calls one Tencent action, retrying what is safe to retry within the deadline. */
export async function callTencent(api: TencentApi, options: CallOptions): Promise<Record<string, unknown>> {
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? defaultSleep;
  const random = options.random ?? Math.random;
  let mayHaveRun = false;
  const stopAt = Math.min(options.deadline, now() + CALL_BUDGET_MS);
  let throttled = 0;
  let failed = 0;
  for (let attempt = 1; ; attempt++) {
    const remaining = stopAt - now();
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), Math.max(1, Math.min(options.attemptTimeoutMs, remaining)));
    const started = now();
    try {
      const response = await api.request(options.action, options.params, { signal: controller.signal });
      const upstreamRequestId = typeof response.RequestId === "string" && response.RequestId ? response.RequestId : undefined;
      options.log.info("tencent.call", { action: options.action, attempt, ms: now() - started, upstreamRequestId });
      const missing = options.missingFrom?.(response);
      if (missing !== undefined) {
        throw new UpstreamError("failed", "InvalidResponse.Incomplete", `Tencent answered without ${missing}`, {
          action: options.action,
          attempts: attempt,
          ...(upstreamRequestId ? { upstreamRequestId } : {}),
          ...(options.sessionId ? { sessionId: options.sessionId } : {}),
          mayHaveRun: true,
        });
      }
      return response;
    } catch (error) {
      // Our own verdict on an answer that arrived (missingFrom): final, not a transport failure.
      if (error instanceof UpstreamError) throw error;
      const cls = classifyError(error, controller.signal.aborted);
      const repeatable = options.idempotent === true || options.sessionId !== undefined;
      const retryable = cls.retry === "always" || (cls.retry === "with-session-id" && repeatable);
      if (cls.failure === "throttled") throttled++;
      else failed++;
      const withinCount = cls.failure === "throttled" ? throttled < RETRY_LIMITS.throttledAttempts : failed < RETRY_LIMITS.failedAttempts;
      const delay = retryDelay(cls.failure, failed, { sinceAttemptStartMs: now() - started, timeLeftMs: stopAt - now() }, random);
      const timeLeft = stopAt - now() - delay;
      const willRetry = retryable && withinCount && timeLeft >= MIN_ATTEMPT_MS;
      options.log.warn("tencent.call.failed", {
        action: options.action,
        attempt,
        code: cls.code,
        failure: cls.failure,
        upstreamRequestId: cls.requestId,
        willRetry,
        ...(willRetry ? { retryInMs: delay } : {}),
      });
      const duplicateAfterLostAnswer = cls.failure === "duplicate" && mayHaveRun;
      if (!willRetry) {
        // An answer of unknown meaning ("failed" without a rule) may come from a call that ran.
        const thisAttemptMayHaveRun = cls.retry === "with-session-id" || cls.failure === "failed";
        throw new UpstreamError(
          cls.failure,
          cls.code,
          duplicateAfterLostAnswer
            ? `an earlier attempt of this request most likely created the task but its answer was lost; SessionId ${options.sessionId} identifies it`
            : cls.message,
          {
            action: options.action,
            attempts: attempt,
            ...(cls.requestId ? { upstreamRequestId: cls.requestId } : {}),
            ...(options.sessionId ? { sessionId: options.sessionId } : {}),
            ...(duplicateAfterLostAnswer ? { earlierAttemptMayHaveSucceeded: true } : {}),
            mayHaveRun: mayHaveRun || thisAttemptMayHaveRun,
            ...(cls.failure === "throttled" || cls.failure === "unavailable" ? { retryAfterSeconds: 1 } : {}),
          },
          { cause: error },
        );
      }
      if (cls.retry === "with-session-id" && !options.idempotent) mayHaveRun = true;
      await sleep(delay);
    } finally {
      clearTimeout(timer);
    }
  }
}

/**
 * The bundle's error family. Errors say what went wrong in the product's words; which HTTP status
 * each becomes is decided in one place only, `shared/http/problem.ts`.
 */

/** One problem with one field of a request, named as the client spelled it. */
export interface FieldIssue {
  field: string;
  message: string;
  code: string;
}

/** Why we refused a request ourselves, before (or instead of) calling Tencent. */
export type RefusalKind =
  | "invalid-request"
  | "unauthorized"
  | "route-not-found"
  | "resource-not-found"
  | "method-not-allowed"
  | "payload-too-large"
  | "unsupported-media-type"
  | "unsupported-event"
  | "idempotency-mismatch"
  | "idempotency-in-flight"
  | "daily-limit-reached";

/** A request we refuse; nothing was sent upstream. */
export class RequestRefused extends Error {
  override name = "RequestRefused";
  constructor(
    readonly kind: RefusalKind,
    readonly code: string,
    message: string,
    readonly details: { issues?: FieldIssue[]; allow?: string[]; retryAfterSeconds?: number } = {},
  ) {
    super(message);
  }
}

/**
 * How a Tencent call failed, from the caller's point of view:
 * - throttled: Tencent still refused for rate after our retries;
 * - rejected: Tencent refused the input (the client can fix it);
 * - duplicate: the SessionId was already used;
 * - denied: our own credentials or account are at fault (the client cannot fix it);
 * - quota-exceeded: the account's quota is used up (LimitExceeded.*, e.g. the AIGC quota its owner
 *   set): Tencent is fine and refused on purpose, and only the owner raising it, or time, helps;
 * - unavailable / timeout / failed: Tencent could not answer or answered with an error of its own.
 */
export type UpstreamFailure = "throttled" | "rejected" | "duplicate" | "denied" | "quota-exceeded" | "unavailable" | "timeout" | "failed";

/** A failed call to Tencent, keeping Tencent's error code and RequestId. */
export class UpstreamError extends Error {
  override name = "UpstreamError";
  constructor(
    readonly failure: UpstreamFailure,
    readonly code: string,
    message: string,
    readonly context: {
      action: string;
      upstreamRequestId?: string;
      attempts: number;
      sessionId?: string;
      /** True when an earlier attempt may have created the task (its answer was lost). */
      earlierAttemptMayHaveSucceeded?: boolean;
      /** Of a create: false only when no attempt can have run upstream, so nothing was made; absent means unknown. */
      mayHaveRun?: boolean;
      retryAfterSeconds?: number;
    },
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/**
 * The COS client's one error type. COS answers errors as XML
 * (`<Error><Code/><Message/><RequestId/></Error>`); HEAD answers and transport failures carry no
 * body, so their code is derived from the status or the failure.
 */

/** Why a failed COS call may be repeated as is; anything not listed is final. */
const RETRYABLE_STATUSES: ReadonlyMap<number, string> = new Map([
  [429, "SlowDown: COS refused for rate before doing anything"],
  [500, "InternalError: COS failed on its side"],
  [502, "a gateway in front of COS failed"],
  [503, "ServiceUnavailable / SlowDown: COS asks to come back later"],
  [504, "a gateway in front of COS timed out"],
]);

/** Codes for answers that have no XML body to read one from (HEAD, proxies). */
const CODE_BY_STATUS: ReadonlyMap<number, string> = new Map([
  [400, "InvalidRequest"],
  [403, "AccessDenied"],
  [404, "NoSuchKey"],
  [405, "MethodNotAllowed"],
  [409, "Conflict"],
  [412, "PreconditionFailed"],
  [429, "SlowDown"],
  [500, "InternalError"],
  [503, "ServiceUnavailable"],
]);

/** A failed COS call: the HTTP status (0 when nothing came back), COS's code and RequestId. */
export class CosError extends Error {
  override name = "CosError";
  /** HTTP status; 0 for a network failure or a timeout. */
  readonly status: number;
  /** COS's XML `<Code>`, or `NetworkError` / `RequestTimeout` when COS never answered. */
  readonly code: string;
  readonly cosRequestId?: string;
  /** True when repeating the same call may succeed (5xx, 429, network errors, timeouts). */
  readonly retryable: boolean;

  constructor(init: { status: number; code: string; message: string; cosRequestId?: string; retryable: boolean; cause?: unknown }) {
    super(init.message, init.cause === undefined ? undefined : { cause: init.cause });
    this.status = init.status;
    this.code = init.code;
    if (init.cosRequestId !== undefined) this.cosRequestId = init.cosRequestId;
    this.retryable = init.retryable;
  }
}

/** Whether an answer with this status may be repeated. */
export function isRetryableStatus(status: number): boolean {
  return RETRYABLE_STATUSES.has(status) || status >= 500;
}

/** Builds a CosError from an error answer; `what` names the call, e.g. `GET aigc-1250000000/in/clip.mp4`. */
export function cosErrorFromResponse(what: string, status: number, body: string, headerRequestId: string | undefined): CosError {
  const code = xmlText(body, "Code") ?? CODE_BY_STATUS.get(status) ?? (status >= 500 ? "InternalError" : `Http${status}`);
  const message = xmlText(body, "Message");
  const cosRequestId = xmlText(body, "RequestId") ?? headerRequestId;
  return new CosError({
    status,
    code,
    message: `${what} failed: HTTP ${status} ${code}${message ? `: ${message}` : ""}`,
    ...(cosRequestId ? { cosRequestId } : {}),
    retryable: isRetryableStatus(status),
  });
}

/** Builds a CosError for a call that got no answer at all. */
export function cosErrorFromTransport(what: string, error: unknown, timedOut: boolean): CosError {
  const detail = error instanceof Error ? (error.cause instanceof Error ? error.cause.message : error.message) : String(error);
  return new CosError({
    status: 0,
    code: timedOut ? "RequestTimeout" : "NetworkError",
    message: timedOut ? `${what} got no answer in time` : `${what} failed before COS answered: ${detail}`,
    retryable: true,
    cause: error,
  });
}

/** The text of the first `<tag>` of a small XML document, entities decoded. */
export function xmlText(xml: string, tag: string): string | undefined {
  const match = new RegExp(`<${tag}>([\\s\\S]*?)</${tag}>`).exec(xml);
  return match?.[1] === undefined ? undefined : decodeXmlEntities(match[1]);
}

/** Decodes the five XML entities and numeric character references. */
export function decodeXmlEntities(text: string): string {
  return text.replace(/&(#x[0-9a-fA-F]+|#\d+|amp|lt|gt|quot|apos);/g, (_, entity: string) => {
    switch (entity) {
      case "amp":
        return "&";
      case "lt":
        return "<";
      case "gt":
        return ">";
      case "quot":
        return '"';
      case "apos":
        return "'";
      default:
        return String.fromCodePoint(entity[1] === "x" ? parseInt(entity.slice(2), 16) : parseInt(entity.slice(1), 10));
    }
  });
}

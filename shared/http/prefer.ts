/**
 * The `Prefer: wait=N` request preference (RFC 7240 section 4.3): the client would rather wait up to
 * N seconds for a final answer than poll. Honoured up to MAX_WAIT_SECONDS, inside API Gateway's 30 s;
 * a larger N is refused with a 400 rather than silently cut, so the client knows what it gets.
 */

import { RequestRefused } from "../errors";

/** The longest wait honoured: API Gateway ends a request at 30 s, and the answer needs the rest. */
export const MAX_WAIT_SECONDS = 25;

/**
 * The seconds of a `Prefer: wait=N` header, or undefined when the request prefers no wait. Other
 * preferences in the header are ignored, as RFC 7240 asks; a malformed or too long wait is a 400.
 */
export function preferredWaitSeconds(header: string | undefined): number | undefined {
  if (header === undefined) return undefined;
  for (const preference of header.split(",")) {
    const [name, ...rest] = preference.split("=");
    if (name?.trim().toLowerCase() !== "wait") continue;
    const value = rest.join("=").split(";")[0]?.trim().replace(/^"(.*)"$/, "$1") ?? "";
    if (!/^\d{1,6}$/.test(value) || Number(value) > MAX_WAIT_SECONDS) {
      const message = `Prefer: wait must be a whole number of seconds from 0 to ${MAX_WAIT_SECONDS}`;
      throw new RequestRefused("invalid-request", "InvalidParameterValue.Prefer", `${message}; got ${JSON.stringify(value.slice(0, 20))}.`, {
        issues: [{ field: "Prefer", message, code: "InvalidParameterValue.Prefer" }],
      });
    }
    return Number(value);
  }
  return undefined;
}

/**
 * The SessionId a create is sent under. Tencent refuses a repeated SessionId for 3 days, which is
 * what makes retrying a create safe: a retry can never become a second billed task.
 */

import { createHash, randomUUID } from "node:crypto";
import type { Caller } from "../auth";
import type { TaskKind } from "../validation";

/** Tencent's limit on SessionId length. */
export const SESSION_ID_MAX = 50;

/**
 * Picks the SessionId: the client's own, else one derived from its Idempotency-Key (scoped to the
 * caller's token and the task type, so two clients' keys never collide), else a fresh one.
 */
export function chooseSessionId(input: {
  kind: TaskKind;
  caller: Caller;
  clientSessionId?: string;
  idempotencyKey?: string;
}): string {
  if (input.clientSessionId) return input.clientSessionId;
  if (input.idempotencyKey !== undefined) {
    const digest = createHash("sha256").update(`${input.caller.tokenId}\n${input.kind}\n${input.idempotencyKey}`).digest("base64url");
    return `idem-${digest.slice(0, 40)}`;
  }
  return `req-${randomUUID().replace(/-/g, "")}`;
}

/** Idempotency-Key header values we accept: 1-255 visible ASCII characters. */
export function isValidIdempotencyKey(value: string): boolean {
  return /^[\x21-\x7e]{1,255}$/.test(value);
}

/**
 * Bearer-token authentication for the HTTP routes.
 * Tokens are configured as raw values or as `sha256:<hex>` of one, so a deployment can keep only
 * hashes in its configuration. Every comparison is between SHA-256 digests in constant time.
 */

import { hash, timingSafeEqual } from "node:crypto";

/** One configured token, kept only as its digest. */
export interface TokenEntry {
  digest: Buffer;
}

/** Who made a request: a stable, non-secret id derived from the token (first 16 hex of its hash). */
export interface Caller {
  tokenId: string;
}

export type AuthOutcome =
  | { ok: true; caller: Caller }
  | { ok: false; reason: "no-tokens-configured" | "missing" | "malformed" | "unknown" };

/** Node's one-shot digest (every supported runtime has it): no Hash object for the GC to finalise. */
function sha256(value: string): Buffer {
  return hash("sha256", value, "buffer");
}

function tokenIdOfDigest(digest: Buffer): string {
  return digest.toString("hex").slice(0, 16);
}

/** The owner id recorded for a token: the first 16 hex digits of its SHA-256, never the token itself. */
export function tokenIdOf(token: string): string {
  return tokenIdOfDigest(sha256(token));
}

/** Parses AIGC_API_TOKENS (comma-separated raw tokens or `sha256:<hex>` entries). */
export function parseTokenList(raw: string): TokenEntry[] {
  const entries: TokenEntry[] = [];
  for (const part of raw.split(",")) {
    const item = part.trim();
    if (!item) continue;
    if (item.toLowerCase().startsWith("sha256:")) {
      const hex = item.slice("sha256:".length);
      if (!/^[0-9a-fA-F]{64}$/.test(hex)) {
        throw new Error("has a sha256: entry that is not 64 hex digits");
      }
      entries.push({ digest: Buffer.from(hex, "hex") });
    } else {
      entries.push({ digest: sha256(item) });
    }
  }
  return entries;
}

/** Checks an Authorization header against the configured tokens; fails closed when none are set. */
export function authenticate(authorization: string | undefined, tokens: readonly TokenEntry[]): AuthOutcome {
  if (tokens.length === 0) return { ok: false, reason: "no-tokens-configured" };
  if (!authorization) return { ok: false, reason: "missing" };
  const match = /^Bearer[ ]+([\x21-\x7e]+)\s*$/i.exec(authorization);
  if (!match?.[1]) return { ok: false, reason: "malformed" };
  const presented = sha256(match[1]);
  // Compare against every entry without stopping early, so timing says nothing about which matched.
  let matched = false;
  for (const entry of tokens) {
    if (timingSafeEqual(entry.digest, presented)) matched = true;
  }
  if (!matched) return { ok: false, reason: "unknown" };
  return { ok: true, caller: { tokenId: tokenIdOfDigest(presented) } };
}

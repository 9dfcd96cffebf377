/**
 * Stands in for `uuid` inside function bundles, where the Tencent SDK only calls `v4()` (for its
 * X-TC-TraceId). uuid 11's `v4()` without arguments returns `crypto.randomUUID()`, so this is the
 * same value source without the other versions' code.
 */
import { randomUUID } from "node:crypto";

/** A random RFC 4122 version 4 UUID. */
export function v4(): string {
  return randomUUID();
}

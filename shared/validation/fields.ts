/**
 * Zod building blocks for Tencent's field types. They stay convertible with
 * `z.toJSONSchema(schema, { io: "input" })`: coercions are pipes whose input side is plain.
 *
 * Messages given here start in lower case and read after the field's name
 * ("must be an integer"); issues.ts puts the client's field name in front.
 */
import { z } from "zod";
import { SWITCH_VALUES } from "../catalog";

const NUMERIC_STRING = /^-?\d+$/;

/**
 * An integer that also accepts a numeric string ("10"), as Tencent's own examples send
 * TasksPriority; the output is always a number.
 */
export function integer(bounds: { min?: number; max?: number } = {}) {
  const range = rangeMessage(bounds);
  let checked = z.number().int({ error: "must be an integer" });
  if (bounds.min !== undefined) checked = checked.min(bounds.min, { error: range });
  if (bounds.max !== undefined) checked = checked.max(bounds.max, { error: range });
  return z
    .union([checked, z.string().regex(NUMERIC_STRING, { error: "must be an integer" })], {
      error: "must be an integer (a number or a numeric string)",
    })
    .transform(Number)
    .pipe(checked);
}

function rangeMessage({ min, max }: { min?: number; max?: number }): string {
  if (min !== undefined && max !== undefined) return `must be between ${min} and ${max}`;
  if (min !== undefined) return `must be at least ${min}`;
  return `must be at most ${max}`;
}

/** A string of at most `max` characters. */
export function text(max?: number) {
  return max === undefined ? z.string() : z.string().max(max, { error: `must be at most ${max} characters` });
}

/** A string that must not be empty (names, ids). */
export function nonEmpty() {
  return z.string().min(1, { error: "must not be empty" });
}

/**
 * One of Tencent's enumerated values, matched ignoring case ("file", "temporary" and "ENABLED"
 * are what relay clients and their examples send) and passed on in Tencent's spelling. The input
 * side is a string listing the values, so the API description still shows them.
 */
export function oneOf<const T extends readonly [string, ...string[]]>(values: T) {
  const canonical = new Map<string, string>(values.map((value) => [value.toLowerCase(), value]));
  return z
    .string()
    .meta({ enum: [...values] })
    .transform((value) => canonical.get(value.toLowerCase()) ?? value)
    .pipe(z.enum(values, { error: `must be one of: ${values.join(", ")}` }));
}

/** VOD's Enabled/Disabled switch. */
export function onOff() {
  return oneOf(SWITCH_VALUES);
}

/** An absolute http(s) URL, which Tencent fetches itself. */
export function httpUrl() {
  return z.string().regex(/^https?:\/\/[^\s/?#]+[^\s]*$/i, { error: "must be an absolute http(s) URL" });
}

/** ISO 8601 date-time with a zone, as Tencent's ExpireTime takes it (2025-12-28T00:35:00Z). */
export function isoDateTime() {
  return z.iso.datetime({ offset: true, error: "must be an ISO 8601 date-time with a zone, such as 2025-12-28T00:35:00Z" });
}

/** "W:H" or "auto"; which ratios a model takes is checked against the catalog. */
export function aspectRatio() {
  return z.string().regex(/^(\d+:\d+|auto)$/i, { error: 'must look like "16:9" (or "auto")' });
}

// A flat character class, not groups of four: group repetition overflows the regex stack on megabytes.
const BASE64_ALPHABET = /^[A-Za-z0-9+/]*={0,2}$/;

function isBase64(value: string): boolean {
  return value.length > 0 && value.length % 4 === 0 && BASE64_ALPHABET.test(value);
}

/** Plain base64 (no data: URL prefix, which Tencent refuses). */
export function base64() {
  return z.string().superRefine((value, ctx) => {
    if (/^data:/i.test(value)) ctx.addIssue({ code: "custom", message: "must be plain base64, without a data: prefix" });
    else if (!isBase64(value)) ctx.addIssue({ code: "custom", message: "must be valid base64" });
  });
}

/** How many bytes a valid base64 string decodes to. */
export function decodedBase64Bytes(value: string): number {
  const padding = value.endsWith("==") ? 2 : value.endsWith("=") ? 1 : 0;
  return (value.length / 4) * 3 - padding;
}

/** A string holding serialized JSON, as MPS AdditionalParameters. */
export function jsonText() {
  return z.string().superRefine((value, ctx) => {
    try {
      JSON.parse(value);
    } catch {
      ctx.addIssue({ code: "custom", message: "must be a JSON-serialized string, such as {\"camera_control\":{\"type\":\"simple\"}}" });
    }
  });
}

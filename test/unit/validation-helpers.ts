/**
 * Shared arrange/assert helpers for the validation specs.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { expect } from "vitest";
import { validateCreateRequest, type FieldIssue, type TaskKind, type ValidationOptions } from "../../shared/validation";

const BODIES = fileURLToPath(new URL("../events/bodies/", import.meta.url));

/** A fresh copy of a seed example body ("seed" or "seed.snake"), safe to mutate. */
export function seedBody(kind: TaskKind, variant: "seed" | "seed.snake" = "seed"): Record<string, unknown> {
  return JSON.parse(readFileSync(`${BODIES}${kind}.${variant}.json`, "utf8")) as Record<string, unknown>;
}

/** Validates and expects success without warnings, returning the params. */
export function expectValid(kind: TaskKind, body: unknown, options?: ValidationOptions): Record<string, unknown> {
  const { params, warnings } = expectSent(kind, body, options);
  expect(warnings, `warnings for a body expected to pass cleanly`).toEqual([]);
  return params;
}

/** Validates and expects success (the request is sent), returning the params and any warnings. */
export function expectSent(kind: TaskKind, body: unknown, options?: ValidationOptions): { params: Record<string, unknown>; warnings: FieldIssue[] } {
  const result = validateCreateRequest(kind, body, options);
  if (!result.ok) throw new Error(`expected ${kind} body to be valid, got ${JSON.stringify(result.issues, null, 2)}`);
  return { params: result.params, warnings: result.warnings };
}

/** Validates, expects the request to be sent with exactly one warning on `field` with `code`, whose message contains every fragment. */
export function expectWarned(kind: TaskKind, body: unknown, field: string, code: string, ...fragments: string[]): Record<string, unknown> {
  const { params, warnings } = expectSent(kind, body);
  expectIssue(warnings, field, code, ...fragments);
  return params;
}

/** Validates and expects failure, returning the issues. */
export function expectInvalid(kind: TaskKind, body: unknown, options?: ValidationOptions): FieldIssue[] {
  const result = validateCreateRequest(kind, body, options);
  if (result.ok) throw new Error(`expected ${kind} body to be refused, got params ${JSON.stringify(result.params)}`);
  return result.issues;
}

/** Expects exactly one issue on `field` with `code`, whose message contains every given fragment. */
export function expectIssue(issues: FieldIssue[], field: string, code: string, ...fragments: string[]): FieldIssue {
  const matching = issues.filter((issue) => issue.field === field);
  expect(matching, `issues on ${field} among ${JSON.stringify(issues, null, 2)}`).toHaveLength(1);
  const [issue] = matching as [FieldIssue];
  expect(issue.code).toBe(code);
  for (const fragment of fragments) expect(issue.message).toContain(fragment);
  return issue;
}

/** A small valid base64 payload (a few bytes). */
export const TINY_BASE64 = Buffer.from("tiny image").toString("base64");

/** A base64 string that decodes to `bytes` bytes. */
export function base64OfSize(bytes: number): string {
  return Buffer.alloc(bytes, 7).toString("base64");
}

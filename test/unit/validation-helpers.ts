/**
 * Shared arrange/assert helpers for the validation specs.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { expect } from "vitest";
import { validateCreateRequest, type FieldIssue, type TaskKind } from "../../shared/validation";

const BODIES = fileURLToPath(new URL("../events/bodies/", import.meta.url));

/** A fresh copy of a seed example body ("seed" or "seed.snake"), safe to mutate. */
export function seedBody(kind: TaskKind, variant: "seed" | "seed.snake" = "seed"): Record<string, unknown> {
  return JSON.parse(readFileSync(`${BODIES}${kind}.${variant}.json`, "utf8")) as Record<string, unknown>;
}

/** Validates and expects success, returning the params. */
export function expectValid(kind: TaskKind, body: unknown, options?: { allowUnlistedModels?: boolean }): Record<string, unknown> {
  const result = validateCreateRequest(kind, body, options);
  if (!result.ok) throw new Error(`expected ${kind} body to be valid, got ${JSON.stringify(result.issues, null, 2)}`);
  return result.params;
}

/** Validates and expects failure, returning the issues. */
export function expectInvalid(kind: TaskKind, body: unknown, options?: { allowUnlistedModels?: boolean }): FieldIssue[] {
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

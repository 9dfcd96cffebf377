/**
 * Property-based fuzzing of every route and trigger, at CI size: the properties of `npm run fuzz`
 * (test/fuzz/invariants.ts) over a few hundred generated cases per target instead of 10,000.
 * FUZZ_RUNS and FUZZ_SEED change the size and the seed (fixed by default, so CI is repeatable).
 */

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFuzzStack, type FuzzStack } from "./harness";
import { FUZZ_TARGETS, fuzzTarget, type TargetReport } from "./targets";

const RUNS = Number(process.env.FUZZ_RUNS ?? 200);
const SEED = Number(process.env.FUZZ_SEED ?? 20261121);

let stack: FuzzStack;

beforeAll(async () => {
  stack = await startFuzzStack();
});
afterAll(async () => {
  await stack.close();
});

/** What a failure says: the violations, the shrunk case and how to replay it with the script. */
function explain(report: TargetReport): string {
  const failure = report.failure;
  if (!failure) return "";
  return [
    ...failure.shrunkViolations,
    failure.counterexample,
    `replay: npx tsx scripts/fuzz.ts --target '${report.name}' --runs ${RUNS} --seed ${failure.seed}${failure.path ? ` --path ${failure.path}` : ""}`,
  ].join("\n");
}

describe("fuzzing every route and trigger", () => {
  // In order: the query targets ask about tasks seeded on the same stack, the timer re-points the ledger.
  for (const target of FUZZ_TARGETS) {
    it(`keeps every invariant on ${target.name}`, async () => {
      const report = await fuzzTarget(stack, target, { numRuns: RUNS, seed: SEED });
      expect(report.failure, explain(report)).toBeUndefined();
      expect(report.cases).toBe(RUNS);
    }, 60_000);
  }
});

/**
 * `npm run fuzz` (tsx scripts/fuzz.ts): property-based fuzzing of every route and trigger with
 * fast-check, against the local Tencent and COS stand-ins. Prints a table per target (cases, by
 * status, upstream calls, violations); on a violation prints fast-check's shrunk counterexample and
 * how to replay it, and exits 1.
 *
 * Options: --runs N (10000 per target)  --seed S (default: random, printed)
 *          --target TEXT (only targets whose name contains TEXT)  --path P (replay one counterexample)
 * The invariants and arbitraries live in test/fuzz/, shared with test/fuzz/fuzz.test.ts.
 */

import { parseArgs } from "node:util";
import { startFuzzStack } from "../test/fuzz/harness";
import { FUZZ_TARGETS, fuzzTarget, type TargetReport } from "../test/fuzz/targets";

class UsageError extends Error {}

function intOption(value: string | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isSafeInteger(n) || (name === "runs" && n < 1)) throw new UsageError(`--${name} must be ${name === "runs" ? "a positive" : "an"} integer, got "${value}"`);
  return n;
}

/** Lines of the result table: one row per target, statuses in a column of their own. */
function table(reports: readonly TargetReport[]): string {
  const rows = reports.map((r) => [
    r.name,
    String(r.cases),
    Object.entries(r.statuses)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([status, count]) => `${status}:${count}`)
      .join(" "),
    String(r.upstreamCalls),
    String(r.casesWithUpstream),
    String(r.violations),
    `${(r.ms / 1000).toFixed(1)} s`,
  ]);
  const header = ["target", "cases", "by status", "upstream calls", "cases calling upstream", "violations", "time"];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] ?? "").length)));
  const line = (cells: string[]) => cells.map((cell, i) => (i === 0 || i === 2 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0))).join("  ");
  return [line(header), widths.map((w) => "-".repeat(w)).join("  "), ...rows.map(line)].join("\n");
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: { runs: { type: "string" }, seed: { type: "string" }, target: { type: "string" }, path: { type: "string" } },
    strict: true,
  });
  const runs = intOption(values.runs, 10_000, "runs");
  // Non-negative, so that the printed `--seed S` parses as a value and not as an option.
  const seed = intOption(values.seed, Math.floor(Math.random() * 0x7fffffff), "seed");
  const targets = FUZZ_TARGETS.filter((t) => values.target === undefined || t.name.includes(values.target));
  if (targets.length === 0) throw new UsageError(`no target name contains "${values.target}"; targets: ${FUZZ_TARGETS.map((t) => t.name).join(", ")}`);

  process.stderr.write(`fuzzing ${targets.length} target(s), ${runs} case(s) each, seed ${seed}\n`);
  const stack = await startFuzzStack();
  const reports: TargetReport[] = [];
  const started = performance.now();
  try {
    for (const target of targets) {
      const report = await fuzzTarget(stack, target, { numRuns: runs, seed, ...(values.path ? { path: values.path } : {}) });
      reports.push(report);
      process.stderr.write(`  ${target.name}: ${report.cases} case(s), ${report.violations} violation(s), ${(report.ms / 1000).toFixed(1)} s\n`);
    }
  } finally {
    await stack.close();
  }
  const total = (performance.now() - started) / 1000;

  process.stdout.write(`\n${table(reports)}\n\nseed ${seed}, ${runs} run(s) per target, ${total.toFixed(1)} s in all\n`);
  const failed = reports.filter((r) => r.failure);
  for (const report of failed) {
    const failure = report.failure;
    if (!failure) continue;
    process.stdout.write(
      [
        "",
        `VIOLATION in ${report.name}`,
        ...failure.shrunkViolations.map((v) => `  - ${v}`),
        "counterexample (shrunk):",
        failure.counterexample,
        `replay: npx tsx scripts/fuzz.ts --target '${report.name}' --runs ${runs} --seed ${failure.seed}${failure.path ? ` --path ${failure.path}` : ""}`,
        "(earlier cases leave state in the stand-ins, e.g. used SessionIds; a replay by --path starts without it)",
        "",
      ].join("\n"),
    );
  }
  return failed.length > 0 ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(error instanceof UsageError ? `fuzz: ${error.message}\n` : `fuzz failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(2);
  },
);

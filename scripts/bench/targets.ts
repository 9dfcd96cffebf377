/** The issue's performance targets, each checked against one bench run's own figures. */

import type { BuiltBundle, ColdResult } from "./cold-start";
import type { DrainResult } from "./drain";
import type { RouteOverhead } from "./handler-overhead";
import { bytes, ms, rssKb } from "./stats";
import type { TrackerResult } from "./tracker";

export interface TargetCheck {
  target: string;
  measured: string;
  met: boolean;
}

/** 200 KB and 10 MB taken as decimal (the stricter reading): 200,000 bytes, 10,000,000 bytes. */
const BUNDLE_MAX_BYTES = 200_000;
const COLD_START_MAX_MS = 30;
const REFERENCE_FACTOR = 8;
const RSS_MAX_KB = 10_000_000 / 1024;
const OVERHEAD_P99_MAX_MS = 2;
const DRAIN_MIN_FRACTION = 0.95;
const TICK_MAX_MS = 10_000;

function worst<T>(items: T[], value: (item: T) => number): T | undefined {
  return items.reduce<T | undefined>((a, b) => (a === undefined || value(b) > value(a) ? b : a), undefined);
}

export function checkTargets(input: {
  bundles: BuiltBundle[];
  cold: ColdResult[];
  overhead: RouteOverhead[];
  drain: DrainResult | { error: string };
  tracker: TrackerResult[];
}): TargetCheck[] {
  const checks: TargetCheck[] = [];
  const functions = input.bundles.filter((b) => b.kind === "function");
  const biggest = worst(functions, (b) => b.bytes);
  checks.push({
    target: "every bundle under 200 KB minified",
    measured: biggest ? `largest ${biggest.name} ${biggest.bytes.toLocaleString("en")} B (${bytes(biggest.bytes)}), ${functions.length} bundles` : "no bundle built",
    met: functions.length > 0 && functions.every((b) => b.bytes < BUNDLE_MAX_BYTES),
  });

  const bare = input.cold.find((c) => c.kind === "baseline");
  const reference = input.cold.find((c) => c.kind === "reference");
  const coldFunctions = input.cold.filter((c) => c.kind === "function" && c.runs > 0);
  const overBare = (c: ColdResult) => c.ready.p50 - (bare?.ready.p50 ?? Number.NaN);
  const slowest = worst(coldFunctions, overBare);
  checks.push({
    target: "cold start (ready p50) within 30 ms of bare node",
    measured: slowest ? `slowest ${slowest.name} +${ms(overBare(slowest))} (bare ${ms(bare?.ready.p50)})` : "not measured",
    met: bare !== undefined && coldFunctions.length > 0 && coldFunctions.every((c) => overBare(c) <= COLD_START_MAX_MS),
  });
  const factor = slowest && reference ? overBare(reference) / Math.max(0.001, overBare(slowest)) : Number.NaN;
  checks.push({
    target: "cold start at least 8x better than the whole-SDK reference (ready - bare)",
    measured: reference && slowest ? `reference +${ms(overBare(reference))} / slowest +${ms(overBare(slowest))} = ${factor.toFixed(1)}x` : "not measured",
    met: Number.isFinite(factor) && factor >= REFERENCE_FACTOR,
  });

  const rssOver = (c: ColdResult) => c.rssReadyKb.p50 - (bare?.rssReadyKb.p50 ?? Number.NaN);
  const heaviest = worst(coldFunctions, rssOver);
  const createdOver = worst(
    coldFunctions.filter((c) => c.rssCreatedKb),
    (c) => (c.rssCreatedKb?.p50 ?? 0) - (bare?.rssReadyKb.p50 ?? 0),
  );
  checks.push({
    target: "peak memory (maxRSS at ready, p50) within 10 MB of bare node",
    measured: heaviest
      ? `largest ${heaviest.name} +${rssKb(rssOver(heaviest))} (bare ${rssKb(bare?.rssReadyKb.p50)})` +
        (createdOver?.rssCreatedKb ? `; after the first create: ${createdOver.name} +${rssKb(createdOver.rssCreatedKb.p50 - (bare?.rssReadyKb.p50 ?? 0))}` : "")
      : "not measured",
    met: bare !== undefined && coldFunctions.length > 0 && coldFunctions.every((c) => rssOver(c) <= RSS_MAX_KB),
  });

  const measuredRoutes = input.overhead.filter((o) => !o.error);
  const slowestRoute = worst(measuredRoutes, (o) => o.full.p99);
  checks.push({
    target: "handler overhead p99 under 2 ms (every route)",
    measured: slowestRoute
      ? `slowest ${slowestRoute.route} p99 ${ms(slowestRoute.full.p99)} (p50 ${ms(slowestRoute.full.p50)}); ` +
        `with the stand-in in the same process, slowest p99 ${ms(Math.max(...measuredRoutes.map((o) => o.withStandIn?.summary.p99 ?? 0)))}`
      : "not measured",
    // A fast p99 of refused requests means nothing: every timed invocation must have created a task,
    // and the stand-in must have accepted every checked one.
    met:
      measuredRoutes.length > 0 &&
      measuredRoutes.length === input.overhead.length &&
      measuredRoutes.every(
        (o) =>
          o.full.p99 < OVERHEAD_P99_MAX_MS &&
          Object.keys(o.statuses).join() === "200" &&
          o.checked !== undefined &&
          o.checked.created === o.checked.invocations,
      ),
  });

  const drain = "requests" in input.drain ? (input.drain as DrainResult) : undefined;
  checks.push({
    target: "burst of 200 creates: all succeed, at >= 95% of the 20/s limit",
    measured: drain
      ? `${drain.succeeded}/${drain.requests} succeeded, ${(100 * drain.achievedFractionOfLimit).toFixed(1)}% of ${drain.limitPerSecond}/s (${ms(drain.wallMs)})`
      : `error: ${(input.drain as { error: string }).error}`,
    met: drain !== undefined && drain.requests >= 200 && drain.succeeded === drain.requests && drain.achievedFractionOfLimit >= DRAIN_MIN_FRACTION,
  });

  const tick = input.tracker[0];
  checks.push({
    target: "tracker tick over 1,000 pending tasks and 160 events within 10 s",
    measured: tick && tick.runs.length > 0 ? `p50 ${ms(tick.tick.p50)}, max ${ms(tick.tick.max)} (${tick.runs.length} runs)` : `not measured${tick?.failures[0] ? `: ${tick.failures[0]}` : ""}`,
    met: tick !== undefined && tick.runs.length > 0 && tick.tick.p50 <= TICK_MAX_MS,
  });
  return checks;
}

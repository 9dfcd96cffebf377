/**
 * The fuzz targets (every route and trigger of the bundle) and the runner that drives one of them
 * through fast-check, shared by scripts/fuzz.ts (10,000 cases each) and test/fuzz/fuzz.test.ts
 * (a few hundred, for CI).
 */

import fc from "fast-check";
import { main_handler as mpsImage } from "../../functions/mps-aigc-image";
import { main_handler as mpsVideo } from "../../functions/mps-aigc-video";
import { main_handler as taskTracker } from "../../functions/task-tracker";
import { main_handler as vodImage } from "../../functions/vod-aigc-image";
import { main_handler as vodRedraw } from "../../functions/vod-aigc-redraw";
import { main_handler as vodVideo } from "../../functions/vod-aigc-video";
import { mpsImageCatalog, mpsVideoCatalog, vodImageCatalog, vodVideoCatalog, type ActionCatalog } from "../../shared/catalog";
import { TASK_KINDS } from "../../shared/tasks/kinds";
import { taskQueryFunction } from "../../functions/task-query";
import { QUERY_ROUTES } from "../../shared/tracking/query";
import type { TaskKind } from "../../shared/validation";
import { CREATE_ROUTES, cosEventCase, createRouteCase, fixture, queryRouteCase, timerEventCase, type SeededTask } from "./arbitraries";
import { FUZZ_BUCKET, FUZZ_TOKENS, fuzzContext, observe, type FuzzStack } from "./harness";
import { checkCosCase, checkHttpCase, checkQueryCase, checkTimerCase, type HttpExpectations, type Verdict } from "./invariants";

type Handler = (event: unknown, context?: Record<string, unknown>) => Promise<unknown>;

/** One route or trigger to fuzz. */
export interface FuzzTarget {
  name: string;
  /** Gets the stand-ins into the state this target needs (seeded tasks, configuration). */
  prepare(stack: FuzzStack): Promise<void>;
  arbitrary(): fc.Arbitrary<unknown>;
  run(stack: FuzzStack, input: unknown): Promise<Verdict>;
  /** Puts back what prepare changed. */
  finish?(stack: FuzzStack): Promise<void>;
}

const CREATE_HANDLERS: Readonly<Record<TaskKind, Handler>> = {
  "vod-video": vodVideo as Handler,
  "vod-image": vodImage as Handler,
  "vod-redraw": vodRedraw as Handler,
  "mps-video": mpsVideo as Handler,
  "mps-image": mpsImage as Handler,
};

let invocation = 0;
/** A context with a request id of its own, so log lines of different cases never look alike. */
function context(): Record<string, unknown> {
  invocation += 1;
  return fuzzContext(`fuzz-ctx-${invocation}`);
}

const CATALOGS: Readonly<Record<TaskKind, ActionCatalog<object, string> | undefined>> = {
  "vod-video": vodVideoCatalog,
  "vod-image": vodImageCatalog,
  "mps-video": mpsVideoCatalog,
  "mps-image": mpsImageCatalog,
  "vod-redraw": undefined,
};

/**
 * With AIGC_ALLOW_UNLISTED_MODELS off, only models the catalog lists reach Tencent, in Tencent's
 * spelling. A version it does not list may be sent (with a warning in the answer), but always as
 * a string.
 */
function unlistedModel(kind: TaskKind, params: Record<string, unknown> | undefined): string | undefined {
  const catalog = CATALOGS[kind];
  const model = params?.ModelName;
  if (!catalog || model === undefined) return undefined;
  if (typeof model !== "string" || !Object.hasOwn(catalog.models, model)) return `the unlisted ModelName ${JSON.stringify(model)}`;
  const version = params?.ModelVersion;
  if (version !== undefined && typeof version !== "string") return `a ModelVersion that is not a string (${JSON.stringify(version)}) of ${model}`;
  return undefined;
}

function createTarget(kind: TaskKind): FuzzTarget {
  const handler = CREATE_HANDLERS[kind];
  const expectations: HttpExpectations = {
    actions: [TASK_KINDS[kind].action],
    successCalls: "at-least-one",
    isApiPath: (path) => path.startsWith(CREATE_ROUTES[kind].path),
    checkSent: (call) => unlistedModel(kind, call.params),
  };
  return {
    name: `POST ${CREATE_ROUTES[kind].path}`,
    prepare: async (stack) => {
      stack.tencent.reset();
    },
    arbitrary: () => createRouteCase(kind),
    run: async (stack, input) => {
      const fuzzCase = input as Parameters<typeof checkHttpCase>[0];
      const observation = await observe(stack, () => handler(fuzzCase.event, context()));
      return checkHttpCase(fuzzCase, observation, expectations);
    },
  };
}

/* Tasks the query targets ask about: created through the real functions, by both tokens and by an upload. */
let seeded: { stack: FuzzStack; tasks: SeededTask[] } | undefined;

async function createFor(kind: TaskKind, tokenIndex: 0 | 1): Promise<string> {
  const body = fixture(`bodies/${CREATE_ROUTES[kind].seeds[0]}`) as Record<string, unknown>;
  delete body.SessionId;
  const event = fixture<Record<string, any>>("apigw-create-video.json");
  event.path = CREATE_ROUTES[kind].path;
  event.requestContext.path = event.path;
  event.headers.authorization = `Bearer ${FUZZ_TOKENS[tokenIndex]}`;
  event.body = JSON.stringify(body);
  const response = (await CREATE_HANDLERS[kind](event, context())) as { statusCode: number; body: string };
  if (response.statusCode !== 200) throw new Error(`seeding a ${kind} task failed: ${response.statusCode} ${response.body}`);
  return String((JSON.parse(response.body) as { Response: { TaskId: string } }).Response.TaskId);
}

async function createByUpload(stack: FuzzStack): Promise<string> {
  const before = stack.tencent.createdTasks().length;
  const event = fixture<{ Records: Array<Record<string, any>> }>("cos-put-single.json");
  const record = event.Records[0] as Record<string, any>;
  record.cos.cosObject.meta["x-cos-request-id"] = `seed-${Date.now()}-${Math.random()}`;
  await vodRedraw(event, context());
  const created = stack.tencent.createdTasks().slice(before)[0]?.taskId;
  if (!created) throw new Error("seeding an upload task failed");
  return created;
}

/** Seeds the tasks once per stack (both query targets share them). */
async function seedTasks(stack: FuzzStack): Promise<SeededTask[]> {
  if (seeded?.stack === stack) return seeded.tasks;
  stack.tencent.reset();
  const tasks: SeededTask[] = [];
  // Quiet: the seeding invocations log like any other.
  await observe(stack, async () => {
    for (const tokenIndex of [0, 1] as const) {
      for (const kind of ["vod-video", "vod-image", "vod-redraw", "mps-video", "mps-image"] as const) {
        tasks.push({ taskId: await createFor(kind, tokenIndex), service: TASK_KINDS[kind].service, owner: tokenIndex });
      }
    }
    tasks.push({ taskId: await createByUpload(stack), service: "vod", owner: -1 });
  });
  seeded = { stack, tasks };
  return tasks;
}

function queryTarget(service: "vod" | "mps"): FuzzTarget {
  const route = QUERY_ROUTES.find((r) => r.service === service);
  if (!route) throw new Error(`no query route for ${service}`);
  const expectations: HttpExpectations = {
    actions: ["DescribeTaskDetail", "DescribeAigcVideoTask", "DescribeAigcImageTask"],
    successCalls: "any",
    isApiPath: (path) => path.includes("/v1/query/"),
  };
  let tasks: SeededTask[] = [];
  let taskQuery: Handler = async () => {
    throw new Error("prepare() was not run");
  };
  return {
    name: `GET ${route.path}`,
    prepare: async (stack) => {
      tasks = await seedTasks(stack);
      // As deployed: the function's entry, with the API description files its build puts beside it.
      taskQuery = taskQueryFunction({ assetsDir: await stack.apiDescriptionDir() }) as Handler;
    },
    arbitrary: () => queryRouteCase(service, tasks),
    run: async (stack, input) => {
      const fuzzCase = input as Parameters<typeof checkQueryCase>[0];
      const observation = await observe(stack, () => taskQuery(fuzzCase.event, context()));
      return checkQueryCase(fuzzCase, observation, expectations);
    },
  };
}

const cosTarget: FuzzTarget = {
  name: `COS ${FUZZ_BUCKET} -> vod-aigc-redraw`,
  prepare: async (stack) => {
    stack.tencent.reset();
  },
  arbitrary: () => cosEventCase,
  run: async (stack, input) => {
    const fuzzCase = input as Parameters<typeof checkCosCase>[0];
    const observation = await observe(stack, () => (vodRedraw as Handler)(fuzzCase.event, context()));
    return checkCosCase(fuzzCase, observation);
  },
};

/**
 * A ledger of its own: ticks then follow only tasks made for them, never a fuzzed CallbackUrl. Its
 * own bucket too, since the COS stand-in lists a prefix by reading every object of the bucket.
 */
const TIMER_LEDGER = { AIGC_LEDGER_BUCKET: "aigc-fuzz-timer-1250000000", AIGC_LEDGER_REGION: "ap-guangzhou", AIGC_LEDGER_PREFIX: ".fuzz-timer-ledger/" };

const timerTarget: FuzzTarget = {
  name: "timer -> task-tracker",
  prepare: async (stack) => {
    stack.tencent.reset();
    stack.configure(TIMER_LEDGER);
    // A few live tasks, so that ticks poll and pull events rather than find nothing to do.
    await observe(stack, async () => {
      await createFor("vod-video", 0);
      await createFor("mps-video", 0);
      await createFor("mps-image", 0);
      await createFor("vod-redraw", 1);
    });
  },
  arbitrary: () => timerEventCase,
  run: async (stack, input) => {
    const fuzzCase = input as Parameters<typeof checkTimerCase>[0];
    const observation = await observe(stack, () => (taskTracker as Handler)(fuzzCase.event, context()));
    return checkTimerCase(fuzzCase, observation);
  },
  finish: async (stack) => {
    stack.configure();
  },
};

/** Every target, in the order they run. */
export const FUZZ_TARGETS: readonly FuzzTarget[] = [
  createTarget("vod-video"),
  createTarget("vod-image"),
  createTarget("vod-redraw"),
  createTarget("mps-video"),
  createTarget("mps-image"),
  queryTarget("vod"),
  queryTarget("mps"),
  cosTarget,
  timerTarget,
];

/** The tally of one target's run and, when an invariant broke, fast-check's shrunk counterexample. */
export interface TargetReport {
  name: string;
  cases: number;
  statuses: Record<string, number>;
  upstreamCalls: number;
  casesWithUpstream: number;
  violations: number;
  ms: number;
  failure?: { seed: number; path?: string; counterexample: string; message: string; shrunkViolations: string[] };
}

/** JSON of a value with long strings cut, for printing counterexamples that hold megabyte strings. */
export function preview(value: unknown, maxString = 200): string {
  try {
    return previewText(value, maxString);
  } catch (error) {
    // A deeply nested case overflows JSON.stringify; its description (note) still says what it was.
    const note = (value as { note?: unknown } | null)?.note;
    return `(not printable: ${(error as Error).message}; note: ${String(note)})`;
  }
}

function previewText(value: unknown, maxString: number): string {
  return JSON.stringify(
    value,
    (_key, item: unknown) => {
      if (item === undefined) return "(undefined)";
      if (typeof item === "string" && item.length > maxString) return `${item.slice(0, maxString)}…(${item.length} chars)`;
      return item;
    },
    2,
  );
}

/** Runs one target: `numRuns` cases from `seed`; stops at the first violation and shrinks it. */
export async function fuzzTarget(stack: FuzzStack, target: FuzzTarget, options: { numRuns: number; seed: number; path?: string }): Promise<TargetReport> {
  await target.prepare(stack);
  const report: TargetReport = { name: target.name, cases: 0, statuses: {}, upstreamCalls: 0, casesWithUpstream: 0, violations: 0, ms: 0 };
  let shrinking = false;
  let lastViolations: string[] = [];
  const started = performance.now();
  try {
    const property = fc.asyncProperty(target.arbitrary(), async (input) => {
      const verdict = await target.run(stack, input);
      // After the first failure fast-check only shrinks: those runs are not cases of the tally.
      if (!shrinking) {
        report.cases += 1;
        report.statuses[verdict.status] = (report.statuses[verdict.status] ?? 0) + 1;
        report.upstreamCalls += verdict.upstreamCalls;
        if (verdict.upstreamCalls > 0) report.casesWithUpstream += 1;
      }
      if (verdict.violations.length > 0) {
        if (!shrinking) report.violations += 1;
        shrinking = true;
        lastViolations = verdict.violations;
        throw new Error(verdict.violations.join("\n"));
      }
    });
    const details = await fc.check(property, { numRuns: options.numRuns, seed: options.seed, ...(options.path ? { path: options.path } : {}) });
    if (details.failed) {
      report.failure = {
        seed: details.seed,
        ...(details.counterexamplePath ? { path: details.counterexamplePath } : {}),
        counterexample: preview(details.counterexample?.[0]),
        message: details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance),
        shrunkViolations: lastViolations,
      };
    }
  } finally {
    report.ms = performance.now() - started;
    await target.finish?.(stack);
  }
  return report;
}

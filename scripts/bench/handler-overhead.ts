/**
 * Section 2: what one invocation costs in-process when Tencent answers instantly.
 *
 * Each route's main_handler, as bundled by scripts/build.ts and loaded with require() the way SCF loads
 * it, is called sequentially with the real API Gateway fixture and the route's seed body. Environment
 * as in test/integration/create-handlers.test.ts. What is timed is the whole
 * `await main_handler(event, context)`: auth, body parsing, validation, SessionId, SDK signing, the
 * loopback HTTP round trip, response mapping and logging.
 *
 * Two upstreams, both real HTTP on loopback in this process:
 *   - the Tencent stand-in (local/tencent, limits too high to throttle). The warm-up runs against it,
 *     so every route's requests are checked (TC3 signature, action, version, params) before anything
 *     is timed, and a second timed pass ("with the stand-in") shows the cost when Tencent's side of
 *     the work shares the process: its TC3 verification, and the tasks it keeps;
 *   - an instant upstream (./instant-upstream.ts) that answers a signed create as soon as its body has
 *     arrived and keeps nothing: the "upstream answering instantly", and the headline p50/p99.
 * The "SDK call alone" column replays the last create through the unbundled SDK client against the
 * instant upstream, and the "401" column is the cost of a refused request.
 */

import { createHash } from "node:crypto";
import { PerformanceObserver } from "node:perf_hooks";
import { DEV_SECRET_ID, DEV_SECRET_KEY } from "../../local/dev-credentials";
import { startTencentStandIn } from "../../local/tencent/server";
import { getConfig, resetConfigCache } from "../../shared/config";
import { tencentClients } from "../../shared/tencent/clients";
import { apiEvent, scfContext, seedBody, type BenchRoute, type IntegrationResult, type ScfHandler } from "./handlers";
import { startInstantUpstream } from "./instant-upstream";
import { swallowStdout } from "./quiet";
import { summarize, type Summary } from "./stats";

const TOKEN = "test-token-1";
const OTHER_TOKEN = "test-token-2";
const SUBAPPID = "251007502";
/** Untimed invocations against the instant upstream before its timed pass. */
const INSTANT_WARMUP = 200;

export interface OverheadOptions {
  invocations: number;
  warmup: number;
  /** Iterations of the side measurements (401 path, SDK call alone). */
  sideIterations: number;
}

/** One timed pass of a route against one upstream. */
export interface OverheadPass {
  invocations: number;
  summary: Summary;
  statuses: Record<string, number>;
  /**
   * Garbage collections during the timed invocations (node:perf_hooks "gc" entries), and how many
   * invocations one of them fell inside: on a small machine those invocations are the p99.
   */
  gc: { pauses: number; meanPauseMs: number; invocationsHit: number };
  /** The slowest 1% (the invocations at and above the p99), in timing order, and whether a GC pause fell inside each. */
  slowest: Array<{ index: number; ms: number; gc: boolean }>;
}

export interface RouteOverhead {
  route: string;
  functionName: string;
  invocations: number;
  /** Against the instant upstream: the headline figure. */
  full: Summary;
  statuses: Record<string, number>;
  gc?: OverheadPass["gc"];
  slowest?: OverheadPass["slowest"];
  /** The same invocations against the full stand-in in this process (TC3 verification, task store). */
  withStandIn?: OverheadPass;
  /** Warm-up invocations against the stand-in: how many it recorded as created tasks, and their timings (JIT still compiling). */
  checked?: { invocations: number; created: number; statuses: Record<string, number>; summary: Summary };
  /** The same route refused for a missing token: no upstream call at all. */
  unauthorized: Summary;
  /** One SDK client.request of the same action and params against the instant upstream, no handler around it. */
  sdkCallAlone?: Summary;
  logLinesPerInvocation: number;
  logBytesPerInvocation: number;
  error?: string;
}

function count(into: Record<string, number>, key: string | number): void {
  into[String(key)] = (into[String(key)] ?? 0) + 1;
}

export async function measureHandlerOverhead(
  routes: BenchRoute[],
  handlers: Record<string, ScfHandler>,
  fixture: Record<string, any>,
  options: OverheadOptions,
  progress: (line: string) => void,
): Promise<RouteOverhead[]> {
  const standIn = await startTencentStandIn({ port: 0, rateLimits: { vod: 1e6, mps: 1e6 } });
  const instant = await startInstantUpstream({ vodSubAppId: Number(SUBAPPID) });
  const savedEnv = process.env;
  // getConfig() caches per process.env object, so swapping the object re-aims the bundles too.
  const envFor = (upstream: string): NodeJS.ProcessEnv => {
    const env: NodeJS.ProcessEnv = {
      ...savedEnv,
      TENCENTCLOUD_SECRETID: DEV_SECRET_ID,
      TENCENTCLOUD_SECRETKEY: DEV_SECRET_KEY,
      AIGC_VOD_ENDPOINT: upstream,
      AIGC_MPS_ENDPOINT: upstream,
      AIGC_VOD_SUBAPPID: SUBAPPID,
      AIGC_API_TOKENS: `${TOKEN},sha256:${createHash("sha256").update(OTHER_TOKEN).digest("hex")}`,
    };
    delete env.TENCENTCLOUD_SESSIONTOKEN;
    return env;
  };
  const standInEnv = envFor(standIn.url);
  const instantEnv = envFor(instant.url);
  resetConfigCache();
  const results: RouteOverhead[] = [];
  try {
    for (const route of routes) {
      const handler = handlers[route.functionName];
      const base = { route: route.path, functionName: route.functionName };
      if (!handler) {
        results.push({ ...base, invocations: 0, full: summarize([]), statuses: {}, unauthorized: summarize([]), logLinesPerInvocation: 0, logBytesPerInvocation: 0, error: "handler did not load" });
        continue;
      }
      progress(`  ${route.path}: ${options.warmup} warm-up at the stand-in, then ${options.invocations} timed at the instant upstream and ${options.invocations} at the stand-in`);
      let seq = 0;
      const invoke = async (authorization: string | undefined): Promise<{ ms: number; status: number; started: number }> => {
        const i = seq++;
        const requestId = `bench-${route.kind}-${i}`;
        const event = apiEvent(fixture, route.path, seedBody(route.seed, i), authorization, requestId);
        const context = scfContext(requestId);
        const started = performance.now();
        const response = (await handler(event, context)) as IntegrationResult;
        return { ms: performance.now() - started, status: response.statusCode, started };
      };
      const timedPass = async (): Promise<OverheadPass> => {
        const samples: number[] = [];
        const spans: Array<[number, number]> = [];
        const statuses: Record<string, number> = {};
        const gc = watchGc();
        for (let i = 0; i < options.invocations; i++) {
          const r = await invoke(`Bearer ${TOKEN}`);
          samples.push(r.ms);
          spans.push([r.started, r.started + r.ms]);
          count(statuses, r.status);
        }
        const pauses = await gc.stop();
        const hit = (span: [number, number]) => pauses.some(([gcStart, gcEnd]) => gcStart < span[1] && gcEnd > span[0]);
        const slowest = samples
          .map((ms, index) => ({ index, ms }))
          .sort((a, b) => b.ms - a.ms)
          .slice(0, Math.ceil(samples.length / 100))
          .map(({ index, ms }) => ({ index, ms, gc: hit(spans[index] as [number, number]) }));
        return {
          invocations: options.invocations,
          summary: summarize(samples),
          statuses,
          gc: {
            pauses: pauses.length,
            meanPauseMs: pauses.length > 0 ? pauses.reduce((sum, [start, end]) => sum + end - start, 0) / pauses.length : 0,
            invocationsHit: spans.filter(hit).length,
          },
          slowest,
        };
      };

      const quiet = swallowStdout();
      try {
        // Warm-up at the stand-in: every request is checked as Tencent would check it. Timed too: these
        // are the invocations V8 is still compiling the bundle's code in (each bundle has its own copy).
        process.env = standInEnv;
        const createdBefore = standIn.createdTasks().length;
        const checkedStatuses: Record<string, number> = {};
        const warmupSamples: number[] = [];
        for (let i = 0; i < options.warmup; i++) {
          const r = await invoke(`Bearer ${TOKEN}`);
          count(checkedStatuses, r.status);
          warmupSamples.push(r.ms);
        }
        const created = standIn.createdTasks();
        const checked = { invocations: options.warmup, created: created.length - createdBefore, statuses: checkedStatuses, summary: summarize(warmupSamples) };
        const lastParams = created.at(-1)?.params;
        // The stand-in's tasks would otherwise sit in this heap through the timed pass.
        standIn.reset();

        // Headline: the instant upstream (unmeasured calls first, for its socket and its own code).
        process.env = instantEnv;
        for (let i = 0; i < INSTANT_WARMUP; i++) await invoke(`Bearer ${TOKEN}`);
        const linesBefore = quiet.lines();
        const bytesBefore = quiet.bytes();
        const headline = await timedPass();
        const logLines = (quiet.lines() - linesBefore) / Math.max(1, options.invocations);
        const logBytes = (quiet.bytes() - bytesBefore) / Math.max(1, options.invocations);
        const unauthorized: number[] = [];
        for (let i = 0; i < options.sideIterations; i++) unauthorized.push((await invoke(undefined)).ms);
        const sdk = await sdkCallAlone(route, lastParams, options.sideIterations);

        // The same again with the stand-in's work in this process; then its tasks are dropped, so
        // they do not weigh on the next route's GCs.
        process.env = standInEnv;
        const withStandIn = await timedPass();
        standIn.reset();

        results.push({
          ...base,
          invocations: options.invocations,
          full: headline.summary,
          statuses: headline.statuses,
          gc: headline.gc,
          slowest: headline.slowest,
          withStandIn,
          checked,
          unauthorized: summarize(unauthorized),
          ...(sdk ? { sdkCallAlone: summarize(sdk) } : {}),
          logLinesPerInvocation: logLines,
          logBytesPerInvocation: logBytes,
        });
      } finally {
        quiet.restore();
        process.env = savedEnv;
      }
    }
  } finally {
    process.env = savedEnv;
    resetConfigCache();
    await Promise.all([standIn.close(), instant.close()]);
  }
  return results;
}

/** Records garbage-collection pauses ([start, end] on performance.now()'s clock) until stopped. */
function watchGc(): { stop(): Promise<Array<[number, number]>> } {
  const pauses: Array<[number, number]> = [];
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) pauses.push([entry.startTime, entry.startTime + entry.duration]);
  });
  observer.observe({ entryTypes: ["gc"] });
  return {
    async stop() {
      // Entries are delivered asynchronously: let the last ones arrive.
      await new Promise((resolve) => setTimeout(resolve, 20));
      observer.disconnect();
      return pauses;
    },
  };
}

/** Replays the params the handler last sent to the stand-in, through the unbundled SDK client (aimed by process.env). */
async function sdkCallAlone(route: BenchRoute, lastParams: Record<string, unknown> | undefined, iterations: number): Promise<number[] | undefined> {
  if (!lastParams) return undefined;
  const api = tencentClients(getConfig())[route.service];
  const samples: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const params = typeof lastParams.SessionId === "string" ? { ...lastParams, SessionId: `sdk-${route.kind}-${i}` } : lastParams;
    const started = performance.now();
    await api.request(route.action, params);
    samples.push(performance.now() - started);
  }
  return samples;
}

/**
 * The floor under any p99 of this section: a bare keep-alive POST over loopback, with no handler and
 * no stand-in, timed the same way on the same event loop. On a busy machine its tail (scheduling,
 * GC) is most of a handler's p99.
 */
export async function loopbackFloor(iterations: number, warmup = 200): Promise<Summary> {
  const { createServer, Agent, request } = await import("node:http");
  const server = createServer((req, res) => {
    req.resume();
    req.on("end", () => res.writeHead(200, { "content-type": "application/json" }).end('{"Response":{}}'));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const agent = new Agent({ keepAlive: true });
  const port = (server.address() as { port: number }).port;
  const post = () =>
    new Promise<void>((resolve, reject) => {
      const req = request({ host: "127.0.0.1", port, method: "POST", agent, headers: { "content-type": "application/json" } }, (res) => {
        res.resume();
        res.on("end", () => resolve());
      });
      req.on("error", reject);
      req.end('{"a":1}');
    });
  try {
    for (let i = 0; i < warmup; i++) await post();
    const samples: number[] = [];
    for (let i = 0; i < iterations; i++) {
      const started = performance.now();
      await post();
      samples.push(performance.now() - started);
    }
    return summarize(samples);
  } finally {
    agent.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

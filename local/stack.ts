/**
 * The whole bundle running locally: the Tencent stand-in, the function handlers, and the API
 * Gateway in front of them. `npm start` and the end-to-end tests both use this.
 */

import { randomBytes, randomUUID } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { readConfig } from "../shared/config";
import { shardSlotSeconds, SLOT_GAP_MS, trackerTriggerName } from "../shared/tasks/shards";
import { startCosStandIn, type CosStandIn } from "./cos/server";
import { DEV_SECRET_ID, DEV_SECRET_KEY } from "./dev-credentials";
import { readApiRoutes, readTrackerCron, startGateway, type RunningGateway, type ScfHandler } from "./gateway";
import { startTencentStandIn } from "./tencent/server";

/** The bearer token the local stack accepts when AIGC_API_TOKENS is not set. */
export const LOCAL_DEV_TOKEN = "local-dev-token";
/** The VOD application id used against the stand-in when AIGC_VOD_SUBAPPID is not set. */
export const LOCAL_SUBAPPID = "251007502";
/** The local bucket that redraws uploads, when AIGC_REDRAW_BUCKET is not set. */
export const LOCAL_BUCKET = "aigc-local-1250000000";
/** The function the COS trigger invokes. */
const REDRAW_FUNCTION = "vod-aigc-redraw";
/** The timer function, and the local endpoint that runs it at once. */
const TRACKER_FUNCTION = "task-tracker";
export const RUN_TRACKER_PATH = "/__local/run/task-tracker";
/** A development-only webhook secret (Standard Webhooks form), used when AIGC_WEBHOOK_SECRET is not set. */
export const LOCAL_WEBHOOK_SECRET = `whsec_${Buffer.from("local-development-webhook-secret").toString("base64")}`;

/** SCF's timer event, as the tracker receives it (shared/tracking/timer-function.ts TimerEvent). */
export interface LocalTimerEvent {
  Type: "Timer";
  TriggerName: string;
  /** The scheduled time, UTC ISO without milliseconds (e.g. "2026-12-04T09:15:15Z"). */
  Time: string;
  Message: string;
}

function timerEvent(triggerName: string, at: number, message: string): LocalTimerEvent {
  return { Type: "Timer", TriggerName: triggerName, Time: new Date(at).toISOString().replace(/\.\d+Z$/, "Z"), Message: message };
}

/**
 * Where in each period of the tracker's timer shard `shard` of `shards` fires: at second
 * floor(60·s/K) of it, like its SCF trigger (deploy/tracker-timers.cjs). A period shorter than a
 * minute (tests) is divided as a minute is.
 */
export function shardOffsetMs(shard: number, shards: number, periodMs: number): number {
  return Math.floor((shardSlotSeconds(shard, shards).startSecond * Math.min(periodMs, 60_000)) / 60);
}

/**
 * When shard `shard`'s timer next fires after `after` (epoch ms). Periods begin at multiples of
 * the period since the epoch, so with a one-minute period each shard fires at its second of every
 * wall-clock minute, as on SCF.
 */
export function nextShardFire(shard: number, shards: number, periodMs: number, after: number): number {
  const at = Math.floor(after / periodMs) * periodMs + shardOffsetMs(shard, shards, periodMs);
  return at > after ? at : at + periodMs;
}

/**
 * The tracker's period from its SCF cron in serverless.yml (`sec min hour day month weekday year`):
 * `0 *\/N * * * * *` is every N minutes; any other expression runs every minute locally.
 */
export function cronPeriodMs(cron: string | undefined): number {
  const fields = (cron ?? "").trim().split(/\s+/);
  const minutes = /^\*\/(\d+)$/.exec(fields[1] ?? "")?.[1];
  return fields.length === 7 && fields[0] === "0" && minutes && fields.slice(2, 6).every((f) => f === "*") ? Number(minutes) * 60_000 : 60_000;
}

export interface LocalStackOptions {
  /** "local" runs against the stand-in; "tencent" against the real APIs with real credentials. */
  target: "local" | "tencent";
  port?: number;
  standInPort?: number;
  /** Port of the local COS endpoint (0 picks a free one). */
  cosPort?: number;
  /** Where the local bucket keeps its objects; they (and so the ledger) survive restarts. */
  cosDataDir?: string;
  /** A file holding the Tencent stand-in's result-URL secret, created on first use, so URLs survive restarts; default: a fresh secret per run. */
  standInSecretFile?: string;
  /** How long SCF waits before retrying a failed COS invocation (a minute on SCF; short locally). */
  cosRetryDelayMs?: number;
  handlers: Record<string, ScfHandler>;
  /** The functions' time limit passed in each invocation's context (serverless.yml: 30 s). */
  timeLimitMs?: number;
  /**
   * How often the tracker timer fires; 0 turns the schedule off (POST /__local/run/task-tracker still works). Default: serverless.yml's cron.
   * With AIGC_TRACKER_SHARDS = K > 1 in `env`, each shard's timer fires once a period, at its own offset (shardOffsetMs).
   */
  trackerPeriodMs?: number;
  /** The process environment the handlers read their configuration from (mutated for local use); AIGC_TRACKER_SHARDS is K, the tracker's shards. */
  env: NodeJS.ProcessEnv;
  serverlessYml?: string;
  log?: (line: Record<string, unknown>) => void;
}

export interface LocalStack {
  gateway: RunningGateway;
  standIn?: Awaited<ReturnType<typeof startTencentStandIn>>;
  cos?: CosStandIn;
  token?: string;
  /** K, the tracker's shards (AIGC_TRACKER_SHARDS), each with its own timer. */
  trackerShards: number;
  /**
   * What POST /__local/run/task-tracker does. K = 1: one tracker tick now; its report. K > 1: a tick
   * of every shard, one after the other, each starting SLOT_GAP_MS after the previous one ended (so
   * no two shards' Tencent calls share a second); `{ shards: [report of shard 0, ...] }`.
   */
  runTracker(): Promise<unknown>;
  /** Stops the timers, lets every running tracker tick finish (so it releases its lease), then closes every server. */
  close(): Promise<void>;
}

/**
 * Prepares the environment for the chosen target and starts the stack. Against the stand-in the
 * development credentials, SubAppId and token are filled in; against Tencent nothing is invented.
 */
export async function startLocalStack(options: LocalStackOptions): Promise<LocalStack> {
  const env = options.env;
  // K, by the functions' own rule, checked before anything starts: a bad value stops the stack here, not at its first tick.
  const shards = readConfig({ AIGC_TRACKER_SHARDS: env.AIGC_TRACKER_SHARDS }).trackerShards;
  let standIn: LocalStack["standIn"];
  let cos: CosStandIn | undefined;
  if (options.target === "local") {
    standIn = await startTencentStandIn({
      port: options.standInPort ?? 0,
      ...(options.standInSecretFile ? { filesSecret: persistentSecret(options.standInSecretFile) } : {}),
      ...(options.log ? { log: options.log } : {}),
    });
    env.AIGC_VOD_ENDPOINT = standIn.url;
    env.AIGC_MPS_ENDPOINT = standIn.url;
    env.TENCENTCLOUD_SECRETID = DEV_SECRET_ID;
    env.TENCENTCLOUD_SECRETKEY = DEV_SECRET_KEY;
    delete env.TENCENTCLOUD_SESSIONTOKEN;
    env.AIGC_VOD_SUBAPPID ||= LOCAL_SUBAPPID;
    env.AIGC_API_TOKENS ||= LOCAL_DEV_TOKEN;
    env.AIGC_REDRAW_BUCKET ||= LOCAL_BUCKET;
    env.AIGC_WEBHOOK_SECRET ||= LOCAL_WEBHOOK_SECRET;
    // Local receivers live on 127.0.0.1; a deployment keeps the default (refused).
    env.AIGC_ALLOW_PRIVATE_CALLBACKS ||= "true";
    env.AIGC_REDRAW_REGION ||= "ap-guangzhou";
    // The stand-in's tasks end in seconds: the tracker asks about every due one on each tick.
    env.AIGC_TRACKER_POLL_SCALE ||= "0";
    cos = await startCosStandIn({
      port: options.cosPort ?? 0,
      dataDir: options.cosDataDir ?? resolve(__dirname, "..", ".local-data", "cos"),
      retryDelayMs: options.cosRetryDelayMs ?? 1_000,
      // Like the trigger serverless.yml declares: object creations under the input prefix.
      triggers: [{ functionName: REDRAW_FUNCTION, bucket: env.AIGC_REDRAW_BUCKET, events: ["cos:ObjectCreated:*"], prefix: env.AIGC_REDRAW_INPUT_PREFIX || "in/" }],
      invoke: async (functionName, event) => {
        const handler = options.handlers[functionName];
        if (!handler) throw new Error(`function ${functionName} is not loaded`);
        return handler(event, { request_id: randomUUID(), function_name: functionName, time_limit_in_ms: options.timeLimitMs ?? 30_000, memory_limit_in_mb: 256 });
      },
      ...(options.log ? { log: options.log } : {}),
    });
    env.AIGC_COS_ENDPOINT = cos.url;
  } else {
    const missing = ["TENCENTCLOUD_SECRETID", "TENCENTCLOUD_SECRETKEY", "AIGC_VOD_SUBAPPID", "AIGC_API_TOKENS"].filter((name) => !env[name]);
    if (missing.length > 0) {
      throw new Error(`AIGC_TARGET=tencent needs ${missing.join(", ")}; real calls cost money, so nothing is defaulted`);
    }
  }
  const serverlessYml = options.serverlessYml ?? resolve(__dirname, "..", "serverless.yml");
  const routes = readApiRoutes(serverlessYml);
  const tracker = options.handlers[TRACKER_FUNCTION];
  // Ticks still running when the stack closes are waited for: a tick cut off keeps its lease in the
  // ledger, and every tick for the next minute would answer "skipped".
  const runningTicks = new Set<Promise<unknown>>();
  let closing = false;
  const invokeTracker = async (event: LocalTimerEvent) => {
    if (!tracker) throw new Error(`${TRACKER_FUNCTION} is not loaded`);
    const tick = Promise.resolve().then(() => tracker(event, { request_id: randomUUID(), function_name: TRACKER_FUNCTION, time_limit_in_ms: 60_000, memory_limit_in_mb: 256 }));
    runningTicks.add(tick);
    try {
      return await tick;
    } finally {
      runningTicks.delete(tick);
    }
  };
  // SCF's event for shard s: its trigger's name, its scheduled time, and (locally) its number as the Message.
  const shardEvent = (shard: number, at: number) => timerEvent(trackerTriggerName(shard, shards), at, String(shard));
  // Waits between the shards of a run-now; close() cuts them short.
  const sleepers = new Set<() => void>();
  const sleepUntil = async (until: number) => {
    while (!closing && Date.now() < until) {
      await new Promise<void>((wake) => {
        const done = () => {
          clearTimeout(timer);
          sleepers.delete(done);
          wake();
        };
        const timer = setTimeout(done, until - Date.now());
        sleepers.add(done);
      });
    }
  };
  const runTracker = async (): Promise<unknown> => {
    if (shards === 1) return invokeTracker(timerEvent(trackerTriggerName(0, 1), Date.now(), ""));
    if (!tracker) throw new Error(`${TRACKER_FUNCTION} is not loaded`);
    const reports: unknown[] = [];
    const failures: string[] = [];
    let endedAt: number | undefined;
    // Every shard runs even when one fails, as their timers would; a stack that is closing starts no more.
    for (let shard = 0; shard < shards; shard++) {
      if (endedAt !== undefined) await sleepUntil(endedAt + SLOT_GAP_MS);
      if (closing) break;
      try {
        reports.push(await invokeTracker(shardEvent(shard, Date.now())));
      } catch (error) {
        failures.push(`shard ${shard}: ${(error as Error).message}`);
      }
      endedAt = Date.now();
    }
    if (failures.length > 0) throw new Error(`tracker tick failed in ${failures.join("; ")}`);
    return { shards: reports };
  };
  const gateway = await startGateway({
    routes,
    handlers: options.handlers,
    localRoutes: { [RUN_TRACKER_PATH]: runTracker },
    port: options.port ?? 0,
    ...(options.timeLimitMs ? { timeLimitMs: options.timeLimitMs } : {}),
    ...(options.log ? { log: options.log } : {}),
  });
  const token = env.AIGC_API_TOKENS === LOCAL_DEV_TOKEN ? LOCAL_DEV_TOKEN : undefined;
  // Like SCF's timer: one tick per period; a tick still running makes the next one skip (the lease).
  const period = options.trackerPeriodMs ?? cronPeriodMs(readTrackerCron(serverlessYml));
  const timer =
    tracker && period > 0 && shards === 1
      ? setInterval(() => {
          runTracker().catch((error: unknown) => options.log?.({ event: "local.tracker-failed", message: (error as Error).message }));
        }, period)
      : undefined;
  timer?.unref();
  // K > 1: like the K SCF triggers, one timer per shard, firing at the shard's offset in each period
  // with the event of that scheduled time; each shard's ticks are independent of the others'.
  const shardTimers = new Set<NodeJS.Timeout>();
  const scheduleShard = (shard: number, after: number) => {
    const at = nextShardFire(shard, shards, period, after);
    const fire = setTimeout(() => {
      shardTimers.delete(fire);
      if (closing) return;
      scheduleShard(shard, Math.max(at, Date.now()));
      invokeTracker(shardEvent(shard, at)).catch((error: unknown) => options.log?.({ event: "local.tracker-failed", shard, message: (error as Error).message }));
    }, at - Date.now());
    fire.unref();
    shardTimers.add(fire);
  };
  if (tracker && period > 0 && shards > 1) for (let shard = 0; shard < shards; shard++) scheduleShard(shard, Date.now());
  return {
    gateway,
    ...(standIn ? { standIn } : {}),
    ...(cos ? { cos } : {}),
    ...(token ? { token } : {}),
    trackerShards: shards,
    runTracker,
    close: async () => {
      closing = true;
      if (timer) clearInterval(timer);
      for (const fire of shardTimers) clearTimeout(fire);
      for (const wake of sleepers) wake();
      await Promise.allSettled([...runningTicks]);
      await gateway.close();
      await cos?.close();
      await standIn?.close();
    },
  };
}

/** 32 random bytes kept (hex) in `file`, created on first use: a development secret, not a credential. */
function persistentSecret(file: string): Buffer {
  if (!existsSync(file)) {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, randomBytes(32).toString("hex"), { mode: 0o600 });
  }
  return Buffer.from(readFileSync(file, "utf8").trim(), "hex");
}

/**
 * The whole bundle running locally: the Tencent stand-in, the function handlers, and the API
 * Gateway in front of them. `npm start` and the end-to-end tests both use this.
 */

import { randomBytes, randomUUID } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { startCosStandIn, type CosStandIn } from "./cos/server";
import { DEV_SECRET_ID, DEV_SECRET_KEY } from "./dev-credentials";
import { readApiRoutes, readTimerCron, startGateway, type RunningGateway, type ScfHandler } from "./gateway";
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
  /** How often the tracker timer fires; 0 turns the schedule off (POST /__local/run/task-tracker still works). Default: serverless.yml's cron. */
  trackerPeriodMs?: number;
  /** The process environment the handlers read their configuration from (mutated for local use). */
  env: NodeJS.ProcessEnv;
  serverlessYml?: string;
  log?: (line: Record<string, unknown>) => void;
}

export interface LocalStack {
  gateway: RunningGateway;
  standIn?: Awaited<ReturnType<typeof startTencentStandIn>>;
  cos?: CosStandIn;
  token?: string;
  /** Runs one tracker tick now (what POST /__local/run/task-tracker does). */
  runTracker(): Promise<unknown>;
  /** Stops the timer, lets a running tracker tick finish (so it releases its lease), then closes every server. */
  close(): Promise<void>;
}

/**
 * Prepares the environment for the chosen target and starts the stack. Against the stand-in the
 * development credentials, SubAppId and token are filled in; against Tencent nothing is invented.
 */
export async function startLocalStack(options: LocalStackOptions): Promise<LocalStack> {
  const env = options.env;
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
  const runTracker = async () => {
    if (!tracker) throw new Error(`${TRACKER_FUNCTION} is not loaded`);
    const event = { Type: "Timer", TriggerName: "task-tracker-schedule", Time: new Date().toISOString().replace(/\.\d+Z$/, "Z"), Message: "" };
    const tick = Promise.resolve().then(() => tracker(event, { request_id: randomUUID(), function_name: TRACKER_FUNCTION, time_limit_in_ms: 60_000, memory_limit_in_mb: 256 }));
    runningTicks.add(tick);
    try {
      return await tick;
    } finally {
      runningTicks.delete(tick);
    }
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
  const period = options.trackerPeriodMs ?? cronPeriodMs(readTimerCron(serverlessYml, TRACKER_FUNCTION));
  const timer =
    tracker && period > 0
      ? setInterval(() => {
          runTracker().catch((error: unknown) => options.log?.({ event: "local.tracker-failed", message: (error as Error).message }));
        }, period)
      : undefined;
  timer?.unref();
  return {
    gateway,
    ...(standIn ? { standIn } : {}),
    ...(cos ? { cos } : {}),
    ...(token ? { token } : {}),
    runTracker,
    close: async () => {
      if (timer) clearInterval(timer);
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

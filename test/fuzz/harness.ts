/**
 * The stack the fuzzer drives handlers against: the local Tencent and COS stand-ins (healthy, with
 * rate limits out of the way so that every refusal is the handler's own), the configuration that
 * points the functions at them, and an observer that records, per case, what a handler answered,
 * what it logged and which upstream calls it made. No vitest import: scripts/fuzz.ts uses it too.
 */

import { createHash } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startCosStandIn } from "../../local/cos/server";
import { DEV_SECRET_ID, DEV_SECRET_KEY } from "../../local/dev-credentials";
import { startTencentStandIn, type RecordedCall } from "../../local/tencent/server";
import { writeApiDescription } from "../../scripts/openapi";
import { resetConfigCache } from "../../shared/config";

/** The token most cases authenticate with (configured raw). */
export const FUZZ_TOKEN = "fz-tok-Qe1x9Lm2P7vB";
/** A second caller (configured as sha256:<hex>), whose tasks the first must never see. */
export const FUZZ_OTHER_TOKEN = "fz-tok-other-4Rk8ZtW3";
/** Both configured tokens, by index (the index is what ownership labels refer to). */
export const FUZZ_TOKENS = [FUZZ_TOKEN, FUZZ_OTHER_TOKEN] as const;
/** A Standard Webhooks secret for the deployment; it must never be echoed or logged either. */
export const FUZZ_WEBHOOK_SECRET = `whsec_${Buffer.from("fuzz-webhook-secret-32-bytes-long!").toString("base64")}`;
/** The bucket whose uploads the redraw trigger watches, and where the ledger lives. */
export const FUZZ_BUCKET = "aigc-media-1250000000";
/** The bucket's region. */
export const FUZZ_REGION = "ap-guangzhou";
/** The SubAppId VOD tasks are created under. */
export const FUZZ_SUBAPPID = 251007502;

/** Strings that must never appear in a response or a log line, whatever the input. */
export const FIXED_SECRETS: readonly string[] = [FUZZ_TOKEN, FUZZ_OTHER_TOKEN, DEV_SECRET_KEY, FUZZ_WEBHOOK_SECRET.slice("whsec_".length)];

type TencentStandIn = Awaited<ReturnType<typeof startTencentStandIn>>;
type CosStandIn = Awaited<ReturnType<typeof startCosStandIn>>;

/** One request the COS stand-in answered, as its log line says. */
export interface CosRequestLine {
  method?: string;
  key?: string;
  status?: number;
}

/** The running stand-ins and the configuration that points the functions at them. */
export interface FuzzStack {
  tencent: TencentStandIn;
  cos: CosStandIn;
  /** Every request the COS stand-in has answered so far. */
  cosRequests: CosRequestLine[];
  /** A directory holding the API description files task-query serves (written on first use, as the build does). */
  apiDescriptionDir(): Promise<string>;
  /** Re-points process.env at the stand-ins, with `vars` on top (e.g. another ledger prefix). */
  configure(vars?: Record<string, string>): void;
  close(): Promise<void>;
}

/** The environment every fuzz target runs under (production defaults unless a stand-in needs otherwise). */
function fuzzEnv(): Record<string, string> {
  return {
    AIGC_API_TOKENS: `${FUZZ_TOKEN},sha256:${createHash("sha256").update(FUZZ_OTHER_TOKEN).digest("hex")}`,
    AIGC_REDRAW_BUCKET: FUZZ_BUCKET,
    AIGC_REDRAW_REGION: FUZZ_REGION,
    AIGC_WEBHOOK_SECRET: FUZZ_WEBHOOK_SECRET,
    AIGC_UPSTREAM_TIMEOUT_MS: "3000",
    // A cap far above what a run creates: every create goes through the slot claims, none is refused.
    AIGC_DAILY_CREATE_LIMIT: "total=10000000,token=10000000",
    // Deliberately not set: AIGC_ALLOW_PRIVATE_CALLBACKS, so the SSRF guard is what is fuzzed.
  };
}

/** Starts both stand-ins on free ports over a fresh data dir and configures the functions for them. */
export async function startFuzzStack(): Promise<FuzzStack> {
  const savedEnv = { ...process.env };
  const dataDir = mkdtempSync(join(tmpdir(), "aigc-fuzz-"));
  const cosRequests: CosRequestLine[] = [];
  // Rate limits far above what a sequential fuzzer reaches: a 429 would then mean our own bug.
  // PullEvents answers at once instead of holding 5 s, so timer ticks stay quick.
  const tencent = await startTencentStandIn({ port: 0, rateLimits: { vod: 1e6, mps: 1e6, actions: { "vod.PullEvents": 1e6, "vod.ConfirmEvents": 1e6, "vod.DescribeTaskDetail": 1e6, "mps.DescribeAigcVideoTask": 1e6, "mps.DescribeAigcImageTask": 1e6 } }, events: { pullHoldMs: 0 } });
  const cos = await startCosStandIn({
    port: 0,
    dataDir,
    log: (line) => {
      if (typeof line.method === "string") cosRequests.push({ method: line.method, key: line.key as string | undefined, status: line.status as number | undefined });
    },
  });
  const configure = (vars: Record<string, string> = {}) => {
    process.env = {
      ...savedEnv,
      TENCENTCLOUD_SECRETID: DEV_SECRET_ID,
      TENCENTCLOUD_SECRETKEY: DEV_SECRET_KEY,
      AIGC_VOD_ENDPOINT: tencent.url,
      AIGC_MPS_ENDPOINT: tencent.url,
      AIGC_VOD_SUBAPPID: String(FUZZ_SUBAPPID),
      AIGC_COS_ENDPOINT: cos.url,
      AIGC_TRACKER_POLL_SCALE: "0",
      ...fuzzEnv(),
      ...vars,
    };
    resetConfigCache();
  };
  configure();
  let description: Promise<string> | undefined;
  const apiDescriptionDir = () => {
    description ??= (async () => {
      const dir = join(dataDir, "api-description");
      await writeApiDescription(dir);
      return dir;
    })();
    return description;
  };
  return {
    tencent,
    cos,
    cosRequests,
    apiDescriptionDir,
    configure,
    close: async () => {
      process.env = savedEnv;
      resetConfigCache();
      await cos.close();
      await tencent.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** What one case did: its outcome, the upstream calls and COS requests it made, and what it wrote. */
export interface Observation<R> {
  result?: R;
  /** Set when the handler threw (or rejected). */
  error?: unknown;
  calls: RecordedCall[];
  cosRequests: CosRequestLine[];
  /** Every line written to stdout during the case (the functions' JSON logs). */
  stdout: string[];
  /** Everything written to stderr during the case. */
  stderr: string;
  ms: number;
}

type Write = typeof process.stdout.write;

/**
 * Runs one handler invocation with stdout/stderr captured and the stand-ins' counters diffed. Cases
 * run one at a time, so every call and log line seen in the window belongs to this case.
 */
export async function observe<R>(stack: FuzzStack, run: () => Promise<R>): Promise<Observation<R>> {
  const callsBefore = stack.tencent.calls().length;
  const cosBefore = stack.cosRequests.length;
  const out: string[] = [];
  const err: string[] = [];
  const originalOut = process.stdout.write;
  const originalErr = process.stderr.write;
  const capture = (sink: string[]): Write =>
    ((chunk: unknown, encodingOrCallback?: unknown, callback?: unknown) => {
      sink.push(typeof chunk === "string" ? chunk : Buffer.from(chunk as Uint8Array).toString("utf8"));
      const done = typeof encodingOrCallback === "function" ? encodingOrCallback : callback;
      if (typeof done === "function") done();
      return true;
    }) as Write;
  process.stdout.write = capture(out);
  process.stderr.write = capture(err);
  const started = performance.now();
  let result: R | undefined;
  let error: unknown;
  let threw = false;
  try {
    result = await run();
  } catch (caught) {
    threw = true;
    error = caught;
  } finally {
    process.stdout.write = originalOut;
    process.stderr.write = originalErr;
  }
  const ms = performance.now() - started;
  return {
    ...(threw ? { error: error ?? new Error("rejected with undefined") } : { result: result as R }),
    calls: stack.tencent.calls().slice(callsBefore),
    cosRequests: stack.cosRequests.slice(cosBefore),
    stdout: out.join("").split("\n").filter((line) => line !== ""),
    stderr: err.join(""),
    ms,
  };
}

/** SCF's invocation context; long enough that a timer tick drains events (it keeps 9 s in hand). */
export function fuzzContext(requestId = "fuzz-ctx"): Record<string, unknown> {
  return { request_id: requestId, function_name: "fuzz", time_limit_in_ms: 15_000, memory_limit_in_mb: 256 };
}

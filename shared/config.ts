/**
 * The bundle's configuration, read once from the environment into a typed value.
 * Business code never reads `process.env`: it is handed a `Config`.
 */

import { parseTokenList, type TokenEntry } from "./auth";

/** Tencent credentials the functions sign with (the function role's, in SCF). */
export interface TencentCredentials {
  secretId: string;
  secretKey: string;
  token?: string;
}

export interface Config {
  /** Tencent region sent as X-TC-Region. */
  region: string;
  /** VOD application id added to every VOD call; required only by the VOD functions. */
  vodSubAppId?: number;
  /** Base URL of the VOD API (Tencent's public host unless pointed at the local stand-in). */
  vodEndpoint: URL;
  /** Base URL of the MPS API. */
  mpsEndpoint: URL;
  credentials?: TencentCredentials;
  apiTokens: TokenEntry[];
  allowUnlistedModels: boolean;
  /** AIGC_REFUSE_UNLISTED_VERSIONS: refuse a version the catalog does not list of a known model (default: send it, with a warning). */
  refuseUnlistedVersions: boolean;
  /** Upper bound for one upstream attempt; retries are further bounded by the function's time left. */
  upstreamAttemptTimeoutMs: number;
  /** Redraw-on-upload: which bucket and prefixes; absent when AIGC_REDRAW_BUCKET is not set. */
  redraw?: RedrawConfig;
  /** Where the task ledger lives (a private prefix of the deployment's bucket). */
  ledger?: { bucket: string; region: string; prefix: string };
  /** Base URL of a local COS stand-in; absent means Tencent's public COS hosts. */
  cosEndpoint?: URL;
  /** Standard Webhooks secret (whsec_...) that signs result webhooks. */
  webhookSecret?: string;
  /** Lets CallbackUrl reach private, loopback and link-local addresses (local development only). */
  allowPrivateCallbacks: boolean;
  /** Copies every result into the ledger bucket, so it outlives Tencent's temporary URLs. */
  keepResults: boolean;
  /** Where kept results go in the ledger bucket. */
  resultsPrefix: string;
  /** Spend cap on HTTP creates per UTC day (AIGC_DAILY_CREATE_LIMIT); absent means no cap. */
  dailyCreateLimit?: DailyCreateLimitConfig;
  /**
   * AIGC_TRACKER_POLL_SCALE: multiplies every wait of the tracker's poll schedule (default 1). The
   * local stack and the tests set 0, because the stand-in's tasks end in seconds, not minutes.
   */
  trackerPollScale: number;
  /**
   * AIGC_TRACKER_SHARDS: K, how many shards the tracker's task space is split into (1 to
   * MAX_TRACKER_SHARDS, default 1). Every function needs it (a create writes the task's first due
   * entry into its shard's index); serverless.yml sets it from the same value as the timers.
   */
  trackerShards: number;
}

/**
 * AIGC_DAILY_CREATE_LIMIT: how many tasks the HTTP create routes may start per UTC day, counted in
 * the ledger bucket, so a leaked token or a runaway client cannot spend without bound.
 * Format: `N` caps the deployment's total; `total=N`, `token=M` or `total=N,token=M` (in any order)
 * cap the total and/or each bearer token separately. Empty means no cap. Counts reset at 00:00 UTC.
 * Tasks made by redraw on upload are not counted (whoever can write the bucket is trusted already).
 */
export interface DailyCreateLimitConfig {
  total?: number;
  perToken?: number;
}

export interface RedrawConfig {
  bucket: string;
  region: string;
  inputPrefix: string;
  outputPrefix: string;
  /** TaskInfo.Style used when the object has no x-cos-meta-redraw-style. */
  defaultStyle?: string;
}

/** A configuration variable that is missing or malformed; the message names the variable. */
export class ConfigError extends Error {
  override name = "ConfigError";
  constructor(
    readonly variable: string,
    problem: string,
  ) {
    super(`${variable} ${problem}`);
  }
}

type Env = Record<string, string | undefined>;

const DEFAULT_VOD_ENDPOINT = "https://vod.tencentcloudapi.com";
const DEFAULT_MPS_ENDPOINT = "https://mps.tencentcloudapi.com";

function text(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value ? value : undefined;
}

function positiveInteger(env: Env, name: string): number | undefined {
  const raw = text(env, name);
  if (raw === undefined) return undefined;
  if (!/^\d+$/.test(raw) || Number(raw) <= 0 || !Number.isSafeInteger(Number(raw))) {
    throw new ConfigError(name, `must be a positive integer, got "${raw}"`);
  }
  return Number(raw);
}

function scale(env: Env, name: string): number | undefined {
  const raw = text(env, name);
  if (raw === undefined) return undefined;
  if (!/^\d+(\.\d+)?$/.test(raw) || Number(raw) > 10) throw new ConfigError(name, `must be a number from 0 to 10, got "${raw}"`);
  return Number(raw);
}

function flag(env: Env, name: string): boolean {
  const raw = text(env, name)?.toLowerCase();
  if (raw === undefined || raw === "false" || raw === "0") return false;
  if (raw === "true" || raw === "1") return true;
  throw new ConfigError(name, `must be true or false, got "${raw}"`);
}

function baseUrl(env: Env, name: string, fallback: string): URL {
  const raw = text(env, name) ?? fallback;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(name, `must be an absolute URL such as http://127.0.0.1:9000, got "${raw}"`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new ConfigError(name, `must use http or https, got "${url.protocol}"`);
  }
  return url;
}

function regionVariable(env: Env, name: string): string | undefined {
  const value = text(env, name);
  if (value !== undefined && !/^[a-z]{2,}(-[a-z0-9]+)+$/.test(value)) {
    throw new ConfigError(name, `must be a Tencent region such as ap-guangzhou, got "${value}"`);
  }
  return value;
}

/**
 * SCF hands the role's credentials over as TENCENTCLOUD_SECRETID/SECRETKEY/SESSIONTOKEN, while the
 * SDK's own environment reader looks for other names, so they are mapped here explicitly.
 */
function credentials(env: Env): TencentCredentials | undefined {
  const secretId = text(env, "TENCENTCLOUD_SECRETID");
  const secretKey = text(env, "TENCENTCLOUD_SECRETKEY");
  if (!secretId && !secretKey) return undefined;
  if (!secretId) throw new ConfigError("TENCENTCLOUD_SECRETID", "is required when TENCENTCLOUD_SECRETKEY is set");
  if (!secretKey) throw new ConfigError("TENCENTCLOUD_SECRETKEY", "is required when TENCENTCLOUD_SECRETID is set");
  const token = text(env, "TENCENTCLOUD_SESSIONTOKEN");
  return token ? { secretId, secretKey, token } : { secretId, secretKey };
}

function apiTokens(env: Env): TokenEntry[] {
  try {
    return parseTokenList(text(env, "AIGC_API_TOKENS") ?? "");
  } catch (error) {
    throw new ConfigError("AIGC_API_TOKENS", (error as Error).message);
  }
}

const BUCKET_NAME = /^[a-z0-9][a-z0-9-]*-\d+$/;

function bucketName(env: Env, name: string): string | undefined {
  const value = text(env, name);
  if (value !== undefined && !BUCKET_NAME.test(value)) {
    throw new ConfigError(name, `must be a full COS bucket name with its appid, such as media-1250000000, got "${value}"`);
  }
  return value;
}

function prefix(env: Env, name: string, fallback: string): string {
  const value = env[name]?.trim() || fallback;
  if (value.startsWith("/") || !value.endsWith("/")) {
    throw new ConfigError(name, `must be a key prefix such as ${fallback} (no leading slash, ending with /), got "${value}"`);
  }
  return value;
}

function redraw(env: Env, defaultRegion: string): RedrawConfig | undefined {
  const bucket = bucketName(env, "AIGC_REDRAW_BUCKET");
  if (!bucket) return undefined;
  const inputPrefix = prefix(env, "AIGC_REDRAW_INPUT_PREFIX", "in/");
  const outputPrefix = prefix(env, "AIGC_REDRAW_OUTPUT_PREFIX", "out/");
  // Overlapping prefixes would make our own results trigger new redraws, forever.
  if (inputPrefix.startsWith(outputPrefix) || outputPrefix.startsWith(inputPrefix)) {
    throw new ConfigError("AIGC_REDRAW_OUTPUT_PREFIX", `must not overlap AIGC_REDRAW_INPUT_PREFIX ("${outputPrefix}" vs "${inputPrefix}")`);
  }
  const style = text(env, "AIGC_REDRAW_STYLE");
  if (style !== undefined && style.length > 50) throw new ConfigError("AIGC_REDRAW_STYLE", "must be at most 50 characters (Tencent's TaskInfo.Style limit)");
  return {
    bucket,
    region: regionVariable(env, "AIGC_REDRAW_REGION") ?? defaultRegion,
    inputPrefix,
    outputPrefix,
    ...(style ? { defaultStyle: style } : {}),
  };
}

function ledger(env: Env, fallback: { bucket: string; region: string } | undefined, defaultRegion: string): Config["ledger"] {
  const bucket = bucketName(env, "AIGC_LEDGER_BUCKET") ?? fallback?.bucket;
  if (!bucket) return undefined;
  return {
    bucket,
    region: regionVariable(env, "AIGC_LEDGER_REGION") ?? fallback?.region ?? defaultRegion,
    prefix: prefix(env, "AIGC_LEDGER_PREFIX", ".aigc-ledger/"),
  };
}

/** The Standard Webhooks secret form the signer accepts (checked here so a bad one fails at start, not on every delivery). */
function isWebhookSecret(value: string): boolean {
  const encoded = value.startsWith("whsec_") ? value.slice("whsec_".length) : "";
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(encoded)) return false;
  const bytes = Buffer.from(encoded, "base64");
  return bytes.length >= 24 && bytes.toString("base64") === encoded;
}

function dailyCreateLimit(env: Env, hasLedger: boolean): DailyCreateLimitConfig | undefined {
  const name = "AIGC_DAILY_CREATE_LIMIT";
  const raw = text(env, name);
  if (raw === undefined) return undefined;
  const count = (value: string): number => {
    const trimmed = value.trim();
    if (!/^\d+$/.test(trimmed) || Number(trimmed) <= 0 || !Number.isSafeInteger(Number(trimmed))) {
      throw new ConfigError(name, `must be a positive whole number of creates per day, or total=N,token=M; got "${raw}"`);
    }
    return Number(trimmed);
  };
  const limit: DailyCreateLimitConfig = {};
  if (/^\d+$/.test(raw)) {
    limit.total = count(raw);
  } else {
    for (const part of raw.split(",")) {
      const [key = "", value, extra] = part.split("=");
      const field = key.trim().toLowerCase() === "total" ? "total" : key.trim().toLowerCase() === "token" ? "perToken" : undefined;
      if (!field || value === undefined || extra !== undefined || limit[field] !== undefined) {
        throw new ConfigError(name, `must be N, or total=N and/or token=M separated by a comma (each at most once); got "${raw}"`);
      }
      limit[field] = count(value);
    }
  }
  // The counts live in the ledger: without one the cap could not be enforced, and failing open would be worse.
  if (!hasLedger) throw new ConfigError(name, "needs a ledger bucket to count creates in (AIGC_LEDGER_BUCKET or AIGC_REDRAW_BUCKET)");
  return limit;
}

/**
 * The most tracker shards: each shard spends Tencent's rate budget in its own slot of the minute
 * (60 s / K, less a quiet second and a half between slots), so at 12 a slot still has 3.5 s of calls.
 */
export const MAX_TRACKER_SHARDS = 12;

/** AIGC_TRACKER_SHARDS: a whole number from 1 to MAX_TRACKER_SHARDS; empty means 1. */
function trackerShards(env: Env): number {
  const name = "AIGC_TRACKER_SHARDS";
  const raw = text(env, name);
  if (raw === undefined) return 1;
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value < 1 || value > MAX_TRACKER_SHARDS) {
    throw new ConfigError(name, `must be a whole number of tracker shards from 1 to ${MAX_TRACKER_SHARDS}; got "${raw}"`);
  }
  return value;
}

/** Parses the environment into a Config; throws ConfigError naming the first bad variable. */
export function readConfig(env: Env): Config {
  const timeout = positiveInteger(env, "AIGC_UPSTREAM_TIMEOUT_MS") ?? 8_000;
  const creds = credentials(env);
  const subAppId = positiveInteger(env, "AIGC_VOD_SUBAPPID");
  const defaultRegion = regionVariable(env, "AIGC_REGION") ?? "ap-guangzhou";
  const redrawConfig = redraw(env, defaultRegion);
  const ledgerConfig = ledger(env, redrawConfig, defaultRegion);
  const cosEndpoint = text(env, "AIGC_COS_ENDPOINT") ? baseUrl(env, "AIGC_COS_ENDPOINT", "") : undefined;
  const webhookSecret = text(env, "AIGC_WEBHOOK_SECRET");
  const createLimit = dailyCreateLimit(env, ledgerConfig !== undefined);
  if (webhookSecret !== undefined && !isWebhookSecret(webhookSecret)) {
    throw new ConfigError("AIGC_WEBHOOK_SECRET", "must be a Standard Webhooks secret: whsec_ followed by the padded base64 of at least 24 random bytes");
  }
  return {
    region: defaultRegion,
    ...(subAppId === undefined ? {} : { vodSubAppId: subAppId }),
    vodEndpoint: baseUrl(env, "AIGC_VOD_ENDPOINT", DEFAULT_VOD_ENDPOINT),
    mpsEndpoint: baseUrl(env, "AIGC_MPS_ENDPOINT", DEFAULT_MPS_ENDPOINT),
    ...(creds ? { credentials: creds } : {}),
    apiTokens: apiTokens(env),
    allowUnlistedModels: flag(env, "AIGC_ALLOW_UNLISTED_MODELS"),
    refuseUnlistedVersions: flag(env, "AIGC_REFUSE_UNLISTED_VERSIONS"),
    upstreamAttemptTimeoutMs: timeout,
    ...(redrawConfig ? { redraw: redrawConfig } : {}),
    ...(ledgerConfig ? { ledger: ledgerConfig } : {}),
    ...(cosEndpoint ? { cosEndpoint } : {}),
    ...(webhookSecret ? { webhookSecret } : {}),
    allowPrivateCallbacks: flag(env, "AIGC_ALLOW_PRIVATE_CALLBACKS"),
    keepResults: flag(env, "AIGC_KEEP_RESULTS"),
    resultsPrefix: prefix(env, "AIGC_RESULTS_PREFIX", "aigc-results/"),
    ...(createLimit ? { dailyCreateLimit: createLimit } : {}),
    trackerPollScale: scale(env, "AIGC_TRACKER_POLL_SCALE") ?? 1,
    trackerShards: trackerShards(env),
  };
}

let cached: { env: Env; config: Config } | undefined;

/**
 * The process's configuration, parsed on first use and kept for warm invocations.
 * A failed parse is not cached, so a fixed environment is picked up on the next call.
 */
export function getConfig(env: Env = process.env): Config {
  if (cached && cached.env === env) return cached.config;
  const config = readConfig(env);
  cached = { env, config };
  return config;
}

/** Forgets the cached configuration (tests and the local launcher change the environment). */
export function resetConfigCache(): void {
  cached = undefined;
}

/**
 * Section 3: a burst of creates at once through the local API Gateway (startLocalStack), at a
 * stand-in that enforces Tencent's 20/s VOD limit. How many get through, how fast, at what upstream cost.
 *
 * The functions get serverless.yml's 30 s time limit, as deployed, so each handler retries within
 * 30 s - 1.5 s. The local bucket lives in a temp dir so the bench leaves nothing behind.
 */

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { resetConfigCache } from "../../shared/config";
import { startLocalStack } from "../../local/stack";
import type { ScfHandler } from "./handlers";
import { swallowStdout } from "./quiet";
import { summarize, type Summary } from "./stats";

export interface DrainResult {
  route: string;
  requests: number;
  limitPerSecond: number;
  functionTimeLimitMs: number;
  statuses: Record<string, number>;
  succeeded: number;
  /** Problem codes of the non-200 answers (e.g. RequestLimitExceeded), by count. */
  failureCodes: Record<string, number>;
  wallMs: number;
  /** First request sent to the last 200 received. */
  lastSuccessMs: number;
  achievedFractionOfLimit: number;
  upstreamCalls: number;
  upstreamThrottled: number;
  tasksCreated: number;
  latency: Summary;
  error?: string;
}

const BODY = { ModelName: "GV", ModelVersion: "3.1-fast", Prompt: "generate a car", OutputConfig: { AspectRatio: "9:16" } };
const LIMIT = 20;
const TIME_LIMIT_MS = 30_000;

export async function measureDrain(handlers: Record<string, ScfHandler>, requests: number): Promise<DrainResult> {
  const route = "/tencent-vod/v1/aigc-video";
  const savedEnv = process.env;
  // As `npm start` with nothing configured: the stack fills in the dev credentials, SubAppId and token.
  process.env = { ...savedEnv };
  for (const name of Object.keys(process.env)) if (name.startsWith("AIGC_") || name.startsWith("TENCENTCLOUD_")) delete process.env[name];
  resetConfigCache();
  const cosDataDir = mkdtempSync(join(tmpdir(), "aigc-bench-cos-"));
  const stack = await startLocalStack({ target: "local", handlers, env: process.env, port: 0, timeLimitMs: 30_000, cosDataDir });
  resetConfigCache();
  const quiet = swallowStdout();
  try {
    const url = `${stack.gateway.url}${route}`;
    const headers = { authorization: `Bearer ${stack.token ?? ""}`, "content-type": "application/json" };
    const body = JSON.stringify(BODY);
    const started = performance.now();
    const answers = await Promise.all(
      Array.from({ length: requests }, async () => {
        const response = await fetch(url, { method: "POST", headers, body });
        const text = await response.text();
        const ms = performance.now() - started;
        let code: string | undefined;
        if (response.status !== 200) {
          try {
            code = (JSON.parse(text) as { code?: string; message?: string }).code ?? (JSON.parse(text) as { message?: string }).message;
          } catch {
            code = text.slice(0, 60);
          }
        }
        return { status: response.status, ms, code };
      }),
    );
    const wallMs = performance.now() - started;
    const statuses: Record<string, number> = {};
    const failureCodes: Record<string, number> = {};
    for (const a of answers) {
      statuses[String(a.status)] = (statuses[String(a.status)] ?? 0) + 1;
      if (a.status !== 200) failureCodes[`${a.status} ${a.code ?? "?"}`] = (failureCodes[`${a.status} ${a.code ?? "?"}`] ?? 0) + 1;
    }
    const succeeded = statuses["200"] ?? 0;
    const calls = stack.standIn?.calls() ?? [];
    const lastSuccessMs = Math.max(0, ...answers.filter((a) => a.status === 200).map((a) => a.ms));
    return {
      route,
      requests,
      limitPerSecond: LIMIT,
      functionTimeLimitMs: TIME_LIMIT_MS,
      statuses,
      succeeded,
      failureCodes,
      wallMs,
      lastSuccessMs,
      achievedFractionOfLimit: succeeded / (wallMs / 1000) / LIMIT,
      upstreamCalls: calls.length,
      upstreamThrottled: calls.filter((c) => c.errorCode === "RequestLimitExceeded").length,
      tasksCreated: stack.standIn?.createdTasks().length ?? 0,
      latency: summarize(answers.map((a) => a.ms)),
    };
  } finally {
    quiet.restore();
    await stack.close();
    rmSync(cosDataDir, { recursive: true, force: true });
    process.env = savedEnv;
    resetConfigCache();
  }
}

/**
 * How long and how often one Tencent call is tried, on a fake clock: a create whose upstream
 * fails every time answers after a bounded number of attempts and within the call budget, however
 * much time the function still has.
 */

import { describe, expect, it } from "vitest";
import { UpstreamError } from "../../shared/errors";
import { createLogger } from "../../shared/log";
import { CALL_BUDGET_MS, RETRY_LIMITS, callTencent } from "../../shared/tencent/call";
import type { TencentApi } from "../../shared/tencent/clients";

/** A Tencent API that answers every call with the SDK's error for `code`, after `latencyMs` of fake time. */
function failingApi(clock: { t: number }, code: string, latencyMs = 50): TencentApi & { calls: number } {
  const api = {
    calls: 0,
    async request(): Promise<Record<string, unknown>> {
      api.calls++;
      clock.t += latencyMs;
      throw Object.assign(new Error(`${code} from Tencent`), { code, requestId: `req-${api.calls}` });
    },
  };
  return api;
}

/** Calls through `api` on a fake clock with `functionLeftMs` of invocation time; returns the error, attempts and fake elapsed time. */
async function callUntilGivenUp(api: TencentApi, clock: { t: number }, options: { sessionId?: string; functionLeftMs?: number; random?: () => number } = {}) {
  const start = clock.t;
  const error = await callTencent(api, {
    action: "CreateAigcVideoTask",
    params: {},
    ...(options.sessionId ? { sessionId: options.sessionId } : {}),
    deadline: start + (options.functionLeftMs ?? 895_000),
    attemptTimeoutMs: 8_000,
    log: createLogger("test", {}, () => {}),
    now: () => clock.t,
    sleep: async (ms) => {
      clock.t += ms;
    },
    random: options.random ?? (() => 1),
  }).catch((e: unknown) => e);
  return { error: error as UpstreamError, elapsedMs: clock.t - start };
}

describe("retry limits of one Tencent call", () => {
  it("tries an InternalError at most 5 times under a SessionId, then answers", async () => {
    const clock = { t: 1_000_000 };
    const api = failingApi(clock, "InternalError");
    const { error, elapsedMs } = await callUntilGivenUp(api, clock, { sessionId: "s-1" });
    expect(api.calls).toBe(RETRY_LIMITS.failedAttempts);
    expect(RETRY_LIMITS.failedAttempts).toBe(5);
    expect(error).toBeInstanceOf(UpstreamError);
    expect(error).toMatchObject({ code: "InternalError", context: { attempts: 5, upstreamRequestId: "req-5" } });
    // The worst backoff (random = 1): 250 + 500 + 1000 + 2000 ms, plus five 50 ms answers.
    expect(elapsedMs).toBe(3_750 + 250);
  });

  it("stops a call that keeps timing out within the 11 s budget, even with 15 minutes of function time left", async () => {
    const clock = { t: 0 };
    const api = failingApi(clock, "InternalError", 3_000);
    const { error, elapsedMs } = await callUntilGivenUp(api, clock, { sessionId: "s-2" });
    expect(error).toMatchObject({ code: "InternalError" });
    expect(api.calls).toBeLessThan(RETRY_LIMITS.failedAttempts);
    expect(elapsedMs).toBeLessThanOrEqual(CALL_BUDGET_MS);
  });

  it("waits out throttling for at most 11 one-second windows", async () => {
    const clock = { t: 0 };
    const api = failingApi(clock, "RequestLimitExceeded", 20);
    const { error, elapsedMs } = await callUntilGivenUp(api, clock, { random: () => 0 });
    expect(error).toMatchObject({ failure: "throttled", code: "RequestLimitExceeded" });
    expect(api.calls).toBe(RETRY_LIMITS.throttledAttempts);
    expect(elapsedMs).toBeLessThanOrEqual(CALL_BUDGET_MS);
  });

  it("does not let throttled attempts use up the attempts a failure gets", async () => {
    const clock = { t: 0 };
    const codes = ["RequestLimitExceeded", "RequestLimitExceeded", "InternalError", "InternalError", "InternalError", "InternalError"];
    const api = {
      calls: 0,
      async request(): Promise<Record<string, unknown>> {
        const code = codes[api.calls++];
        clock.t += 10;
        if (!code) return { TaskId: "t-1", RequestId: "r" };
        throw Object.assign(new Error(code), { code });
      },
    };
    const answer = await callTencent(api, {
      action: "CreateAigcVideoTask",
      params: {},
      sessionId: "s-3",
      deadline: 60_000,
      attemptTimeoutMs: 8_000,
      log: createLogger("test", {}, () => {}),
      now: () => clock.t,
      sleep: async (ms) => {
        clock.t += ms;
      },
      random: () => 0,
    });
    expect(answer).toMatchObject({ TaskId: "t-1" });
    expect(api.calls).toBe(7);
  });

  it("keeps to the function's own deadline when it is nearer than the budget", async () => {
    const clock = { t: 0 };
    const api = failingApi(clock, "InternalError", 400);
    const { elapsedMs } = await callUntilGivenUp(api, clock, { sessionId: "s-4", functionLeftMs: 2_000 });
    expect(elapsedMs).toBeLessThanOrEqual(2_000);
  });
});

/**
 * The daily create limit's pieces that need no server: the AIGC_DAILY_CREATE_LIMIT format, the UTC
 * day arithmetic, its 429 answer, and when a failed create may give its slot back.
 */

import { describe, expect, it } from "vitest";
import { ConfigError, readConfig } from "../../shared/config";
import { RequestRefused, UpstreamError } from "../../shared/errors";
import { problemResponse } from "../../shared/http/problem";
import { createLogger } from "../../shared/log";
import { createdNothing, secondsUntilNextUtcDay, utcDay } from "../../shared/tasks/spend-cap";
import { callTencent } from "../../shared/tencent/call";

const LEDGER = { AIGC_LEDGER_BUCKET: "ledger-1250000000" };

describe("AIGC_DAILY_CREATE_LIMIT", () => {
  it("is off when unset or empty", () => {
    expect(readConfig(LEDGER).dailyCreateLimit).toBeUndefined();
    expect(readConfig({ ...LEDGER, AIGC_DAILY_CREATE_LIMIT: " " }).dailyCreateLimit).toBeUndefined();
  });

  it.each([
    ["100", { total: 100 }],
    ["total=100", { total: 100 }],
    ["token=5", { perToken: 5 }],
    ["total=100,token=5", { total: 100, perToken: 5 }],
    [" token = 5 , TOTAL = 100 ", { total: 100, perToken: 5 }],
  ])("reads %j", (raw, expected) => {
    expect(readConfig({ ...LEDGER, AIGC_DAILY_CREATE_LIMIT: raw }).dailyCreateLimit).toEqual(expected);
  });

  it.each(["0", "-1", "1.5", "ten", "total=", "total=0", "total=1,total=2", "tokens=5", "total=1;token=2", "total=1,", "token=5=6", "1e3"])(
    "refuses %j naming the variable",
    (raw) => {
      let caught: unknown;
      try {
        readConfig({ ...LEDGER, AIGC_DAILY_CREATE_LIMIT: raw });
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(ConfigError);
      expect((caught as ConfigError).variable).toBe("AIGC_DAILY_CREATE_LIMIT");
      expect((caught as Error).message).toContain("AIGC_DAILY_CREATE_LIMIT");
    },
  );

  it("refuses a limit without a ledger bucket to count in, rather than not enforcing it", () => {
    expect(() => readConfig({ AIGC_DAILY_CREATE_LIMIT: "10" })).toThrow(/AIGC_DAILY_CREATE_LIMIT needs a ledger bucket/);
    expect(readConfig({ AIGC_REDRAW_BUCKET: "media-1250000000", AIGC_DAILY_CREATE_LIMIT: "10" }).dailyCreateLimit).toEqual({ total: 10 });
  });
});

describe("the UTC day", () => {
  it("is the UTC date, whatever the local time zone", () => {
    expect(utcDay(Date.parse("2026-03-01T23:59:59.999Z"))).toBe("2026-03-01");
    expect(utcDay(Date.parse("2026-03-02T00:00:00.000Z"))).toBe("2026-03-02");
    expect(utcDay(Date.parse("2026-03-02T07:30:00+08:00"))).toBe("2026-03-01");
  });

  it("ends at the next 00:00 UTC", () => {
    expect(secondsUntilNextUtcDay(Date.parse("2026-03-01T23:59:58.000Z"))).toBe(2);
    expect(secondsUntilNextUtcDay(Date.parse("2026-03-01T00:00:00.000Z"))).toBe(24 * 60 * 60);
    expect(secondsUntilNextUtcDay(Date.parse("2026-03-01T23:59:59.900Z"))).toBe(1);
  });
});

describe("the refusal", () => {
  it("is a 429 with its code and a Retry-After until the next UTC day", () => {
    const error = new RequestRefused("daily-limit-reached", "LimitExceeded.DailyCreateLimit", "limit reached", { retryAfterSeconds: 3600 });
    const response = problemResponse(error, "req-1");
    expect(response.status).toBe(429);
    expect(response.headers["retry-after"]).toBe("3600");
    expect(JSON.parse(response.body)).toMatchObject({ status: 429, code: "LimitExceeded.DailyCreateLimit", requestId: "req-1" });
  });
});

describe("which failed creates give their slot back", () => {
  const quiet = createLogger("t", {}, () => {});
  /** Runs callTencent against answers given in order (an error object is thrown, like the SDK's). */
  function callWith(answers: Array<Record<string, unknown> | Error>, options: { sessionId?: string } = {}) {
    let next = 0;
    const api = { request: async () => {
      const answer = answers[Math.min(next++, answers.length - 1)];
      if (answer instanceof Error) throw answer;
      return answer ?? {};
    } };
    return callTencent(api, { action: "CreateAigcVideoTask", params: {}, deadline: Date.now() + 2_000, attemptTimeoutMs: 500, log: quiet, sleep: async () => undefined, ...options });
  }
  const tencentError = (code: string) => Object.assign(new Error(code), { code, requestId: "up-1" });

  it.each([
    ["Tencent refused the input", [tencentError("InvalidParameterValue.Prompt")], true],
    ["our account was refused", [tencentError("AuthFailure.SignatureExpire")], true],
    ["Tencent throttled every attempt", [tencentError("RequestLimitExceeded")], true],
    ["Tencent could not be reached", [new Error("connect ECONNREFUSED 127.0.0.1:1")], true],
    ["Tencent answered InternalError", [tencentError("InternalError")], false],
    ["the connection was reset", [new Error("socket hang up ECONNRESET")], false],
    ["an unknown error code came back", [tencentError("FailedOperation.Something")], false],
  ] as const)("when %s (an MPS create, no SessionId), gives the slot back: %s", async (_what, answers, expected) => {
    const failure = await callWith([...answers]).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(UpstreamError);
    expect(createdNothing(failure)).toBe(expected);
  });

  it("keeps the slot when an earlier attempt may have run, even if the last one was only throttled", async () => {
    const failure = await callWith([tencentError("InternalError"), tencentError("RequestLimitExceeded")], { sessionId: "s-1" }).catch((error: unknown) => error);
    expect((failure as UpstreamError).code).toBe("RequestLimitExceeded");
    expect(createdNothing(failure)).toBe(false);
  });

  it("keeps the slot for any other error, which may have come after Tencent made the task", () => {
    expect(createdNothing(new Error("CreateAigcVideoTask answered without a TaskId"))).toBe(false);
  });
});

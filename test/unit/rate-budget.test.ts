/** The tracker's Tencent rate budget, on a fake clock: a burst is held to the documented rate. */

import { describe, expect, it } from "vitest";
import type { TencentApi } from "../../shared/tencent/clients";
import { RATE_BUDGET_SPENT, RateBudget, RateLimiter, TENCENT_RATE_LIMITS, type BudgetClock } from "../../shared/tencent/rate-budget";

/** Virtual time: sleeps resolve only as `run` moves the clock to them. */
function fakeClock(): BudgetClock & { run(): Promise<void> } {
  let now = 1_000_000;
  const timers: Array<{ at: number; resolve: () => void }> = [];
  const settle = () => new Promise<void>((resolve) => setImmediate(resolve));
  return {
    now: () => now,
    sleep: (ms) => new Promise<void>((resolve) => timers.push({ at: now + ms, resolve })),
    async run() {
      await settle();
      while (timers.length > 0) {
        timers.sort((a, b) => a.at - b.at);
        const timer = timers.shift() as (typeof timers)[number];
        now = Math.max(now, timer.at);
        timer.resolve();
        await settle();
      }
    },
  };
}

/** The most calls that started inside any one-second window. */
function busiestSecond(times: readonly number[]): number {
  const sorted = [...times].sort((a, b) => a - b);
  let most = 0;
  for (let i = 0, j = 0; i < sorted.length; i++) {
    while ((sorted[i] as number) - (sorted[j] as number) >= 1_000) j++;
    most = Math.max(most, i - j + 1);
  }
  return most;
}

function recordingApi(clock: BudgetClock, sent: Array<{ action: string; at: number }>): TencentApi {
  return { request: async (action) => (sent.push({ action, at: clock.now() }), { RequestId: "r" }) };
}

describe("rate budget", () => {
  it("holds a burst of 300 MPS video polls to 50 a second, sending every one", async () => {
    const clock = fakeClock();
    const sent: Array<{ action: string; at: number }> = [];
    const api = recordingApi(clock, sent);
    const clients = new RateBudget(TENCENT_RATE_LIMITS, 1, clock).wrap({ vod: api, mps: api }, () => Number.POSITIVE_INFINITY);
    const calls = Array.from({ length: 300 }, () => clients.mps.request("DescribeAigcVideoTask", { TaskId: "t" }));
    await clock.run();
    await Promise.all(calls);
    expect(sent).toHaveLength(300);
    expect(busiestSecond(sent.map((s) => s.at))).toBe(50);
  });

  it("counts each action against its own limit: VOD describes do not wait for MPS ones", async () => {
    const clock = fakeClock();
    const sent: Array<{ action: string; at: number }> = [];
    const api = recordingApi(clock, sent);
    const clients = new RateBudget(TENCENT_RATE_LIMITS, 1, clock).wrap({ vod: api, mps: api }, () => Number.POSITIVE_INFINITY);
    const calls = [
      ...Array.from({ length: 100 }, () => clients.mps.request("DescribeAigcVideoTask", {})),
      ...Array.from({ length: 100 }, () => clients.vod.request("DescribeTaskDetail", {})),
    ];
    await clock.run();
    await Promise.all(calls);
    const start = Math.min(...sent.map((s) => s.at));
    const at = (action: string) => sent.filter((s) => s.action === action).map((s) => s.at - start);
    // 100 VOD describes fit their first second (100 a second) while the MPS ones take two (50 a second).
    expect(Math.max(...at("DescribeTaskDetail"))).toBeLessThan(1_000);
    expect(Math.max(...at("DescribeAigcVideoTask"))).toBeGreaterThanOrEqual(1_000);
    expect(busiestSecond(at("DescribeAigcVideoTask"))).toBe(50);
  });

  it("takes only its share of each limit", async () => {
    const budget = new RateBudget(TENCENT_RATE_LIMITS, 0.2, fakeClock());
    expect(budget.limiterOf("mps", "DescribeAigcImageTask")?.perSecond).toBe(10);
    expect(budget.limiterOf("vod", "PullEvents")?.perSecond).toBe(20);
  });

  it("refuses at once, without sending, a call that would have to wait past the deadline", async () => {
    const clock = fakeClock();
    const sent: Array<{ action: string; at: number }> = [];
    const api = recordingApi(clock, sent);
    // Spaced 20 ms apart at 50 a second: starts at 0 to 1,980 ms fit, 100 of them.
    const deadline = clock.now() + 1_990;
    const clients = new RateBudget(TENCENT_RATE_LIMITS, 1, clock).wrap({ vod: api, mps: api }, () => deadline);
    const calls = Array.from({ length: 200 }, () => clients.mps.request("DescribeAigcVideoTask", {}).then(() => "sent", (error: { code?: string }) => error.code));
    await clock.run();
    const outcomes = await Promise.all(calls);
    expect(outcomes.filter((o) => o === "sent")).toHaveLength(100);
    expect(outcomes.filter((o) => o === RATE_BUDGET_SPENT)).toHaveLength(100);
    expect(sent).toHaveLength(100);
  });

  it("does not hold actions without a documented limit", async () => {
    const clock = fakeClock();
    const budget = new RateBudget(TENCENT_RATE_LIMITS, 1, clock);
    expect(budget.limiterOf("vod", "CreateAigcVideoTask")).toBeUndefined();
  });

  it("spaces calls evenly instead of sending each second's in a burst", async () => {
    const clock = fakeClock();
    const limiter = new RateLimiter(2, clock);
    const first = clock.now();
    const starts: number[] = [];
    const calls = Array.from({ length: 3 }, () => limiter.acquire().then(() => starts.push(clock.now() - first)));
    await clock.run();
    await Promise.all(calls);
    expect(starts).toEqual([0, 500, 1_000]);
  });

  it("holds the real starts to the limit when a call wakes late, next to the calls after it", async () => {
    const base = fakeClock();
    let sleeps = 0;
    // The first sleep (the 500 ms call's) ends 499 ms late, as on a busy event loop.
    const clock: BudgetClock = { now: base.now, sleep: (ms) => base.sleep(ms + (sleeps++ === 0 ? 499 : 0)) };
    const limiter = new RateLimiter(2, clock);
    const first = clock.now();
    const starts: number[] = [];
    const calls = Array.from({ length: 4 }, () => limiter.acquire().then(() => starts.push(clock.now() - first)));
    await base.run();
    await Promise.all(calls);
    // Reserved at 0, 500, 1,000 and 1,500; the second starts at 999, so the fourth waits until 1,999.
    expect(starts.sort((x, y) => x - y)).toEqual([0, 999, 1_000, 1_999]);
    expect(busiestSecond(starts)).toBe(2);
  });

});

/** The stand-in's per-action limit: Tencent's sliding one-second window. */
import { describe, expect, it } from "vitest";
import { SlidingWindowLimiter } from "../../local/tencent/rate-limiter";

function admittedOf(limiter: SlidingWindowLimiter, key: string, limit: number, times: number[]): boolean[] {
  return times.map((at) => limiter.tryAcquire(key, limit, at));
}

describe("SlidingWindowLimiter", () => {
  it("admits `limit` requests in any one second and the next ones once the window has slid past the oldest", () => {
    const limiter = new SlidingWindowLimiter();
    expect(admittedOf(limiter, "k", 3, [0, 100, 200, 300, 999])).toEqual([true, true, true, false, false]);
    expect(limiter.tryAcquire("k", 3, 1000)).toBe(true); // the request at 0 left the window
    expect(limiter.tryAcquire("k", 3, 1050)).toBe(false);
    expect(limiter.tryAcquire("k", 3, 1100)).toBe(true); // the one at 100 left
  });

  it("does not count refused requests, so a client that backs off gets in when the window slides", () => {
    const limiter = new SlidingWindowLimiter();
    admittedOf(limiter, "k", 2, [0, 10]);
    for (let at = 20; at < 1000; at += 10) expect(limiter.tryAcquire("k", 2, at)).toBe(false);
    expect(limiter.tryAcquire("k", 2, 1000)).toBe(true);
  });

  it("keeps keys apart", () => {
    const limiter = new SlidingWindowLimiter();
    expect(admittedOf(limiter, "a", 1, [0, 1])).toEqual([true, false]);
    expect(limiter.tryAcquire("b", 1, 1)).toBe(true);
  });

  it("counts a request signed before one already admitted in its own place in the window", () => {
    const limiter = new SlidingWindowLimiter();
    expect(admittedOf(limiter, "k", 2, [1000, 500])).toEqual([true, true]);
    expect(limiter.tryAcquire("k", 2, 1400)).toBe(false); // both still in the window
    expect(limiter.tryAcquire("k", 2, 1500)).toBe(true); // 500 left it, 1000 still counts
    expect(limiter.tryAcquire("k", 2, 1550)).toBe(false);
  });

  it("stays exact over many windows at a high limit (the bench's stand-in)", () => {
    const limiter = new SlidingWindowLimiter();
    let admitted = 0;
    for (let at = 0; at < 20_000; at++) if (limiter.tryAcquire("k", 500, at)) admitted++;
    // 500 per second for 20 s, the first window included.
    expect(admitted).toBe(10_000);
  });

  it("forgets everything on reset", () => {
    const limiter = new SlidingWindowLimiter();
    limiter.tryAcquire("k", 1, 0);
    limiter.reset();
    expect(limiter.tryAcquire("k", 1, 1)).toBe(true);
  });
});

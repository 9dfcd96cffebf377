/**
 * Tencent's per-action rate limits as a budget the tracker spends on purpose, instead of calling
 * as fast as it can and letting Tencent throttle it (a throttled call still costs a round trip and
 * a second's wait, and the query routes' Describe calls share the same account limit).
 *
 * Each action's calls are spaced evenly at its budget's rate, and never more than the budget start
 * in any one-second window (Tencent counts calls a second). A call that would have to wait past
 * the caller's deadline does not wait at all: it fails at once with RATE_BUDGET_SPENT, and the work
 * it was for stays due for the next tick.
 */

import { UpstreamError } from "../errors";
import type { TencentApi, TencentClients, TencentService } from "./clients";

/**
 * Tencent's documented limits, requests per second per account: VOD DescribeTaskDetail, PullEvents
 * and ConfirmEvents 100; MPS DescribeAigcVideoTask 50; DescribeAigcImageTask's doc states none, so
 * it is taken as its video sibling's 50.
 */
export const TENCENT_RATE_LIMITS: Readonly<Record<string, number>> = {
  "vod.DescribeTaskDetail": 100,
  "vod.PullEvents": 100,
  "vod.ConfirmEvents": 100,
  "mps.DescribeAigcVideoTask": 50,
  "mps.DescribeAigcImageTask": 50,
};

/**
 * The part of each limit the tracker takes: the rest is left to the query routes' Describe calls and
 * to network jitter, which can bunch calls sent evenly into one of Tencent's windows.
 */
export const TRACKER_SHARE = 0.8;

/** The code of a call refused because the budget has no slot before the caller's deadline. */
export const RATE_BUDGET_SPENT = "ClientRateBudgetSpent";

const WINDOW_MS = 1_000;

/** A clock the budget waits on (a fake one in tests). */
export interface BudgetClock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

const realClock: BudgetClock = { now: () => Date.now(), sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)) };

/**
 * At most `perSecond` starts in any one-second window, handed out in order of asking and spaced
 * evenly (1000 / perSecond ms apart) rather than in bursts: a burst sent at the start of each
 * second arrives bunched with the next one whenever the network or a busy event loop delays its
 * tail, and Tencent would count both in one of its windows.
 */
export class RateLimiter {
  /** The earliest start the next reservation may have. */
  private next = Number.NEGATIVE_INFINITY;
  /** When the calls really started, oldest first, within the last second. */
  private readonly actual: number[] = [];
  private readonly spacing: number;
  private readonly limit: number;

  constructor(
    readonly perSecond: number,
    private readonly clock: BudgetClock = realClock,
  ) {
    if (!(perSecond >= 1)) throw new RangeError(`a rate limit needs at least 1 call a second, got ${perSecond}`);
    this.limit = Math.floor(perSecond);
    this.spacing = WINDOW_MS / this.limit;
  }

  /**
   * Reserves the earliest start, not before `notBefore`, that keeps the calls spaced and waits for
   * it; resolves false, reserving nothing, when that start would be after `notAfter` (epoch ms).
   */
  async acquire(notAfter = Number.POSITIVE_INFINITY, notBefore = Number.NEGATIVE_INFINITY): Promise<boolean> {
    const now = this.clock.now();
    const at = Math.max(now, notBefore, this.next);
    if (at > notAfter) return false;
    this.next = at + this.spacing;
    if (at > now) await this.clock.sleep(at - now);
    // A busy event loop wakes calls late and then several at once: the real starts are held to the limit too.
    for (;;) {
      const t = this.clock.now();
      while (this.actual.length > 0 && (this.actual[0] as number) <= t - WINDOW_MS) this.actual.shift();
      if (this.actual.length < this.limit) {
        this.actual.push(t);
        return true;
      }
      const wait = (this.actual[0] as number) + WINDOW_MS - t;
      if (t + wait > notAfter) return false;
      await this.clock.sleep(wait);
    }
  }
}

/** When a budget's calls may start (epoch ms), and the `<service>.<action>`s free of it. */
export interface SpendingWindow {
  opensAt: number;
  closesAt: number;
  exempt?: readonly string[];
}

/** One limiter per `<service>.<action>` that has a limit; actions without one are not held. */
export class RateBudget {
  private readonly limiters = new Map<string, RateLimiter>();

  constructor(
    limits: Readonly<Record<string, number>>,
    /** The fraction of each limit this budget may use (its share of the account, over its shards). */
    share: number,
    private readonly clock: BudgetClock = realClock,
  ) {
    for (const [key, perSecond] of Object.entries(limits)) this.limiters.set(key, new RateLimiter(Math.max(1, Math.floor(perSecond * share)), clock));
  }

  /** The limiter of an action, if it has a limit. */
  limiterOf(service: TencentService, action: string): RateLimiter | undefined {
    return this.limiters.get(`${service}.${action}`);
  }

  /**
   * Clients whose every call (retries included) first takes a slot of its action's budget, giving up
   * at `notAfter`. With a `window`, calls of the actions it does not exempt start only inside it:
   * a tracker shard's slot of the minute (../tasks/shards).
   */
  wrap(clients: TencentClients, notAfter: () => number, window?: SpendingWindow): TencentClients {
    const limited = (service: TencentService, api: TencentApi): TencentApi => ({
      request: async (action, params, options) => {
        const limiter = this.limiterOf(service, action);
        const bounded = window !== undefined && !window.exempt?.includes(`${service}.${action}`);
        const until = bounded ? Math.min(notAfter(), window.closesAt) : notAfter();
        const refused = limiter ? !(await limiter.acquire(until, bounded ? window.opensAt : undefined)) : this.clock.now() > until;
        if (refused) {
          throw new UpstreamError("throttled", RATE_BUDGET_SPENT, `no ${service}.${action} slot left in this tick's rate budget`, { action, attempts: 0 });
        }
        return api.request(action, params, options);
      },
    });
    return { vod: limited("vod", clients.vod), mps: limited("mps", clients.mps) };
  }
}

/** Whether an error is the budget refusing a call (the work stays due), not Tencent failing. */
export function isRateBudgetSpent(error: unknown): boolean {
  return error instanceof UpstreamError && error.code === RATE_BUDGET_SPENT;
}

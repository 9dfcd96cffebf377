// Tencent limits each account per action over a sliding one-second window.

/** Admission times of one key, oldest first; expired ones are dropped from the front. */
interface Window {
  times: number[];
  /** Index of the oldest time still in the window. */
  head: number;
}

/**
 * Counts accepted requests per key over a sliding window and refuses those over the limit.
 * Each request costs O(expired) rather than a pass over the whole window, so a stand-in run with
 * limits in the millions (the bench) does not spend its time, and its garbage, re-filtering arrays.
 */
export class SlidingWindowLimiter {
  private readonly windows = new Map<string, Window>();

  constructor(private readonly windowMs = 1000) {}

  /** Admits a request at `nowMs` when fewer than `limit` were admitted for `key` in the window. */
  tryAcquire(key: string, limit: number, nowMs: number): boolean {
    let window = this.windows.get(key);
    if (!window) {
      window = { times: [], head: 0 };
      this.windows.set(key, window);
    }
    const { times } = window;
    while (window.head < times.length && (times[window.head] ?? 0) <= nowMs - this.windowMs) window.head++;
    if (window.head > 1024 && window.head * 2 > times.length) {
      times.splice(0, window.head);
      window.head = 0;
    }
    // Refused requests are not remembered: a client that backs off gets in as soon as the
    // window slides, as with Tencent.
    const admitted = times.length - window.head < limit;
    if (admitted) {
      // Requests are timed by their signature, so one can arrive after a later-signed one: keep the order.
      let at = times.length;
      while (at > window.head && (times[at - 1] ?? 0) > nowMs) at--;
      times.splice(at, 0, nowMs);
    }
    return admitted;
  }

  /** Forgets every window. */
  reset(): void {
    this.windows.clear();
  }
}

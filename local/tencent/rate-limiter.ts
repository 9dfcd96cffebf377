// Tencent limits each account per action over a sliding one-second window.

/** Counts accepted requests per key over a sliding window and refuses those over the limit. */
export class SlidingWindowLimiter {
  private readonly accepted = new Map<string, number[]>();

  constructor(private readonly windowMs = 1000) {}

  /** Admits a request at `nowMs` when fewer than `limit` were admitted for `key` in the window. */
  tryAcquire(key: string, limit: number, nowMs: number): boolean {
    const recent = (this.accepted.get(key) ?? []).filter((at) => at > nowMs - this.windowMs);
    // Refused requests are not remembered: a client that backs off gets in as soon as the
    // window slides, as with Tencent.
    const admitted = recent.length < limit;
    if (admitted) recent.push(nowMs);
    this.accepted.set(key, recent);
    return admitted;
  }

  /** Forgets every window. */
  reset(): void {
    this.accepted.clear();
  }
}

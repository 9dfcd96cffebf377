/**
 * The daily spend cap (AIGC_DAILY_CREATE_LIMIT): at most N tasks created through the HTTP routes per
 * UTC day in total and/or per bearer token, refused before anything reaches Tencent.
 *
 * COS has create-if-absent (`x-cos-forbid-overwrite`) but no atomic increment, so a create is admitted
 * by claiming a numbered slot object under the ledger prefix:
 *   spend/<yyyy-mm-dd>/<tokenId>/<n>   the token's n-th create of the day (per-token cap)
 *   spend/<yyyy-mm-dd>/total/<n>       the deployment's n-th create of the day (total cap)
 * A claim that succeeds at n < cap admits the create; at n >= cap the create is refused. Two creators
 * can never hold the same slot, so however many instances race, at most `cap` creates are admitted a
 * day. A create that then certainly made nothing gives its slots back (deletes them); the gap is
 * found again by listing once the slots above it are taken.
 *
 * Cost: each instance remembers the next n to try per counter (a hint), so a warm claim is one PUT;
 * a cold one lists the day's slots first. Concurrent creators walk past each other's slots, one PUT
 * per slot taken meanwhile. A refusal costs one LIST (finding slots given back).
 */

import { ConfigError, type Config, type DailyCreateLimitConfig } from "../config";
import type { CosBucketRef, CosClient } from "../cos/client";
import { RequestRefused, UpstreamError } from "../errors";
import type { Logger } from "../log";
import { ledgerFor } from "./services";

/** The code of a create refused by the daily cap. */
export const DAILY_LIMIT_CODE = "LimitExceeded.DailyCreateLimit";

const DAY_MS = 24 * 60 * 60 * 1000;

/** Slots the caller holds for one admitted create; `release` gives them back. */
export interface SpendSlots {
  keys: string[];
  release(): Promise<void>;
}

export type Admission =
  | { admitted: true; slots: SpendSlots }
  | { admitted: false; scope: "token" | "total"; limit: number; retryAfterSeconds: number };

/** Next slot number to try, per counter (bucket, prefix, day, counter): a per-instance hint, never the truth. */
const nextSlotHints = new Map<string, number>();
let hintsDay = "";

/** The UTC day of an epoch ms, `yyyy-mm-dd`. */
export function utcDay(epochMs: number): string {
  return new Date(epochMs).toISOString().slice(0, 10);
}

/** Seconds from `epochMs` until the next 00:00 UTC, at least 1. */
export function secondsUntilNextUtcDay(epochMs: number): number {
  const next = (Math.floor(epochMs / DAY_MS) + 1) * DAY_MS;
  return Math.max(1, Math.ceil((next - epochMs) / 1000));
}

/** Counts and admits creates against the daily limits, in the ledger bucket. */
export class DailyCreateLimit {
  constructor(
    private readonly cos: CosClient,
    private readonly ref: CosBucketRef,
    private readonly prefix: string,
    private readonly limit: DailyCreateLimitConfig,
    private readonly now: () => number = Date.now,
  ) {}

  /** Claims a slot of the token's counter, then of the total; refuses (holding nothing) when either is full. */
  async admit(tokenId: string, requestId: string): Promise<Admission> {
    const at = this.now();
    const day = utcDay(at);
    if (day !== hintsDay) {
      nextSlotHints.clear();
      hintsDay = day;
    }
    const held: string[] = [];
    const slots: SpendSlots = { keys: held, release: () => this.release(held) };
    const body = JSON.stringify({ tokenId, requestId, at: new Date(at).toISOString() });
    // The token first: a token over its own cap then never holds, even briefly, a slot of the total.
    const counters: Array<["token" | "total", number | undefined, string]> = [
      ["token", this.limit.perToken, tokenId],
      ["total", this.limit.total, "total"],
    ];
    try {
      for (const [scope, limit, counter] of counters) {
        if (limit === undefined) continue;
        const key = await this.claimSlot(`${this.prefix}spend/${day}/${counter}/`, limit, body);
        if (key === undefined) {
          await this.release(held);
          return { admitted: false, scope, limit, retryAfterSeconds: secondsUntilNextUtcDay(at) };
        }
        held.push(key);
      }
    } catch (error) {
      // COS failed midway: give back what was taken, then fail closed (the caller answers 503).
      await this.release(held).catch(() => undefined);
      throw error;
    }
    return { admitted: true, slots };
  }

  private async claimSlot(base: string, limit: number, body: string): Promise<string | undefined> {
    const hintKey = `${this.ref.bucket}\n${base}`;
    let n = nextSlotHints.get(hintKey) ?? (await this.takenSlots(base)).size;
    for (; n < limit; n++) {
      if (await this.tryClaim(`${base}${n}`, body)) {
        nextSlotHints.set(hintKey, n + 1);
        return `${base}${n}`;
      }
    }
    // Full by the count, but a create that failed may have given a slot below the cap back.
    const taken = await this.takenSlots(base);
    const nextFree = (from: number) => {
      let free = from;
      while (free < limit && taken.has(free)) free++;
      return free;
    };
    for (let gap = nextFree(0); gap < limit; gap = nextFree(gap + 1)) {
      if (await this.tryClaim(`${base}${gap}`, body)) {
        nextSlotHints.set(hintKey, nextFree(gap + 1));
        return `${base}${gap}`;
      }
    }
    nextSlotHints.set(hintKey, limit);
    return undefined;
  }

  private async tryClaim(key: string, body: string): Promise<boolean> {
    const result = await this.cos.putObject(this.ref, key, body, { contentType: "application/json", forbidOverwrite: true });
    return result.created;
  }

  private async takenSlots(base: string): Promise<Set<number>> {
    const taken = new Set<number>();
    let marker: string | undefined;
    do {
      const page = await this.cos.listObjects(this.ref, { prefix: base, maxKeys: 1000, ...(marker ? { marker } : {}) });
      for (const object of page.objects) {
        const n = object.key.slice(base.length);
        if (/^\d+$/.test(n)) taken.add(Number(n));
      }
      marker = page.truncated ? page.nextMarker : undefined;
    } while (marker);
    return taken;
  }

  private async release(keys: string[]): Promise<void> {
    for (const key of keys.splice(0)) {
      await this.cos.deleteObject(this.ref, key);
      // Let this instance's next create try the freed slot first.
      const slash = key.lastIndexOf("/") + 1;
      const hintKey = `${this.ref.bucket}\n${key.slice(0, slash)}`;
      const n = Number(key.slice(slash));
      const hint = nextSlotHints.get(hintKey);
      if (hint !== undefined && n < hint) nextSlotHints.set(hintKey, n);
    }
  }
}

/** The daily create limit of a configuration, or undefined when AIGC_DAILY_CREATE_LIMIT is not set. */
export function dailyCreateLimitFor(config: Config, now?: () => number): DailyCreateLimit | undefined {
  if (!config.dailyCreateLimit) return undefined;
  if (!config.ledger) throw new ConfigError("AIGC_DAILY_CREATE_LIMIT", "needs a ledger bucket to count creates in (AIGC_LEDGER_BUCKET or AIGC_REDRAW_BUCKET)");
  const ledger = ledgerFor(config);
  return new DailyCreateLimit(ledger.cos, ledger.ref, ledger.prefix, config.dailyCreateLimit, now);
}

/**
 * Admits one create of `tokenId` against the daily limits, before anything reaches Tencent; throws
 * the 429 refusal when a limit is reached. Undefined when no limit is configured.
 */
export async function admitCreate(config: Config, tokenId: string, requestId: string, log: Logger): Promise<SpendSlots | undefined> {
  const limit = dailyCreateLimitFor(config);
  if (!limit) return undefined;
  const admission = await limit.admit(tokenId, requestId);
  if (admission.admitted) return admission.slots;
  log.warn("spend.daily-limit-reached", { scope: admission.scope, limit: admission.limit, tokenId });
  const whose = admission.scope === "token" ? "This token's" : "This deployment's";
  throw new RequestRefused(
    "daily-limit-reached",
    DAILY_LIMIT_CODE,
    `${whose} limit of ${admission.limit} new tasks per UTC day is reached; try again after 00:00 UTC.`,
    { retryAfterSeconds: admission.retryAfterSeconds },
  );
}

/** True when a failed create certainly made no task, so its spend slots may be given back. */
export function createdNothing(error: unknown): boolean {
  if (error instanceof UpstreamError) return error.context.mayHaveRun === false;
  // Configuration is checked before the call; anything else may have failed after Tencent made the task.
  return error instanceof ConfigError;
}

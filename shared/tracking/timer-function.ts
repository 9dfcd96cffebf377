/**
 * The SCF timer trigger of `task-tracker`: the event it delivers, and one tracker tick per event.
 */

import { getConfig } from "../config";
import { invocationDeadline } from "../http/function";
import type { ScfContext } from "../http/apigw";
import { createLogger, requestIdFrom } from "../log";
import { cosClientFor, ledgerFor } from "../tasks/services";
import { tencentClients } from "../tencent/clients";
import { trackTasks, type TickReport } from "./tracker";

/** SCF's timer event: `{Type:"Timer", TriggerName, Time (UTC ISO), Message}`. */
export interface TimerEvent {
  Type: "Timer";
  TriggerName: string;
  Time: string;
  Message?: string;
}

const TIMER_MESSAGE_MAX_LENGTH = 4096;

/**
 * Checked by hand, not with zod: the tracker validates nothing else, and zod would add 70 KB and
 * about 7 ms to each of its cold starts (measured with `npm run bench`) for these four fields.
 */
export function isTimerEvent(event: unknown): event is TimerEvent {
  if (!event || typeof event !== "object" || Array.isArray(event)) return false;
  const { Type, TriggerName, Time, Message } = event as Record<string, unknown>;
  return (
    Type === "Timer" &&
    typeof TriggerName === "string" &&
    typeof Time === "string" &&
    (Message === undefined || (typeof Message === "string" && Message.length <= TIMER_MESSAGE_MAX_LENGTH))
  );
}

/**
 * The shard a timer event is for: its Message when that is a shard number (SCF's CustomArgument),
 * else the `-shard-<s>` end of its trigger's name (serverless-tencent-scf cannot set a message, so
 * serverless.yml names each shard's trigger), else shard 0 (the single tracker's trigger).
 */
export function shardOfTimer(event: TimerEvent): number {
  const message = event.Message?.trim() ?? "";
  if (/^\d{1,3}$/.test(message)) return Number(message);
  const named = /-shard-(\d{1,3})$/.exec(event.TriggerName)?.[1];
  return named === undefined ? 0 : Number(named);
}

/** When the shard's slot began: the timer's scheduled time, or now when it has none (or an impossible one). */
function slotStartOf(event: TimerEvent, startedAt: number): number {
  const time = Date.parse(event.Time);
  return Number.isNaN(time) || time > startedAt + 60_000 ? startedAt : time;
}

/** The SCF entry of the tracker: any timer event runs one tick of the shard it names. */
export function trackerFunction(functionName: string) {
  return async (event: unknown, context: ScfContext = {}): Promise<TickReport | { ignored: string }> => {
    const startedAt = Date.now();
    const log = createLogger(requestIdFrom(context.request_id), { fn: functionName, trigger: "timer" });
    if (!isTimerEvent(event)) {
      log.warn("event.unsupported", { reason: "not an SCF timer event" });
      return { ignored: "not an SCF timer event" };
    }
    const config = getConfig();
    const shard = shardOfTimer(event);
    if (shard >= config.trackerShards) {
      // A trigger left from a larger K (the deploy keeps triggers it no longer lists): its tasks moved to shard 0..K-1.
      log.warn("tracker.shard-unknown", { shard, shards: config.trackerShards, triggerName: event.TriggerName });
      return { ignored: `shard ${shard} is not one of the ${config.trackerShards} shards (AIGC_TRACKER_SHARDS)` };
    }
    try {
      return await trackTasks({
        config,
        ledger: ledgerFor(config),
        cos: cosClientFor(config),
        clients: tencentClients(config),
        log: log.with({ trigger: event.TriggerName }),
        deadline: invocationDeadline(context, startedAt),
        shard,
        slotStart: slotStartOf(event, startedAt),
      });
    } catch (error) {
      log.error("tracker.tick-failed", { error, ms: Date.now() - startedAt });
      throw error;
    }
  };
}

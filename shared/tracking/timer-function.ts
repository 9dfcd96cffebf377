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

/** The SCF entry of the tracker: any timer event runs one tick. */
export function trackerFunction(functionName: string) {
  return async (event: unknown, context: ScfContext = {}): Promise<TickReport | { ignored: string }> => {
    const startedAt = Date.now();
    const log = createLogger(requestIdFrom(context.request_id), { fn: functionName, trigger: "timer" });
    if (!isTimerEvent(event)) {
      log.warn("event.unsupported", { reason: "not an SCF timer event" });
      return { ignored: "not an SCF timer event" };
    }
    const config = getConfig();
    try {
      return await trackTasks({
        config,
        ledger: ledgerFor(config),
        cos: cosClientFor(config),
        clients: tencentClients(config),
        log: log.with({ trigger: event.TriggerName }),
        deadline: invocationDeadline(context, startedAt),
      });
    } catch (error) {
      log.error("tracker.tick-failed", { error, ms: Date.now() - startedAt });
      throw error;
    }
  };
}

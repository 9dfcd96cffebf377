/**
 * The SCF timer trigger of `task-tracker`: the event it delivers, and one tracker tick per event.
 */

import { z } from "zod";
import { getConfig } from "../config";
import { invocationDeadline } from "../http/function";
import type { ScfContext } from "../http/apigw";
import { createLogger } from "../log";
import { cosClientFor, ledgerFor } from "../tasks/services";
import { tencentClients } from "../tencent/clients";
import { trackTasks, type TickReport } from "./tracker";

/** SCF's timer event: `{Type:"Timer", TriggerName, Time (UTC ISO), Message}`. */
const timerEventSchema = z.object({
  Type: z.literal("Timer"),
  TriggerName: z.string(),
  Time: z.string(),
  Message: z.string().max(4096).optional(),
});

export type TimerEvent = z.infer<typeof timerEventSchema>;

/** The SCF entry of the tracker: any timer event runs one tick. */
export function trackerFunction(functionName: string) {
  return async (event: unknown, context: ScfContext = {}): Promise<TickReport | { ignored: string }> => {
    const startedAt = Date.now();
    const log = createLogger(context.request_id ?? "unknown", { fn: functionName, trigger: "timer" });
    const parsed = timerEventSchema.safeParse(event);
    if (!parsed.success) {
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
        log: log.with({ trigger: parsed.data.TriggerName }),
        deadline: invocationDeadline(context, startedAt),
      });
    } catch (error) {
      log.error("tracker.tick-failed", { error, ms: Date.now() - startedAt });
      throw error;
    }
  };
}

/**
 * The COS side of `vod-aigc-redraw`: SCF's COS trigger event in, one redraw task per new upload.
 * COS invokes asynchronously: returning is success, throwing asks SCF to retry the event.
 */

import { ConfigError, getConfig } from "../config";
import { invocationDeadline } from "../http/function";
import type { ScfContext } from "../http/apigw";
import { createLogger, requestIdFrom } from "../log";
import { tencentClients } from "../tencent/clients";
import { cosClientFor, ledgerFor } from "./services";
import type { FirstDueAt } from "./ledger";
import { redrawOnUpload, type RecordOutcome } from "./redraw-on-upload";

export { cosClientFor, ledgerFor } from "./services";

/** Handles one COS trigger event for redraw-on-upload. */
export async function handleUploadEvent(
  event: { Records: unknown[] },
  context: ScfContext,
  functionName: string,
  options: { firstDueAt?: FirstDueAt } = {},
): Promise<{ records: RecordOutcome[] }> {
  const startedAt = Date.now();
  const log = createLogger(requestIdFrom(context.request_id), { fn: functionName, trigger: "cos" });
  try {
    const config = getConfig();
    if (!config.redraw) throw new ConfigError("AIGC_REDRAW_BUCKET", "is not set, yet a COS event arrived; set it to the bucket the trigger watches");
    const records = await redrawOnUpload(event, {
      config,
      redraw: config.redraw,
      cos: cosClientFor(config),
      ledger: ledgerFor(config),
      clients: tencentClients(config),
      log,
      deadline: invocationDeadline(context, startedAt),
      ...(options.firstDueAt ? { firstDueAt: options.firstDueAt } : {}),
    });
    log.info("cos.event.done", { records: records.length, ms: Date.now() - startedAt });
    return { records };
  } catch (error) {
    log.error("cos.event.failed", { error, ms: Date.now() - startedAt });
    throw error;
  }
}

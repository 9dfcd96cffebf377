/** One tracker tick in a test: the real trackTasks against the configured stand-ins and ledger. */

import { getConfig } from "../../shared/config";
import { createLogger, type LogSink } from "../../shared/log";
import { cosClientFor, ledgerFor } from "../../shared/tasks/services";
import { tencentClients } from "../../shared/tencent/clients";
import { trackTasks, type TrackerDeps } from "../../shared/tracking/tracker";

/**
 * Runs one tick with the tracker's clock `skewMs` ahead of the real one (to make retries and
 * schedules due), 20 s of time, and its log lines dropped unless `sink` takes them.
 */
export async function trackerTick(skewMs = 0, overrides: Partial<TrackerDeps> = {}, sink: LogSink = () => {}) {
  const config = getConfig();
  return trackTasks({
    config,
    ledger: ledgerFor(config),
    cos: cosClientFor(config),
    clients: tencentClients(config),
    log: createLogger("tick", {}, sink),
    deadline: Date.now() + skewMs + 20_000,
    now: () => Date.now() + skewMs,
    ...overrides,
  });
}

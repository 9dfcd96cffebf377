/**
 * The long-lived service objects a configuration implies (COS client, task ledger), created once per
 * configuration and reused by warm invocations.
 */

import { ConfigError, type Config } from "../config";
import { CosClient } from "../cos/client";
import { TaskLedger } from "./ledger";

const cosClients = new WeakMap<Config, CosClient>();

/** The COS client for a configuration, reused by warm invocations. */
export function cosClientFor(config: Config): CosClient {
  let client = cosClients.get(config);
  if (!client) {
    if (!config.credentials) throw new ConfigError("TENCENTCLOUD_SECRETID", "and TENCENTCLOUD_SECRETKEY are needed to read and write COS");
    client = new CosClient({ credentials: config.credentials, ...(config.cosEndpoint ? { endpoint: config.cosEndpoint } : {}) });
    cosClients.set(config, client);
  }
  return client;
}

/** The task ledger of a configuration; throws when no ledger bucket is configured. */
export function ledgerFor(config: Config): TaskLedger {
  if (!config.ledger) throw new ConfigError("AIGC_LEDGER_BUCKET", "(or AIGC_REDRAW_BUCKET) must name the bucket that keeps the task ledger");
  return new TaskLedger(cosClientFor(config), { bucket: config.ledger.bucket, region: config.ledger.region }, config.ledger.prefix, config.trackerShards);
}

/** The task ledger, or undefined when the deployment keeps none (tasks are then not tracked). */
export function optionalLedger(config: Config): TaskLedger | undefined {
  return config.ledger ? ledgerFor(config) : undefined;
}

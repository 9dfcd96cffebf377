/** Pointing the functions' configuration at the local stand-ins, as every integration test does. */

import { rmSync } from "node:fs";
import type { startCosStandIn } from "../../local/cos/server";
import { DEV_SECRET_ID, DEV_SECRET_KEY } from "../../local/dev-credentials";
import type { startTencentStandIn } from "../../local/tencent/server";
import { resetConfigCache } from "../../shared/config";
import { CosClient } from "../../shared/cos/client";

/** The SubAppId the tests create VOD tasks under. */
export const TEST_SUBAPPID = 251007502;

/**
 * Replaces process.env with `base` plus the development credentials, the stand-ins' endpoints and
 * `vars`, and drops the cached configuration so the next invocation reads it.
 */
export function useStandIns(base: NodeJS.ProcessEnv, standIns: { tencent: { url: string }; cos?: { url: string } }, vars: Record<string, string> = {}): void {
  process.env = {
    ...base,
    TENCENTCLOUD_SECRETID: DEV_SECRET_ID,
    TENCENTCLOUD_SECRETKEY: DEV_SECRET_KEY,
    AIGC_VOD_ENDPOINT: standIns.tencent.url,
    AIGC_MPS_ENDPOINT: standIns.tencent.url,
    AIGC_VOD_SUBAPPID: String(TEST_SUBAPPID),
    ...(standIns.cos ? { AIGC_COS_ENDPOINT: standIns.cos.url } : {}),
    // The stand-in's tasks end in seconds, not minutes: every due task is asked about on each tick.
    AIGC_TRACKER_POLL_SCALE: "0",
    ...vars,
  };
  resetConfigCache();
}

/** A COS client of the local bucket, signing with the development credentials like any uploader. */
export function devCosClient(endpoint: string): CosClient {
  return new CosClient({ credentials: { secretId: DEV_SECRET_ID, secretKey: DEV_SECRET_KEY }, endpoint: new URL(endpoint) });
}

export type TencentStandIn = Awaited<ReturnType<typeof startTencentStandIn>>;
export type CosStandIn = Awaited<ReturnType<typeof startCosStandIn>>;

/**
 * The end of a suite that ran on the stand-ins: restores process.env and the configuration, closes
 * `others` (webhook receivers), the COS and Tencent stand-ins in that order, and removes the COS data.
 */
export async function stopStandIns(
  savedEnv: NodeJS.ProcessEnv,
  standIns: { tencent: TencentStandIn; cos: CosStandIn; dataDir: string; others?: ReadonlyArray<{ close(): Promise<void> }> },
): Promise<void> {
  process.env = savedEnv;
  resetConfigCache();
  for (const other of standIns.others ?? []) await other.close();
  await standIns.cos.close();
  await standIns.tencent.close();
  rmSync(standIns.dataDir, { recursive: true, force: true });
}

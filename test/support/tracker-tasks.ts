/** Tasks made through the real create functions, and the ledger's keys, for the tracker's suites. */

import { expect } from "vitest";
import { main_handler as mpsVideo } from "../../functions/mps-aigc-video";
import { main_handler as vodVideo } from "../../functions/vod-aigc-video";
import type { CosClient } from "../../shared/cos/client";
import { apiEvent, bodyOf, scfContext } from "./scf";

/** An MPS video task (Kling 2.1) created through mps-aigc-video; its TaskId. */
export async function createMpsVideo(token: string, body: Record<string, unknown> = {}): Promise<string> {
  const response = await mpsVideo(
    apiEvent({ path: "/tencent-mps/v1/aigc-video", body: { ModelName: "Kling", ModelVersion: "2.1", Prompt: "a cat", ...body }, headers: { authorization: `Bearer ${token}` } }),
    scfContext(),
  );
  expect(response.statusCode).toBe(200);
  return bodyOf(response).Response.TaskId as string;
}

/** A VOD video task (Kling 2.1) created through vod-aigc-video; its TaskId. */
export async function createVodVideo(token: string, body: Record<string, unknown> = {}): Promise<string> {
  const response = await vodVideo(
    apiEvent({ body: { ModelName: "Kling", ModelVersion: "2.1", Prompt: "a lighthouse at dusk", ...body }, headers: { authorization: `Bearer ${token}` } }),
    scfContext(),
  );
  expect(response.statusCode).toBe(200);
  return bodyOf(response).Response.TaskId as string;
}

/** Every key under `ledger + prefix` in the bucket, without the ledger prefix when `strip` is set. */
export async function ledgerKeys(cos: CosClient, bucket: string, ledger: string, prefix: string, strip = false): Promise<string[]> {
  const keys: string[] = [];
  let marker: string | undefined;
  do {
    const page = await cos.listObjects({ bucket, region: "ap-guangzhou" }, { prefix: ledger + prefix, ...(marker ? { marker } : {}) });
    keys.push(...page.objects.map((o) => (strip ? o.key.slice(ledger.length) : o.key)));
    marker = page.truncated ? page.nextMarker : undefined;
  } while (marker);
  return keys;
}

/**
 * Copying a task's result files into a bucket: kept results (AIGC_KEEP_RESULTS) and redraw-on-upload
 * outputs. Tencent's URLs are temporary (VOD 7 days, MPS 12 hours), our bucket's copy is not.
 */

import type { CosBucketRef, CosClient } from "../cos/client";
import type { TaskOutput } from "../tasks/ledger";

/** The file extension a kept result of each output type gets. */
export const RESULT_EXTENSIONS: Readonly<Record<TaskOutput["type"], string>> = { video: "mp4", image: "png", file: "bin" };

/** Streams a URL's body into a bucket object, bounded by an abort signal. */
export async function copyUrlToBucket(cos: CosClient, url: string, ref: CosBucketRef, key: string, signal: AbortSignal): Promise<void> {
  const response = await fetch(url, { signal });
  if (!response.ok || !response.body) {
    throw new Error(`downloading the result answered HTTP ${response.status}`);
  }
  const contentType = response.headers.get("content-type") ?? undefined;
  const length = Number(response.headers.get("content-length"));
  if (Number.isFinite(length) && length > 0) {
    await cos.putObject(ref, key, response.body as ReadableStream<Uint8Array>, { contentLength: length, ...(contentType ? { contentType } : {}) });
  } else {
    await cos.putObject(ref, key, Buffer.from(await response.arrayBuffer()), contentType ? { contentType } : {});
  }
}

/**
 * What the upload and download commands share: where the local stack of `npm start` is (from PORT,
 * as npm start derives it, or AIGC_COS_ENDPOINT / AIGC_LOCAL_URL), the bucket, and fetching a
 * redraw result with its status sidecar.
 */

import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { DEV_SECRET_ID, DEV_SECRET_KEY } from "../local/dev-credentials";
import { LOCAL_BUCKET, RUN_TRACKER_PATH } from "../local/stack";
import { CosClient, type CosBucketRef } from "../shared/cos/client";

/** The local stack as the scripts reach it. */
export interface LocalBucket {
  cos: CosClient;
  ref: CosBucketRef;
  /** The COS endpoint's origin, for messages. */
  cosOrigin: string;
  /** The local API Gateway, whose /__local/run/task-tracker runs a tracker tick now. */
  gatewayUrl: string;
}

/** The sidecar the tracker writes beside a redraw result (`<output key>.json`). */
export interface ResultSidecar {
  taskId: string;
  status: "succeeded" | "failed";
  output: { bucket: string; key: string } | null;
  error?: { code: string; message: string };
}

/** The local bucket of `npm start`, signed for with the development credentials like any COS client. */
export function localBucket(env: NodeJS.ProcessEnv = process.env): LocalBucket {
  const port = Number(env.PORT || 3000);
  const endpoint = new URL(env.AIGC_COS_ENDPOINT || `http://127.0.0.1:${port + 1}`);
  return {
    cos: new CosClient({ credentials: { secretId: DEV_SECRET_ID, secretKey: DEV_SECRET_KEY }, endpoint }),
    ref: { bucket: env.AIGC_REDRAW_BUCKET || LOCAL_BUCKET, region: env.AIGC_REDRAW_REGION || "ap-guangzhou" },
    cosOrigin: endpoint.origin,
    gatewayUrl: (env.AIGC_LOCAL_URL || `http://127.0.0.1:${port}`).replace(/\/+$/, ""),
  };
}

/** Where downloads go unless --to says otherwise: `downloads/` in npm start's data folder. */
export function defaultDownloadDir(env: NodeJS.ProcessEnv = process.env): string {
  return resolve(__dirname, "..", env.AIGC_LOCAL_DATA_DIR || ".local-data", "downloads");
}

/** The sidecar of an output key, if the tracker has written it (the task ended). */
export async function readSidecar(bucket: LocalBucket, key: string): Promise<ResultSidecar | undefined> {
  const found = await bucket.cos.getObject(bucket.ref, `${key}.json`);
  return found ? (JSON.parse(found.body.toString("utf8")) as ResultSidecar) : undefined;
}

/**
 * Waits until the sidecar of `key` exists (and, with `taskId`, names that task), running a tracker
 * tick each round so the wait is seconds rather than the schedule's minute; undefined at the deadline.
 */
export async function waitForSidecar(bucket: LocalBucket, key: string, options: { timeoutMs: number; taskId?: string }): Promise<ResultSidecar | undefined> {
  const deadline = Date.now() + options.timeoutMs;
  while (Date.now() < deadline) {
    // A tick already running makes this one skip; the next round asks again.
    await fetch(`${bucket.gatewayUrl}${RUN_TRACKER_PATH}`, { method: "POST" }).then((response) => response.arrayBuffer(), () => undefined);
    const sidecar = await readSidecar(bucket, key);
    if (sidecar && (options.taskId === undefined || sidecar.taskId === options.taskId)) return sidecar;
    await new Promise((resolveSleep) => setTimeout(resolveSleep, 1_000));
  }
  return undefined;
}

/** Where a key is saved under `dir`: the key's own path, or its last segment if the key would leave `dir`. */
export function downloadPath(dir: string, key: string): string {
  const base = resolve(dir);
  const target = resolve(base, key);
  return target.startsWith(`${base}${sep}`) ? target : join(base, key.split("/").pop() || "object");
}

/** Saves `key` and its sidecar (either may be missing) under `dir`; returns what was saved where. */
export async function downloadWithSidecar(
  bucket: LocalBucket,
  key: string,
  dir: string,
): Promise<{ object?: { path: string; size: number }; sidecar?: { path: string; content: ResultSidecar } }> {
  const saved: { object?: { path: string; size: number }; sidecar?: { path: string; content: ResultSidecar } } = {};
  const object = await bucket.cos.getObject(bucket.ref, key);
  if (object) {
    const path = downloadPath(dir, key);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, object.body);
    saved.object = { path, size: object.body.length };
  }
  const sidecar = await bucket.cos.getObject(bucket.ref, `${key}.json`);
  if (sidecar) {
    const path = downloadPath(dir, `${key}.json`);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, sidecar.body);
    saved.sidecar = { path, content: JSON.parse(sidecar.body.toString("utf8")) as ResultSidecar };
  }
  return saved;
}

/** A path as the user typed it: relative to the working directory when inside it. */
export function shownPath(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel.startsWith("..") ? path : rel;
}

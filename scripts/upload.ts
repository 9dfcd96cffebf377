/**
 * `npm run upload -- <file> [key] [--wait] [--to <dir>] [--timeout <s>]`: puts a file into the local
 * bucket of `npm start` (signed with the development credentials, like any COS client), then waits
 * for the redraw task its upload creates and prints it. With --wait it also waits for the task to
 * end (running tracker ticks), downloads the result and its sidecar, and prints their paths. The
 * key defaults to `in/<file name>`.
 */

import { readFileSync } from "node:fs";
import { basename, extname, resolve } from "node:path";
import { parseArgs } from "node:util";
import type { UploadRecord } from "../shared/tasks/ledger";
import { defaultDownloadDir, downloadWithSidecar, localBucket, shownPath, waitForSidecar, type LocalBucket } from "./local-bucket";

const CONTENT_TYPES: Record<string, string> = { ".mp4": "video/mp4", ".mov": "video/quicktime", ".webm": "video/webm", ".png": "image/png", ".jpg": "image/jpeg" };
const USAGE = "usage: npm run upload -- <file> [key] [--wait] [--to <dir>] [--timeout <seconds>]   (key defaults to in/<file name>)";

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    args: process.argv.slice(2),
    options: { wait: { type: "boolean" }, to: { type: "string" }, timeout: { type: "string" } },
    allowPositionals: true,
  });
  const [file, keyArg] = positionals;
  if (!file || positionals.length > 2) throw new Error(USAGE);
  const timeoutSeconds = Number(values.timeout ?? 120);
  if (!Number.isFinite(timeoutSeconds) || timeoutSeconds <= 0) throw new Error(`--timeout must be a number of seconds, got "${values.timeout}"`);
  const key = keyArg ?? `in/${basename(file)}`;
  const bucket = localBucket();
  const ledgerPrefix = process.env.AIGC_LEDGER_PREFIX || ".aigc-ledger/";

  const started = new Date().toISOString();
  const body = readFileSync(file);
  const contentType = CONTENT_TYPES[extname(file).toLowerCase()] ?? "application/octet-stream";
  await bucket.cos.putObject(bucket.ref, key, body, { contentType });
  process.stdout.write(`uploaded ${file} (${body.length} bytes) to cos://${bucket.ref.bucket}/${key} via ${bucket.cosOrigin}\n`);

  const record = await waitForUploadRecord(bucket, ledgerPrefix, key, started, 20_000);
  if (!record) {
    process.stdout.write("no redraw task recorded within 20 s: is the key under the input prefix and a video? (see the npm start log)\n");
    process.exitCode = 1;
    return;
  }
  process.stdout.write(`${JSON.stringify({ state: record.state, taskId: record.taskId, output: record.output.key, sidecar: record.output.sidecarKey }, null, 2)}\n`);
  if (!values.wait || record.state === "failed") return;

  const sidecar = await waitForSidecar(bucket, record.output.key, { timeoutMs: timeoutSeconds * 1000, ...(record.taskId ? { taskId: record.taskId } : {}) });
  if (!sidecar) {
    process.stdout.write(`task ${record.taskId} did not end within ${timeoutSeconds} s\n`);
    process.exitCode = 1;
    return;
  }
  const saved = await downloadWithSidecar(bucket, record.output.key, resolve(values.to ?? defaultDownloadDir()));
  process.stdout.write(`task ${sidecar.taskId} ${sidecar.status}${sidecar.error ? `: ${sidecar.error.code} ${sidecar.error.message}` : ""}\n`);
  if (saved.object) process.stdout.write(`result saved to ${shownPath(saved.object.path)}\n`);
  if (saved.sidecar) process.stdout.write(`sidecar saved to ${shownPath(saved.sidecar.path)}\n`);
  if (sidecar.status !== "succeeded") process.exitCode = 1;
}

/** The ledger's record of this upload once the COS trigger has made (or refused) its task. */
async function waitForUploadRecord(bucket: LocalBucket, ledgerPrefix: string, key: string, since: string, timeoutMs: number): Promise<UploadRecord | undefined> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const listing = await bucket.cos.listObjects(bucket.ref, { prefix: `${ledgerPrefix}uploads/` });
    for (const object of listing.objects) {
      const found = await bucket.cos.getObject(bucket.ref, object.key);
      const record = found ? (JSON.parse(found.body.toString("utf8")) as UploadRecord) : undefined;
      if (record && record.source.key === key && record.claimedAt >= since && record.state !== "claimed") return record;
    }
    await new Promise((resolveSleep) => setTimeout(resolveSleep, 300));
  }
  return undefined;
}

main().catch((error: unknown) => {
  process.stderr.write(`upload failed: ${(error as Error).message}\n`);
  process.exit(1);
});

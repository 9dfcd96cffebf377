/**
 * `npm run download -- <key> [--to <dir>] [--wait] [--timeout <s>]`: saves an object of the local
 * bucket of `npm start` (a redraw result such as out/clip.mp4) and its status sidecar
 * (`<key>.json`), signed with the development credentials, and prints where they went: by default
 * under downloads/ in npm start's data folder (.local-data, or AIGC_LOCAL_DATA_DIR), keeping the
 * key's path. With --wait it first waits for the sidecar, running tracker ticks, so a result
 * uploaded by any tool can be fetched in one command.
 */

import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { defaultDownloadDir, downloadWithSidecar, localBucket, shownPath, waitForSidecar } from "./local-bucket";

const USAGE = "usage: npm run download -- <key> [--to <dir>] [--wait] [--timeout <seconds>]   e.g. npm run download -- out/clip.mp4";

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    args: process.argv.slice(2),
    options: { to: { type: "string" }, wait: { type: "boolean" }, timeout: { type: "string" } },
    allowPositionals: true,
  });
  const key = positionals[0];
  if (!key || positionals.length > 1) throw new Error(USAGE);
  const timeoutSeconds = Number(values.timeout ?? 120);
  if (!Number.isFinite(timeoutSeconds) || timeoutSeconds <= 0) throw new Error(`--timeout must be a number of seconds, got "${values.timeout}"`);
  const bucket = localBucket();
  const dir = resolve(values.to ?? defaultDownloadDir());

  if (values.wait && !(await waitForSidecar(bucket, key, { timeoutMs: timeoutSeconds * 1000 }))) {
    throw new Error(`no result for ${key} within ${timeoutSeconds} s: is the upload under the input prefix and a video? (see the npm start log)`);
  }
  const saved = await downloadWithSidecar(bucket, key, dir);
  if (saved.object) process.stdout.write(`saved cos://${bucket.ref.bucket}/${key} (${saved.object.size} bytes) to ${shownPath(saved.object.path)}\n`);
  if (saved.sidecar) {
    const { status, taskId, error } = saved.sidecar.content;
    process.stdout.write(`saved its sidecar ${key}.json (${status}, task ${taskId}${error ? `: ${error.code} ${error.message}` : ""}) to ${shownPath(saved.sidecar.path)}\n`);
  }
  if (!saved.object) {
    process.stdout.write(
      saved.sidecar
        ? `no object ${key}: its task ${saved.sidecar.content.status}\n`
        : `no object ${key} and no sidecar ${key}.json in cos://${bucket.ref.bucket} at ${bucket.cosOrigin}: the task may still be running (add --wait)\n`,
    );
    process.exitCode = 1;
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`download failed: ${(error as Error).message}\n`);
  process.exit(1);
});

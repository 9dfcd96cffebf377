/**
 * `npm run upload -- <file> [key]`: puts a file into the local bucket of `npm start` (signed with
 * the development credentials, like any COS client), then waits for the redraw task its upload
 * creates and prints it. The key defaults to `in/<file name>`.
 */

import { readFileSync } from "node:fs";
import { basename, extname } from "node:path";
import { DEV_SECRET_ID, DEV_SECRET_KEY } from "../local/dev-credentials";
import { LOCAL_BUCKET } from "../local/stack";
import { CosClient } from "../shared/cos/client";
import type { UploadRecord } from "../shared/tasks/ledger";

const CONTENT_TYPES: Record<string, string> = { ".mp4": "video/mp4", ".mov": "video/quicktime", ".webm": "video/webm", ".png": "image/png", ".jpg": "image/jpeg" };

async function main(): Promise<void> {
  const [file, keyArg] = process.argv.slice(2);
  if (!file) throw new Error("usage: npm run upload -- <file> [key]   (key defaults to in/<file name>)");
  const key = keyArg ?? `in/${basename(file)}`;
  const port = Number(process.env.PORT ?? 3000) + 1;
  const endpoint = new URL(process.env.AIGC_COS_ENDPOINT ?? `http://127.0.0.1:${port}`);
  const ref = { bucket: process.env.AIGC_REDRAW_BUCKET ?? LOCAL_BUCKET, region: process.env.AIGC_REDRAW_REGION ?? "ap-guangzhou" };
  const ledgerPrefix = process.env.AIGC_LEDGER_PREFIX ?? ".aigc-ledger/";
  const cos = new CosClient({ credentials: { secretId: DEV_SECRET_ID, secretKey: DEV_SECRET_KEY }, endpoint });

  const started = new Date().toISOString();
  const body = readFileSync(file);
  const contentType = CONTENT_TYPES[extname(file).toLowerCase()] ?? "application/octet-stream";
  await cos.putObject(ref, key, body, { contentType });
  process.stdout.write(`uploaded ${file} (${body.length} bytes) to cos://${ref.bucket}/${key} via ${endpoint.origin}\n`);

  // The COS trigger runs asynchronously; the ledger says which task the upload became.
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    const listing = await cos.listObjects(ref, { prefix: `${ledgerPrefix}uploads/` });
    for (const object of listing.objects) {
      const found = await cos.getObject(ref, object.key);
      const record = found ? (JSON.parse(found.body.toString("utf8")) as UploadRecord) : undefined;
      if (record && record.source.key === key && record.claimedAt >= started && record.state !== "claimed") {
        process.stdout.write(`${JSON.stringify({ state: record.state, taskId: record.taskId, output: record.output.key, sidecar: record.output.sidecarKey }, null, 2)}\n`);
        return;
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
  process.stdout.write("no redraw task recorded within 20 s: is the key under the input prefix and a video? (see the npm start log)\n");
  process.exitCode = 1;
}

main().catch((error: unknown) => {
  process.stderr.write(`upload failed: ${(error as Error).message}\n`);
  process.exit(1);
});

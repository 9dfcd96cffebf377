// Runs the COS stand-in on its own: `npx tsx local/cos/main.ts`.
// PORT (default 9100), COS_DATA_DIR (default .local-data/cos), COS_REGION (default ap-guangzhou).
// No triggers here: object creations fire events only when a launcher passes triggers and invoke.
import { resolve } from "node:path";
import { startCosStandIn } from "./server";
import { closeOnSignal, runMain } from "../process";

async function main(): Promise<void> {
  const port = Number(process.env["PORT"] ?? 9100);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`PORT must be a TCP port, got ${process.env["PORT"]}`);
  const dataDir = resolve(process.env["COS_DATA_DIR"] ?? ".local-data/cos");
  const region = process.env["COS_REGION"] ?? "ap-guangzhou";
  const writeLine = (line: Record<string, unknown>): void => void process.stdout.write(`${JSON.stringify(line)}\n`);
  const standIn = await startCosStandIn({ port, dataDir, region, log: writeLine });
  writeLine({
    at: new Date().toISOString(),
    listening: standIn.url,
    dataDir,
    region,
    addressing: `path-style ${standIn.url}/<bucket>/<key>, or Host <bucket>.cos.${region}.myqcloud.com`,
    credentials: "the dev credentials of local/dev-credentials.ts",
  });
  closeOnSignal(() => standIn.close());
}

runMain(main);

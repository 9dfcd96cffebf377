// Runs the Tencent stand-in on its own: `npx tsx local/tencent/main.ts` (PORT, default 9000).
import { startTencentStandIn } from "./server";
import { closeOnSignal, runMain } from "../process";

async function main(): Promise<void> {
  const port = Number(process.env["PORT"] ?? 9000);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`PORT must be a TCP port, got ${process.env["PORT"]}`);
  const writeLine = (line: Record<string, unknown>): void => void process.stdout.write(`${JSON.stringify(line)}\n`);
  const standIn = await startTencentStandIn({ port, log: writeLine });
  writeLine({
    at: new Date().toISOString(),
    listening: standIn.url,
    services: { vod: "Host vod.tencentcloudapi.com", mps: "Host mps.tencentcloudapi.com" },
    credentials: "the dev credentials of local/dev-credentials.ts",
    control: `${standIn.url}/__standin/ (GET calls, tasks, events, faults, clock; POST faults, clock, advance, reset)`,
    lifecycle: "tasks wait 1 s, run 2 s, then finish with files served under /__standin/files/",
  });
  closeOnSignal(() => standIn.close());
}

runMain(main);

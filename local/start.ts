/**
 * `npm start`: builds the function bundles and serves them behind a local API Gateway.
 * By default the functions talk to the local Tencent stand-in with development credentials and need
 * no configuration at all; with AIGC_TARGET=tencent and real credentials they talk to Tencent.
 *
 * The handlers loaded are the esbuild bundles in dist/, the same files that are deployed.
 */

import { createRequire } from "node:module";
import { resolve } from "node:path";
import { buildFunctions } from "../scripts/build";
import type { ScfHandler } from "./gateway";
import { RUN_TRACKER_PATH, startLocalStack } from "./stack";

const root = resolve(__dirname, "..");

function jsonLine(line: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify(line)}\n`);
}

async function main(): Promise<void> {
  const target = (process.env.AIGC_TARGET ?? "local").toLowerCase();
  if (target !== "local" && target !== "tencent") {
    throw new Error(`AIGC_TARGET must be local or tencent, got "${target}"`);
  }
  const port = Number(process.env.PORT ?? 3000);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`PORT must be a port number, got "${process.env.PORT}"`);

  // Tests that run npm start side by side each build into a directory of their own.
  const outDir = resolve(root, process.env.AIGC_BUILD_DIR || "dist");
  const built = await buildFunctions({ functionsDir: resolve(root, "functions"), outDir });
  const load = createRequire(__filename);
  const handlers: Record<string, ScfHandler> = {};
  for (const fn of built) {
    const mod = load(resolve(outDir, fn.name, "index.js")) as { main_handler: ScfHandler };
    handlers[fn.name] = mod.main_handler;
  }

  const stack = await startLocalStack({
    target,
    port,
    standInPort: Number(process.env.AIGC_STANDIN_PORT ?? 0),
    // The upload command finds the local bucket next to the gateway.
    cosPort: port === 0 ? 0 : port + 1,
    handlers,
    env: process.env,
    log: jsonLine,
  });

  const url = stack.gateway.url;
  const token = stack.token ?? "<one of your AIGC_API_TOKENS>";
  const banner = [
    "",
    `AIGC API listening on ${url}  (target: ${target}${stack.standIn ? `, Tencent stand-in at ${stack.standIn.url}` : ", REAL Tencent: calls are billed"})`,
    `Development token: ${token}`,
    "Routes: POST /tencent-vod/v1/aigc-video, /tencent-vod/v1/aigc-image, /tencent-vod/v1/aigc-video-redraw, /tencent-mps/v1/aigc-video;",
    "        GET /tencent-vod/v1/query/{TaskId}, /tencent-mps/v1/query/{TaskId}",
    `API description (no token): ${url}/docs  (${url}/openapi.json)`,
    "Try:",
    `  curl -s -X POST ${url}/tencent-vod/v1/aigc-video \\`,
    `    -H 'Authorization: Bearer ${token}' -H 'Content-Type: application/json' \\`,
    `    -d '{"ModelName":"GV","ModelVersion":"3.1-fast","Prompt":"generate a car","OutputConfig":{"AspectRatio":"9:16"}}'`,
    "Then follow it (the tracker runs every minute, as deployed; run a tick now with the second line):",
    `  curl -s ${url}/tencent-vod/v1/query/<TaskId> -H 'Authorization: Bearer ${token}'`,
    `  curl -s -X POST ${url}${RUN_TRACKER_PATH}`,
    ...(stack.cos
      ? [
          `Local COS bucket ${process.env.AIGC_REDRAW_BUCKET} at ${stack.cos.url}: a video put under ${process.env.AIGC_REDRAW_INPUT_PREFIX || "in/"} is redrawn:`,
          `  ${port === 3000 ? "" : `PORT=${port} `}npm run upload -- local/assets/aigc-video.mp4 in/clip.mp4`,
        ]
      : []),
    "",
  ].join("\n");
  process.stderr.write(`${banner}\n`);

  const stop = () => {
    void stack.close().then(() => process.exit(0));
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`npm start failed: ${(error as Error).message}\n`);
  process.exit(1);
});

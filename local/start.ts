/**
 * `npm start`: builds the function bundles and serves them behind a local API Gateway.
 * By default the functions talk to the local Tencent stand-in with development credentials and need
 * no configuration at all; with AIGC_TARGET=tencent and real credentials they talk to Tencent.
 *
 * The handlers loaded are the esbuild bundles in dist/, the same files that are deployed.
 */

import { createRequire } from "node:module";
import { resolve } from "node:path";
import { stop as stopEsbuild } from "esbuild";
import { buildFunctions } from "../scripts/build";
import type { ScfHandler } from "./gateway";
import { checkPortsFree, plannedPorts, PortInUseError } from "./ports";
import { startLocalStack, type LocalStack } from "./stack";
import { startBanner } from "./start-banner";

const root = resolve(__dirname, "..");

function jsonLine(line: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify(line)}\n`);
}

async function main(): Promise<void> {
  const target = (process.env.AIGC_TARGET ?? "local").toLowerCase();
  if (target !== "local" && target !== "tencent") {
    throw new Error(`AIGC_TARGET must be local or tencent, got "${target}"`);
  }
  const ports = plannedPorts(process.env, target);
  // Before the build: a second npm start must not rebuild dist/ under the running one.
  await checkPortsFree(ports);
  const [gatewayPort, cosPort, standInPort] = ports.map((planned) => planned.port);

  // Tests that run npm start side by side each build into a directory of their own.
  const outDir = resolve(root, process.env.AIGC_BUILD_DIR || "dist");
  const built = await buildFunctions({ functionsDir: resolve(root, "functions"), outDir });
  // The build is done for this run; its esbuild service process need not outlive it.
  await stopEsbuild();
  const load = createRequire(__filename);
  const handlers: Record<string, ScfHandler> = {};
  for (const fn of built) {
    const mod = load(resolve(outDir, fn.name, "index.js")) as { main_handler: ScfHandler };
    handlers[fn.name] = mod.main_handler;
  }

  const stack = await startLocalStack({
    target,
    ...(gatewayPort !== undefined ? { port: gatewayPort } : {}),
    ...(standInPort !== undefined ? { standInPort } : {}),
    ...(cosPort !== undefined ? { cosPort } : {}),
    // Objects (and so the ledger), and the secret of the stand-in's result URLs, survive restarts there.
    cosDataDir: resolve(root, process.env.AIGC_LOCAL_DATA_DIR || ".local-data", "cos"),
    standInSecretFile: resolve(root, process.env.AIGC_LOCAL_DATA_DIR || ".local-data", "tencent-stand-in.key"),
    handlers,
    env: process.env,
    log: jsonLine,
  }).catch((error: unknown) => {
    // Taken between the check and the listen.
    const clash = ports.find((planned) => (error as NodeJS.ErrnoException & { port?: number }).code === "EADDRINUSE" && planned.port === (error as { port?: number }).port);
    throw clash ? new PortInUseError(clash, { cause: error }) : error;
  });
  process.stderr.write(`${startBanner(stack, target, process.env)}\n`);
  stopOnSignals(stack);
}

/**
 * SIGINT (Ctrl-C), SIGTERM (process managers, IDEs) and SIGHUP (terminal closed) stop the stack:
 * a running tracker tick finishes and gives its lease back, then every server closes and the
 * process exits. A second signal exits at once.
 */
function stopOnSignals(stack: LocalStack): void {
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) {
      process.stderr.write(`${signal} again: exiting now (a running tracker tick may keep its lease for a minute)\n`);
      process.exit(1);
    }
    stopping = true;
    process.stderr.write(`${signal}: stopping (a running tracker tick is let finish)...\n`);
    stack.close().then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`stopping failed: ${(error as Error).message}\n`);
        process.exit(1);
      },
    );
  };
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) process.on(signal, stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`npm start failed: ${(error as Error).message}\n`);
  process.exit(1);
});

/** Runs `npm start` (local/start.ts through tsx) as a newcomer would, on a free port. */

import { spawn, type ChildProcess } from "node:child_process";
import { join } from "node:path";

const root = join(__dirname, "..", "..");

export interface StartedStack {
  child: ChildProcess;
  url: string;
  /** Everything it printed so far. */
  output(): string;
}

/**
 * Starts `npm start` with PORT=0 and no token configured (so it prints the development token),
 * and resolves with the URL it prints. `env` adds variables (e.g. AIGC_BUILD_DIR, so two tests
 * building bundles at once do not share dist/).
 */
export function startNpmStart(env: NodeJS.ProcessEnv = {}, timeoutMs = 60_000): Promise<StartedStack> {
  const childEnv: NodeJS.ProcessEnv = { ...process.env, PORT: "0", ...env };
  delete childEnv.AIGC_API_TOKENS;
  delete childEnv.AIGC_TARGET;
  const child = spawn(process.execPath, [join(root, "node_modules", "tsx", "dist", "cli.mjs"), join(root, "local", "start.ts")], {
    cwd: root,
    env: childEnv,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  return new Promise<StartedStack>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`npm start did not come up:\n${output}`)), timeoutMs);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /AIGC API listening on (http:\/\/\S+)/.exec(output);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve({ child, url: match[1], output: () => output });
      }
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    child.once("exit", (code) => reject(new Error(`npm start exited with ${code}:\n${output}`)));
  });
}

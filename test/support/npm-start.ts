/** Runs `npm start` as a newcomer would, on free ports, with its local data in a temporary folder. */

import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const root = join(__dirname, "..", "..");

export interface StartedStack {
  child: ChildProcess;
  /** The API Gateway's URL. */
  url: string;
  /** The stand-ins' URLs, as the banner prints them (absent against real Tencent). */
  cosUrl?: string;
  standInUrl?: string;
  /** Everything it printed so far. */
  output(): string;
  /** Resolves once every process that shares its stdout and stderr (tsx, node, esbuild) has exited. */
  exited: Promise<void>;
  /** Sends SIGTERM, waits until `exited`, and removes the temporary data folder. */
  stop(): Promise<void>;
}

export interface NpmStartOptions {
  /** Run `npm start` itself (npm, sh, tsx, node) in a process group of its own, instead of tsx directly. */
  viaNpm?: boolean;
  timeoutMs?: number;
}

/**
 * Starts `npm start` with PORT=0 and no token configured (so it prints the development token),
 * and resolves with the URLs it prints. `env` adds variables (e.g. AIGC_BUILD_DIR, so two tests
 * building bundles at once do not share dist/).
 */
export function startNpmStart(env: NodeJS.ProcessEnv = {}, options: NpmStartOptions = {}): Promise<StartedStack> {
  const dataDir = env.AIGC_LOCAL_DATA_DIR === undefined ? mkdtempSync(join(tmpdir(), "npm-start-data-")) : undefined;
  const childEnv: NodeJS.ProcessEnv = { ...process.env, PORT: "0", ...(dataDir ? { AIGC_LOCAL_DATA_DIR: dataDir } : {}), ...env };
  delete childEnv.AIGC_API_TOKENS;
  delete childEnv.AIGC_TARGET;
  const child = options.viaNpm
    ? spawn("npm", ["start"], { cwd: root, env: childEnv, stdio: ["ignore", "pipe", "pipe"], detached: true })
    : spawn(process.execPath, [join(root, "node_modules", "tsx", "dist", "cli.mjs"), join(root, "local", "start.ts")], {
        cwd: root,
        env: childEnv,
        stdio: ["ignore", "pipe", "pipe"],
      });
  const closed = (stream: NodeJS.ReadableStream | null) => new Promise<void>((resolve) => (stream ? stream.once("close", () => resolve()) : resolve()));
  const exited = Promise.all([closed(child.stdout), closed(child.stderr)]).then(() => undefined);
  let output = "";
  return new Promise<StartedStack>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`npm start did not come up:\n${output}`)), options.timeoutMs ?? 60_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /AIGC API listening on (http:\/\/\S+)/.exec(output);
      if (match?.[1] && /Stop with Ctrl-C/.test(output)) {
        clearTimeout(timer);
        const cosUrl = /COS endpoint\s+(http:\/\/\S+)/.exec(output)?.[1];
        const standInUrl = /Tencent stand-in at (http:\/\/[^\s)]+)/.exec(output)?.[1];
        resolve({
          child,
          url: match[1],
          ...(cosUrl ? { cosUrl } : {}),
          ...(standInUrl ? { standInUrl } : {}),
          output: () => output,
          exited,
          stop: async () => {
            if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
            await exited;
            if (dataDir) rmSync(dataDir, { recursive: true, force: true });
          },
        });
      }
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    child.once("exit", (code) => {
      clearTimeout(timer);
      if (dataDir) rmSync(dataDir, { recursive: true, force: true });
      reject(new Error(`npm start exited with ${code}:\n${output}`));
    });
  });
}

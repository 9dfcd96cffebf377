/**
 * `npm start` as process managers and a second terminal meet it: SIGTERM to npm stops every
 * process it started and frees every port, and a port already taken is named before anything is
 * built.
 */
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { connect, createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startNpmStart } from "../support/npm-start";

const root = join(__dirname, "..", "..");
let scratch: string;

beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), "npm-start-lifecycle-"));
});

afterAll(() => {
  rmSync(scratch, { recursive: true, force: true });
});

/** Processes of a process group that have not exited (zombies are left out: they hold nothing). */
function liveProcessesInGroup(group: number): string[] {
  const live: string[] = [];
  for (const pid of readdirSync("/proc").filter((name) => /^\d+$/.test(name))) {
    let stat: string;
    try {
      stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    } catch {
      continue;
    }
    // "pid (comm) state ppid pgrp ...": comm may hold spaces and parentheses.
    const close = stat.lastIndexOf(")");
    const [state, , pgrp] = stat.slice(close + 2).split(" ");
    if (Number(pgrp) === group && state !== "Z") live.push(`${pid} ${stat.slice(stat.indexOf("(") + 1, close)}`);
  }
  return live;
}

/** The ports of `ports` that still accept a connection. */
async function listening(ports: number[]): Promise<number[]> {
  const open: number[] = [];
  for (const port of ports) {
    const accepted = await new Promise<boolean>((resolve) => {
      const socket = connect(port, "127.0.0.1");
      socket.once("connect", () => {
        socket.destroy();
        resolve(true);
      });
      socket.once("error", () => resolve(false));
    });
    if (accepted) open.push(port);
  }
  return open;
}

describe.skipIf(process.platform !== "linux")("stopping npm start", () => {
  it("leaves no process and no listening port after SIGTERM to npm", async () => {
    const started = await startNpmStart({ AIGC_BUILD_DIR: join(scratch, "dist") }, { viaNpm: true, timeoutMs: 90_000 });
    const group = started.child.pid ?? 0;
    try {
      const ports = [started.url, started.cosUrl ?? "", started.standInUrl ?? ""].map((url) => Number(new URL(url).port));
      const npmExited = new Promise<void>((resolve) => started.child.once("exit", () => resolve()));
      process.kill(group, "SIGTERM");
      // Once npm is gone, anything still holding its output is left behind; 10 s is only how long
      // to wait before reporting it, not a bound on shutting down.
      await Promise.race([started.exited, npmExited.then(() => new Promise((resolve) => setTimeout(resolve, 10_000)))]);
      expect({ processes: liveProcessesInGroup(group), listening: await listening(ports) }).toEqual({ processes: [], listening: [] });
    } finally {
      // Whatever a failure left running goes, so it cannot hold ports for the next test.
      try {
        process.kill(-group, "SIGKILL");
      } catch {
        // the group is already empty
      }
      await started.stop();
    }
  }, 120_000);
});

describe("npm start with a port already taken", () => {
  let blocker: Server;
  let taken = 0;

  beforeAll(async () => {
    blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, "127.0.0.1", () => resolve()));
    taken = (blocker.address() as { port: number }).port;
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => blocker.close(() => resolve()));
  });

  it("names the port, what needs it and the variable that moves it, and builds nothing", async () => {
    const buildDir = join(scratch, "never-built");
    // The COS bucket listens on PORT+1: make that the taken one.
    const child = spawn(process.execPath, [join(root, "node_modules", "tsx", "dist", "cli.mjs"), join(root, "local", "start.ts")], {
      cwd: root,
      env: { ...process.env, PORT: String(taken - 1), AIGC_BUILD_DIR: buildDir, AIGC_LOCAL_DATA_DIR: join(scratch, "data") },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout.resume();
    const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
    expect({ code, message: stderr.trim(), built: existsSync(buildDir) }).toEqual({
      code: 1,
      message: expect.stringContaining(`port ${taken} (the local COS bucket) is already in use`) as unknown as string,
      built: false,
    });
    expect(stderr).toContain("set PORT (COS listens on PORT+1) to move it");
  }, 60_000);
});

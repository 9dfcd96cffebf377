/**
 * The ports `npm start` listens on, all fixed from PORT so that a restart serves the same URLs
 * (result URLs in the ledger keep working) and a clash is found before anything is built.
 */

import { createServer } from "node:net";

/** One port `npm start` will listen on, what listens there, and the variable that moves it. */
export interface PlannedPort {
  what: string;
  port: number;
  movedBy: string;
}

/** A port `npm start` needs is taken; the message names it and what moves it. */
export class PortInUseError extends Error {
  override name = "PortInUseError";
  constructor(
    readonly planned: PlannedPort,
    options?: { cause?: unknown },
  ) {
    super(portInUseMessage(planned), options);
  }
}

/** Reads a port variable: an integer 0..65535 (0 picks a free port), or the default when unset. */
export function readPort(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const text = env[name];
  if (text === undefined || text === "") return fallback;
  const port = Number(text);
  if (!/^\d+$/.test(text) || port > 65535) throw new Error(`${name} must be a port number (0-65535), got "${text}"`);
  return port;
}

/**
 * The ports of `npm start`: the API Gateway on PORT (3000), and against the stand-ins the local COS
 * bucket on PORT+1 and the Tencent stand-in on PORT+2 (AIGC_STANDIN_PORT moves that one alone).
 * PORT=0 picks free ports for all of them (tests that run several stacks at once).
 */
export function plannedPorts(env: NodeJS.ProcessEnv, target: "local" | "tencent"): PlannedPort[] {
  const base = readPort(env, "PORT", 3000);
  if (base > 65533) throw new Error(`PORT must leave room for PORT+1 and PORT+2 (at most 65533), got ${base}`);
  const gateway: PlannedPort = { what: "the local API Gateway", port: base, movedBy: "PORT" };
  if (target !== "local") return [gateway];
  const next = (offset: number) => (base === 0 ? 0 : base + offset);
  const standInPort = readPort(env, "AIGC_STANDIN_PORT", next(2));
  return [
    gateway,
    { what: "the local COS bucket", port: next(1), movedBy: "PORT (COS listens on PORT+1)" },
    { what: "the Tencent stand-in", port: standInPort, movedBy: env["AIGC_STANDIN_PORT"] ? "AIGC_STANDIN_PORT" : "PORT (the Tencent stand-in listens on PORT+2), or AIGC_STANDIN_PORT" },
  ];
}

/** Fails with PortInUseError on the first planned port something already listens on (0 is never taken). */
export async function checkPortsFree(ports: PlannedPort[], host = "127.0.0.1"): Promise<void> {
  for (const planned of ports) {
    if (planned.port === 0) continue;
    await new Promise<void>((resolve, reject) => {
      const probe = createServer();
      probe.once("error", (error: NodeJS.ErrnoException) => reject(error.code === "EADDRINUSE" ? new PortInUseError(planned, { cause: error }) : error));
      probe.listen(planned.port, host, () => probe.close(() => resolve()));
    });
  }
}

/** The clash message, also used when a port is taken between the check and the listen. */
export function portInUseMessage(planned: PlannedPort): string {
  return (
    `port ${planned.port} (${planned.what}) is already in use, perhaps by another npm start. ` +
    `Stop that one, or set ${planned.movedBy} to move it: e.g. PORT=4000 npm start uses 4000, 4001 and 4002.`
  );
}

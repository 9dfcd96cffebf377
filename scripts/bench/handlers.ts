/** The create routes as the bench drives them: source handlers, fixtures and seed bodies. */

import { readFile } from "node:fs/promises";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { TASK_KINDS } from "../../shared/tasks/kinds";
import type { TaskKind } from "../../shared/validation";

export type ScfHandler = (event: unknown, context: Record<string, unknown>) => Promise<unknown>;

export interface BenchRoute {
  kind: TaskKind;
  functionName: string;
  path: string;
  service: "vod" | "mps";
  action: string;
  /** The seed example body of test/events/bodies/<kind>.seed.json. */
  seed: Record<string, unknown>;
}

export interface IntegrationResult {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
}

export async function readJson<T>(file: string): Promise<T> {
  return JSON.parse(await readFile(file, "utf8")) as T;
}

export async function benchRoutes(repoRoot: string): Promise<BenchRoute[]> {
  const kinds = Object.values(TASK_KINDS);
  return Promise.all(
    kinds.map(async (info) => ({
      kind: info.kind,
      functionName: info.functionName,
      path: info.route.path,
      service: info.service,
      action: info.action,
      seed: await readJson<Record<string, unknown>>(path.join(repoRoot, "test", "events", "bodies", `${info.kind}.seed.json`)),
    })),
  );
}

/**
 * Imports each function's SOURCE entry (functions/<name>/index.ts). One function that fails to load
 * (another engineer's work in progress) is reported, not fatal.
 */
export async function loadSourceHandlers(
  repoRoot: string,
  names: string[],
): Promise<{ handlers: Record<string, ScfHandler>; failures: Array<{ name: string; message: string }> }> {
  const handlers: Record<string, ScfHandler> = {};
  const failures: Array<{ name: string; message: string }> = [];
  for (const name of names) {
    try {
      const mod = (await import(pathToFileURL(path.join(repoRoot, "functions", name, "index.ts")).href)) as {
        main_handler?: ScfHandler;
        default?: { main_handler?: ScfHandler };
      };
      const handler = mod.main_handler ?? mod.default?.main_handler;
      if (typeof handler !== "function") throw new Error("main_handler is not exported");
      handlers[name] = handler;
    } catch (error) {
      failures.push({ name, message: error instanceof Error ? error.message : String(error) });
    }
  }
  return { handlers, failures };
}

/**
 * The real API Gateway fixture, re-aimed at a route with a body and an Authorization header (or none).
 * The parts that change are copied and the rest shared with the fixture (handlers never write to an
 * event): section 2 makes one per timed invocation, and a structuredClone of the whole fixture was
 * garbage of the harness's counted in the handler's GCs.
 */
export function apiEvent(
  fixture: Record<string, any>,
  route: string,
  body: string,
  authorization: string | undefined,
  requestId: string,
): Record<string, any> {
  const headers: Record<string, unknown> = { ...fixture.headers, "content-length": String(Buffer.byteLength(body)) };
  if (authorization === undefined) delete headers.authorization;
  else headers.authorization = authorization;
  return { ...fixture, path: route, body, headers, requestContext: { ...fixture.requestContext, path: route, requestId } };
}

/** The seed body with its SessionId (if it has one) made unique, so repeats are not refused as duplicates. */
export function seedBody(seed: Record<string, unknown>, i: number): string {
  const sessionId = seed.SessionId;
  return JSON.stringify(typeof sessionId === "string" ? { ...seed, SessionId: `${sessionId}-${i}` } : seed);
}

export function scfContext(requestId: string, timeLimitMs = 30_000): Record<string, unknown> {
  return { request_id: requestId, function_name: "bench", time_limit_in_ms: timeLimitMs, memory_limit_in_mb: 256 };
}

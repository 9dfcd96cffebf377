/** Helpers for feeding real SCF event fixtures to handlers and for watching what they log. */

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { vi } from "vitest";

const eventsDir = join(__dirname, "..", "events");

/** A fresh deep copy of a fixture under test/events/. */
export function loadEvent<T = Record<string, unknown>>(name: string): T {
  return JSON.parse(readFileSync(join(eventsDir, name), "utf8")) as T;
}

/** A seed example body (test/events/bodies/<name>). */
export function loadBody(name: string): Record<string, unknown> {
  return loadEvent(join("bodies", name));
}

export interface ApiEventOverrides {
  path?: string;
  method?: string;
  body?: unknown;
  rawBody?: string;
  headers?: Record<string, string | undefined>;
}

/** The real API Gateway fixture, re-aimed at a route with a given body and headers. */
export function apiEvent(overrides: ApiEventOverrides = {}): Record<string, any> {
  const event = loadEvent<Record<string, any>>("apigw-create-video.json");
  if (overrides.path) {
    event.path = overrides.path;
    event.requestContext.path = overrides.path;
  }
  if (overrides.method) {
    event.httpMethod = overrides.method;
    event.requestContext.httpMethod = overrides.method;
  }
  if (overrides.rawBody !== undefined) event.body = overrides.rawBody;
  else if (overrides.body !== undefined) event.body = JSON.stringify(overrides.body);
  event.headers["content-length"] = String(Buffer.byteLength(event.body ?? ""));
  for (const [name, value] of Object.entries(overrides.headers ?? {})) {
    if (value === undefined) delete event.headers[name];
    else event.headers[name] = value;
  }
  event.requestContext.requestId = `test-${Math.random().toString(16).slice(2)}`;
  return event;
}

/** SCF's invocation context, with a short time limit so retry tests stay quick. */
export function scfContext(timeLimitMs = 4_000): Record<string, unknown> {
  return { request_id: "ctx-request-id", function_name: "test", time_limit_in_ms: timeLimitMs, memory_limit_in_mb: 256 };
}

/** Collects the JSON lines written to stdout while a test runs. */
export function captureLogs(): { lines: () => Array<Record<string, unknown>>; raw: () => string; restore: () => void } {
  const chunks: string[] = [];
  const spy = vi.spyOn(process.stdout, "write").mockImplementation((chunk: unknown) => {
    chunks.push(String(chunk));
    return true;
  });
  const raw = () => chunks.join("");
  return {
    raw,
    lines: () =>
      raw()
        .split("\n")
        .filter((line) => line.startsWith("{"))
        .map((line) => JSON.parse(line) as Record<string, unknown>),
    restore: () => spy.mockRestore(),
  };
}

/** Parses an integration response body. */
export function bodyOf(response: { body: string }): Record<string, any> {
  return JSON.parse(response.body) as Record<string, any>;
}

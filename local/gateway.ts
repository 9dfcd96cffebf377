/**
 * A local stand-in for Tencent API Gateway in front of SCF functions: real HTTP in, the SCF API
 * Gateway event shape to the function, and the same strictness about the integration response
 * (anything but {isBase64Encoded, statusCode, headers, body} is a 403 "Invalid scf response format").
 * Routes are read from serverless.yml, so what runs locally is what is deployed.
 */

import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { parse as parseYaml } from "yaml";
import { matchPathTemplate } from "../shared/http/function";

export interface ApiRoute {
  functionName: string;
  /** An HTTP method, or ANY. */
  method: string;
  /** A literal path, or a template with `{Param}` segments (one path segment each). */
  path: string;
}

export type ScfHandler = (event: unknown, context: Record<string, unknown>) => Promise<unknown> | unknown;

export interface GatewayOptions {
  routes: ApiRoute[];
  handlers: Record<string, ScfHandler>;
  port?: number;
  host?: string;
  /** The functions' timeout, as configured in serverless.yml. */
  timeLimitMs?: number;
  region?: string;
  log?: (line: Record<string, unknown>) => void;
  /** Local-only endpoints under /__local/ (e.g. run a timer now); API Gateway has no such thing. */
  localRoutes?: Record<string, () => Promise<unknown>>;
}

export interface RunningGateway {
  url: string;
  port: number;
  server: Server;
  close(): Promise<void>;
}

/** API Gateway's own request-body cap; our functions refuse anything over 10 MB themselves. */
const GATEWAY_MAX_BODY = 16 * 1024 * 1024;

interface ServerlessYml {
  functions?: Record<string, { timeout?: number; events?: Array<Record<string, { parameters?: { httpMethod?: string; path?: string } }>> | string }>;
}

/**
 * The tracker's cron in serverless.yml (custom.trackerCron, from which deploy/tracker-timers.cjs
 * makes the task-tracker's timers), with ${param:x, 'default'} taken at its default.
 */
export function readTrackerCron(serverlessYmlPath: string): string | undefined {
  const doc = parseYaml(readFileSync(serverlessYmlPath, "utf8")) as { custom?: { trackerCron?: unknown } };
  const raw = doc.custom?.trackerCron;
  return typeof raw === "string" ? raw.replace(/^\$\{[^,]+,\s*'([^']*)'\}$/, "$1") : undefined;
}

/** Reads the API Gateway routes declared in serverless.yml. */
export function readApiRoutes(serverlessYmlPath: string): ApiRoute[] {
  const doc = parseYaml(readFileSync(serverlessYmlPath, "utf8")) as ServerlessYml;
  const routes: ApiRoute[] = [];
  for (const [functionName, fn] of Object.entries(doc.functions ?? {})) {
    // The task-tracker's events are a ${file(...)} reference (its timers), not a list.
    for (const event of Array.isArray(fn.events) ? fn.events : []) {
      const params = event.apigw?.parameters;
      if (params?.path && params.httpMethod) {
        routes.push({ functionName, method: params.httpMethod.toUpperCase(), path: params.path });
      }
    }
  }
  return routes;
}

function parseQuery(search: URLSearchParams): Record<string, string | string[] | true> {
  const query: Record<string, string | string[] | true> = {};
  for (const [key, value] of search) {
    const item: string | true = value === "" ? true : value;
    const existing = query[key];
    if (existing === undefined) query[key] = item;
    else query[key] = [...(Array.isArray(existing) ? existing : [String(existing)]), String(item)];
  }
  return query;
}

function isIntegrationResponse(value: unknown): value is { isBase64Encoded: boolean; statusCode: number; headers: Record<string, string | string[]>; body: string } {
  if (!value || typeof value !== "object") return false;
  const r = value as Record<string, unknown>;
  const keys = Object.keys(r).sort().join(",");
  return (
    keys === "body,headers,isBase64Encoded,statusCode" &&
    typeof r.isBase64Encoded === "boolean" &&
    Number.isInteger(r.statusCode) &&
    typeof r.body === "string" &&
    !!r.headers &&
    typeof r.headers === "object" &&
    Object.values(r.headers).every((v) => typeof v === "string" || (Array.isArray(v) && v.every((x) => typeof x === "string")))
  );
}

function readBody(req: IncomingMessage): Promise<Buffer | "too-large"> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > GATEWAY_MAX_BODY) tooLarge = true;
      else chunks.push(chunk);
    });
    req.on("end", () => resolve(tooLarge ? "too-large" : Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

function send(res: ServerResponse, status: number, headers: Record<string, string | string[]>, body: string | Buffer): void {
  res.writeHead(status, headers);
  res.end(body);
}

/**
 * The route a request path and method are for, and its path parameters. Like API Gateway, a path
 * without `{Param}` segments wins over a template that also matches.
 */
export function findApiRoute(routes: readonly ApiRoute[], method: string, path: string): { route: ApiRoute; pathParameters: Record<string, string> } | undefined {
  const normalized = path.replace(/\/+$/, "") || "/";
  let best: { route: ApiRoute; pathParameters: Record<string, string>; params: number } | undefined;
  for (const route of routes) {
    if (route.method !== "ANY" && route.method !== method) continue;
    const pathParameters = matchPathTemplate(route.path, normalized);
    if (!pathParameters) continue;
    const params = Object.keys(pathParameters).length;
    if (!best || params < best.params) best = { route, pathParameters, params };
  }
  return best && { route: best.route, pathParameters: best.pathParameters };
}

/**
 * Builds the SCF API Gateway event for one HTTP request: `path` is the request's path,
 * `requestContext.path` the route's (template) path and `pathParameters` its `{Param}` values.
 */
export function toApiGatewayEvent(
  req: IncomingMessage,
  url: URL,
  body: Buffer,
  route: ApiRoute,
  requestId: string,
  pathParameters: Record<string, string> = {},
): Record<string, unknown> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers[name.toLowerCase()] = Array.isArray(value) ? value.join(",") : value;
  }
  const text = body.toString("utf8");
  const binary = !Buffer.from(text, "utf8").equals(body);
  const query = parseQuery(url.searchParams);
  return {
    requestContext: {
      serviceId: "service-local",
      path: route.path,
      httpMethod: req.method ?? "GET",
      requestId,
      identity: {},
      sourceIp: req.socket.remoteAddress?.replace(/^::ffff:/, "") ?? "127.0.0.1",
      stage: "release",
    },
    headers,
    body: binary ? body.toString("base64") : text,
    isBase64Encoded: binary,
    pathParameters,
    queryStringParameters: Object.fromEntries(Object.entries(query).map(([k, v]) => [k, Array.isArray(v) ? v[v.length - 1] : String(v)])),
    headerParameters: {},
    stageVariables: { stage: "release" },
    path: url.pathname,
    queryString: query,
    httpMethod: req.method ?? "GET",
  };
}

/** Starts the local API Gateway. */
export async function startGateway(options: GatewayOptions): Promise<RunningGateway> {
  const timeLimitMs = options.timeLimitMs ?? 30_000;
  const log = options.log ?? (() => {});
  const server = createServer(async (req, res) => {
    const started = Date.now();
    const requestId = randomUUID();
    const url = new URL(req.url ?? "/", "http://gateway.local");
    const found = findApiRoute(options.routes, req.method ?? "GET", url.pathname);
    const route = found?.route;
    const finish = (status: number, fn?: string) =>
      log({ time: new Date().toISOString(), event: "gateway.request", requestId, method: req.method, path: url.pathname, status, fn, ms: Date.now() - started });
    const local = req.method === "POST" ? options.localRoutes?.[url.pathname] : undefined;
    if (local) {
      try {
        send(res, 200, { "content-type": "application/json" }, JSON.stringify(await local()));
        return finish(200);
      } catch (error) {
        send(res, 500, { "content-type": "application/json" }, JSON.stringify({ message: (error as Error).message }));
        return finish(500);
      }
    }
    if (!route) {
      send(res, 404, { "content-type": "application/json" }, JSON.stringify({ message: "There is no api match the request", requestId }));
      return finish(404);
    }
    const handler = options.handlers[route.functionName];
    if (!handler) {
      send(res, 502, { "content-type": "application/json" }, JSON.stringify({ message: `function ${route.functionName} is not loaded`, requestId }));
      return finish(502, route.functionName);
    }
    const body = await readBody(req);
    if (body === "too-large") {
      send(res, 413, { "content-type": "application/json" }, JSON.stringify({ message: "Request Entity Too Large", requestId }));
      return finish(413, route.functionName);
    }
    const event = toApiGatewayEvent(req, url, body, route, requestId, found?.pathParameters);
    const context = {
      request_id: requestId,
      function_name: route.functionName,
      function_version: "$LATEST",
      namespace: "default",
      time_limit_in_ms: timeLimitMs,
      memory_limit_in_mb: 256,
      tencentcloud_region: options.region ?? "ap-guangzhou",
    };
    let timer: NodeJS.Timeout | undefined;
    try {
      const result = await Promise.race([
        Promise.resolve(handler(event, context)),
        new Promise<"timeout">((resolve) => {
          timer = setTimeout(() => resolve("timeout"), timeLimitMs);
        }),
      ]);
      if (result === "timeout") {
        send(res, 504, { "content-type": "application/json" }, JSON.stringify({ message: "function timed out", requestId }));
        return finish(504, route.functionName);
      }
      if (!isIntegrationResponse(result)) {
        send(res, 403, { "content-type": "application/json" }, JSON.stringify({ message: "Invalid scf response format", requestId }));
        return finish(403, route.functionName);
      }
      send(res, result.statusCode, result.headers, result.isBase64Encoded ? Buffer.from(result.body, "base64") : result.body);
      return finish(result.statusCode, route.functionName);
    } catch (error) {
      log({ event: "gateway.function-error", requestId, fn: route.functionName, message: (error as Error).message });
      send(res, 502, { "content-type": "application/json" }, JSON.stringify({ message: "function error", requestId }));
      return finish(502, route.functionName);
    } finally {
      if (timer) clearTimeout(timer);
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, options.host ?? "127.0.0.1", () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://${options.host ?? "127.0.0.1"}:${port}`,
    port,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

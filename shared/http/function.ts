/**
 * The HTTP side of an SCF function: API Gateway event in, integration response out, with routing
 * errors, authentication, body reading and problem+json answers handled the same way everywhere.
 */

import secureJson from "secure-json-parse";
import { authenticate, type Caller } from "../auth";
import { getConfig, type Config } from "../config";
import { RequestRefused } from "../errors";
import { createLogger, requestIdFrom, type Logger } from "../log";
import { fromApiGatewayEvent, isApiGatewayEvent, toIntegrationResponse, type IntegrationResponse, type ScfContext } from "./apigw";
import { problemResponse } from "./problem";
import type { HttpRequest, HttpResponse } from "./types";

/** API Gateway and Tencent both cap a request body at 10 MB. */
export const MAX_BODY_BYTES = 10 * 1024 * 1024;

/** Time kept back from the function's limit so that an answer is always sent. */
const DEADLINE_MARGIN_MS = 1_500;
const DEFAULT_TIME_LIMIT_MS = 30_000;

export interface RequestScope {
  request: HttpRequest;
  /** Values of the route's `{Name}` path segments, percent-decoded. */
  params: Readonly<Record<string, string>>;
  config: Config;
  log: Logger;
  /** Epoch ms by which all work for this request must be over. */
  deadline: number;
}

export interface Route {
  method: string;
  /** A literal path, or a template whose `{Name}` segments each match one non-empty segment. */
  path: string;
}

/** One route of a function and the work that answers it. */
export interface RouteHandler extends Route {
  handle: (scope: RequestScope) => Promise<HttpResponse>;
}

/** Epoch ms by which an invocation must finish its work, from SCF's context. */
export function invocationDeadline(context: ScfContext, startedAt: number): number {
  const limit = typeof context.time_limit_in_ms === "number" && context.time_limit_in_ms > 0 ? context.time_limit_in_ms : DEFAULT_TIME_LIMIT_MS;
  return startedAt + Math.max(limit - DEADLINE_MARGIN_MS, limit / 2);
}

const PARAM_SEGMENT = /^\{([A-Za-z_][A-Za-z0-9_]*)\}$/;

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    // A malformed escape is passed on as sent; the route's own validation refuses it.
    return segment;
  }
}

/** The path parameters of `path` under a route template such as `/x/{TaskId}`, or undefined when it does not match. */
export function matchPathTemplate(template: string, path: string): Record<string, string> | undefined {
  const expected = template.split("/");
  const actual = path.split("/");
  if (expected.length !== actual.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < expected.length; i++) {
    const want = expected[i] ?? "";
    const got = actual[i] ?? "";
    const name = PARAM_SEGMENT.exec(want)?.[1];
    if (name === undefined) {
      if (want !== got) return undefined;
    } else {
      if (got === "") return undefined;
      params[name] = decodeSegment(got);
    }
  }
  return params;
}

/** How many `{Name}` segments a template has: among routes that match, the most literal one wins. */
function parameterCount(template: string): number {
  return template.split("/").filter((segment) => PARAM_SEGMENT.test(segment)).length;
}

/**
 * The route a request is for: 404 when no route's path matches, 405 (with every method the path
 * does have) when only the method is wrong.
 */
export function selectRoute<R extends Route>(request: HttpRequest, routes: readonly R[]): { route: R; params: Record<string, string> } {
  const path = request.path.replace(/\/+$/, "") || "/";
  // The usual case, a literal route with this method and path, needs no template matching: no
  // other route could be more literal, and ties go to the first listed, as below.
  for (const route of routes) {
    if (route.method === request.method && route.path === path && !route.path.includes("{")) return { route, params: {} };
  }
  const matching = routes
    .map((route) => ({ route, params: matchPathTemplate(route.path, path) }))
    .filter((candidate): candidate is { route: R; params: Record<string, string> } => candidate.params !== undefined)
    .sort((a, b) => parameterCount(a.route.path) - parameterCount(b.route.path));
  if (matching.length === 0) {
    throw new RequestRefused("route-not-found", "ResourceNotFound.Route", `${request.method} ${request.path} is not a route of this API`);
  }
  const chosen = matching.find((candidate) => candidate.route.method === request.method);
  if (!chosen) {
    const allow = [...new Set(matching.map((candidate) => candidate.route.method))];
    const template = matching[0]?.route.path ?? path;
    throw new RequestRefused("method-not-allowed", "UnsupportedOperation.Method", `${request.method} is not allowed on ${template}; use ${allow.join(", ")}`, {
      allow,
    });
  }
  return chosen;
}

/** Authenticates the bearer token; a deployment with no tokens configured refuses everyone. */
export function requireCaller(scope: RequestScope): Caller {
  const outcome = authenticate(scope.request.headers.authorization, scope.config.apiTokens);
  if (outcome.ok) return outcome.caller;
  if (outcome.reason === "no-tokens-configured") {
    scope.log.error("auth.no-tokens-configured", { message: "AIGC_API_TOKENS is empty: every request is refused until a token is configured" });
  } else {
    scope.log.warn("auth.refused", { reason: outcome.reason, sourceIp: scope.request.sourceIp });
  }
  const detail =
    outcome.reason === "missing" ? "Send Authorization: Bearer <token>." : outcome.reason === "malformed" ? "The Authorization header must be 'Bearer <token>'." : "The bearer token is not accepted.";
  throw new RequestRefused("unauthorized", "AuthFailure.InvalidToken", detail);
}

/**
 * `__proto__` keys, and `constructor` keys holding a `prototype`, are dropped at any depth while
 * parsing: merged or copied later they would change prototypes (prototype pollution). The request is
 * then handled as if they were never sent; none of them is a Tencent parameter.
 */
const PROTOTYPE_KEYS_REMOVED = { protoAction: "remove", constructorAction: "remove" } as const;

/** Reads a JSON body: size first (before any parsing), then media type, then syntax, without prototype keys. */
export function readJsonBody(request: HttpRequest): unknown {
  if (request.body.length > MAX_BODY_BYTES) {
    throw new RequestRefused("payload-too-large", "RequestSizeLimitExceeded", `The body is ${request.body.length} bytes; the limit is ${MAX_BODY_BYTES} (10 MB).`);
  }
  const contentType = request.headers["content-type"];
  if (contentType !== undefined && !/^application\/([\w.+-]+\+)?json\s*(;|$)/i.test(contentType.trim())) {
    throw new RequestRefused("unsupported-media-type", "UnsupportedMediaType", `Content-Type ${contentType} is not JSON; send application/json.`);
  }
  const text = request.body.toString("utf8");
  if (!text.trim()) {
    throw new RequestRefused("invalid-request", "InvalidParameter.EmptyBody", "The body is empty; send a JSON object.", {
      issues: [{ field: "(body)", message: "must be a JSON object", code: "MissingParameter" }],
    });
  }
  try {
    return secureJson.parse(text, null, PROTOTYPE_KEYS_REMOVED) as unknown;
  } catch (error) {
    throw new RequestRefused("invalid-request", "InvalidParameter.MalformedJson", `The body is not valid JSON: ${(error as Error).message}`, {
      issues: [{ field: "(body)", message: "is not valid JSON", code: "InvalidParameter" }],
    });
  }
}

/**
 * Wraps the work of one HTTP route into an SCF `main_handler`. Whatever happens, API Gateway gets a
 * well-formed integration response, and one access log line is written.
 */
export function httpFunction(
  functionName: string,
  route: Route,
  work: (scope: RequestScope) => Promise<HttpResponse>,
): (event: unknown, context?: ScfContext) => Promise<IntegrationResponse> {
  return httpRoutes(functionName, [{ method: route.method, path: route.path, handle: work }]);
}

/**
 * Wraps the routes of one function (paths may have `{Name}` parameters, see RequestScope.params)
 * into an SCF `main_handler`, with the same guarantees as httpFunction. The function matches the
 * path itself rather than trusting the event's pathParameters, so what it serves does not depend on
 * how the gateway in front of it is configured.
 */
export function httpRoutes(
  functionName: string,
  routes: readonly RouteHandler[],
): (event: unknown, context?: ScfContext) => Promise<IntegrationResponse> {
  return async (event, context = {}) => {
    const startedAt = Date.now();
    if (!isApiGatewayEvent(event)) {
      const fallbackId = requestIdFrom(context.request_id);
      const log = createLogger(fallbackId, { fn: functionName });
      log.warn("event.unsupported", { keys: event && typeof event === "object" ? Object.keys(event).slice(0, 10) : typeof event });
      return toIntegrationResponse(
        problemResponse(new RequestRefused("unsupported-event", "UnsupportedOperation.Event", `${functionName} handles API Gateway requests only.`), fallbackId),
      );
    }
    const request = fromApiGatewayEvent(event, context);
    const log = createLogger(request.requestId, { fn: functionName });
    let response: HttpResponse;
    try {
      const { route, params } = selectRoute(request, routes);
      const config = getConfig();
      response = await route.handle({ request, params, config, log, deadline: invocationDeadline(context, startedAt) });
    } catch (error) {
      response = problemResponse(error, request.requestId, log);
    }
    response.headers["x-request-id"] ??= request.requestId;
    log.info("http.request", { method: request.method, path: request.path, status: response.status, ms: Date.now() - startedAt });
    return toIntegrationResponse(response);
  };
}

/**
 * The HTTP side of an SCF function: API Gateway event in, integration response out, with routing
 * errors, authentication, body reading and problem+json answers handled the same way everywhere.
 */

import { authenticate, type Caller } from "../auth";
import { getConfig, type Config } from "../config";
import { RequestRefused } from "../errors";
import { createLogger, type Logger } from "../log";
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
  config: Config;
  log: Logger;
  /** Epoch ms by which all work for this request must be over. */
  deadline: number;
}

export interface Route {
  method: string;
  path: string;
}

/** Epoch ms by which an invocation must finish its work, from SCF's context. */
export function invocationDeadline(context: ScfContext, startedAt: number): number {
  const limit = typeof context.time_limit_in_ms === "number" && context.time_limit_in_ms > 0 ? context.time_limit_in_ms : DEFAULT_TIME_LIMIT_MS;
  return startedAt + Math.max(limit - DEADLINE_MARGIN_MS, limit / 2);
}

function matchRoute(request: HttpRequest, route: Route): void {
  const path = request.path.replace(/\/+$/, "") || "/";
  if (path !== route.path) {
    throw new RequestRefused("route-not-found", "ResourceNotFound.Route", `${request.method} ${request.path} is not a route of this API`);
  }
  if (request.method !== route.method) {
    throw new RequestRefused("method-not-allowed", "UnsupportedOperation.Method", `${request.method} is not allowed on ${route.path}; use ${route.method}`, {
      allow: [route.method],
    });
  }
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

/** Reads a JSON body: size first (before any parsing), then media type, then syntax. */
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
    return JSON.parse(text) as unknown;
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
  return async (event, context = {}) => {
    const startedAt = Date.now();
    const fallbackId = context.request_id ?? "unknown";
    if (!isApiGatewayEvent(event)) {
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
      matchRoute(request, route);
      const config = getConfig();
      response = await work({ request, config, log, deadline: invocationDeadline(context, startedAt) });
    } catch (error) {
      response = problemResponse(error, request.requestId, log);
    }
    response.headers["x-request-id"] ??= request.requestId;
    log.info("http.request", { method: request.method, path: request.path, status: response.status, ms: Date.now() - startedAt });
    return toIntegrationResponse(response);
  };
}

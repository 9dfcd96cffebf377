/**
 * SCF's API Gateway trigger: the event shape it delivers and the integration response it expects.
 * Business code sees only HttpRequest / HttpResponse.
 */

import { requestIdFrom } from "../log";
import type { HttpRequest, HttpResponse } from "./types";

/** The API Gateway event as SCF delivers it (integrated request). */
export interface ApiGatewayEvent {
  requestContext: {
    serviceId?: string;
    path?: string;
    httpMethod: string;
    requestId?: string;
    sourceIp?: string;
    stage?: string;
    identity?: Record<string, unknown>;
  };
  headers?: Record<string, string | string[] | undefined>;
  body?: string | null;
  path: string;
  httpMethod: string;
  queryString?: Record<string, string | string[] | true>;
  queryStringParameters?: Record<string, string>;
  pathParameters?: Record<string, string>;
  headerParameters?: Record<string, string>;
  stageVariables?: Record<string, string>;
  isBase64Encoded?: boolean;
}

/** The only response shape API Gateway accepts from an integrated function; anything else is a 403. */
export interface IntegrationResponse {
  isBase64Encoded: boolean;
  statusCode: number;
  headers: Record<string, string>;
  body: string;
}

/** The SCF invocation context fields the bundle uses. */
export interface ScfContext {
  request_id?: string;
  function_name?: string;
  time_limit_in_ms?: number;
  memory_limit_in_mb?: number;
  tencentcloud_region?: string;
}

/** True for an API Gateway trigger event. */
export function isApiGatewayEvent(event: unknown): event is ApiGatewayEvent {
  if (!event || typeof event !== "object") return false;
  const candidate = event as Partial<ApiGatewayEvent>;
  return (
    typeof candidate.httpMethod === "string" &&
    typeof candidate.path === "string" &&
    !!candidate.requestContext &&
    typeof candidate.requestContext === "object"
  );
}

/** Maps an API Gateway event to an HttpRequest. */
export function fromApiGatewayEvent(event: ApiGatewayEvent, context: ScfContext = {}): HttpRequest {
  const headers: Record<string, string> = {};
  const sent = event.headers ?? {};
  for (const name in sent) {
    if (!Object.prototype.hasOwnProperty.call(sent, name)) continue;
    const value = sent[name];
    const first = Array.isArray(value) ? value[0] : value;
    const key = name.toLowerCase();
    if (typeof first === "string" && !(key in headers)) headers[key] = first;
  }
  // API Gateway sends a string or null; anything else is treated as no body rather than thrown on.
  const raw = typeof event.body === "string" ? event.body : "";
  const body = event.isBase64Encoded ? Buffer.from(raw, "base64") : Buffer.from(raw, "utf8");
  return {
    // The mapping must not throw: it runs before the handler's try, and a throw is a 5xx from SCF.
    method: String(event.httpMethod || event.requestContext.httpMethod || "").toUpperCase(),
    path: event.path,
    headers,
    query: event.queryString ?? event.queryStringParameters ?? {},
    body,
    requestId: requestIdFrom(event.requestContext.requestId, headers["x-scf-request-id"], context.request_id),
    ...(event.requestContext.sourceIp ? { sourceIp: event.requestContext.sourceIp } : {}),
  };
}

/** Maps an HttpResponse to exactly the integration response API Gateway expects. */
export function toIntegrationResponse(response: HttpResponse): IntegrationResponse {
  return { isBase64Encoded: false, statusCode: response.status, headers: response.headers, body: response.body };
}

/**
 * The error answers of the API description. Every example is what `problemResponse` (the one place
 * that maps errors to answers, and decides their statuses) makes of a sample error, so statuses,
 * titles, types and headers are the real ones; this module only says which route can meet which problem.
 */

import { ConfigError } from "../config";
import { CosError } from "../cos/errors";
import { RequestRefused, UpstreamError } from "../errors";
import { MAX_BODY_BYTES, readJsonBody, selectRoute } from "../http/function";
import { problemKinds, problemResponse, type ProblemBody } from "../http/problem";
import type { HttpRequest } from "../http/types";
import { DAILY_LIMIT_CODE } from "../tasks/spend-cap";
import type { JsonSchema } from "./schemas";

/** The request id every example shows. */
export const EXAMPLE_REQUEST_ID = "d68920a4-c989-4afe-ac4d-2f06de99368e";
const EXAMPLE_UPSTREAM_ID = "6e6b4f1c-1c5e-4b7c-9a43-0c3f2b1d9e55";

/** A problem as a route answers it: its status, the headers it carries and its body. */
export interface ProblemExample {
  /** The type's last segment, e.g. `invalid-request`. */
  name: string;
  status: number;
  headers: Record<string, string>;
  body: ProblemBody;
}

/** The headers a problem may carry, beyond Content-Type and X-Request-Id, as documented. */
const PROBLEM_HEADERS: Readonly<Record<string, { name: string; schema: JsonSchema; description: string }>> = {
  "www-authenticate": { name: "WWW-Authenticate", schema: { type: "string" }, description: "The Bearer challenge (RFC 6750)." },
  allow: { name: "Allow", schema: { type: "string" }, description: "The methods the path does have, comma-separated." },
  "retry-after": { name: "Retry-After", schema: { type: "integer", minimum: 0 }, description: "Seconds to wait before trying again." },
};

function request(method: string, path: string, headers: Record<string, string> = {}, body: Buffer = Buffer.alloc(0)): HttpRequest {
  return { method, path, headers, query: {}, body, requestId: EXAMPLE_REQUEST_ID };
}

let oversized: Buffer | undefined;

/** A body one byte over the limit, made once: only its length is read. */
function oversizedBody(): Buffer {
  oversized ??= Buffer.alloc(MAX_BODY_BYTES + 1, 0x20);
  return oversized;
}

/** The error `attempt` throws (the real code paths make the examples where they can). */
function thrown(attempt: () => unknown): unknown {
  try {
    attempt();
  } catch (error) {
    return error;
  }
  throw new Error("the example was expected to throw");
}

/** What a route adds to the sample errors: its own invalid input, missing resource, and the method and path of its 405. */
export interface RouteProblemSamples {
  method: string;
  path: string;
  invalidRequest?: RequestRefused;
  notFound?: RequestRefused;
}

/** One sample error per problem type name (the last segment of the type URI). */
function sampleErrors(route: RouteProblemSamples): Record<string, unknown> {
  const upstream = (failure: ConstructorParameters<typeof UpstreamError>[0], code: string, message: string, extra: Partial<UpstreamError["context"]> = {}) =>
    new UpstreamError(failure, code, message, { action: "CreateAigcVideoTask", attempts: 1, upstreamRequestId: EXAMPLE_UPSTREAM_ID, ...extra });
  return {
    "invalid-request":
      route.invalidRequest ??
      thrown(() => readJsonBody(request("POST", route.path, { "content-type": "application/json" }, Buffer.from("{\"Prompt\": ")))),
    "unsupported-event": new RequestRefused("unsupported-event", "UnsupportedOperation.Event", "task-query handles API Gateway requests only."),
    unauthorized: new RequestRefused("unauthorized", "AuthFailure.InvalidToken", "Send Authorization: Bearer <token>."),
    "route-not-found": thrown(() => selectRoute(request("GET", "/tencent-vod/v1/unknown"), [{ method: route.method, path: route.path }])),
    "resource-not-found": route.notFound ?? new RequestRefused("resource-not-found", "ResourceNotFound.Task", "Task 251007502-AigcVideo-0f3c…t was not found."),
    "method-not-allowed": thrown(() => selectRoute(request(route.method === "GET" ? "POST" : "GET", route.path.replace(/\{\w+\}/g, "x")), [{ method: route.method, path: route.path }])),
    "payload-too-large": thrown(() => readJsonBody(request("POST", route.path, { "content-type": "application/json" }, oversizedBody()))),
    "unsupported-media-type": thrown(() => readJsonBody(request("POST", route.path, { "content-type": "text/plain" }, Buffer.from("a car")))),
    "idempotency-in-flight": new RequestRefused("idempotency-in-flight", "FailedOperation.IdempotencyKeyInFlight", "A request with this Idempotency-Key is still being processed; retry shortly."),
    "idempotency-mismatch": new RequestRefused("idempotency-mismatch", "InvalidParameter.IdempotencyKeyReused", "This Idempotency-Key was used with a different body; use a new key for a new request."),
    "daily-limit-reached": new RequestRefused("daily-limit-reached", DAILY_LIMIT_CODE, "This deployment's limit of 500 new tasks per UTC day is reached; try again after 00:00 UTC.", { retryAfterSeconds: 3600 }),
    "upstream-rejected": upstream("rejected", "InvalidParameterValue", "The image in FileInfos[0].Url cannot be downloaded."),
    "duplicate-session": upstream("duplicate", "InvalidParameterValue.SessionId", "The SessionId was already used.", { sessionId: "mysession2" }),
    "upstream-throttled": upstream("throttled", "RequestLimitExceeded", "Request rate exceeded.", { attempts: 4, retryAfterSeconds: 1 }),
    "upstream-quota-exceeded": upstream("quota-exceeded", "LimitExceeded.Quota", "The quota limit is exceeded."),
    "upstream-denied": upstream("denied", "UnauthorizedOperation", "The role lacks vod:CreateAigcVideoTask."),
    "upstream-failed": upstream("failed", "InternalError", "Internal error.", { attempts: 3 }),
    "upstream-unavailable": upstream("unavailable", "ServiceUnavailable", "Service unavailable.", { attempts: 3, retryAfterSeconds: 1 }),
    "upstream-timeout": upstream("timeout", "RequestTimeout", "no answer in time", { attempts: 2 }),
    "storage-unavailable": new CosError({ status: 503, code: "SlowDown", message: "slow down", retryable: true }),
    "storage-failed": new CosError({ status: 403, code: "AccessDenied", message: "access denied", retryable: false }),
    misconfigured: new ConfigError("AIGC_LEDGER_BUCKET", "is needed to deliver webhooks (a request gave CallbackUrl)"),
    internal: new TypeError("Cannot read properties of undefined"),
  };
}

/** The last segment of a problem type URI: `urn:…:problem:invalid-request` gives `invalid-request`. */
export function problemName(type: string): string {
  return type.slice(type.lastIndexOf(":") + 1);
}

/**
 * The examples of the named problems on one route. Throws when a name is not a problem type, or a
 * problem type has no sample: a new kind of problem must be documented before the build passes.
 */
export function problemExamples(names: readonly string[], route: RouteProblemSamples): ProblemExample[] {
  const samples = sampleErrors(route);
  const known = problemKinds().map((kind) => problemName(kind.type));
  const undocumented = known.filter((name) => !(name in samples));
  if (undocumented.length > 0) throw new Error(`problem types without an example in shared/openapi/problems.ts: ${undocumented.join(", ")}`);
  return names.map((name) => {
    if (!known.includes(name)) throw new Error(`${name} is not a problem type of shared/http/problem.ts`);
    const response = problemResponse(samples[name], EXAMPLE_REQUEST_ID);
    const body = JSON.parse(response.body) as ProblemBody;
    if (problemName(body.type) !== name) throw new Error(`the sample of ${name} is answered as ${body.type}`);
    const { "content-type": _type, "x-request-id": _id, ...headers } = response.headers;
    for (const header of Object.keys(headers)) {
      if (!(header in PROBLEM_HEADERS)) throw new Error(`problem ${name} carries header ${header}, which shared/openapi/problems.ts does not document`);
    }
    return { name, status: response.status, headers, body };
  });
}

/** A problem header's documented name (`Retry-After`) from its lower-case one. */
export function problemHeaderName(header: string): string {
  return PROBLEM_HEADERS[header]?.name ?? header;
}

/** OpenAPI responses, by status, for the named problems of one route. */
export function problemResponses(names: readonly string[], route: RouteProblemSamples): Record<string, JsonSchema> {
  const byStatus = new Map<number, ProblemExample[]>();
  for (const example of problemExamples(names, route)) byStatus.set(example.status, [...(byStatus.get(example.status) ?? []), example]);
  const responses: Record<string, JsonSchema> = {};
  for (const [status, examples] of [...byStatus].sort(([a], [b]) => a - b)) {
    const headers: Record<string, JsonSchema> = { "X-Request-Id": { $ref: "#/components/headers/X-Request-Id" } };
    for (const header of new Set(examples.flatMap((example) => Object.keys(example.headers)))) {
      const doc = PROBLEM_HEADERS[header];
      if (!doc) continue;
      const carriers = examples.filter((example) => header in example.headers).map((example) => example.name);
      const always = carriers.length === examples.length;
      headers[doc.name] = { description: always ? doc.description : `${doc.description} Sent with ${carriers.join(", ")}.`, required: always, schema: doc.schema };
    }
    responses[String(status)] = {
      description: examples.map((example) => `${example.name}: ${example.body.title}`).join("; "),
      headers,
      content: {
        "application/problem+json": {
          schema: { $ref: "#/components/schemas/Problem" },
          examples: Object.fromEntries(examples.map((example) => [example.name, { summary: example.body.title, value: example.body }])),
        },
      },
    };
  }
  return responses;
}

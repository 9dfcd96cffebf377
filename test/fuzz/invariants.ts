/**
 * What must hold for every fuzz case, whatever the input (README, "The API" and "Redraw on
 * upload"): well-formed integration responses, no 5xx for the client's mistakes, RFC 9457 errors,
 * no upstream call for invalid or unauthenticated input, no secret in an answer or a log line, and
 * COS/timer triggers that skip malformed input with a log line instead of throwing or creating.
 * Each check returns the violations it found (empty: the case passed) and a status for the tally.
 */

import type { RecordedCall } from "../../local/tencent/server";
import type { CosCase, HttpCase, QueryCase, RecordLabel, TimerCase } from "./arbitraries";

export type { RecordLabel } from "./arbitraries";
import { DOCS_ASSETS } from "../../shared/openapi/files";
import { FIXED_SECRETS, type Observation } from "./harness";

/** The outcome of checking one case. */
export interface Verdict {
  /** What the table counts the case under: the HTTP status, or a trigger outcome. */
  status: string;
  upstreamCalls: number;
  violations: string[];
}

/* ------------------------------------------------------------------------------------------ */
/* Secrets                                                                                     */

/** Signature values our own signers produced in this case (COS presigned URLs sent upstream). */
export function signaturesIn(calls: readonly RecordedCall[]): string[] {
  const found = new Set<string>();
  for (const call of calls) {
    const text = JSON.stringify(call.params ?? {});
    for (const match of text.matchAll(/q-signature=([0-9a-f]{16,})/gi)) if (match[1]) found.add(match[1]);
    for (const match of text.matchAll(/x-cos-security-token=([^&"\\]+)/gi)) if (match[1]) found.add(match[1]);
  }
  return [...found];
}

/** Secrets that must never leave the process in an answer: configured tokens and keys, our signatures. */
function secretsIn(text: string, dynamic: readonly string[]): string[] {
  const problems: string[] = [];
  for (const secret of [...FIXED_SECRETS, ...dynamic]) if (secret && text.includes(secret)) problems.push(`contains the secret ${secret.slice(0, 6)}…`);
  if (/TC3-HMAC-SHA256\s+Credential=/i.test(text)) problems.push("contains a TC3-HMAC-SHA256 credential");
  if (/Signature=[0-9a-f]{64}/i.test(text)) problems.push("contains a TC3 signature");
  if (/q-signature=[0-9a-f]{40}/i.test(text)) problems.push("contains a COS q-signature");
  return problems;
}

/** Log lines must additionally have every signed query and bearer credential redacted, whoever sent it. */
function unredactedIn(line: string): string[] {
  const problems: string[] = [];
  if (/q-signature=(?!\[redacted\])[^&\s"'\\]/i.test(line)) problems.push("an unredacted q-signature");
  if (/x-cos-security-token=(?!\[redacted\])[^&\s"'\\]/i.test(line)) problems.push("an unredacted x-cos-security-token");
  if (/\bBearer\s+(?!\[redacted\])[^\s"',\\]/i.test(line)) problems.push("an unredacted bearer credential");
  if (/TC3-HMAC-SHA256\s+(?!\[redacted\])[^\s"',\\]/i.test(line)) problems.push("an unredacted TC3 credential");
  return problems;
}

/**
 * Answers and log lines must not grow with a client's input: a multi-megabyte error answer exceeds
 * what SCF returns from a synchronous invocation (6 MB) and becomes a platform 5xx, and log lines
 * that echo a whole body flood CLS. Legitimate ones are a few kilobytes. (COS and timer events come
 * from Tencent with bounded fields, 850-byte keys and short trigger names, so only HTTP is held to it.)
 */
export const MAX_ERROR_BODY_BYTES = 64 * 1024;
/** The largest log line a client's request may cause. */
export const MAX_LOG_LINE_BYTES = 64 * 1024;

/** Checks what a case wrote: JSON lines with an event and a request id, nothing secret. */
function checkLogs(observation: Observation<unknown>, dynamic: readonly string[], violations: string[], options: { boundedLines: boolean }): void {
  for (const line of observation.stdout) {
    const shown = line.length > 300 ? `${line.slice(0, 300)}…` : line;
    if (options.boundedLines && Buffer.byteLength(line) > MAX_LOG_LINE_BYTES) violations.push(`a log line of ${Buffer.byteLength(line)} bytes: ${shown}`);
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      violations.push(`log line is not JSON: ${shown}`);
      continue;
    }
    const record = parsed as Record<string, unknown>;
    if (!record || typeof record !== "object" || typeof record.event !== "string" || typeof record.requestId !== "string") {
      violations.push(`log line lacks an event or a string requestId: ${shown}`);
    }
    for (const problem of [...secretsIn(line, dynamic), ...unredactedIn(line)]) violations.push(`log line ${problem}: ${shown}`);
  }
  for (const problem of secretsIn(observation.stderr, dynamic)) violations.push(`stderr ${problem}`);
}

/* ------------------------------------------------------------------------------------------ */
/* HTTP                                                                                        */

/** The integration response as the handler returned it, once its shape is checked. */
interface Integration {
  isBase64Encoded: boolean;
  statusCode: number;
  headers: Record<string, string>;
  body: string;
}

const PROBLEM_BASE = "urn:tencent-aigc-scf:problem:";
/** Problem types that mean Tencent itself answered (so an upstream call was made). */
const UPSTREAM_TYPES = new Set(["upstream-rejected", "duplicate-session", "upstream-throttled", "upstream-quota-exceeded", "upstream-denied", "upstream-failed", "upstream-unavailable", "upstream-timeout"]);

/** Checks the exact integration response shape API Gateway accepts; returns it when well-formed. */
function integrationOf(result: unknown, allViolations: string[]): Integration | undefined {
  const violations: string[] = [];
  const done = (response: Integration | undefined) => {
    allViolations.push(...violations);
    return violations.length > 0 ? undefined : response;
  };
  if (!result || typeof result !== "object" || Array.isArray(result)) {
    violations.push(`the answer is not an integration response: ${String(result)}`);
    return done(undefined);
  }
  const response = result as Record<string, unknown>;
  const keys = Object.keys(response).sort().join(",");
  if (keys !== "body,headers,isBase64Encoded,statusCode") violations.push(`integration response keys are ${keys}, not exactly body,headers,isBase64Encoded,statusCode`);
  if (typeof response.isBase64Encoded !== "boolean") violations.push("isBase64Encoded is not a boolean");
  if (typeof response.statusCode !== "number" || !Number.isInteger(response.statusCode) || response.statusCode < 100 || response.statusCode > 599) violations.push(`statusCode ${String(response.statusCode)} is not an HTTP status`);
  if (typeof response.body !== "string") violations.push("body is not a string");
  const headers = response.headers;
  if (!headers || typeof headers !== "object" || Array.isArray(headers)) violations.push("headers is not an object");
  else {
    for (const [name, value] of Object.entries(headers)) {
      if (typeof value !== "string") violations.push(`header ${name} is ${typeof value}, not a string`);
      // A CR, LF, NUL or a character above U+00FF cannot be sent: API Gateway would fail the answer.
      else if (!/^[\t\x20-\x7e\x80-\xff]*$/.test(value)) violations.push(`header ${name} is not a valid HTTP field value: ${JSON.stringify(value.slice(0, 100))}`);
      if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name)) violations.push(`header name ${JSON.stringify(name)} is not an HTTP token`);
    }
  }
  return done(response as unknown as Integration);
}

/** Checks an error answer against RFC 9457 as the README specifies it; returns the problem type. */
function checkProblem(response: Integration, violations: string[]): string | undefined {
  const contentType = response.headers["content-type"];
  if (contentType !== "application/problem+json") violations.push(`a ${response.statusCode} has content-type ${String(contentType)}, not application/problem+json`);
  let problem: Record<string, unknown>;
  try {
    problem = JSON.parse(response.body) as Record<string, unknown>;
  } catch {
    violations.push(`a ${response.statusCode} body is not JSON`);
    return undefined;
  }
  if (!problem || typeof problem !== "object" || Array.isArray(problem)) {
    violations.push(`a ${response.statusCode} body is not a JSON object`);
    return undefined;
  }
  const type = problem.type;
  if (typeof type !== "string" || !type.startsWith(PROBLEM_BASE)) violations.push(`problem type ${String(type)} is not one of ours`);
  if (typeof problem.title !== "string" || problem.title === "") violations.push("problem has no title");
  if (problem.status !== response.statusCode) violations.push(`problem status ${String(problem.status)} differs from the HTTP status ${response.statusCode}`);
  if (typeof problem.detail !== "string") violations.push("problem has no detail");
  if (typeof problem.code !== "string" || problem.code === "") violations.push("problem has no code");
  if (typeof problem.requestId !== "string" || problem.requestId === "") violations.push("problem has no requestId");
  else if (response.headers["x-request-id"] !== problem.requestId) violations.push("problem requestId differs from X-Request-Id");
  const kind = typeof type === "string" ? type.slice(PROBLEM_BASE.length) : undefined;
  if (kind === "invalid-request") {
    const errors = problem.errors;
    const wellFormed =
      Array.isArray(errors) &&
      errors.length > 0 &&
      errors.every((issue) => issue && typeof issue === "object" && ["field", "message", "code"].every((key) => typeof (issue as Record<string, unknown>)[key] === "string"));
    if (!wellFormed) violations.push("a validation error has no errors: [{field, message, code}]");
  }
  if (response.statusCode === 401 && !response.headers["www-authenticate"]?.startsWith("Bearer")) violations.push("a 401 has no WWW-Authenticate: Bearer");
  if (response.statusCode === 405 && !response.headers.allow) violations.push("a 405 has no Allow header");
  if ((response.statusCode === 429 || response.statusCode === 503) && !response.headers["retry-after"]) violations.push(`a ${response.statusCode} has no Retry-After`);
  return kind;
}

/** What an HTTP target allows upstream: the actions a success may call. */
export interface HttpExpectations {
  /** Tencent actions a 200 may call (creates: the route's create; queries: the describes). */
  actions: readonly string[];
  /** A 200 of a create that was not a replay must have called Tencent. */
  successCalls: "at-least-one" | "any";
  /** Paths whose 200 answers are `{"Response":{...}}` (other paths of the function may answer other JSON). */
  isApiPath: (path: string) => boolean;
  /** What is wrong with the parameters a call carried (e.g. a model the catalog does not list), if anything. */
  checkSent?: (call: RecordedCall) => string | undefined;
}

function pathOf(event: unknown): string {
  const path = (event as { path?: unknown } | null)?.path;
  return typeof path === "string" ? path : "";
}

/** Checks one API Gateway case against every HTTP invariant. */
export function checkHttpCase(input: HttpCase, observation: Observation<unknown>, expectations: HttpExpectations): Verdict {
  const violations: string[] = [];
  const dynamic = signaturesIn(observation.calls);
  const upstreamCalls = observation.calls.length;
  checkLogs(observation, dynamic, violations, { boundedLines: true });
  if ("error" in observation) {
    violations.push(`the handler threw: ${describeError(observation.error)}${errorLines(observation)}`);
    return { status: "threw", upstreamCalls, violations };
  }
  const response = integrationOf(observation.result, violations);
  if (!response) return { status: "malformed", upstreamCalls, violations };
  const status = response.statusCode;

  for (const problem of secretsIn(response.body, dynamic)) violations.push(`response body ${problem}`);
  for (const [name, value] of Object.entries(response.headers)) for (const problem of secretsIn(`${name}: ${value}`, dynamic)) violations.push(`response header ${name} ${problem}`);
  if (!response.headers["x-request-id"]) violations.push("no X-Request-Id header");

  // The stand-ins are healthy: any 5xx is our own failure on the client's input.
  if (status >= 500) violations.push(`answered ${status} (${response.body.slice(0, 300)})`);

  let problemKind: string | undefined;
  if (status >= 400) {
    problemKind = checkProblem(response, violations);
    const bytes = Buffer.byteLength(response.body);
    if (bytes > MAX_ERROR_BODY_BYTES) violations.push(`a ${status} answer of ${bytes} bytes (at most ${MAX_ERROR_BODY_BYTES}): ${response.body.slice(0, 200)}…`);
  }
  else if (status >= 200 && status < 300) {
    if (!/^application\/json\b/.test(response.headers["content-type"] ?? "") && expectations.isApiPath(pathOf(input.event))) violations.push(`a ${status} has content-type ${String(response.headers["content-type"])}`);
    if (expectations.isApiPath(pathOf(input.event))) {
      try {
        const body = JSON.parse(response.body) as { Response?: unknown };
        if (!body.Response || typeof body.Response !== "object") violations.push("a success has no Response object");
      } catch {
        violations.push("a success body is not JSON");
      }
    }
  }

  // Upstream: only a success (or an answer Tencent gave) may have called Tencent.
  const replayed = response.headers["idempotent-replayed"] === "true";
  const upstreamAnswered = problemKind !== undefined && UPSTREAM_TYPES.has(problemKind);
  if (upstreamCalls > 0 && status !== 200 && !upstreamAnswered) violations.push(`${upstreamCalls} upstream call(s) for a ${status} ${problemKind ?? ""}: ${observation.calls.map((c) => `${c.action}=${c.outcome}`).join(", ")}`);
  if (problemKind === "upstream-rejected") violations.push(`Tencent refused input our validation let through: ${response.body.slice(0, 300)}`);
  if (status === 200 && replayed && upstreamCalls > 0) violations.push("an idempotent replay called Tencent");
  if (status === 200 && !replayed && expectations.successCalls === "at-least-one" && upstreamCalls === 0) violations.push("a create succeeded without calling Tencent");
  for (const call of observation.calls) {
    if (!expectations.actions.includes(call.action)) violations.push(`called ${call.action}, which this route never should`);
    const wrong = expectations.checkSent?.(call);
    if (wrong) violations.push(`sent Tencent ${wrong}`);
  }

  // Authentication and routing, where the labels predict them.
  if (input.route === "exact" && input.auth.expect === "invalid" && status !== 401) violations.push(`invalid credentials on the route answered ${status}, not 401`);
  if (input.route === "exact" && input.auth.expect === "valid" && status === 401) violations.push("valid credentials were refused");
  if (input.route === "exact" && (problemKind === "route-not-found" || problemKind === "method-not-allowed")) violations.push(`the route itself answered ${status} ${problemKind}`);
  if (input.route === "miss" && status !== 404 && status !== 405) violations.push(`a request for another route/method answered ${status}`);
  return { status: String(status), upstreamCalls, violations };
}

/** The documentation files `GET /docs/assets/{File}` may serve; anything else answering 200 is a traversal. */
const DOCS_ASSET_NAMES = new Set(Object.keys(DOCS_ASSETS));

/** Checks one query case: the HTTP invariants, ownership (a token sees only its own tasks), and no file but the docs' own. */
export function checkQueryCase(input: QueryCase, observation: Observation<unknown>, expectations: HttpExpectations): Verdict {
  const verdict = checkHttpCase(input, observation, expectations);
  const path = pathOf(input.event);
  if (verdict.status === "200" && path.startsWith("/docs/assets/")) {
    let name: string;
    try {
      name = decodeURIComponent(path.slice("/docs/assets/".length));
    } catch {
      name = path;
    }
    if (!DOCS_ASSET_NAMES.has(name)) verdict.violations.push(`served ${path}, which is not a file of the documentation`);
  }
  if (verdict.status === "200" && input.found === "never") verdict.violations.push("answered 200 for a task this caller must not see (or on a route it does not belong to)");
  if (input.found === "must" && verdict.status !== "200") verdict.violations.push(`the caller's own task answered ${verdict.status}, not 200`);
  return verdict;
}

/* ------------------------------------------------------------------------------------------ */
/* COS and timer triggers                                                                      */

interface RecordOutcomeLike {
  key?: unknown;
  outcome?: unknown;
}

function logEvents(observation: Observation<unknown>): string[] {
  return observation.stdout.flatMap((line) => {
    try {
      const event = (JSON.parse(line) as { event?: unknown }).event;
      return typeof event === "string" ? [event] : [];
    } catch {
      return [];
    }
  });
}

/** Checks one COS event case: never throws, creates only for eligible records, logs every skip. */
export function checkCosCase(input: CosCase, observation: Observation<unknown>): Verdict {
  const violations: string[] = [];
  const dynamic = signaturesIn(observation.calls);
  const upstreamCalls = observation.calls.length;
  checkLogs(observation, dynamic, violations, { boundedLines: false });
  if ("error" in observation) {
    violations.push(`the COS handler threw: ${describeError(observation.error)}${errorLines(observation)}`);
    return { status: "threw", upstreamCalls, violations };
  }
  const result = observation.result as { records?: unknown; statusCode?: unknown } | undefined;
  const records = (input.event as { Records?: unknown } | null)?.Records;
  const looksLikeCos = Array.isArray(records) && records.some((r) => !!r && typeof r === "object" && "cos" in r);
  if (!looksLikeCos) {
    // Told apart by shape: a non-COS event goes to the HTTP side, which refuses it.
    const response = integrationOf(result, violations);
    if (response && (response.statusCode < 400 || response.statusCode >= 500)) violations.push(`a non-COS event answered ${response.statusCode}`);
    if (upstreamCalls > 0 || observation.cosRequests.length > 0) violations.push("a non-COS event reached Tencent or COS");
    return { status: response ? String(response.statusCode) : "malformed", upstreamCalls, violations };
  }
  if (!result || !Array.isArray(result.records)) {
    violations.push(`the COS handler answered ${JSON.stringify(result)?.slice(0, 200)}, not {records}`);
    return { status: "malformed", upstreamCalls, violations };
  }
  const outcomes = result.records as RecordOutcomeLike[];
  if (outcomes.length !== input.records.length) violations.push(`${outcomes.length} outcome(s) for ${input.records.length} record(s)`);
  const may = input.records.filter((label) => label !== "ineligible").length;
  const creates = observation.calls.filter((call) => call.action === "CreateAigcVideoRedrawTask");
  if (creates.length > may) violations.push(`${creates.length} create(s) for ${may} record(s) that may create`);
  if (may === 0 && (upstreamCalls > 0 || observation.cosRequests.some((r) => r.method !== "GET" && r.method !== "HEAD"))) {
    violations.push(`nothing was eligible, yet ${upstreamCalls} upstream call(s) and ${observation.cosRequests.length} COS request(s) were made`);
  }
  for (const call of observation.calls) if (call.action !== "CreateAigcVideoRedrawTask") violations.push(`a COS event called ${call.action}`);
  outcomes.forEach((outcome, index) => {
    const label: RecordLabel | undefined = input.records[index];
    if (label === "ineligible" && outcome.outcome !== "skipped" && outcome.outcome !== "refused") violations.push(`record ${index} (ineligible) had outcome ${String(outcome.outcome)}`);
    if (label === "eligible" && outcome.outcome !== "created" && outcome.outcome !== "already-created") violations.push(`record ${index} (eligible: ${input.keys[index]}) had outcome ${String(outcome.outcome)}`);
    if (outcome.outcome === "retry") violations.push(`record ${index} asked for a retry with healthy stand-ins`);
  });
  // Every created task reads the object its record named, and nothing else.
  const allowedKeys = input.keys.filter((key, index): key is string => key !== undefined && input.records[index] !== "ineligible");
  for (const call of creates) {
    const url = (call.params?.FileInfo as { Url?: unknown } | undefined)?.Url;
    let key: string | undefined;
    try {
      key = typeof url === "string" ? decodeURIComponent(new URL(url).pathname).replace(/^\/[^/]+\//, "") : undefined;
    } catch {
      key = undefined;
    }
    // Mutated (unknown) records may have had their key changed, so only the others are held to it.
    if (key === undefined || (!input.records.includes("unknown") && !allowedKeys.includes(key))) violations.push(`a redraw task reads ${String(key)}, which no eligible record named`);
  }
  const skipped = outcomes.filter((o) => o.outcome === "skipped").length;
  const skipLines = logEvents(observation).filter((event) => event === "upload.skipped").length;
  if (skipLines !== skipped) violations.push(`${skipped} record(s) skipped but ${skipLines} upload.skipped log line(s)`);
  const status = creates.length > 0 ? "created" : outcomes.every((o) => o.outcome === "skipped") ? "skipped" : "other";
  return { status, upstreamCalls, violations };
}

/** Tencent actions a tracker tick may call. */
const TICK_ACTIONS = new Set(["PullEvents", "ConfirmEvents", "DescribeTaskDetail", "DescribeAigcVideoTask", "DescribeAigcImageTask"]);

/** Checks one timer case: never throws; malformed events are ignored without touching anything. */
export function checkTimerCase(input: TimerCase, observation: Observation<unknown>): Verdict {
  const violations: string[] = [];
  const dynamic = signaturesIn(observation.calls);
  const upstreamCalls = observation.calls.length;
  checkLogs(observation, dynamic, violations, { boundedLines: false });
  if ("error" in observation) {
    violations.push(`the timer handler threw: ${describeError(observation.error)}${errorLines(observation)}`);
    return { status: "threw", upstreamCalls, violations };
  }
  const result = observation.result as { ignored?: unknown; events?: unknown; skipped?: unknown } | undefined;
  const ignored = !!result && typeof result.ignored === "string";
  const ticked = !!result && typeof result.events === "object";
  if (!ignored && !ticked) violations.push(`the timer handler answered ${JSON.stringify(result)?.slice(0, 200)}`);
  if (input.label === "malformed") {
    if (!ignored) violations.push("a malformed timer event ran a tick");
    if (upstreamCalls > 0 || observation.cosRequests.length > 0) violations.push(`a malformed timer event made ${upstreamCalls} upstream call(s) and ${observation.cosRequests.length} COS request(s)`);
  }
  if (input.label === "valid" && !ticked) violations.push("a timer event of SCF's documented shape was ignored");
  if (ignored && !logEvents(observation).includes("event.unsupported")) violations.push("an ignored timer event left no log line");
  for (const call of observation.calls) if (!TICK_ACTIONS.has(call.action)) violations.push(`a tick called ${call.action}`);
  return { status: ignored ? "ignored" : ticked ? (result?.skipped ? "tick-skipped" : "tick") : "other", upstreamCalls, violations };
}

/** The error lines a case logged, which say why it threw. */
function errorLines(observation: Observation<unknown>): string {
  const lines = observation.stdout.filter((line) => /"level":"error"/.test(line)).slice(0, 4);
  return lines.length > 0 ? `\n    logged: ${lines.map((line) => line.slice(0, 600)).join("\n    logged: ")}` : "";
}

function describeError(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}\n${error.stack?.split("\n").slice(1, 6).join("\n") ?? ""}`;
  return String(error);
}

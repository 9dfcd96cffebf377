// A local stand-in for Tencent Cloud API 3.0, serving the AIGC create actions of VOD and MPS
// on one port. The service is the first label of the Host header, as in production, so SDK
// clients keep signing over the real host and only their TCP connection is redirected.
import { randomUUID, timingSafeEqual } from "node:crypto";
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { DEV_SECRET_ID, DEV_SECRET_KEY } from "../dev-credentials";
import { verifyTc3, type Tc3Failure } from "../../shared/signing/tc3";
import {
  SERVICE_VERSIONS,
  findAction,
  isServiceName,
  mpsTaskIdSequence,
  newVodTaskId,
  type ServiceName,
} from "./actions";
import { TencentApiError, errorResponse, missingParameter, successResponse } from "./api-error";
import { FaultQueue, faultSchema, type Fault, type FaultKind } from "./faults";
import { SlidingWindowLimiter } from "./rate-limiter";
import { TaskStore, type StoredTask } from "./task-store";

/** Tencent's limit for a TC3-signed POST body. */
export const MAX_BODY_BYTES = 10 * 1024 * 1024;

const CONTROL_PREFIX = "/__standin/";
const CONTROL_BODY_LIMIT = 1024 * 1024;
const DEFAULT_RATE_LIMITS: Record<ServiceName, number> = { vod: 20, mps: 10 };

export interface StandInCredential {
  secretId: string;
  secretKey: string;
  /** When set, the pair is a temporary credential and X-TC-Token must carry this token. */
  token?: string;
}

export interface StandInOptions {
  /** 0 (the default) picks a free port. */
  port?: number;
  host?: string;
  credentials?: StandInCredential[];
  /** Requests per second per SecretId per action. */
  rateLimits?: { vod?: number; mps?: number };
  /** Clock in unix ms; the clock offset is added to it. */
  now?: () => number;
  /** Receives one object per request; never secrets or request bodies. */
  log?: (line: Record<string, unknown>) => void;
}

export type CallOutcome = "created" | "error" | "fault";

export interface RecordedCall {
  /** Server clock, ISO 8601. */
  at: string;
  /** First label of the Host header, whatever it was. */
  service: string;
  action: string;
  /** The SecretId the Authorization header claimed, authenticated or not. */
  secretId?: string;
  params?: Record<string, unknown>;
  requestId: string;
  outcome: CallOutcome;
  errorCode?: string;
  taskId?: string;
  sessionId?: string;
  /** The injected fault that shaped this call, if any. */
  fault?: FaultKind;
}

export interface TencentStandIn {
  /** http://host:port; the Host header, not this URL, selects the service. */
  url: string;
  port: number;
  close(): Promise<void>;
  calls(): RecordedCall[];
  createdTasks(): RecordedCall[];
  tasks(): StoredTask[];
  injectFault(fault: Fault): void;
  clearFaults(): void;
  setClockOffsetSeconds(seconds: number): void;
  reset(): void;
}

interface ApiRequest {
  method: string;
  path: string;
  query: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
  tooLarge: boolean;
  service: string;
  action: string;
  requestId: string;
}

/** Starts the stand-in; resolves once it listens. */
export async function startTencentStandIn(options: StandInOptions = {}): Promise<TencentStandIn> {
  const credentials = new Map(
    (options.credentials ?? [{ secretId: DEV_SECRET_ID, secretKey: DEV_SECRET_KEY }]).map((c) => [c.secretId, c]),
  );
  const rateLimits: Record<ServiceName, number> = { ...DEFAULT_RATE_LIMITS, ...options.rateLimits };
  const clock = options.now ?? Date.now;
  const log = options.log ?? (() => {});
  const store = new TaskStore();
  const limiter = new SlidingWindowLimiter();
  const faults = new FaultQueue();
  const nextMpsTaskId = mpsTaskIdSequence();
  const pendingTimers = new Set<NodeJS.Timeout>();
  let recorded: RecordedCall[] = [];
  let clockOffsetSeconds = 0;

  const serverNow = (): number => clock() + clockOffsetSeconds * 1000;

  function record(call: RecordedCall): void {
    recorded.push(call);
    const { params: _params, secretId, ...rest } = call;
    log({ ...rest, ...(secretId !== undefined ? { secretId: maskSecretId(secretId) } : {}) });
  }

  function reset(): void {
    recorded = [];
    store.reset();
    limiter.reset();
    faults.clear();
    clockOffsetSeconds = 0;
  }

  // Every Tencent check in the order its gateway applies them: transport, authentication,
  // routing, throttling, then the action's own parameters.
  function answer(request: ApiRequest): { response: object; call: RecordedCall } {
    const nowMs = serverNow();
    const call: RecordedCall = {
      at: new Date(nowMs).toISOString(),
      service: request.service,
      action: request.action,
      requestId: request.requestId,
      outcome: "error",
    };
    try {
      if (request.method !== "POST" || request.path !== "/") {
        throw new TencentApiError("UnsupportedProtocol", "The stand-in serves API 3.0 as POST / with a JSON body.");
      }
      if (request.tooLarge) {
        throw new TencentApiError("RequestSizeLimitExceeded", `The request body exceeds ${MAX_BODY_BYTES} bytes.`);
      }
      const service = request.service;
      if (!isServiceName(service)) {
        throw new TencentApiError("InvalidAction", `The Host header names service \`${service}\`; the stand-in serves vod and mps.`);
      }

      const auth = verifyTc3({
        method: request.method,
        path: request.path,
        query: request.query,
        headers: request.headers,
        body: request.body,
        lookupSecretKey: (secretId) => credentials.get(secretId)?.secretKey,
        expectedService: service,
        nowSeconds: Math.floor(nowMs / 1000),
      });
      if (auth.secretId !== undefined) call.secretId = auth.secretId;
      if (!auth.ok) throw authenticationError(auth.reason, request.headers);
      const credential = credentials.get(auth.secretId);
      if (credential?.token !== undefined && !sameText(credential.token, headerText(request.headers, "x-tc-token") ?? "")) {
        throw new TencentApiError("AuthFailure.TokenFailure", "The token is missing, invalid or does not belong to this SecretId.");
      }

      const version = headerText(request.headers, "x-tc-version");
      if (version === undefined || version === "") throw missingParameter("Version");
      if (version !== SERVICE_VERSIONS[service]) {
        throw new TencentApiError("NoSuchVersion", `The API version \`${version}\` does not exist for service \`${service}\`.`);
      }
      if (request.action === "") throw missingParameter("Action");
      const spec = findAction(service, request.action);
      if (!spec) throw new TencentApiError("InvalidAction", `The action \`${request.action}\` does not exist in ${service} ${version}.`);

      const limit = rateLimits[service];
      if (!limiter.tryAcquire(`${auth.secretId}\n${service}\n${spec.action}`, limit, nowMs)) {
        throw new TencentApiError(
          "RequestLimitExceeded",
          `Your request rate for \`${spec.action}\` exceeds the limit of ${limit} per second. Please reduce the frequency of calls.`,
        );
      }

      const params = parseJsonObject(request.body);
      call.params = params;
      if (typeof params["SessionId"] === "string") call.sessionId = params["SessionId"];
      spec.check(params);

      const subAppId = typeof params["SubAppId"] === "number" ? params["SubAppId"] : undefined;
      if (call.sessionId !== undefined && store.isSessionUsed(service, subAppId, call.sessionId, nowMs)) {
        throw new TencentApiError("InvalidParameterValue.SessionId", "The deduplication ID already exists.");
      }
      const taskId = service === "vod" ? newVodTaskId(subAppId ?? 0, spec.taskType) : nextMpsTaskId();
      store.add({
        taskId,
        service,
        action: spec.action,
        secretId: auth.secretId,
        status: "WAITING",
        createdAt: nowMs,
        params,
        ...(subAppId !== undefined ? { subAppId } : {}),
        ...(call.sessionId !== undefined ? { sessionId: call.sessionId } : {}),
        ...(typeof params["SessionContext"] === "string" ? { sessionContext: params["SessionContext"] } : {}),
      });
      return {
        response: successResponse({ TaskId: taskId }, request.requestId),
        call: { ...call, outcome: "created", taskId },
      };
    } catch (error) {
      if (!(error instanceof TencentApiError)) throw error;
      return {
        response: errorResponse(error.code, error.message, request.requestId),
        call: { ...call, outcome: "error", errorCode: error.code },
      };
    }
  }

  function sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        pendingTimers.delete(timer);
        resolve();
      }, ms);
      pendingTimers.add(timer);
    });
  }

  async function serveApi(req: IncomingMessage, res: ServerResponse, path: string, query: string): Promise<void> {
    const { body, tooLarge } = await readBody(req, MAX_BODY_BYTES);
    const request: ApiRequest = {
      method: req.method ?? "",
      path,
      query,
      headers: req.headers,
      body,
      tooLarge,
      service: (req.headers.host ?? "").split(".")[0]?.toLowerCase() ?? "",
      action: headerText(req.headers, "x-tc-action") ?? "",
      requestId: randomUUID(),
    };
    const fault = request.method === "POST" && path === "/" ? faults.take(request.service, request.action) : undefined;
    if (!fault) {
      const { response, call } = answer(request);
      record(call);
      sendJson(res, 200, response);
      return;
    }

    // A faulted call still records what the client sent, so tests can see e.g. that every retry
    // carried the same SessionId.
    const sent = parseJsonOrUndefined(request.body);
    const sentParams = sent && typeof sent === "object" && !Array.isArray(sent) ? (sent as Record<string, unknown>) : undefined;
    const faultCall = (): RecordedCall => ({
      at: new Date(serverNow()).toISOString(),
      service: request.service,
      action: request.action,
      requestId: request.requestId,
      outcome: "fault",
      fault: fault.kind,
      ...(sentParams ? { params: sentParams } : {}),
      ...(typeof sentParams?.SessionId === "string" ? { sessionId: sentParams.SessionId } : {}),
      ...claimedIdentity(request),
    });
    switch (fault.kind) {
      case "error": {
        record({ ...faultCall(), errorCode: fault.code });
        sendJson(res, 200, errorResponse(fault.code, fault.message ?? `${fault.code} (injected by the stand-in).`, request.requestId));
        return;
      }
      case "reset": {
        record(faultCall());
        req.socket.destroy();
        return;
      }
      case "http-status": {
        record(faultCall());
        const html = fault.body ?? `<html><head><title>${fault.status}</title></head><body><h1>${fault.status}</h1><hr>stgw</body></html>`;
        res.writeHead(fault.status, { "content-type": "text/html" }).end(html);
        return;
      }
      case "malformed-json": {
        record(faultCall());
        const truncated = fault.body ?? `{"Response":{"RequestId":"${request.requestId}","TaskId":"`;
        res.writeHead(200, { "content-type": "application/json" }).end(truncated);
        return;
      }
      case "delay": {
        if (fault.processBeforeDelay) {
          const { response, call } = answer(request);
          record({ ...call, fault: "delay" });
          await sleep(fault.ms);
          if (!res.destroyed && !req.socket.destroyed) sendJson(res, 200, response);
          return;
        }
        await sleep(fault.ms);
        // A client that gave up meanwhile never had its request processed.
        if (res.destroyed || req.socket.destroyed) {
          record(faultCall());
          return;
        }
        const { response, call } = answer(request);
        record({ ...call, fault: "delay" });
        sendJson(res, 200, response);
        return;
      }
    }
  }

  async function serveControl(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    const route = `${req.method ?? ""} ${path.slice(CONTROL_PREFIX.length - 1)}`;
    const { body, tooLarge } = await readBody(req, CONTROL_BODY_LIMIT);
    const respond = (status: number, payload?: unknown): void => {
      log({ at: new Date(serverNow()).toISOString(), control: route, status });
      if (payload === undefined) res.writeHead(status).end();
      else sendJson(res, status, payload);
    };
    if (tooLarge) return respond(413, { error: "control request body too large" });
    switch (route) {
      case "GET /calls":
        return respond(200, recorded);
      case "GET /tasks":
        return respond(200, store.list());
      case "GET /faults":
        return respond(200, faults.list());
      case "POST /faults": {
        const parsed = faultSchema.safeParse(parseJsonOrUndefined(body));
        if (!parsed.success) return respond(400, { error: "invalid fault", issues: parsed.error.issues });
        faults.inject(parsed.data);
        return respond(201, parsed.data);
      }
      case "DELETE /faults":
        faults.clear();
        return respond(204);
      case "POST /clock":
      case "PUT /clock": {
        const offset = (parseJsonOrUndefined(body) as { offsetSeconds?: unknown } | undefined)?.offsetSeconds;
        if (typeof offset !== "number" || !Number.isFinite(offset)) return respond(400, { error: "expected {\"offsetSeconds\": number}" });
        clockOffsetSeconds = offset;
        return respond(204);
      }
      case "POST /reset":
        reset();
        return respond(204);
      default:
        return respond(404, {
          error: `no control route ${route}`,
          routes: ["GET /calls", "GET /tasks", "GET /faults", "POST /faults", "DELETE /faults", "POST /clock", "POST /reset"],
        });
    }
  }

  const server = createServer((req, res) => {
    const target = req.url ?? "/";
    const q = target.indexOf("?");
    const path = q < 0 ? target : target.slice(0, q);
    const query = q < 0 ? "" : target.slice(q + 1);
    const served = path.startsWith(CONTROL_PREFIX) ? serveControl(req, res, path) : serveApi(req, res, path, query);
    served.catch((error: unknown) => {
      log({ at: new Date(serverNow()).toISOString(), internalError: error instanceof Error ? error.message : String(error) });
      if (!res.headersSent && !res.destroyed) {
        sendJson(res, 200, errorResponse("InternalError", "The stand-in failed; see its log.", randomUUID()));
      }
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, options.host ?? "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const urlHost = address.family === "IPv6" ? `[${address.address}]` : address.address;

  return {
    url: `http://${urlHost}:${address.port}`,
    port: address.port,
    close: () =>
      new Promise<void>((resolve, reject) => {
        for (const timer of pendingTimers) clearTimeout(timer);
        pendingTimers.clear();
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
    calls: () => [...recorded],
    createdTasks: () => recorded.filter((call) => call.outcome === "created"),
    tasks: () => store.list(),
    injectFault: (fault) => faults.inject(faultSchema.parse(fault)),
    clearFaults: () => faults.clear(),
    setClockOffsetSeconds: (seconds) => {
      clockOffsetSeconds = seconds;
    },
    reset,
  };
}

function authenticationError(reason: Tc3Failure, headers: IncomingHttpHeaders): TencentApiError {
  switch (reason) {
    case "missing-authorization":
    case "malformed-authorization":
      return new TencentApiError("AuthFailure.InvalidAuthorization", "The Authorization header is missing or is not TC3-HMAC-SHA256.");
    case "malformed-timestamp":
      return headerText(headers, "x-tc-timestamp") === undefined
        ? missingParameter("Timestamp")
        : new TencentApiError("InvalidParameterValue", "X-TC-Timestamp must be a unix time in seconds.");
    case "expired":
      return new TencentApiError("AuthFailure.SignatureExpire", "Signature expired. Timestamp and server time cannot exceed five minutes.");
    case "unknown-secret-id":
      return new TencentApiError("AuthFailure.SecretIdNotFound", "The SecretId is not found, please ensure that your SecretId is correct.");
    case "service-mismatch":
    case "required-header-unsigned":
    case "signature-mismatch":
      return new TencentApiError(
        "AuthFailure.SignatureFailure",
        "The provided credentials could not be validated. Please check your signature is correct.",
      );
  }
}

function claimedIdentity(request: ApiRequest): { secretId?: string } {
  // Faults bypass authentication; the claimed SecretId still tells tests whose call it was.
  const match = /Credential=([^/,\s]+)\//.exec(headerText(request.headers, "authorization") ?? "");
  return match?.[1] !== undefined ? { secretId: match[1] } : {};
}

function parseJsonObject(body: Buffer): Record<string, unknown> {
  const parsed = parseJsonOrUndefined(body);
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new TencentApiError("InvalidParameter", "The request body is not a JSON object.");
  }
  return parsed as Record<string, unknown>;
}

function parseJsonOrUndefined(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString("utf8"));
  } catch {
    return undefined;
  }
}

async function readBody(req: IncomingMessage, limit: number): Promise<{ body: Buffer; tooLarge: boolean }> {
  // An oversized body is drained, not cut off, so the client can still read the error.
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size <= limit) chunks.push(chunk);
  }
  return size > limit ? { body: Buffer.alloc(0), tooLarge: true } : { body: Buffer.concat(chunks), tooLarge: false };
}

function sendJson(res: ServerResponse, status: number, payload: unknown): void {
  const body = JSON.stringify(payload);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(body) }).end(body);
}

function headerText(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value.join(",") : value;
}

function sameText(expected: string, actual: string): boolean {
  const a = Buffer.from(expected, "utf8");
  const b = Buffer.from(actual, "utf8");
  return a.length === b.length && timingSafeEqual(a, b);
}

function maskSecretId(secretId: string): string {
  return secretId.length > 8 ? `${secretId.slice(0, 8)}...` : "...";
}

// A local stand-in for Tencent Cloud API 3.0, serving the AIGC actions of VOD and MPS on one
// port: the creates, the task lifecycle behind them (DescribeTaskDetail, PullEvents,
// ConfirmEvents, DescribeAigcVideoTask) and the result files. The service is the first label of
// the Host header, as in production, so SDK clients keep signing over the real host and only
// their TCP connection is redirected; a client given the stand-in's address as its endpoint is
// served by the service its credential scope or X-TC-Version names (service-selection.ts).
import { randomBytes, randomUUID, timingSafeEqual } from "node:crypto";
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
  type ActionSpec,
  type ServiceName,
} from "./actions";
import { TencentApiError, errorResponse, missingParameter, successResponse } from "./api-error";
import { EventQueue, type EventOptions, type StoredEvent } from "./events";
import { FaultQueue, faultSchema, type Fault, type FaultKind } from "./faults";
import { ASSETS, FILES_PREFIX, OutputFiles, assetBytes, type AssetName, type OutputFile } from "./outputs";
import { SlidingWindowLimiter } from "./rate-limiter";
import { selectService, type ServiceSource } from "./service-selection";
import { taskFailure } from "./task-failures";
import { TaskStore, snapshot, type LifecycleOptions, type QueryWindows, type StoredTask, type TaskRecord } from "./task-store";
import { describeAigcImageTask, describeAigcVideoTask, describeTaskDetail, vodTaskInfo, type ViewContext } from "./task-views";

/** Tencent's limit for a TC3-signed POST body. */
export const MAX_BODY_BYTES = 10 * 1024 * 1024;

const CONTROL_PREFIX = "/__standin/";
const CONTROL_BODY_LIMIT = 1024 * 1024;
/** Tencent holds a PullEvents call this long when no event is available. */
const DEFAULT_PULL_HOLD_MS = 5000;
/** How often a held PullEvents call looks for events again. */
const PULL_POLL_MS = 20;
/** Answer to an unknown or expired VOD TaskId: the documented "task ID does not exist" code. */
const VOD_TASK_NOT_FOUND = "InvalidParameterValue.TaskId";
/** Answer to an unknown MPS TaskId: MPS's documented "the queried task does not exist" code. */
const MPS_TASK_NOT_FOUND = "FailedOperation.TaskNotFound";

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
  /**
   * Requests per second per SecretId per action. `vod` and `mps` set the create actions of that
   * service (20 and 10 by default); `actions` sets any action by `<service>.<Action>`, e.g.
   * `{"vod.PullEvents": 5}`. Other defaults are Tencent's: DescribeTaskDetail, PullEvents and
   * ConfirmEvents 100, MPS DescribeAigcVideoTask 50.
   */
  rateLimits?: { vod?: number; mps?: number; actions?: Record<string, number> };
  /** Clock in unix ms; the clock offset is added to it. */
  now?: () => number;
  /** How long tasks queue and run; tests use tens of ms. */
  lifecycle?: LifecycleOptions;
  /** How long after creation the query actions still find a task; Tencent's 3 (VOD) and 7 (MPS) days by default. */
  queryWindows?: Partial<QueryWindows>;
  /** PullEvents hold time and the confirm window and retention of events. */
  events?: EventOptions & { pullHoldMs?: number };
  /** Base of result-file URLs when clients reach the stand-in by another address than `url`. */
  publicUrl?: string;
  /**
   * Signs result-file URLs. Given (npm start keeps one in its data folder), URLs handed out by an
   * earlier stand-in with the same secret and port keep working; by default each instance has its own.
   */
  filesSecret?: Buffer;
  /** Receives one object per request; never secrets or request bodies. */
  log?: (line: Record<string, unknown>) => void;
}

/** created: a create made a task; ok: any other action succeeded. */
export type CallOutcome = "created" | "ok" | "error" | "fault";

export interface RecordedCall {
  /** Server clock, ISO 8601. */
  at: string;
  /** The service served (see service-selection.ts), else the Host header's first label, whatever it was. */
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
  /** http://host:port; the Host header (or, when it names none, the credential scope or X-TC-Version) selects the service. */
  url: string;
  port: number;
  close(): Promise<void>;
  calls(): RecordedCall[];
  createdTasks(): RecordedCall[];
  /** Every task with its live status (VOD or MPS words), phase and progress, oldest first. */
  tasks(): StoredTask[];
  /** Every VOD completion event with its state (pending, pulled, confirmed, expired), oldest first. */
  events(): StoredEvent[];
  injectFault(fault: Fault): void;
  clearFaults(): void;
  setClockOffsetSeconds(seconds: number): void;
  /**
   * Moves task time forward: lifecycles, URL expiry, event windows and retention, SessionId
   * reuse. TC3 timestamps are still checked against the unadvanced clock, as if the client's
   * clock had moved along, so the SDK keeps working after a jump of days.
   */
  advance(ms: number): void;
  /** Task time now, unix ms: the clock, its offset and every advance. */
  now(): number;
  /** Changes how long after creation the query actions find a task (until reset); answers the windows now in force. */
  setQueryWindows(windows: Partial<QueryWindows>): QueryWindows;
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
  /** How `service` was chosen; undefined when nothing named a service the stand-in serves. */
  serviceSource?: ServiceSource;
  action: string;
  requestId: string;
}

/** Starts the stand-in; resolves once it listens. */
export async function startTencentStandIn(options: StandInOptions = {}): Promise<TencentStandIn> {
  const credentials = new Map(
    (options.credentials ?? [{ secretId: DEV_SECRET_ID, secretKey: DEV_SECRET_KEY }]).map((c) => [c.secretId, c]),
  );
  const clock = options.now ?? Date.now;
  const log = options.log ?? (() => {});
  const pullHoldMs = options.events?.pullHoldMs ?? DEFAULT_PULL_HOLD_MS;
  const store = new TaskStore(options.lifecycle, options.queryWindows);
  const events = new EventQueue(options.events);
  const files = new OutputFiles(options.filesSecret ?? randomBytes(32), options.filesSecret !== undefined);
  const limiter = new SlidingWindowLimiter();
  const faults = new FaultQueue();
  const nextMpsTaskId = mpsTaskIdSequence();
  const sleepers = new Map<NodeJS.Timeout, () => void>();
  let recorded: RecordedCall[] = [];
  let clockOffsetSeconds = 0;
  let advancedMs = 0;
  let closed = false;
  // Set once the server listens, before any request can arrive.
  let baseUrl = "";

  // The clock TC3 timestamps are checked against, and the (possibly advanced) clock tasks,
  // events, files and SessionIds live by.
  const serverNow = (): number => clock() + clockOffsetSeconds * 1000;
  const taskNow = (): number => serverNow() + advancedMs;

  function record(call: RecordedCall): void {
    recorded.push(call);
    const { params: _params, secretId, ...rest } = call;
    log({ ...rest, ...(secretId !== undefined ? { secretId: maskSecretId(secretId) } : {}) });
  }

  function reset(): void {
    recorded = [];
    store.reset();
    events.reset();
    files.reset();
    limiter.reset();
    faults.clear();
    clockOffsetSeconds = 0;
    advancedMs = 0;
  }

  function advance(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`advance(ms) needs a finite, non-negative number, got ${ms}`);
    advancedMs += ms;
  }

  function viewContext(nowMs: number): ViewContext {
    return { nowMs, url: (file: OutputFile, expiresAtMs: number) => `${baseUrl}${files.signedPath(file, expiresAtMs)}` };
  }

  function rateLimitOf(spec: ActionSpec): number {
    const override = options.rateLimits?.actions?.[`${spec.service}.${spec.action}`];
    if (override !== undefined) return override;
    const serviceOverride = spec.kind === "create" ? options.rateLimits?.[spec.service] : undefined;
    return serviceOverride ?? spec.rateLimit;
  }

  /** The answer to one API call: a response now, or a PullEvents call to hold. */
  type Answer = { response: object; call: RecordedCall } | { hold: { secretId: string; subAppId: number | undefined }; call: RecordedCall };

  // Every Tencent check in the order its gateway applies them: transport, authentication,
  // routing, throttling, then the action's own parameters.
  function answer(request: ApiRequest): Answer {
    const call: RecordedCall = {
      at: new Date(taskNow()).toISOString(),
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
        throw new TencentApiError("InvalidAction", `Neither the Host header (\`${service}\`), the credential scope nor X-TC-Version names a service the stand-in serves (vod, mps).`);
      }

      const signedAt = serverNow();
      const auth = verifyTc3({
        method: request.method,
        path: request.path,
        query: request.query,
        headers: request.headers,
        body: request.body,
        lookupSecretKey: (secretId) => credentials.get(secretId)?.secretKey,
        // A scope naming another service than the Host is refused; one that names none is checked as signed.
        ...(request.serviceSource === "host" ? { expectedService: service } : {}),
        nowSeconds: Math.floor(signedAt / 1000),
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

      const limit = rateLimitOf(spec);
      if (!limiter.tryAcquire(`${auth.secretId}\n${service}\n${spec.action}`, limit, signedAt)) {
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
      const nowMs = taskNow();

      switch (spec.kind) {
        case "create":
          return create(spec, params, subAppId, auth.secretId, nowMs, call, request.requestId);
        case "describe-task-detail": {
          const taskId = params["TaskId"] as string;
          call.taskId = taskId;
          const task = store.get(taskId);
          const visible =
            task !== undefined &&
            task.service === "vod" &&
            task.secretId === auth.secretId &&
            task.subAppId === subAppId &&
            store.isQueryable(task, nowMs);
          if (!visible) throw new TencentApiError(VOD_TASK_NOT_FOUND, `The task \`${taskId}\` does not exist.`);
          return { response: successResponse(describeTaskDetail(task, viewContext(nowMs)), request.requestId), call: { ...call, outcome: "ok" } };
        }
        case "describe-aigc-video-task":
        case "describe-aigc-image-task": {
          const taskId = params["TaskId"] as string;
          call.taskId = taskId;
          const task = store.get(taskId);
          // Each MPS describe answers for its own task type only.
          const ownKind = spec.kind === "describe-aigc-image-task" ? "mps-image" : "mps-video";
          if (task === undefined || task.kind !== ownKind || task.secretId !== auth.secretId || !store.isQueryable(task, nowMs)) {
            throw new TencentApiError(MPS_TASK_NOT_FOUND, `The task \`${taskId}\` does not exist.`);
          }
          const view = ownKind === "mps-image" ? describeAigcImageTask(task, viewContext(nowMs)) : describeAigcVideoTask(task, viewContext(nowMs));
          return { response: successResponse(view, request.requestId), call: { ...call, outcome: "ok" } };
        }
        case "pull-events":
          return { hold: { secretId: auth.secretId, subAppId }, call: { ...call, outcome: "ok" } };
        case "confirm-events": {
          events.sync(store.records(), nowMs);
          const handles = params["EventHandles"] as string[];
          const { invalid } = events.confirm(auth.secretId, subAppId, handles, nowMs);
          if (invalid.length > 0) {
            // Tencent answers a parameter error to a handle past its 30 s; the valid handles of
            // the same call stay confirmed (stand-in choice, see the report).
            throw new TencentApiError(
              "InvalidParameterValue",
              `EventHandles: ${invalid.length} handle(s) are unknown, already superseded or past their confirmation window.`,
            );
          }
          return { response: successResponse({}, request.requestId), call: { ...call, outcome: "ok" } };
        }
      }
    } catch (error) {
      if (!(error instanceof TencentApiError)) throw error;
      return {
        response: errorResponse(error.code, error.message, request.requestId),
        call: { ...call, outcome: "error", errorCode: error.code },
      };
    }
  }

  function create(
    spec: ActionSpec,
    params: Record<string, unknown>,
    subAppId: number | undefined,
    secretId: string,
    nowMs: number,
    call: RecordedCall,
    requestId: string,
  ): Answer {
    const service = spec.service;
    if (call.sessionId !== undefined && store.isSessionUsed(service, subAppId, call.sessionId, nowMs)) {
      throw new TencentApiError("InvalidParameterValue.SessionId", "The deduplication ID already exists.");
    }
    const taskKind = spec.taskKind ?? "vod-video";
    const taskId = service === "vod" ? newVodTaskId(subAppId ?? 0, spec.taskType ?? "") : nextMpsTaskId();
    const outcome = faults.takeTaskOutcome(service, spec.action);
    const failureFault = outcome?.kind === "task-failure" ? outcome : undefined;
    const outputs = outcome ? [] : outputFilesFor(taskKind, taskId, params);
    const permanent = service === "vod" && (params["OutputConfig"] as { StorageMode?: unknown } | undefined)?.StorageMode === "Permanent";
    store.add({
      taskId,
      service,
      action: spec.action,
      kind: taskKind,
      secretId,
      createdAt: nowMs,
      params,
      outputs,
      ...(permanent ? { fileIds: outputs.map(() => newFileId()) } : {}),
      ...(failureFault ? { failure: taskFailure(failureFault.errCodeExt, failureFault.message, failureFault.errCode) } : {}),
      ...(subAppId !== undefined ? { subAppId } : {}),
      ...(call.sessionId !== undefined ? { sessionId: call.sessionId } : {}),
      ...(typeof params["SessionContext"] === "string" ? { sessionContext: params["SessionContext"] } : {}),
    });
    return {
      response: successResponse({ TaskId: taskId }, requestId),
      call: { ...call, outcome: "created", taskId, ...(outcome ? { fault: outcome.kind } : {}) },
    };
  }

  function outputFilesFor(kind: TaskRecord["kind"], taskId: string, params: Record<string, unknown>): OutputFile[] {
    if (kind === "mps-image") {
      // MPS: OutputImageCount at the top, OutputFormat in ExtraParameters.
      const count = typeof params["OutputImageCount"] === "number" && Number.isInteger(params["OutputImageCount"]) ? Math.min(Math.max(params["OutputImageCount"], 1), 4) : 1;
      const format = (params["ExtraParameters"] as { OutputFormat?: unknown } | undefined)?.OutputFormat;
      const asset: AssetName = typeof format === "string" && /^jpe?g$/i.test(format) ? "jpeg" : "png";
      return Array.from({ length: count }, (_, index) => files.add(asset, `${taskId}-${index + 1}.${ASSETS[asset].fileType}`));
    }
    if (kind !== "vod-image") return [files.add("video", `${taskId}.mp4`)];
    const config = (params["OutputConfig"] ?? {}) as { OutputImageCount?: unknown; OutputFormat?: unknown };
    const count = typeof config.OutputImageCount === "number" && Number.isInteger(config.OutputImageCount) ? Math.min(Math.max(config.OutputImageCount, 1), 4) : 1;
    const asset: AssetName = typeof config.OutputFormat === "string" && /^jpe?g$/i.test(config.OutputFormat) ? "jpeg" : "png";
    return Array.from({ length: count }, (_, index) => files.add(asset, `${taskId}-${index + 1}.${ASSETS[asset].fileType}`));
  }

  /** Resolves a held PullEvents call: events as soon as there are any, else an empty list once the hold is over. */
  async function settle(answered: Answer, isGone: () => boolean): Promise<{ response: object; call: RecordedCall }> {
    if ("response" in answered) return answered;
    const { secretId, subAppId } = answered.hold;
    // The hold is real time, not task time: a frozen or advanced clock must not stall the client.
    const deadline = Date.now() + pullHoldMs;
    for (;;) {
      const nowMs = taskNow();
      events.sync(store.records(), nowMs);
      if (events.hasPullable(secretId, subAppId, nowMs) || Date.now() >= deadline || closed || isGone()) {
        const pulled = isGone() ? [] : events.pull(secretId, subAppId, nowMs);
        const context = viewContext(nowMs);
        const eventSet = pulled.map((event) => eventContent(event, store.get(event.taskId), context));
        return { response: successResponse({ EventSet: eventSet }, answered.call.requestId), call: answered.call };
      }
      await sleep(Math.min(PULL_POLL_MS, Math.max(1, deadline - Date.now())));
    }
  }

  function sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        sleepers.delete(timer);
        resolve();
      }, ms);
      sleepers.set(timer, resolve);
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
      ...serviceOf(req.headers),
      action: headerText(req.headers, "x-tc-action") ?? "",
      requestId: randomUUID(),
    };
    const isGone = (): boolean => res.destroyed || req.socket.destroyed;
    const fault = request.method === "POST" && path === "/" ? faults.take(request.service, request.action) : undefined;
    if (!fault) {
      const { response, call } = await settle(answer(request), isGone);
      record(call);
      if (!isGone()) sendJson(res, 200, response);
      return;
    }

    // A faulted call still records what the client sent, so tests can see e.g. that every retry
    // carried the same SessionId.
    const sent = parseJsonOrUndefined(request.body);
    const sentParams = sent && typeof sent === "object" && !Array.isArray(sent) ? (sent as Record<string, unknown>) : undefined;
    const faultCall = (): RecordedCall => ({
      at: new Date(taskNow()).toISOString(),
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
          const { response, call } = await settle(answer(request), isGone);
          record({ ...call, fault: "delay" });
          await sleep(fault.ms);
          if (!isGone()) sendJson(res, 200, response);
          return;
        }
        await sleep(fault.ms);
        // A client that gave up meanwhile never had its request processed.
        if (isGone()) {
          record(faultCall());
          return;
        }
        const { response, call } = await settle(answer(request), isGone);
        record({ ...call, fault: "delay" });
        if (!isGone()) sendJson(res, 200, response);
        return;
      }
    }
  }

  // Result files: no Tencent authentication, only the URL's own signature and expiry.
  function serveFile(req: IncomingMessage, res: ServerResponse, path: string, query: string): void {
    const nowMs = taskNow();
    const found = files.lookup(path, query, nowMs);
    const status = req.method !== "GET" && req.method !== "HEAD" ? 405 : found.status;
    log({ at: new Date(nowMs).toISOString(), file: path, status, ...(found.status !== 200 ? { reason: found.reason } : {}) });
    if (status === 405) {
      res.writeHead(405, { allow: "GET, HEAD", "content-type": "text/plain" }).end("Method Not Allowed");
      return;
    }
    if (found.status !== 200) {
      const body = found.status === 403 ? "<Error><Code>AccessDenied</Code><Message>Access Denied.</Message></Error>" : "<Error><Code>NoSuchKey</Code></Error>";
      res.writeHead(found.status, { "content-type": "application/xml" }).end(req.method === "HEAD" ? undefined : body);
      return;
    }
    const bytes = assetBytes(found.file.asset);
    const headers: Record<string, string | number> = {
      "content-type": ASSETS[found.file.asset].contentType,
      "accept-ranges": "bytes",
      "cache-control": "private, max-age=0",
      expires: new Date(found.expiresAtMs).toUTCString(),
    };
    const range = parseRange(headerText(req.headers, "range"), bytes.length);
    if (range === "unsatisfiable") {
      res.writeHead(416, { "content-range": `bytes */${bytes.length}` }).end();
      return;
    }
    const [start, end] = range ?? [0, bytes.length - 1];
    const slice = bytes.subarray(start, end + 1);
    if (range) headers["content-range"] = `bytes ${start}-${end}/${bytes.length}`;
    res.writeHead(range ? 206 : 200, { ...headers, "content-length": slice.length }).end(req.method === "HEAD" ? undefined : slice);
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
        return respond(200, store.list(taskNow()));
      case "GET /events":
        return respond(200, listEvents());
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
      case "GET /clock":
        return respond(200, clockState());
      case "POST /clock":
      case "PUT /clock": {
        const offset = (parseJsonOrUndefined(body) as { offsetSeconds?: unknown } | undefined)?.offsetSeconds;
        if (typeof offset !== "number" || !Number.isFinite(offset)) return respond(400, { error: "expected {\"offsetSeconds\": number}" });
        clockOffsetSeconds = offset;
        return respond(204);
      }
      case "POST /advance": {
        const ms = (parseJsonOrUndefined(body) as { ms?: unknown } | undefined)?.ms;
        if (typeof ms !== "number" || !Number.isFinite(ms) || ms < 0) return respond(400, { error: "expected {\"ms\": non-negative number}" });
        advance(ms);
        return respond(200, clockState());
      }
      case "GET /query-windows":
        return respond(200, store.queryWindows());
      case "PUT /query-windows": {
        const windows = parseQueryWindows(parseJsonOrUndefined(body));
        if (!windows) return respond(400, { error: "expected {\"vodMs\"?: non-negative number, \"mpsMs\"?: non-negative number}" });
        return respond(200, store.setQueryWindows(windows));
      }
      case "POST /reset":
        reset();
        return respond(204);
      default:
        return respond(404, {
          error: `no control route ${route}`,
          routes: [
            "GET /calls",
            "GET /tasks",
            "GET /events",
            "GET /faults",
            "POST /faults",
            "DELETE /faults",
            "GET /clock",
            "POST /clock",
            "POST /advance",
            "GET /query-windows",
            "PUT /query-windows",
            "POST /reset",
            "GET /files/<token>/<name>?t=&sign=",
          ],
        });
    }
  }

  function listEvents(): StoredEvent[] {
    const nowMs = taskNow();
    events.sync(store.records(), nowMs);
    return events.list(nowMs);
  }

  function clockState(): { now: string; nowMs: number; offsetSeconds: number; advancedMs: number } {
    const nowMs = taskNow();
    return { now: new Date(nowMs).toISOString(), nowMs, offsetSeconds: clockOffsetSeconds, advancedMs };
  }

  const server = createServer((req, res) => {
    const target = req.url ?? "/";
    const q = target.indexOf("?");
    const path = q < 0 ? target : target.slice(0, q);
    const query = q < 0 ? "" : target.slice(q + 1);
    let served: Promise<void>;
    if (path.startsWith(FILES_PREFIX)) {
      served = Promise.resolve().then(() => serveFile(req, res, path, query));
    } else if (path.startsWith(CONTROL_PREFIX)) {
      served = serveControl(req, res, path);
    } else {
      served = serveApi(req, res, path, query);
    }
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
  const url = `http://${urlHost}:${address.port}`;
  // A wildcard listen address is not one a client can connect to; loopback is.
  const reachable = address.address === "0.0.0.0" || address.address === "::" ? `http://127.0.0.1:${address.port}` : url;
  baseUrl = (options.publicUrl ?? reachable).replace(/\/+$/, "");

  return {
    url,
    port: address.port,
    close: () =>
      new Promise<void>((resolve, reject) => {
        closed = true;
        // Wake every sleeping delay and held PullEvents so nothing outlives the server.
        for (const [timer, wake] of sleepers) {
          clearTimeout(timer);
          wake();
        }
        sleepers.clear();
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
    calls: () => [...recorded],
    createdTasks: () => recorded.filter((call) => call.outcome === "created"),
    tasks: () => store.list(taskNow()),
    events: listEvents,
    injectFault: (fault) => faults.inject(faultSchema.parse(fault)),
    clearFaults: () => faults.clear(),
    setClockOffsetSeconds: (seconds) => {
      clockOffsetSeconds = seconds;
    },
    advance,
    now: taskNow,
    setQueryWindows: (windows) => store.setQueryWindows(windows),
    reset,
  };
}

/** One EventContent of a PullEvents answer: handle, type and the task as its typed field. */
function eventContent(event: StoredEvent, task: TaskRecord | undefined, context: ViewContext): Record<string, unknown> {
  const payload = task ? vodTaskInfo(task, context) : null;
  return {
    EventHandle: event.handle ?? "",
    EventType: event.eventType,
    ...(event.eventType === "AigcVideoTaskComplete" ? { AigcVideoCompleteEvent: payload } : { AigcImageCompleteEvent: payload }),
  };
}

/** A VOD FileId: a 19-digit number as a string, like Tencent's. */
function newFileId(): string {
  return `5285${randomBytes(8).readBigUInt64BE() % 10n ** 15n}`.padEnd(19, "0");
}

/** `[start, end]` of a single `bytes=` range, undefined without one, or "unsatisfiable". */
function parseRange(header: string | undefined, size: number): [number, number] | undefined | "unsatisfiable" {
  const match = header === undefined ? null : /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!match || (match[1] === "" && match[2] === "")) return undefined;
  const [, from = "", to = ""] = match;
  let start: number;
  let end: number;
  if (from === "") {
    start = Math.max(0, size - Number(to));
    end = size - 1;
  } else {
    start = Number(from);
    end = to === "" ? size - 1 : Math.min(Number(to), size - 1);
  }
  return start > end || start >= size ? "unsatisfiable" : [start, end];
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

/** `{"vodMs"?, "mpsMs"?}` of the query-windows control route, or undefined when malformed. */
function parseQueryWindows(value: unknown): Partial<QueryWindows> | undefined {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return undefined;
  const windows: Partial<QueryWindows> = {};
  for (const [key, ms] of Object.entries(value as Record<string, unknown>)) {
    if ((key !== "vodMs" && key !== "mpsMs") || typeof ms !== "number" || !Number.isFinite(ms) || ms < 0) return undefined;
    windows[key] = ms;
  }
  return windows;
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

/** The request's service and how it was chosen (see service-selection.ts). */
function serviceOf(headers: IncomingHttpHeaders): { service: string; serviceSource?: ServiceSource } {
  const selection = selectService(headers);
  return selection.service ? { service: selection.service, serviceSource: selection.source } : { service: selection.hostLabel };
}

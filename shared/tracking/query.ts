/**
 * Task status queries: `GET /tencent-vod/v1/query/{TaskId}` and `GET /tencent-mps/v1/query/{TaskId}`.
 *
 * The answer comes from the task ledger, refreshed from Tencent while the task is live. This module
 * never writes the ledger: a record's status and delivery have a single writer, the tracker, and a
 * query that also wrote would race it (and a burst of polls would turn into a burst of writes).
 * A token sees only the tasks it created; any other task is the same 404 as an unknown id, so task
 * ids cannot be probed.
 */

import type { Caller } from "../auth";
import { ConfigError, type Config } from "../config";
import { RequestRefused, UpstreamError } from "../errors";
import { httpRoutes, requireCaller, type RequestScope } from "../http/function";
import type { HttpResponse } from "../http/types";
import type { Logger } from "../log";
import { apiDescriptionRoutes } from "../openapi/serve";
import type { DeliveryState, TaskLedger, TaskOutput, TaskRecord, TaskStatus } from "../tasks/ledger";
import { cosClientFor, ledgerFor } from "../tasks/services";
import { tencentClients, type TencentClients, type TencentService } from "../tencent/clients";
import type { TaskKind } from "../validation";
import { describeTask } from "./describe";
import { isFinal, VOD_TASK_TYPES, type TaskSnapshot } from "./status";

/** The SCF function that serves the query routes. */
export const TASK_QUERY_FUNCTION = "task-query";

/** One query route: the service it serves and the task kinds it may show. */
export interface QueryRoute {
  service: TencentService;
  method: "GET";
  path: string;
  kinds: readonly TaskKind[];
}

/** The query routes; serverless.yml declares the same ones (a test keeps the two in step). */
export const QUERY_ROUTES: readonly QueryRoute[] = [
  { service: "vod", method: "GET", path: "/tencent-vod/v1/query/{TaskId}", kinds: ["vod-video", "vod-image", "vod-redraw"] },
  { service: "mps", method: "GET", path: "/tencent-mps/v1/query/{TaskId}", kinds: ["mps-video"] },
];

/** How long a presigned URL of a result kept in our bucket works. */
export const KEPT_URL_TTL_SECONDS = 60 * 60;

/**
 * A status poll would rather answer promptly from the ledger (marked Stale) than spend the whole
 * invocation retrying an unreachable Tencent: the client polls again anyway.
 */
const REFRESH_BUDGET_MS = 10_000;

/** VOD ids are `<SubAppId>-<TaskType>-<hex>t`, MPS ids digits; this admits both with room to spare. */
export const TASK_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/** The TaskType an answer shows: the DescribeTaskDetail type for VOD, MPS's only AIGC task type. */
export const TASK_TYPES: Readonly<Record<TaskKind, string>> = { ...VOD_TASK_TYPES, "mps-video": "AigcVideoTask" };

/** One result file in an answer. */
export interface TaskQueryOutput {
  Type: TaskOutput["type"];
  Url?: string;
  ExpiresAt?: string;
  FileId?: string;
  /** bucket: a copy kept in our bucket (presigned URL); tencent: Tencent's own, temporary URL. */
  Source: "tencent" | "bucket";
}

/** One delivery's state in an answer. */
export interface TaskQueryDelivery {
  State: DeliveryState["state"];
  Attempts: number;
  LastAttemptAt?: string;
  NextAttemptAt?: string;
  DeliveredAt?: string;
  LastError?: string;
}

/** The body of a query answer, inside `Response` and without our RequestId. */
export interface TaskQueryAnswer {
  TaskId: string;
  TaskType: string;
  Status: TaskStatus;
  Progress?: number;
  CreatedAt: string;
  UpdatedAt: string;
  FinishedAt?: string;
  Outputs: TaskQueryOutput[];
  Error?: { Code: string; Message: string };
  Delivery?: { Webhook?: TaskQueryDelivery; Bucket?: TaskQueryDelivery; Keep?: TaskQueryDelivery };
  /** Tencent's own answer about the task, as it answered (null before anything was read). */
  Detail: unknown;
  /** Set when Tencent could not be asked: the state is the ledger's, as of UpdatedAt. */
  Stale?: true;
}

export interface QueryDeps {
  ledger: Pick<TaskLedger, "getTask">;
  clients: TencentClients;
  config: Pick<Config, "vodSubAppId" | "upstreamAttemptTimeoutMs">;
  /** A presigned GET URL of an object kept in our bucket. */
  presignGetUrl: (kept: NonNullable<TaskOutput["kept"]>, expiresInSeconds: number) => string;
  /** Epoch ms by which the query must be answered. */
  deadline: number;
  log: Logger;
  now: () => number;
}

/** Checks the TaskId path parameter; a 400 naming it otherwise. */
export function parseTaskId(raw: string | undefined): string {
  if (raw !== undefined && TASK_ID.test(raw)) return raw;
  const message = "must be 1-128 characters: letters, digits, '.', '_' or '-', starting with a letter or digit";
  throw new RequestRefused("invalid-request", "InvalidParameterValue.TaskId", `TaskId ${message}.`, {
    issues: [{ field: "TaskId", message, code: "InvalidParameterValue.TaskId" }],
  });
}

function taskNotFound(taskId: string): RequestRefused {
  // One wording for unknown, not ours and not this route's, so the answer tells nothing apart.
  return new RequestRefused("resource-not-found", "ResourceNotFound.Task", `Task ${taskId} was not found.`);
}

/** Why a record is not shown to this caller on this route, or undefined when it is. */
function hiddenBecause(record: TaskRecord | undefined, route: QueryRoute, caller: Caller): string | undefined {
  if (!record) return "unknown";
  if (record.origin.type !== "http" || record.origin.tokenId !== caller.tokenId) return "other-owner";
  if (!route.kinds.includes(record.kind)) return "other-service";
  return undefined;
}

const STATUS_RANK: Readonly<Record<TaskStatus, number>> = { queued: 0, running: 1, succeeded: 2, failed: 2 };

/**
 * Asks Tencent about a live task (VOD DescribeTaskDetail, MPS DescribeAigcVideoTask), reading the
 * answer as the tracker does (describe.ts): a task Tencent has forgotten past its query window is
 * answered as the TaskExpired failure the tracker records. Returns undefined when Tencent could not
 * answer (or said "not found" inside the window); what went wrong is logged.
 */
async function refresh(record: TaskRecord, deps: QueryDeps): Promise<TaskSnapshot | undefined> {
  const vod = record.kind !== "mps-video";
  if (vod && deps.config.vodSubAppId === undefined) {
    throw new ConfigError("AIGC_VOD_SUBAPPID", "is required to query VOD tasks (the VOD application id)");
  }
  try {
    return await describeTask(record, {
      clients: deps.clients,
      ...(deps.config.vodSubAppId !== undefined ? { vodSubAppId: deps.config.vodSubAppId } : {}),
      deadline: Math.min(deps.deadline, deps.now() + REFRESH_BUDGET_MS),
      attemptTimeoutMs: deps.config.upstreamAttemptTimeoutMs,
      log: deps.log,
      now: deps.now,
    });
  } catch (error) {
    if (!(error instanceof UpstreamError)) throw error;
    deps.log.warn("task.refresh.failed", {
      taskId: record.taskId,
      action: error.context.action,
      code: error.code,
      failure: error.failure,
      attempts: error.context.attempts,
      upstreamRequestId: error.context.upstreamRequestId,
    });
    return undefined;
  }
}

function outputOf(output: TaskOutput, deps: QueryDeps): TaskQueryOutput {
  const fileId = output.fileId ? { FileId: output.fileId } : {};
  if (output.kept) {
    // Our copy outlives Tencent's temporary URL; a short-lived presigned URL keeps the bucket private.
    const url = deps.presignGetUrl(output.kept, KEPT_URL_TTL_SECONDS);
    const expiresAt = new Date(deps.now() + KEPT_URL_TTL_SECONDS * 1000).toISOString();
    return { Type: output.type, Url: url, ExpiresAt: expiresAt, ...fileId, Source: "bucket" };
  }
  return {
    Type: output.type,
    ...(output.url ? { Url: output.url } : {}),
    ...(output.expiresAt ? { ExpiresAt: output.expiresAt } : {}),
    ...fileId,
    Source: "tencent",
  };
}

function deliveryOf(state: DeliveryState, withError: boolean): TaskQueryDelivery {
  return {
    State: state.state,
    Attempts: state.attempts,
    ...(state.lastAttemptAt ? { LastAttemptAt: state.lastAttemptAt } : {}),
    ...(state.nextAttemptAt ? { NextAttemptAt: state.nextAttemptAt } : {}),
    ...(state.deliveredAt ? { DeliveredAt: state.deliveredAt } : {}),
    ...(withError && state.lastError ? { LastError: state.lastError } : {}),
  };
}

function deliveriesOf(delivery: TaskRecord["delivery"]): TaskQueryAnswer["Delivery"] {
  // Only the webhook's error is the client's business (it is about their endpoint); bucket and keep
  // errors are about our storage and stay in the logs.
  const out: NonNullable<TaskQueryAnswer["Delivery"]> = {
    ...(delivery.webhook ? { Webhook: deliveryOf(delivery.webhook, true) } : {}),
    ...(delivery.bucket ? { Bucket: deliveryOf(delivery.bucket, false) } : {}),
    ...(delivery.keep ? { Keep: deliveryOf(delivery.keep, false) } : {}),
  };
  return Object.keys(out).length > 0 ? out : undefined;
}

function later(a: string, b: string | undefined): string {
  return b !== undefined && Date.parse(b) > Date.parse(a) ? b : a;
}

/**
 * The status of one task for its creator: the ledger's record, refreshed from Tencent (VOD
 * DescribeTaskDetail / MPS DescribeAigcVideoTask) while the task is not final.
 */
export async function queryTask(route: QueryRoute, taskId: string, caller: Caller, deps: QueryDeps): Promise<TaskQueryAnswer> {
  const record = await deps.ledger.getTask(taskId);
  const hidden = hiddenBecause(record, route, caller);
  if (hidden !== undefined || !record) {
    deps.log.info("task.query.not-found", { taskId, reason: hidden });
    throw taskNotFound(taskId);
  }

  const live = !isFinal(record.status);
  const snapshot = live ? await refresh(record, deps) : undefined;
  // Tencent's answer is the fresher one, unless it lags behind what the tracker already saw.
  const fresh = snapshot !== undefined && STATUS_RANK[snapshot.status] >= STATUS_RANK[record.status] ? snapshot : undefined;
  const state = fresh ?? {
    status: record.status,
    progress: record.progress,
    outputs: record.outputs ?? [],
    error: record.error,
    finishedAt: record.finishedAt,
    detail: record.detail,
  };
  const updatedAt = snapshot !== undefined ? new Date(deps.now()).toISOString() : later(record.updatedAt, record.lastCheckedAt);
  const delivery = deliveriesOf(record.delivery);
  const stale = live && snapshot === undefined;
  deps.log.info("task.query", { taskId, kind: record.kind, status: state.status, refreshed: snapshot !== undefined, stale });
  return {
    TaskId: record.taskId,
    TaskType: TASK_TYPES[record.kind],
    Status: state.status,
    ...(state.progress !== undefined ? { Progress: state.progress } : {}),
    CreatedAt: record.createdAt,
    UpdatedAt: updatedAt,
    ...(state.finishedAt ? { FinishedAt: state.finishedAt } : {}),
    Outputs: state.outputs.map((output) => outputOf(output, deps)),
    ...(state.error ? { Error: { Code: state.error.code, Message: state.error.message } } : {}),
    ...(delivery ? { Delivery: delivery } : {}),
    Detail: state.detail ?? null,
    ...(stale ? { Stale: true as const } : {}),
  };
}

/** Handles one query request, from the raw HTTP request to the `{"Response":{...}}` answer. */
export async function handleQueryRequest(route: QueryRoute, scope: RequestScope): Promise<HttpResponse> {
  const caller = requireCaller(scope);
  const taskId = parseTaskId(scope.params.TaskId);
  const config = scope.config;
  const answer = await queryTask(route, taskId, caller, {
    ledger: ledgerFor(config),
    clients: tencentClients(config),
    config,
    presignGetUrl: (kept, seconds) => cosClientFor(config).presignGetUrl({ bucket: kept.bucket, region: kept.region }, kept.key, seconds),
    deadline: scope.deadline,
    log: scope.log.with({ tokenId: caller.tokenId }),
    now: Date.now,
  });
  return {
    status: 200,
    // The answer carries presigned URLs and a live state: nothing in between may cache it.
    headers: { "content-type": "application/json", "cache-control": "no-store", "x-request-id": scope.request.requestId },
    body: JSON.stringify({ Response: { ...answer, RequestId: scope.request.requestId } }),
  };
}

/** What the task-query entry gives its function. */
export interface TaskQueryFunctionOptions {
  /** Where the API description files are (the bundle's directory); without it `/openapi.json` and `/docs` answer 500. */
  assetsDir?: string;
}

/** The SCF entry serving every query route, and the API description (`GET /openapi.json`, `GET /docs`) without a token. */
export function taskQueryFunction(options: TaskQueryFunctionOptions = {}) {
  return httpRoutes(TASK_QUERY_FUNCTION, [
    ...QUERY_ROUTES.map((route) => ({ method: route.method, path: route.path, handle: (scope: RequestScope) => handleQueryRequest(route, scope) })),
    ...apiDescriptionRoutes(options.assetsDir),
  ]);
}

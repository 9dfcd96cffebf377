/**
 * Task status queries: `GET /tencent-vod/v1/query/{TaskId}` and `GET /tencent-mps/v1/query/{TaskId}`.
 *
 * The answer comes from the task ledger, refreshed from Tencent while the task is live. This module
 * never writes the ledger: a record's status and delivery have a single writer, the tracker, and a
 * query that also wrote would race it (and a burst of polls would turn into a burst of writes).
 * A token sees only the tasks it created; any other task is the same 404 as an unknown id, so task
 * ids cannot be probed. The answer's shape (Tencent's, plus our view) is answers*.ts's; the route
 * handlers are composed with the API description's routes by the task-query entry, so this layer
 * never imports shared/openapi.
 */

import type { Caller } from "../auth";
import { ConfigError, type Config } from "../config";
import { RequestRefused, UpstreamError } from "../errors";
import { requireCaller, type RequestScope, type RouteHandler } from "../http/function";
import type { HttpResponse } from "../http/types";
import type { Logger } from "../log";
import { isMpsKind } from "../tasks/kinds";
import type { TaskLedger, TaskOutput, TaskRecord, TaskStatus } from "../tasks/ledger";
import { cosClientFor, ledgerFor } from "../tasks/services";
import { tencentClients, type TencentClients, type TencentService } from "../tencent/clients";
import type { TaskKind } from "../validation";
import { isObject, OWN_VIEW_KEY, taskView, tencentTime, type AnsweredTask, type ShownOutput, type TaskAnswer } from "./answers";
import { mpsAnswer } from "./answers-mps";
import { vodAnswer } from "./answers-vod";
import { describeTask } from "./describe";
import { isFinal, type TaskSnapshot } from "./status";

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
  { service: "mps", method: "GET", path: "/tencent-mps/v1/query/{TaskId}", kinds: ["mps-video", "mps-image"] },
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
 * Asks Tencent about a live task (VOD DescribeTaskDetail, MPS DescribeAigc*Task), reading the
 * answer as the tracker does (describe.ts): a task Tencent has forgotten past its query window is
 * answered as the TaskExpired failure the tracker records. Returns undefined when Tencent could not
 * answer (or said "not found" inside the window); what went wrong is logged.
 */
async function refresh(record: TaskRecord, deps: QueryDeps): Promise<TaskSnapshot | undefined> {
  if (!isMpsKind(record.kind) && deps.config.vodSubAppId === undefined) {
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

/** A result file as an answer shows it: our kept copy (a presigned URL, with its expiry) when there is one, else Tencent's. */
export function shownOutput(output: TaskOutput, deps: QueryDeps): ShownOutput {
  const tencent = { ...(output.url ? { tencentUrl: output.url } : {}), ...(output.fileId ? { fileId: output.fileId } : {}) };
  if (output.kept) {
    // Our copy outlives Tencent's temporary URL; a short-lived presigned URL keeps the bucket private.
    const url = deps.presignGetUrl(output.kept, KEPT_URL_TTL_SECONDS);
    const expiresAt = new Date(deps.now() + KEPT_URL_TTL_SECONDS * 1000).toISOString();
    return { type: output.type, url, expiresAt, ...tencent, source: "bucket" };
  }
  return { type: output.type, ...(output.url ? { url: output.url } : {}), ...(output.expiresAt ? { expiresAt: output.expiresAt } : {}), ...tencent, source: "tencent" };
}

/**
 * When a finished task ended: Tencent's FinishTime when its answer gives one (VOD), else the ledger's
 * (the tracker's close time), else, for a task Tencent reports finished before the tracker closed
 * it, the time this answer saw it finished (MPS gives no finish time).
 */
function finishedAtOf(status: TaskStatus, detail: unknown, known: string | undefined, now: number): string | undefined {
  if (!isFinal(status)) return undefined;
  const tencent = isObject(detail) ? tencentTime(detail.FinishTime) : undefined;
  return tencent ? new Date(Date.parse(tencent)).toISOString() : (known ?? new Date(now).toISOString());
}

function later(a: string, b: string | undefined): string {
  return b !== undefined && Date.parse(b) > Date.parse(a) ? b : a;
}

/** The answer about one task in its service's Tencent shape, with our view under OWN_VIEW_KEY. */
export function taskAnswer(task: AnsweredTask): TaskAnswer {
  const tencent = isMpsKind(task.record.kind) ? mpsAnswer(task) : vodAnswer(task);
  return { ...tencent, [OWN_VIEW_KEY]: taskView(task) };
}

/**
 * The state of one task for its creator: the ledger's record, refreshed from Tencent (VOD
 * DescribeTaskDetail / MPS DescribeAigcVideoTask or DescribeAigcImageTask) while it is not final.
 */
export async function queryTask(route: QueryRoute, taskId: string, caller: Caller, deps: QueryDeps): Promise<AnsweredTask> {
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
  const stale = live && snapshot === undefined;
  deps.log.info("task.query", { taskId, kind: record.kind, status: state.status, refreshed: snapshot !== undefined, stale });
  const detail = state.detail ?? null;
  const finishedAt = finishedAtOf(state.status, detail, state.finishedAt, deps.now());
  return {
    record,
    status: state.status,
    ...(state.progress !== undefined ? { progress: state.progress } : {}),
    outputs: state.outputs.map((output) => shownOutput(output, deps)),
    ...(state.error ? { error: state.error } : {}),
    ...(finishedAt ? { finishedAt } : {}),
    detail,
    updatedAt,
    stale,
  };
}

/** What answering a caller's query needs, from the request's scope (the deployment's ledger, clients and bucket). */
export function queryDepsFor(scope: RequestScope, caller: Caller): QueryDeps {
  const config = scope.config;
  return {
    ledger: ledgerFor(config),
    clients: tencentClients(config),
    config,
    presignGetUrl: (kept, seconds) => cosClientFor(config).presignGetUrl({ bucket: kept.bucket, region: kept.region }, kept.key, seconds),
    deadline: scope.deadline,
    log: scope.log.with({ tokenId: caller.tokenId }),
    now: Date.now,
  };
}

/** Handles one query request, from the raw HTTP request to the `{"Response":{...}}` answer. */
export async function handleQueryRequest(route: QueryRoute, scope: RequestScope): Promise<HttpResponse> {
  const caller = requireCaller(scope);
  const taskId = parseTaskId(scope.params.TaskId);
  const task = await queryTask(route, taskId, caller, queryDepsFor(scope, caller));
  return {
    status: 200,
    // The answer carries presigned URLs and a live state: nothing in between may cache it.
    headers: { "content-type": "application/json", "cache-control": "no-store", "x-request-id": scope.request.requestId },
    body: JSON.stringify({ Response: { ...taskAnswer(task), RequestId: scope.request.requestId } }),
  };
}

/** The query routes with their work, for the task-query entry to compose with its other routes. */
export function queryRouteHandlers(): RouteHandler[] {
  return QUERY_ROUTES.map((route) => ({ method: route.method, path: route.path, handle: (scope: RequestScope) => handleQueryRequest(route, scope) }));
}

/**
 * Asking Tencent about one task (VOD DescribeTaskDetail, MPS DescribeAigcVideoTask or
 * DescribeAigcImageTask), for the
 * tracker and the query route alike, so both read Tencent's answers the same way, including the
 * one answer that is not about the task itself: "no such task".
 *
 * Tencent answers queries only for a while after a task was submitted. A "not found" inside that
 * window is Tencent lagging (or a blip) and changes nothing; past it, Tencent has forgotten the task
 * and will never report its end, so the task ends as failed with TASK_EXPIRED instead of being
 * polled forever.
 */

import { UpstreamError } from "../errors";
import type { Logger } from "../log";
import { isMpsKind, TASK_KINDS } from "../tasks/kinds";
import type { TaskRecord } from "../tasks/ledger";
import { callTencent } from "../tencent/call";
import type { TencentClients, TencentService } from "../tencent/clients";
import type { TaskKind } from "../validation";
import { fromMpsTask, fromVodTaskDetail, type TaskSnapshot } from "./status";

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * How long after submission Tencent still answers for a task.
 * - vod: vod_client.d.ts, DescribeTaskDetail: "通过任务 ID 查询任务的执行状态和结果的详细信息（最多可以查询3天之内提交的任务）"
 *   (tasks submitted within the last 3 days).
 * - mps: the doc comment of DescribeAigcVideoTask states no window; MPS's task queries do
 *   (mps_client.d.ts, DescribeTaskDetail: "最多可以查询7天之内提交的任务"; DescribeTasks: "只能查询到最近七天（168小时）内的任务"),
 *   so 7 days is taken for its AIGC tasks too. An inference: see the README.
 */
export const QUERY_WINDOW_MS: Readonly<Record<TencentService, number>> = { vod: 3 * DAY_MS, mps: 7 * DAY_MS };

/** The error code of a task that Tencent no longer knows, past its query window. */
export const TASK_EXPIRED = "TaskExpired";

/**
 * Tencent's "no such task" answers (the Node SDK carries no error codes; these are Tencent's own
 * lists, tencentcloud-sdk-go vod/v20180717 and mps/v20190612 errors.go):
 * VOD INVALIDPARAMETERVALUE_TASKID "任务 ID 不存在"; MPS FAILEDOPERATION_TASKNOTFOUND "查询的任务不存在" and
 * INVALIDPARAMETERVALUE_TASKID "任务 ID 不存在".
 */
const NOT_FOUND_CODES: Readonly<Record<TencentService, ReadonlySet<string>>> = {
  vod: new Set(["InvalidParameterValue.TaskId"]),
  mps: new Set(["FailedOperation.TaskNotFound", "InvalidParameterValue.TaskId"]),
};

/** The Tencent service that runs a task of this kind. */
export function serviceOf(kind: TaskKind): TencentService {
  return TASK_KINDS[kind].service;
}

/** Whether a Tencent error says the task does not exist (for that task's service). */
export function isTaskNotFound(kind: TaskKind, error: unknown): error is UpstreamError {
  return error instanceof UpstreamError && NOT_FOUND_CODES[serviceOf(kind)].has(error.code);
}

/** When Tencent stops answering for a task created at `createdAt` (epoch ms). */
export function queryWindowEnd(kind: TaskKind, createdAt: string): number {
  return Date.parse(createdAt) + QUERY_WINDOW_MS[serviceOf(kind)];
}

/**
 * The end of a task Tencent has forgotten. It finished, as far as anyone can tell, when the window
 * closed: a fixed instant, so the tracker's record and a query's answer agree. Detail keeps the last
 * thing Tencent said about the task.
 */
export function expiredSnapshot(record: Pick<TaskRecord, "kind" | "createdAt" | "detail">): TaskSnapshot {
  const days = QUERY_WINDOW_MS[serviceOf(record.kind)] / DAY_MS;
  return {
    status: "failed",
    outputs: [],
    error: { code: TASK_EXPIRED, message: `Tencent no longer knows this task: it never reported an end within the ${days} days it answers for a task.` },
    finishedAt: new Date(queryWindowEnd(record.kind, record.createdAt)).toISOString(),
    detail: record.detail ?? null,
  };
}

/** What describing a task needs. */
export interface DescribeDeps {
  clients: TencentClients;
  vodSubAppId?: number;
  /** Epoch ms after which no attempt may start. */
  deadline: number;
  attemptTimeoutMs: number;
  log: Logger;
  now: () => number;
}

/**
 * What Tencent says about a task now (VOD DescribeTaskDetail, MPS DescribeAigcVideoTask), normalized.
 * Throws the UpstreamError when Tencent could not answer, or answered "not found" inside its query
 * window; past the window, "not found" is the task's end (expiredSnapshot).
 */
export async function describeTask(record: Pick<TaskRecord, "taskId" | "kind" | "createdAt" | "detail">, deps: DescribeDeps): Promise<TaskSnapshot> {
  const kind = record.kind;
  const vod = !isMpsKind(kind);
  try {
    const response = await callTencent(vod ? deps.clients.vod : deps.clients.mps, {
      action: TASK_KINDS[kind].describeAction,
      params: { TaskId: record.taskId, ...(vod && deps.vodSubAppId !== undefined ? { SubAppId: deps.vodSubAppId } : {}) },
      idempotent: true,
      deadline: deps.deadline,
      attemptTimeoutMs: deps.attemptTimeoutMs,
      log: deps.log,
    });
    return isMpsKind(kind) ? fromMpsTask(response, deps.now(), kind) : fromVodTaskDetail(kind, response);
  } catch (error) {
    if (!isTaskNotFound(kind, error)) throw error;
    const windowEnd = queryWindowEnd(kind, record.createdAt);
    const expired = deps.now() >= windowEnd;
    deps.log.warn("task.not-found", {
      taskId: record.taskId,
      code: error.code,
      upstreamRequestId: error.context.upstreamRequestId,
      windowEndsAt: new Date(windowEnd).toISOString(),
      expired,
    });
    if (!expired) throw error;
    return expiredSnapshot(record);
  }
}

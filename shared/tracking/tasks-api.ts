/**
 * The native task API, beside the relay-compatible query paths: `GET /v1/tasks/{TaskId}` (one task of
 * any type, in the product's own view) and `GET /v1/tasks` (the caller's tasks, newest first, from
 * the ledger's owner index), with `Prefer: wait=N` on the single-task route.
 */

import type { Caller } from "../auth";
import { RequestRefused } from "../errors";
import { requireCaller, type RequestScope, type RouteHandler } from "../http/function";
import { preferredWaitSeconds } from "../http/prefer";
import type { HttpResponse } from "../http/types";
import { TASK_KINDS } from "../tasks/kinds";
import type { TaskLedger, TaskRecord, TaskStatus } from "../tasks/ledger";
import { ledgerFor } from "../tasks/services";
import type { TaskKind } from "../validation";
import { taskView, type TaskView } from "./answers";
import { parseTaskId, queryDepsFor, queryTask, shownOutput, type QueryDeps, type QueryRoute } from "./query";
import { waitForFinal } from "./wait";

/** The native routes; serverless.yml declares the same ones (a test keeps them in step). */
export const TASKS_API_ROUTES = [
  { method: "GET", path: "/v1/tasks" },
  { method: "GET", path: "/v1/tasks/{TaskId}" },
] as const;

/** A page of a listing: 20 by default, 100 at most. */
export const LIST_LIMIT = { default: 20, max: 100 } as const;

/** Index entries one listing request reads at most, so a rare status filter cannot make it unbounded. */
const LIST_SCAN_MAX = 1000;

const TASK_STATUSES: readonly TaskStatus[] = ["queued", "running", "succeeded", "failed"];

/** Every task type: the native routes show tasks of any of them. */
const ANY_KIND: QueryRoute = { service: "vod", method: "GET", path: "/v1/tasks/{TaskId}", kinds: Object.keys(TASK_KINDS) as TaskKind[] };

function json(scope: RequestScope, body: unknown, headers: Record<string, string> = {}): HttpResponse {
  return {
    status: 200,
    // Presigned URLs and live state: nothing in between may cache the answer.
    headers: { "content-type": "application/json", "cache-control": "no-store", "x-request-id": scope.request.requestId, ...headers },
    body: JSON.stringify(body),
  };
}

/** `GET /v1/tasks/{TaskId}`: one task of any type the caller created, in the product's own view. */
async function getTask(scope: RequestScope): Promise<HttpResponse> {
  const caller = requireCaller(scope);
  const taskId = parseTaskId(scope.params.TaskId);
  const wait = preferredWaitSeconds(scope.request.headers.prefer);
  const deps = queryDepsFor(scope, caller);
  const ask = () => queryTask(ANY_KIND, taskId, caller, deps);
  const task = wait === undefined ? await ask() : await waitForFinal(ask, wait, { deadline: scope.deadline, now: Date.now });
  return json(scope, { ...taskView(task), RequestId: scope.request.requestId }, wait === undefined ? {} : { "preference-applied": `wait=${wait}` });
}

/** The filters and page of a listing request, checked; a 400 naming the parameter otherwise. */
export function listParameters(query: Record<string, string | string[] | true>): { limit: number; after?: string; status?: TaskStatus; type?: TaskKind } {
  const one = (name: string): string | undefined => {
    const value = query[name];
    return typeof value === "string" ? value : Array.isArray(value) ? value[0] : undefined;
  };
  const refuse = (field: string, message: string): never => {
    throw new RequestRefused("invalid-request", `InvalidParameterValue.${field[0]?.toUpperCase()}${field.slice(1)}`, `${field} ${message}.`, {
      issues: [{ field, message, code: `InvalidParameterValue.${field[0]?.toUpperCase()}${field.slice(1)}` }],
    });
  };
  const limitText = one("limit");
  const limit = limitText === undefined ? LIST_LIMIT.default : /^\d{1,3}$/.test(limitText) ? Number(limitText) : Number.NaN;
  if (!(limit >= 1 && limit <= LIST_LIMIT.max)) refuse("limit", `must be a whole number from 1 to ${LIST_LIMIT.max}`);
  const status = one("status");
  if (status !== undefined && !TASK_STATUSES.includes(status as TaskStatus)) refuse("status", `must be one of: ${TASK_STATUSES.join(", ")}`);
  const type = one("type");
  if (type !== undefined && !Object.hasOwn(TASK_KINDS, type)) refuse("type", `must be one of: ${Object.keys(TASK_KINDS).join(", ")}`);
  const cursor = one("cursor");
  let after: string | undefined;
  if (cursor !== undefined) {
    after = decodeCursor(cursor);
    if (after === undefined) refuse("cursor", "is not a cursor this API gave out (use NextCursor of the previous page as it is)");
  }
  return { limit, ...(after !== undefined ? { after } : {}), ...(status ? { status: status as TaskStatus } : {}), ...(type ? { type: type as TaskKind } : {}) };
}

/** An opaque cursor: the position in the caller's owner index, which the ledger confines to it. */
export function encodeCursor(position: string): string {
  return Buffer.from(JSON.stringify({ a: position }), "utf8").toString("base64url");
}

function decodeCursor(cursor: string): string | undefined {
  if (cursor.length > 1024 || !/^[A-Za-z0-9_-]+$/.test(cursor)) return undefined;
  try {
    const parsed = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")) as { a?: unknown };
    return typeof parsed.a === "string" && parsed.a !== "" ? parsed.a : undefined;
  } catch {
    return undefined;
  }
}

/** The view of a listed task from its ledger record alone (a listing spends no Tencent calls). */
function recordView(record: TaskRecord, deps: QueryDeps): TaskView {
  return taskView({
    record,
    status: record.status,
    ...(record.progress !== undefined ? { progress: record.progress } : {}),
    outputs: (record.outputs ?? []).map((output) => shownOutput(output, deps)),
    ...(record.error ? { error: record.error } : {}),
    ...(record.finishedAt ? { finishedAt: record.finishedAt } : {}),
    detail: record.detail ?? null,
    updatedAt: record.updatedAt,
    stale: false,
  });
}

/**
 * The caller's tasks, newest first, read from the owner index page by page: `type` is filtered on
 * the index entry, `status` on the record; at most LIST_SCAN_MAX entries are read per request, and
 * NextCursor continues from where it stopped.
 */
export async function listTasks(
  ledger: Pick<TaskLedger, "listOwnerTasks" | "getTask">,
  caller: Caller,
  options: ReturnType<typeof listParameters>,
  view: (record: TaskRecord) => TaskView,
): Promise<{ Tasks: TaskView[]; NextCursor?: string }> {
  const tasks: TaskView[] = [];
  let after = options.after;
  let scanned = 0;
  let more = true;
  while (tasks.length < options.limit && more && scanned < LIST_SCAN_MAX) {
    const page = await ledger.listOwnerTasks(caller.tokenId, { maxKeys: options.limit, ...(after !== undefined ? { after } : {}) });
    more = page.more;
    for (const [index, entry] of page.entries.entries()) {
      scanned++;
      if (options.type !== undefined && entry.kind !== options.type) continue;
      const record = await ledger.getTask(entry.taskId);
      if (!record || (options.status !== undefined && record.status !== options.status)) continue;
      tasks.push(view(record));
      if (tasks.length === options.limit) {
        // Stop at this entry: the next page starts right after it (unless it was the index's last).
        const stoppedEarly = index < page.entries.length - 1;
        return { Tasks: tasks, ...(stoppedEarly || more ? { NextCursor: encodeCursor(entry.position) } : {}) };
      }
    }
    after = page.last;
    if (page.entries.length === 0) break;
  }
  return { Tasks: tasks, ...(more && after !== undefined ? { NextCursor: encodeCursor(after) } : {}) };
}

/** `GET /v1/tasks`: the caller's tasks, newest first (`limit`, `cursor`, `status`, `type`). */
async function getTasks(scope: RequestScope): Promise<HttpResponse> {
  const caller = requireCaller(scope);
  const options = listParameters(scope.request.query);
  const deps = queryDepsFor(scope, caller);
  const ledger = ledgerFor(scope.config);
  const page = await listTasks(ledger, caller, options, (record) => recordView(record, deps));
  scope.log.info("tasks.listed", { count: page.Tasks.length, more: page.NextCursor !== undefined });
  return json(scope, { ...page, RequestId: scope.request.requestId });
}

/** The native routes with their work, for the task-query entry to compose with its other routes. */
export function tasksApiRouteHandlers(): RouteHandler[] {
  const [list, one] = TASKS_API_ROUTES;
  return [
    { ...list, handle: getTasks },
    { ...one, handle: getTask },
  ];
}


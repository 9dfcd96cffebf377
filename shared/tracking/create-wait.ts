/**
 * `Prefer: wait=N` on the create routes: the task is created as usual, then the request holds until
 * Tencent reports it final, or N seconds pass, and the answer adds the task's state in the product's
 * own view under `aigcScf` (Tencent's envelope stays as it is). Composed by each create function's
 * entry, so the create layer (shared/tasks) never depends on the tracking layer; it also hands the
 * create route the tracker's schedule, so a new task's first due entry is when it is first needed.
 */

import { UpstreamError } from "../errors";
import type { RequestScope } from "../http/function";
import { preferredWaitSeconds } from "../http/prefer";
import type { HttpResponse } from "../http/types";
import { handleCreateRequest } from "../tasks/create-route";
import type { TaskRecord } from "../tasks/ledger";
import { tencentClients } from "../tencent/clients";
import type { CreateAction } from "../validation/action";
import { OWN_VIEW_KEY, taskView, type AnsweredTask } from "./answers";
import { describeTask } from "./describe";
import { firstDueAt } from "./schedule";
import { waitForFinal } from "./wait";

/** A create request's work with `Prefer: wait=N` honoured (see createTaskFunction's `handle`). */
export async function createAndWait(action: CreateAction, scope: RequestScope): Promise<HttpResponse> {
  // Checked before creating: a malformed preference must not leave a task behind its 400.
  const wait = preferredWaitSeconds(scope.request.headers.prefer);
  const response = await handleCreateRequest(action, scope, { firstDueAt });
  if (wait === undefined || response.status !== 200) return response;
  const envelope = JSON.parse(response.body) as { Response: Record<string, unknown> };
  const taskId = envelope.Response.TaskId;
  if (typeof taskId !== "string") return response;

  const record: Pick<TaskRecord, "taskId" | "kind" | "createdAt" | "delivery"> & { detail?: unknown } = {
    taskId,
    kind: action.kind,
    createdAt: new Date().toISOString(),
    delivery: {},
  };
  const clients = tencentClients(scope.config);
  const ask = async (): Promise<AnsweredTask> => {
    const now = new Date().toISOString();
    try {
      const snapshot = await describeTask(record, {
        clients,
        ...(scope.config.vodSubAppId !== undefined ? { vodSubAppId: scope.config.vodSubAppId } : {}),
        deadline: scope.deadline,
        attemptTimeoutMs: scope.config.upstreamAttemptTimeoutMs,
        log: scope.log,
        now: Date.now,
      });
      record.detail = snapshot.detail;
      return {
        record,
        status: snapshot.status,
        ...(snapshot.progress !== undefined ? { progress: snapshot.progress } : {}),
        outputs: snapshot.outputs.map((output) => ({ type: output.type, ...(output.url ? { url: output.url } : {}), ...(output.expiresAt ? { expiresAt: output.expiresAt } : {}), ...(output.fileId ? { fileId: output.fileId } : {}), source: "tencent" as const })),
        ...(snapshot.error ? { error: snapshot.error } : {}),
        ...(snapshot.finishedAt ? { finishedAt: snapshot.finishedAt } : {}),
        detail: snapshot.detail,
        updatedAt: now,
        stale: false,
      };
    } catch (error) {
      // Tencent could not be asked (or does not list the new task yet): the task is queued, as created.
      if (!(error instanceof UpstreamError)) throw error;
      return { record, status: "queued", outputs: [], detail: record.detail ?? null, updatedAt: now, stale: true };
    }
  };
  const task = await waitForFinal(ask, wait, { deadline: scope.deadline, now: Date.now });
  envelope.Response[OWN_VIEW_KEY] = taskView(task);
  return { ...response, headers: { ...response.headers, "preference-applied": `wait=${wait}` }, body: JSON.stringify(envelope) };
}

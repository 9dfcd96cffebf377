/**
 * One status for every task type, from whatever Tencent tells: VOD DescribeTaskDetail, VOD
 * completion events (whose payload is the same task object), and MPS DescribeAigcVideoTask.
 */

import type { TaskOutput, TaskRecord, TaskStatus } from "../tasks/ledger";
import type { MpsTaskKind, VodTaskKind } from "../tasks/kinds";
import type { TaskKind } from "../validation";

/** What Tencent currently says about a task, normalized. */
export interface TaskSnapshot {
  status: TaskStatus;
  progress?: number;
  outputs: TaskOutput[];
  error?: { code: string; message: string };
  finishedAt?: string;
  /** Tencent's own object, kept as it answered. */
  detail: unknown;
}

/** MPS result URLs live 12 hours (Tencent's doc); the answer does not carry the expiry. */
export const MPS_URL_TTL_MS = 12 * 60 * 60 * 1000;

/** The typed sub-object of DescribeTaskDetail for each VOD task type. */
export const VOD_TASK_TYPES: Readonly<Record<VodTaskKind, string>> = {
  "vod-video": "AigcVideoTask",
  "vod-image": "AigcImageTask",
  "vod-redraw": "AigcVideoRedrawTask",
};

interface VodFileInfo {
  FileUrl?: string;
  FileId?: string;
  ExpireTime?: string;
  FileType?: string;
}

interface VodAigcTask {
  Status?: string;
  ErrCode?: number;
  ErrCodeExt?: string;
  Message?: string;
  Progress?: number;
  Output?: { FileInfos?: VodFileInfo[]; FileInfo?: VodFileInfo };
}

function isoOrUndefined(value: string | undefined): string | undefined {
  if (!value || value.startsWith("0000")) return undefined;
  const parsed = Date.parse(value);
  return Number.isNaN(parsed) ? undefined : new Date(parsed).toISOString();
}

function vodOutputs(kind: TaskKind, task: VodAigcTask): TaskOutput[] {
  const files = task.Output?.FileInfos ?? (task.Output?.FileInfo ? [task.Output.FileInfo] : []);
  const type: TaskOutput["type"] = kind === "vod-image" ? "image" : "video";
  return files
    .filter((file) => file.FileUrl || file.FileId)
    .map((file) => {
      const expiresAt = isoOrUndefined(file.ExpireTime);
      return {
        type,
        ...(file.FileUrl ? { url: file.FileUrl } : {}),
        ...(file.FileId ? { fileId: file.FileId } : {}),
        ...(expiresAt ? { expiresAt } : {}),
      };
    });
}

/** The error of a task Tencent reports as finished without a single output file. */
export const OUTPUT_MISSING = { code: "TaskOutputMissing", message: "Tencent reported the task finished but returned no output file." } as const;

/**
 * Tencent's verdict on a finished VOD task: an error when it failed, undefined when it succeeded.
 * - AigcVideoTask.ErrCode (vod_models.d.ts): "错误码。源异常时返回非0错误码，返回0时请使用各个具体任务的
 *   ErrCode" (non-zero is a failure; 0 says nothing on its own);
 * - AigcImageTask.ErrCodeExt: "扩展错误码。空字符串表示成功，其它值表示失败" (empty string is success, any
 *   other value is failure); AigcVideoTask.ErrCodeExt and AigcVideoRedrawTask.ErrCodeExt are the same
 *   field with the same enumeration of failure codes, so they are read the same way.
 */
function vodFailure(task: VodAigcTask): { code: string; message: string } | undefined {
  const ext = typeof task.ErrCodeExt === "string" ? task.ErrCodeExt.trim() : "";
  const errCode = typeof task.ErrCode === "number" ? task.ErrCode : 0;
  if (ext === "" && errCode === 0) return undefined;
  return { code: ext || `ErrCode.${errCode}`, message: task.Message || "The task failed." };
}

/**
 * Normalizes a VOD AIGC task object (DescribeTaskDetail's typed sub-object, or the payload of an
 * AigcVideoTaskComplete / AigcImageTaskComplete event). `topStatus` is DescribeTaskDetail's own
 * Status (WAITING / PROCESSING / FINISH / ABORTED) when known.
 */
export function fromVodTask(kind: TaskKind, task: VodAigcTask, topStatus?: string, finishTime?: string): TaskSnapshot {
  const status = (topStatus ?? task.Status ?? "").toUpperCase();
  const progress = typeof task.Progress === "number" ? task.Progress : undefined;
  const finishedAt = isoOrUndefined(finishTime);
  const at = finishedAt ? { finishedAt } : {};
  // DescribeTaskDetailResponse.Status: "WAITING：等待中；PROCESSING：处理中；FINISH：已完成；ABORTED：已终止".
  if (status === "ABORTED") {
    return { status: "failed", outputs: [], error: { code: task.ErrCodeExt || "OperationCanceled", message: task.Message || "The task was aborted." }, ...at, detail: task };
  }
  if (status === "FINISH") {
    const failure = vodFailure(task);
    if (failure) return { status: "failed", outputs: [], error: failure, ...(progress !== undefined ? { progress } : {}), ...at, detail: task };
    // AigcVideoTaskOutput.FileInfos / AigcImageTaskOutput.FileInfos / AigcVideoRedrawTaskOutput.FileInfo:
    // a task that made nothing has not done what it was asked, whatever its codes say.
    const outputs = vodOutputs(kind, task);
    if (outputs.length === 0) return { status: "failed", outputs: [], error: { ...OUTPUT_MISSING }, ...at, detail: task };
    return { status: "succeeded", progress: 100, outputs, ...at, detail: task };
  }
  if (status === "PROCESSING") return { status: "running", ...(progress !== undefined ? { progress } : {}), outputs: [], detail: task };
  return { status: "queued", ...(progress !== undefined ? { progress } : {}), outputs: [], detail: task };
}

/** Normalizes a VOD DescribeTaskDetail answer for one of our task types. */
export function fromVodTaskDetail(kind: VodTaskKind, response: Record<string, unknown>): TaskSnapshot {
  const task = (response[VOD_TASK_TYPES[kind]] ?? {}) as VodAigcTask;
  const snapshot = fromVodTask(kind, task, typeof response.Status === "string" ? response.Status : undefined, typeof response.FinishTime === "string" ? response.FinishTime : undefined);
  return { ...snapshot, detail: response };
}

/**
 * Normalizes an MPS DescribeAigcVideoTask or DescribeAigcImageTask answer; `now` dates the 12-hour
 * URL expiry. DescribeAigcVideoTaskResponse / DescribeAigcImageTaskResponse (mps_models.d.ts):
 * - Status: "WAIT：等待中， RUN：执行中， FAIL：任务失败， DONE：任务成功";
 * - VideoUrls: "当任务状态为 DONE时，返回视频Url列表，视频存储12小时"; ImageUrls: "当任务状态为 DONE时，返回的图片Url列表，
 *   图片存储12小时" (on DONE, the URLs, kept 12 hours), so a DONE without one is not the success it claims;
 * - Message: "当任务状态为 FAIL时，返回失败信息" (on FAIL, why). MPS gives no error code for an AIGC task.
 */
export function fromMpsTask(
  response: { Status?: string; VideoUrls?: string[]; ImageUrls?: string[]; Message?: string },
  now: number,
  kind: MpsTaskKind = "mps-video",
): TaskSnapshot {
  const status = (response.Status ?? "").toUpperCase();
  if (status === "DONE") {
    const expiresAt = new Date(now + MPS_URL_TTL_MS).toISOString();
    const type = kind === "mps-image" ? ("image" as const) : ("video" as const);
    const listed = kind === "mps-image" ? response.ImageUrls : response.VideoUrls;
    const urls = (Array.isArray(listed) ? listed : []).filter((url): url is string => typeof url === "string" && url !== "");
    if (urls.length === 0) return { status: "failed", outputs: [], error: { ...OUTPUT_MISSING }, detail: response };
    return { status: "succeeded", progress: 100, outputs: urls.map((url) => ({ type, url, expiresAt })), detail: response };
  }
  if (status === "FAIL") {
    return { status: "failed", outputs: [], error: { code: "FailedOperation.AigcTask", message: response.Message || "The task failed." }, detail: response };
  }
  if (status === "RUN") return { status: "running", outputs: [], detail: response };
  return { status: "queued", outputs: [], detail: response };
}

/** True once a task can change no more. */
export function isFinal(status: TaskStatus): boolean {
  return status === "succeeded" || status === "failed";
}

/** Applies what Tencent says to a record; returns whether anything changed. */
export function applySnapshot(record: TaskRecord, snapshot: TaskSnapshot, now: number): boolean {
  if (isFinal(record.status)) return false; // a finished task's outcome never changes
  const at = new Date(now).toISOString();
  const changed = record.status !== snapshot.status || record.progress !== snapshot.progress;
  record.lastCheckedAt = at;
  record.detail = snapshot.detail;
  if (!changed) return true; // lastCheckedAt moved
  if (record.status !== snapshot.status) record.history.push({ status: snapshot.status, at });
  record.status = snapshot.status;
  if (snapshot.progress !== undefined) record.progress = snapshot.progress;
  record.updatedAt = at;
  if (isFinal(snapshot.status)) {
    record.finishedAt = snapshot.finishedAt ?? at;
    record.outputs = snapshot.outputs;
    if (snapshot.error) record.error = snapshot.error;
  }
  return true;
}

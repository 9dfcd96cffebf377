/**
 * One status for every task type, from whatever Tencent tells: VOD DescribeTaskDetail, VOD
 * completion events (whose payload is the same task object), and MPS DescribeAigcVideoTask.
 */

import type { TaskOutput, TaskStatus } from "../tasks/ledger";
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
export const VOD_TASK_TYPES: Readonly<Record<Exclude<TaskKind, "mps-video">, string>> = {
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

/**
 * Normalizes a VOD AIGC task object (DescribeTaskDetail's typed sub-object, or the payload of an
 * AigcVideoTaskComplete / AigcImageTaskComplete event). `topStatus` is DescribeTaskDetail's own
 * Status (WAITING / PROCESSING / FINISH / ABORTED) when known.
 */
export function fromVodTask(kind: TaskKind, task: VodAigcTask, topStatus?: string, finishTime?: string): TaskSnapshot {
  const status = (topStatus ?? task.Status ?? "").toUpperCase();
  const progress = typeof task.Progress === "number" ? task.Progress : undefined;
  const finishedAt = isoOrUndefined(finishTime);
  if (status === "ABORTED") {
    return { status: "failed", outputs: [], error: { code: task.ErrCodeExt || "OperationCanceled", message: task.Message || "The task was aborted." }, ...(finishedAt ? { finishedAt } : {}), detail: task };
  }
  if (status === "FINISH") {
    if (task.ErrCode && task.ErrCode !== 0) {
      return {
        status: "failed",
        outputs: [],
        error: { code: task.ErrCodeExt || `ErrCode.${task.ErrCode}`, message: task.Message || "The task failed." },
        ...(progress !== undefined ? { progress } : {}),
        ...(finishedAt ? { finishedAt } : {}),
        detail: task,
      };
    }
    return { status: "succeeded", progress: 100, outputs: vodOutputs(kind, task), ...(finishedAt ? { finishedAt } : {}), detail: task };
  }
  if (status === "PROCESSING") return { status: "running", ...(progress !== undefined ? { progress } : {}), outputs: [], detail: task };
  return { status: "queued", ...(progress !== undefined ? { progress } : {}), outputs: [], detail: task };
}

/** Normalizes a VOD DescribeTaskDetail answer for one of our task types. */
export function fromVodTaskDetail(kind: Exclude<TaskKind, "mps-video">, response: Record<string, unknown>): TaskSnapshot {
  const task = (response[VOD_TASK_TYPES[kind]] ?? {}) as VodAigcTask;
  const snapshot = fromVodTask(kind, task, typeof response.Status === "string" ? response.Status : undefined, typeof response.FinishTime === "string" ? response.FinishTime : undefined);
  return { ...snapshot, detail: response };
}

/** Normalizes an MPS DescribeAigcVideoTask answer; `now` dates the 12-hour URL expiry. */
export function fromMpsTask(response: { Status?: string; VideoUrls?: string[]; Message?: string }, now: number): TaskSnapshot {
  const status = (response.Status ?? "").toUpperCase();
  if (status === "DONE") {
    const expiresAt = new Date(now + MPS_URL_TTL_MS).toISOString();
    return {
      status: "succeeded",
      progress: 100,
      outputs: (response.VideoUrls ?? []).map((url) => ({ type: "video" as const, url, expiresAt })),
      detail: response,
    };
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

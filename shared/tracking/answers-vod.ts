/**
 * A VOD task answered in DescribeTaskDetail's shape (vod_models.d.ts, DescribeTaskDetailResponse):
 * TaskType, Status (WAITING / PROCESSING / FINISH / ABORTED), CreateTime, BeginProcessTime,
 * FinishTime, and the typed sub-object (AigcVideoTask, AigcImageTask or AigcVideoRedrawTask) with
 * its Output: `FileInfos[]` (AigcVideoTaskOutput, AigcImageTaskOutput) or `FileInfo`
 * (AigcVideoRedrawTaskOutput), each with FileUrl and ExpireTime.
 *
 * Tencent's last object is the base, so fields Tencent adds pass through; what we know better
 * replaces its values: the FileUrl of a result we kept (our presigned copy outlives Tencent's URL),
 * and the codes of a failure Tencent's object does not show (TaskOutputMissing, TaskExpired), so a
 * client reading ErrCodeExt sees the failure our status reports.
 */

import type { VodTaskKind } from "../tasks/kinds";
import type { TaskStatus } from "../tasks/ledger";
import { isObject, tencentTime, type AnsweredTask, type ShownOutput } from "./answers";
import { VOD_TASK_TYPES } from "./status";

/** DescribeTaskDetailResponse.Status for each normalized status ("WAITING：等待中；PROCESSING：处理中；FINISH：已完成；ABORTED：已终止"). */
const VOD_STATUS: Readonly<Record<TaskStatus, string>> = { queued: "WAITING", running: "PROCESSING", succeeded: "FINISH", failed: "FINISH" };

/** Tencent's whole DescribeTaskDetail answer, when the last object is one (else a completion event's task object). */
function wholeAnswer(detail: unknown, typeKey: string): Record<string, unknown> | undefined {
  return isObject(detail) && (typeof detail.TaskType === "string" || isObject(detail[typeKey])) ? detail : undefined;
}

function fileInfoOf(output: ShownOutput): Record<string, unknown> {
  const expireTime = tencentTime(output.expiresAt);
  return {
    ...(output.url ? { FileUrl: output.url } : {}),
    ...(expireTime ? { ExpireTime: expireTime } : {}),
    ...(output.fileId ? { FileId: output.fileId } : {}),
  };
}

/** Tencent's file entry, with the URL a client should download: our kept copy's when there is one. */
function withShownUrl(file: unknown, outputs: readonly ShownOutput[]): unknown {
  if (!isObject(file)) return file;
  const output = outputs.find((candidate) => (candidate.tencentUrl !== undefined && candidate.tencentUrl === file.FileUrl) || (candidate.fileId !== undefined && candidate.fileId === file.FileId));
  if (!output || output.source !== "bucket") return file;
  return { ...file, ...fileInfoOf(output) };
}

function outputOf(kind: VodTaskKind, tencentOutput: unknown, task: AnsweredTask): Record<string, unknown> {
  const succeeded = task.status === "succeeded";
  if (isObject(tencentOutput) && (tencentOutput.FileInfos !== undefined || tencentOutput.FileInfo !== undefined)) {
    const output = { ...tencentOutput };
    if (Array.isArray(output.FileInfos)) output.FileInfos = output.FileInfos.map((file) => withShownUrl(file, task.outputs));
    if (output.FileInfo !== undefined) output.FileInfo = withShownUrl(output.FileInfo, task.outputs);
    return output;
  }
  // Nothing read from Tencent yet (or it said nothing about files): the ledger's outputs, in Tencent's shape.
  const files = succeeded ? task.outputs.map(fileInfoOf) : [];
  if (kind === "vod-redraw") return files[0] ? { FileInfo: files[0] } : {};
  return { ...(isObject(tencentOutput) ? tencentOutput : {}), FileInfos: files };
}

function taskObjectOf(kind: VodTaskKind, inner: Record<string, unknown> | undefined, task: AnsweredTask): Record<string, unknown> {
  const final = task.status === "succeeded" || task.status === "failed";
  const object: Record<string, unknown> = {
    ...inner,
    TaskId: task.record.taskId,
    // The sub-object's Status is documented as PROCESSING or FINISH (WAITING is top-level only).
    Status: typeof inner?.Status === "string" && inner.Status === "ABORTED" ? "ABORTED" : final ? "FINISH" : "PROCESSING",
  };
  const progress = task.status === "succeeded" ? 100 : (task.progress ?? (typeof inner?.Progress === "number" ? inner.Progress : undefined));
  if (progress !== undefined) object.Progress = progress;
  if (task.status === "failed" && task.error) {
    const ext = typeof inner?.ErrCodeExt === "string" ? inner.ErrCodeExt.trim() : "";
    const code = typeof inner?.ErrCode === "number" ? inner.ErrCode : 0;
    if (ext === "" && code === 0) {
      object.ErrCode = 0;
      object.ErrCodeExt = task.error.code;
      object.Message = task.error.message;
    }
  }
  object.Output = outputOf(kind, inner?.Output, task);
  return object;
}

/** A VOD task in DescribeTaskDetail's shape (without RequestId). */
export function vodAnswer(task: AnsweredTask): Record<string, unknown> {
  const kind = task.record.kind as VodTaskKind;
  const typeKey = VOD_TASK_TYPES[kind];
  const whole = wholeAnswer(task.detail, typeKey);
  const inner = whole ? (isObject(whole[typeKey]) ? whole[typeKey] : undefined) : isObject(task.detail) ? task.detail : undefined;
  const final = task.status === "succeeded" || task.status === "failed";
  const aborted = whole?.Status === "ABORTED" || inner?.Status === "ABORTED";
  const { RequestId: _tencentRequestId, ...rest } = whole ?? {};
  return {
    ...rest,
    TaskType: typeKey,
    Status: final && aborted ? "ABORTED" : VOD_STATUS[task.status],
    CreateTime: tencentTime(whole?.CreateTime) ?? tencentTime(task.record.createdAt) ?? "",
    // Tencent answers empty times for what has not happened yet; so does this answer when the time is unknown.
    BeginProcessTime: tencentTime(whole?.BeginProcessTime) ?? "",
    FinishTime: final ? (tencentTime(task.finishedAt) ?? "") : "",
    [typeKey]: taskObjectOf(kind, inner, task),
  };
}

// A task as Tencent's query APIs show it. Field names and nesting follow the SDK's types
// (vod_models.d.ts: DescribeTaskDetailResponse, AigcVideoTask, AigcImageTask, AigcVideoRedrawTask
// and their Input/Output types; mps_models.d.ts: DescribeAigcVideoTaskResponse); fields the SDK
// marks optional and that have no meaning here are left out rather than sent as null.
import { ASSETS, assetBytes, type AssetName, type OutputFile } from "./outputs";
import { phaseAt, progressAt, statusOf, type TaskKind, type TaskRecord } from "./task-store";

/** The task kinds VOD runs. */
type VodKind = Exclude<TaskKind, "mps-video" | "mps-image">;

/** VOD's Temporary storage keeps result files (and their URLs) this long after the task finished. */
export const VOD_TEMPORARY_URL_MS = 7 * 24 * 60 * 60 * 1000;
/** MPS keeps AIGC results this long after the task finished. */
export const MPS_URL_MS = 12 * 60 * 60 * 1000;
/** A Permanent file without its own ExpireTime never expires; its URL is signed this far ahead. */
const PERMANENT_URL_MS = 10 * 365 * 24 * 60 * 60 * 1000;

/** The TaskType (and sub-object field name) of each VOD task kind. */
export const VOD_TASK_TYPES: Record<VodKind, "AigcVideoTask" | "AigcImageTask" | "AigcVideoRedrawTask"> = {
  "vod-video": "AigcVideoTask",
  "vod-image": "AigcImageTask",
  "vod-redraw": "AigcVideoRedrawTask",
};

export interface ViewContext {
  nowMs: number;
  /** An absolute URL for `file` that expires at `expiresAtMs`. */
  url(file: OutputFile, expiresAtMs: number): string;
}

// The request fields each task echoes in its Input (AigcVideoTaskInput, AigcImageTaskInput,
// AigcVideoRedrawTaskInput), in the SDK's order.
const INPUT_FIELDS: Record<VodKind, string[]> = {
  "vod-video": [
    "ModelName",
    "ModelVersion",
    "FileInfos",
    "SubjectInfos",
    "LastFrameFileId",
    "LastFrameUrl",
    "Prompt",
    "NegativePrompt",
    "EnhancePrompt",
    "GenerationMode",
    "OutputConfig",
    "InputRegion",
    "SceneType",
    "Seed",
    "ExtInfo",
  ],
  "vod-image": [
    "ModelName",
    "ModelVersion",
    "FileInfos",
    "Prompt",
    "NegativePrompt",
    "EnhancePrompt",
    "GenerationMode",
    "OutputConfig",
    "Seed",
    "SceneType",
    "ExtInfo",
  ],
  "vod-redraw": ["FileInfo", "TaskInfo", "OutputConfig"],
};

/** The fields of a DescribeTaskDetail answer (without RequestId) for a VOD AIGC task. */
export function describeTaskDetail(task: TaskRecord, context: ViewContext): Record<string, unknown> {
  const kind = vodKind(task);
  const phase = phaseAt(task, context.nowMs);
  return {
    TaskType: VOD_TASK_TYPES[kind],
    Status: statusOf("vod", phase),
    CreateTime: isoSeconds(task.createdAt),
    // Times that have not happened yet are empty strings (stand-in choice, see the report).
    BeginProcessTime: phase === "queued" ? "" : isoSeconds(task.beginAt),
    FinishTime: phase === "succeeded" || phase === "failed" ? isoSeconds(task.finishAt) : "",
    [VOD_TASK_TYPES[kind]]: vodTaskInfo(task, context),
  };
}

/** The typed sub-object (AigcVideoTask, AigcImageTask or AigcVideoRedrawTask), also the payload of completion events. */
export function vodTaskInfo(task: TaskRecord, context: ViewContext): Record<string, unknown> {
  const kind = vodKind(task);
  const phase = phaseAt(task, context.nowMs);
  const finished = phase === "succeeded" || phase === "failed";
  const failure = phase === "failed" ? task.failure : undefined;
  return {
    TaskId: task.taskId,
    // The SDK documents only PROCESSING and FINISH for the sub-object; WAITING is top-level only.
    Status: finished ? "FINISH" : "PROCESSING",
    ErrCode: failure?.errCode ?? 0,
    ErrCodeExt: failure?.errCodeExt ?? "",
    Message: failure?.message ?? (phase === "succeeded" ? "SUCCESS" : ""),
    Progress: progressAt(task, context.nowMs),
    Input: pick(task.params, INPUT_FIELDS[kind]),
    Output: vodOutput(task, kind, phase === "succeeded", context),
    SessionId: task.sessionId ?? "",
    SessionContext: task.sessionContext ?? "",
  };
}

/** The fields of a DescribeAigcVideoTask answer (without RequestId) for an MPS task. */
export function describeAigcVideoTask(task: TaskRecord, context: ViewContext): Record<string, unknown> {
  const phase = phaseAt(task, context.nowMs);
  const done = phase === "succeeded";
  const video = ASSETS.video;
  return {
    Status: statusOf("mps", phase),
    VideoUrls: done ? task.outputs.map((file) => context.url(file, task.finishAt + MPS_URL_MS)) : [],
    Resolution: done ? `${video.width}x${video.height}` : "",
    // Tencent's example answers "ok" for a DONE task.
    Message: phase === "failed" ? (task.failure?.message ?? "") : done ? "ok" : "",
  };
}

/** The fields of a DescribeAigcImageTask answer (without RequestId) for an MPS image task: Status, ImageUrls (kept 12 hours), Message. */
export function describeAigcImageTask(task: TaskRecord, context: ViewContext): Record<string, unknown> {
  const phase = phaseAt(task, context.nowMs);
  const done = phase === "succeeded";
  return {
    Status: statusOf("mps", phase),
    ImageUrls: done ? task.outputs.map((file) => context.url(file, task.finishAt + MPS_URL_MS)) : [],
    Message: phase === "failed" ? (task.failure?.message ?? "") : done ? "ok" : "",
  };
}

/** When a task's result URLs stop working, server clock unix ms. */
export function urlExpiry(task: TaskRecord): number {
  if (task.service === "mps") return task.finishAt + MPS_URL_MS;
  const config = outputConfig(task);
  if (config["StorageMode"] !== "Permanent") return task.finishAt + VOD_TEMPORARY_URL_MS;
  const expireTime = typeof config["ExpireTime"] === "string" ? Date.parse(config["ExpireTime"]) : Number.NaN;
  return Number.isFinite(expireTime) ? expireTime : task.finishAt + PERMANENT_URL_MS;
}

/** ISO 8601 in Tencent's form: seconds, UTC, `Z`. */
export function isoSeconds(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
}

function vodOutput(task: TaskRecord, kind: VodKind, succeeded: boolean, context: ViewContext): Record<string, unknown> {
  const files = succeeded ? task.outputs.map((file, index) => fileInfo(task, file, index, context)) : [];
  // Redraw has a single FileInfo (AigcVideoRedrawTaskOutput), the others a FileInfos array.
  if (kind === "vod-redraw") return files[0] ? { FileInfo: files[0] } : {};
  return { FileInfos: files };
}

function fileInfo(task: TaskRecord, file: OutputFile, index: number, context: ViewContext): Record<string, unknown> {
  const config = outputConfig(task);
  const permanent = config["StorageMode"] === "Permanent";
  const expiresAt = urlExpiry(task);
  return {
    StorageMode: permanent ? "Permanent" : "Temporary",
    MediaName: permanent && typeof config["MediaName"] === "string" ? config["MediaName"] : "",
    ClassId: permanent && typeof config["ClassId"] === "number" ? config["ClassId"] : 0,
    ExpireTime: permanent ? (typeof config["ExpireTime"] === "string" ? config["ExpireTime"] : "") : isoSeconds(expiresAt),
    FileType: ASSETS[file.asset].fileType,
    FileUrl: context.url(file, expiresAt),
    FileId: permanent ? (task.fileIds?.[index] ?? "") : "",
    MetaData: metaData(file.asset),
  };
}

function metaData(asset: AssetName): Record<string, unknown> {
  const facts = ASSETS[asset];
  const size = assetBytes(asset).length;
  const bitrate = facts.duration > 0 ? Math.round((size * 8) / facts.duration) : 0;
  return {
    Size: size,
    Container: facts.fileType,
    Bitrate: bitrate,
    Height: facts.height,
    Width: facts.width,
    Duration: facts.duration,
    Rotate: 0,
    VideoStreamSet:
      facts.duration > 0 ? [{ Bitrate: bitrate, Height: facts.height, Width: facts.width, Codec: facts.codec ?? "", Fps: facts.fps ?? 0 }] : [],
    AudioStreamSet: [],
    VideoDuration: facts.duration,
    AudioDuration: 0,
  };
}

function outputConfig(task: TaskRecord): Record<string, unknown> {
  const config = task.params["OutputConfig"];
  return typeof config === "object" && config !== null && !Array.isArray(config) ? (config as Record<string, unknown>) : {};
}

function vodKind(task: TaskRecord): VodKind {
  if (task.kind === "mps-video" || task.kind === "mps-image") throw new Error(`task ${task.taskId} is an MPS task`);
  return task.kind;
}

function pick(params: Record<string, unknown>, fields: string[]): Record<string, unknown> {
  const input: Record<string, unknown> = {};
  for (const field of fields) {
    const value = params[field];
    if (value !== undefined) input[field] = field === "FileInfos" || field === "FileInfo" ? withoutBase64(value) : value;
  }
  return input;
}

function withoutBase64(value: unknown): unknown {
  // Echoing megabytes of inline file content back on every poll helps nobody; the stand-in
  // keeps the file entries but drops their Base64 (what Tencent echoes there is unknown).
  if (Array.isArray(value)) return value.map(withoutBase64);
  if (typeof value !== "object" || value === null) return value;
  const { Base64: _omitted, ...rest } = value as Record<string, unknown>;
  return rest;
}

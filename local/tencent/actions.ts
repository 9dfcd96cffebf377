// The actions the stand-in serves (the AIGC creates, and the queries and event calls that follow
// a task), with the light request checks Tencent applies before acting. Model-specific rules
// (durations, resolutions) are deliberately absent: the product validates those from its
// catalog, and duplicating them here would hide its bugs.
import { randomBytes } from "node:crypto";
import { TencentApiError, missingParameter } from "./api-error";
import type { TaskKind } from "./task-store";

export type ServiceName = "vod" | "mps";

/** API version each service answers; any other X-TC-Version is NoSuchVersion. */
export const SERVICE_VERSIONS: Record<ServiceName, string> = { vod: "2018-07-17", mps: "2019-06-12" };

/** What an action does, which decides how the server answers it. */
export type ActionKind = "create" | "describe-task-detail" | "pull-events" | "confirm-events" | "describe-aigc-video-task" | "describe-aigc-image-task";

export interface ActionSpec {
  service: ServiceName;
  action: string;
  kind: ActionKind;
  /** Middle part of a VOD TaskId, e.g. "AigcVideo"; creates only. */
  taskType?: string;
  /** What a create makes; creates only. */
  taskKind?: TaskKind;
  /** Tencent's documented default limit, requests per second per account. */
  rateLimit: number;
  /** Checks the parsed body; throws TencentApiError. */
  check(params: Record<string, unknown>): void;
}

/** ConfirmEvents takes at most this many handles. */
export const MAX_EVENT_HANDLES = 16;

const SESSION_ID_MAX = 50;
const SESSION_CONTEXT_MAX = 1000;

const MPS_CREATE_AIGC_VIDEO_FIELDS = new Set([
  "ModelName",
  "ModelVersion",
  "SceneType",
  "Prompt",
  "NegativePrompt",
  "EnhancePrompt",
  "ImageUrl",
  "LastImageUrl",
  "ImageInfos",
  "VideoInfos",
  "AudioInfos",
  "SubjectInfos",
  "Duration",
  "ExtraParameters",
  "StoreCosParam",
  "AdditionalParameters",
  "Operator",
]);

/** mps_models.d.ts CreateAigcImageTaskRequest (4.1.313). */
const MPS_CREATE_AIGC_IMAGE_FIELDS = new Set([
  "ModelName",
  "ModelVersion",
  "SceneType",
  "Prompt",
  "NegativePrompt",
  "EnhancePrompt",
  "ImageInfos",
  "OutputImageCount",
  "ExtraParameters",
  "AdditionalParameters",
  "StoreCosParam",
  "Operator",
]);

const ACTIONS: ActionSpec[] = [
  {
    service: "vod",
    action: "CreateAigcVideoTask",
    kind: "create",
    taskType: "AigcVideo",
    taskKind: "vod-video",
    rateLimit: 20,
    check: (params) => {
      checkVodCommon(params);
      requireString(params, "ModelName");
      requireString(params, "ModelVersion");
    },
  },
  {
    service: "vod",
    action: "CreateAigcImageTask",
    kind: "create",
    taskType: "AigcImage",
    taskKind: "vod-image",
    rateLimit: 20,
    check: (params) => {
      checkVodCommon(params);
      requireString(params, "ModelName");
      requireString(params, "ModelVersion");
    },
  },
  {
    service: "vod",
    action: "CreateAigcVideoRedrawTask",
    kind: "create",
    taskType: "AigcVideoRedrawTask",
    taskKind: "vod-redraw",
    rateLimit: 20,
    check: checkVodCommon,
  },
  {
    service: "vod",
    action: "DescribeTaskDetail",
    kind: "describe-task-detail",
    // Tencent's page for this action documents 100 requests per second.
    rateLimit: 100,
    check: (params) => {
      requireString(params, "TaskId");
      checkOptionalSubAppId(params);
    },
  },
  {
    service: "vod",
    action: "PullEvents",
    kind: "pull-events",
    rateLimit: 100,
    check: (params) => {
      checkOptionalSubAppId(params);
      optionalString(params, "ExtInfo");
    },
  },
  {
    service: "vod",
    action: "ConfirmEvents",
    kind: "confirm-events",
    rateLimit: 100,
    check: (params) => {
      const handles = params["EventHandles"];
      if (handles === undefined) throw missingParameter("EventHandles");
      if (!Array.isArray(handles) || handles.some((handle) => typeof handle !== "string")) {
        throw new TencentApiError("InvalidParameter", "The parameter `EventHandles` must be an array of strings.");
      }
      if (handles.length === 0 || handles.length > MAX_EVENT_HANDLES) {
        throw new TencentApiError("InvalidParameterValue", `EventHandles must hold 1 to ${MAX_EVENT_HANDLES} handles.`);
      }
      checkOptionalSubAppId(params);
      optionalString(params, "ExtInfo");
    },
  },
  {
    service: "mps",
    action: "CreateAigcVideoTask",
    kind: "create",
    taskType: "AigcVideo",
    taskKind: "mps-video",
    rateLimit: 10,
    // MPS knows no SubAppId or SessionId, and rejects any field it does not define.
    check: (params) => rejectUnknown(params, MPS_CREATE_AIGC_VIDEO_FIELDS),
  },
  {
    service: "mps",
    action: "DescribeAigcVideoTask",
    kind: "describe-aigc-video-task",
    rateLimit: 50,
    check: (params) => {
      rejectUnknown(params, new Set(["TaskId"]));
      requireString(params, "TaskId");
    },
  },
  {
    service: "mps",
    action: "CreateAigcImageTask",
    kind: "create",
    taskType: "AigcImage",
    taskKind: "mps-image",
    rateLimit: 10,
    check: (params) => rejectUnknown(params, MPS_CREATE_AIGC_IMAGE_FIELDS),
  },
  {
    service: "mps",
    action: "DescribeAigcImageTask",
    kind: "describe-aigc-image-task",
    rateLimit: 50,
    check: (params) => {
      rejectUnknown(params, new Set(["TaskId"]));
      requireString(params, "TaskId");
    },
  },
];

/** The spec of `action` on `service`, or undefined when the stand-in does not serve it. */
export function findAction(service: ServiceName, action: string): ActionSpec | undefined {
  return ACTIONS.find((spec) => spec.service === service && spec.action === action);
}

/** Narrows a Host-derived label to a served service. */
export function isServiceName(value: string): value is ServiceName {
  return value === "vod" || value === "mps";
}

/** A VOD TaskId as Tencent formats it: `<SubAppId>-<TaskType>-<32 hex>t`. */
export function newVodTaskId(subAppId: number, taskType: string): string {
  return `${subAppId}-${taskType}-${randomBytes(16).toString("hex")}t`;
}

/** Issues MPS TaskIds: numeric strings of 10+ digits, increasing like Tencent's. */
export function mpsTaskIdSequence(): () => string {
  let next = 2_147_483_648 + Math.floor(Math.random() * 1_000_000_000);
  return () => String(next++);
}

function checkVodCommon(params: Record<string, unknown>): void {
  if (params["SubAppId"] === undefined) throw missingParameter("SubAppId");
  checkOptionalSubAppId(params);
  const sessionId = optionalString(params, "SessionId");
  if (sessionId !== undefined && [...sessionId].length > SESSION_ID_MAX) {
    throw new TencentApiError("InvalidParameterValue.SessionIdTooLong", `SessionId exceeds ${SESSION_ID_MAX} characters.`);
  }
  const sessionContext = optionalString(params, "SessionContext");
  if (sessionContext !== undefined && [...sessionContext].length > SESSION_CONTEXT_MAX) {
    throw new TencentApiError(
      "InvalidParameterValue.SessionContextTooLong",
      `SessionContext exceeds ${SESSION_CONTEXT_MAX} characters.`,
    );
  }
  const priority = params["TasksPriority"];
  if (priority !== undefined && (typeof priority !== "number" || !Number.isInteger(priority) || priority < -10 || priority > 10)) {
    throw new TencentApiError("InvalidParameterValue.TasksPriority", "TasksPriority must be an integer from -10 to 10.");
  }
}

function checkOptionalSubAppId(params: Record<string, unknown>): void {
  const subAppId = params["SubAppId"];
  if (subAppId !== undefined && (typeof subAppId !== "number" || !Number.isSafeInteger(subAppId) || subAppId <= 0)) {
    throw new TencentApiError("InvalidParameterValue.SubAppId", "Invalid parameter value: SubAppId must be a positive integer.");
  }
}

function rejectUnknown(params: Record<string, unknown>, known: Set<string>): void {
  for (const name of Object.keys(params)) {
    if (!known.has(name)) throw new TencentApiError("UnknownParameter", `The parameter \`${name}\` is not recognized.`);
  }
}

function requireString(params: Record<string, unknown>, name: string): void {
  if (params[name] === undefined) throw missingParameter(name);
  optionalString(params, name);
}

function optionalString(params: Record<string, unknown>, name: string): string | undefined {
  const value = params[name];
  if (value === undefined || typeof value === "string") return value;
  throw new TencentApiError("InvalidParameter", `The parameter \`${name}\` must be a string.`);
}

/**
 * JSON Schemas of the API description: request bodies converted from the zod schemas that validate
 * them, and the answers and webhook payloads, written against the TypeScript types that produce them
 * (each `properties` map must name exactly the type's keys, so the compiler catches a field added to
 * one and not the other; test/unit/openapi.test.ts validates real answers against them).
 * Build time only: zod's JSON Schema converter is not bundled into functions.
 */

import { z } from "zod";
import { MAX_CALLBACK_URL_LENGTH } from "../http/callback-url";
import type { ProblemBody } from "../http/problem";
import type { DeliveryState, TaskOutput, TaskStatus } from "../tasks/ledger";
import type { TencentService } from "../tencent/clients";
import { OWN_VIEW_KEY, type TaskView, type TaskViewDelivery, type TaskViewOutput } from "../tracking/answers";
import { MPS_ANSWER_SHAPES } from "../tracking/answers-mps";
import { TASK_ID } from "../tracking/query";
import { VOD_TASK_TYPES } from "../tracking/status";
import { DEFAULT_WEBHOOK_EVENTS, WEBHOOK_EVENT_TYPES } from "../tracking/webhook-events";
import type { TaskEventOutput, TaskEventPayload, TaskEventType } from "../tracking/webhooks";
import { requestSchemas, toSnakeCase, type FieldIssue, type TaskKind } from "../validation";
import { INFERRED_RULE_WARNING, RENAMED_MODEL_WARNING, UNLISTED_VERSION_WARNING } from "../validation/rules/model-check";

/** A JSON Schema (2020-12, OpenAPI 3.1's dialect) as plain data. */
export type JsonSchema = { [keyword: string]: unknown };

/** Every member of a string union, as a list; the compiler checks the record names each one, and nothing else. */
export function members<T extends string>(all: Record<T, true>): T[] {
  return Object.keys(all) as T[];
}

const TASK_STATUSES = members<TaskStatus>({ queued: true, running: true, succeeded: true, failed: true });
const OUTPUT_TYPES = members<TaskOutput["type"]>({ video: true, image: true, file: true });
const DELIVERY_STATES = members<DeliveryState["state"]>({ pending: true, delivered: true, undeliverable: true });
const OUTPUT_SOURCES = members<TaskViewOutput["Source"]>({ tencent: true, bucket: true });
/** The events a task sends. */
export const TASK_EVENT_TYPES = members<TaskEventType>({ "task.started": true, "task.succeeded": true, "task.failed": true });

const dateTime = (description: string): JsonSchema => ({ type: "string", format: "date-time", description });
const ref = (name: string): JsonSchema => ({ $ref: `#/components/schemas/${name}` });

/** Renames every property (and `required` entry) of a converted schema with `rename`, at any depth. */
export function renameProperties(schema: unknown, rename: (key: string) => string): unknown {
  if (Array.isArray(schema)) return schema.map((item) => renameProperties(item, rename));
  if (!schema || typeof schema !== "object") return schema;
  const out: JsonSchema = {};
  for (const [keyword, value] of Object.entries(schema)) {
    if ((keyword === "properties" || keyword === "patternProperties") && value && typeof value === "object") {
      out[keyword] = Object.fromEntries(Object.entries(value).map(([key, child]) => [keyword === "properties" ? rename(key) : key, renameProperties(child, rename)]));
    } else if (keyword === "required" && Array.isArray(value)) {
      out[keyword] = value.map((key) => (typeof key === "string" ? rename(key) : key));
    } else if (keyword === "enum" || keyword === "const" || keyword === "examples" || keyword === "default") {
      out[keyword] = value; // values, not keys: Tencent's enum values keep their spelling in any key style
    } else {
      out[keyword] = renameProperties(value, rename);
    }
  }
  return out;
}

/** Our own body field: where the webhook goes when the task ends (taken out before Tencent's fields are validated). */
function callbackUrlSchema(): JsonSchema {
  return {
    type: "string",
    format: "uri",
    maxLength: MAX_CALLBACK_URL_LENGTH,
    description:
      "Not a Tencent parameter: asks for a Standard Webhooks POST (see `webhooks`) when the task ends. Must be https; private, loopback and link-local targets are refused.",
  };
}

/** Our own body field: which webhook events the task sends (taken out before Tencent's fields are validated). */
function webhookEventsSchema(): JsonSchema {
  return {
    type: "array",
    minItems: 1,
    items: { type: "string", enum: [...WEBHOOK_EVENT_TYPES] },
    default: [...DEFAULT_WEBHOOK_EVENTS],
    description:
      "Not a Tencent parameter: which webhooks (see `webhooks`) the task sends to `CallbackUrl`, which it needs. Default: the two final events. `task.started` is sent once, when Tencent is first seen reporting the task processing; a task first seen when already finished sends none. Duplicates are ignored.",
  };
}

/** The create-request schemas of one task kind: Tencent's PascalCase, and the same fields in snake_case. */
export function createRequestSchemas(kind: TaskKind): { pascal: JsonSchema; snake: JsonSchema } {
  const { $schema: _dialect, ...converted } = z.toJSONSchema(requestSchemas[kind], { io: "input" }) as JsonSchema;
  const pascal: JsonSchema = { ...converted, properties: { ...(converted.properties as JsonSchema), CallbackUrl: callbackUrlSchema(), WebhookEvents: webhookEventsSchema() } };
  const snake = renameProperties(pascal, toSnakeCase) as JsonSchema;
  return {
    pascal,
    snake: { ...snake, title: `${String(converted.title ?? kind)}, snake_case`, description: "The same fields in snake_case (camelCase is accepted too)." },
  };
}

/** One warning of a create answer: a field the request was sent with although it may not be honoured. */
function warningSchema(): JsonSchema {
  const properties = {
    field: { type: "string", description: "The field as the client spelled it, e.g. OutputConfig.Duration or ModelVersion." },
    code: {
      type: "string",
      description: "Why: a rule the catalog only infers was broken, an old model name was renamed, a version the catalog does not list was sent, or another check that only warns.",
      examples: [INFERRED_RULE_WARNING, RENAMED_MODEL_WARNING, UNLISTED_VERSION_WARNING],
    },
    message: { type: "string", description: "What was sent anyway, and where the rule it breaks comes from." },
  } satisfies Record<keyof FieldIssue, JsonSchema>;
  return { type: "object", required: ["field", "code", "message"], properties, additionalProperties: false };
}

/** `{"Response":{"TaskId","RequestId"}}`, Tencent's own envelope of a create, plus our `Warnings` when there are any. */
export function createTaskResponseSchema(): JsonSchema {
  return {
    type: "object",
    required: ["Response"],
    properties: {
      Response: {
        type: "object",
        required: ["TaskId", "RequestId"],
        properties: {
          TaskId: { type: "string", description: "Tencent's task id; follow it with the query route of the same service." },
          RequestId: { type: "string", description: "Tencent's RequestId of the create call (ours is in X-Request-Id)." },
          Warnings: {
            type: "array",
            minItems: 1,
            items: warningSchema(),
            description: "Not Tencent's: present only when the request was sent although some of it may not be honoured (a rule the catalog only infers, an unlisted version, a renamed model). Absent when there is nothing to warn about.",
          },
        },
        additionalProperties: false,
      },
    },
    additionalProperties: false,
  };
}

function deliverySchema(): JsonSchema {
  const properties = {
    State: { type: "string", enum: DELIVERY_STATES },
    Attempts: { type: "integer", minimum: 0 },
    LastAttemptAt: dateTime("When the last attempt was made."),
    NextAttemptAt: dateTime("When the next attempt is due."),
    DeliveredAt: dateTime("When it was delivered."),
    LastError: { type: "string", description: "Why the last webhook attempt failed (webhook only)." },
  } satisfies Record<keyof TaskViewDelivery, JsonSchema>;
  return { type: "object", required: ["State", "Attempts"], properties, additionalProperties: false };
}

/** The product's own view of a task, under `Response.aigcScf` of a query answer. */
function taskViewSchema(): JsonSchema {
  const output = {
    Type: { type: "string", enum: OUTPUT_TYPES },
    Url: { type: "string", format: "uri", description: "Download URL: a presigned URL of our copy (Source bucket), else Tencent's temporary one." },
    ExpiresAt: dateTime("When Url stops working."),
    FileId: { type: "string", description: "VOD FileId of the result in VOD storage." },
    Source: { type: "string", enum: OUTPUT_SOURCES, description: "bucket: a copy kept in our bucket; tencent: Tencent's own, temporary URL." },
  } satisfies Record<keyof TaskViewOutput, JsonSchema>;
  const view = {
    TaskId: { type: "string", pattern: TASK_ID.source },
    TaskType: { type: "string", enum: Object.keys(requestSchemas), description: "Which create route made the task, as in webhooks." },
    Status: { type: "string", enum: TASK_STATUSES, description: "The normalized status; Tencent's own is the Status beside this object." },
    Progress: { type: "number", minimum: 0, maximum: 100 },
    CreatedAt: dateTime("When the task was created."),
    UpdatedAt: dateTime("When this state was last read from Tencent or changed."),
    FinishedAt: dateTime("When the task ended: Tencent's finish time where Tencent gives one (VOD), else when the product saw it end."),
    Outputs: { type: "array", items: { type: "object", required: ["Type", "Source"], properties: output, additionalProperties: false } },
    Error: ref("TaskError"),
    Delivery: {
      type: "object",
      properties: {
        Webhook: ref("TaskDelivery"),
        WebhookStarted: ref("TaskDelivery"),
        Bucket: ref("TaskDelivery"),
        Keep: ref("TaskDelivery"),
      } satisfies Record<keyof NonNullable<TaskView["Delivery"]>, JsonSchema>,
      additionalProperties: false,
      description: "Webhook: the CallbackUrl delivery of the final event (task.succeeded / task.failed); WebhookStarted: the task.started webhook, once the task was seen running (WebhookEvents); Bucket: a redraw-on-upload result written to the bucket; Keep: the copy kept with AIGC_KEEP_RESULTS.",
    },
    Stale: { const: true, description: "Tencent could not be asked: the state is the ledger's, as of UpdatedAt." },
  } satisfies Record<keyof TaskView, JsonSchema>;
  return {
    type: "object",
    required: ["TaskId", "TaskType", "Status", "CreatedAt", "UpdatedAt", "Outputs"],
    properties: view,
    additionalProperties: false,
    description: "Not Tencent's: the product's own view of the task (normalized status, progress, outputs, error, deliveries), the same fields a webhook carries.",
  };
}

const OWN_VIEW = { $ref: "#/components/schemas/TaskView", description: "Not Tencent's: the product's own view (a camelCase key, so it never collides with a Tencent field)." };
const REQUEST_ID = { type: "string", description: "Our request id (also in X-Request-Id), in Tencent's place for it." };
const TENCENT_TIME = (description: string): JsonSchema => ({ type: "string", description: `${description} ISO 8601 in Tencent's form (2025-12-29T12:03:43Z); empty while unknown.` });

function vodFileInfoSchema(): JsonSchema {
  return {
    type: "object",
    properties: {
      FileUrl: { type: "string", description: "The file's URL: a presigned URL of our copy when the result was kept (AIGC_KEEP_RESULTS), else Tencent's." },
      ExpireTime: { type: "string", description: "When FileUrl stops working (Tencent's form)." },
      FileId: { type: "string" },
      FileType: { type: "string" },
      StorageMode: { type: "string" },
    },
    description: "Tencent's AigcVideoTaskOutputFileInfo / AigcImageTaskOutputFileInfo / AigcVideoRedrawOutputFileInfo; Tencent's other fields pass through.",
  };
}

/** A VOD query answer: DescribeTaskDetail's shape, plus our view. */
export function vodTaskQueryResponseSchema(): JsonSchema {
  const fileInfo = vodFileInfoSchema();
  const taskObject: JsonSchema = {
    type: "object",
    required: ["TaskId", "Status", "Output"],
    properties: {
      TaskId: { type: "string" },
      Status: { type: "string", enum: ["PROCESSING", "FINISH", "ABORTED"] },
      ErrCode: { type: "integer" },
      ErrCodeExt: { type: "string", description: "Empty on success; the failure's code otherwise (ours, e.g. TaskOutputMissing or TaskExpired, when Tencent's object shows none)." },
      Message: { type: "string" },
      Progress: { type: "number", minimum: 0, maximum: 100 },
      Input: { type: "object" },
      Output: {
        type: "object",
        properties: { FileInfos: { type: "array", items: fileInfo }, FileInfo: fileInfo },
        description: "FileInfos[] for video and image tasks, FileInfo for redraw tasks (AigcVideoRedrawTaskOutput).",
      },
    },
    description: "Tencent's task object; Tencent's other fields (SessionId, SessionContext, …) pass through.",
  };
  const typeKeys = Object.values(VOD_TASK_TYPES);
  return {
    type: "object",
    required: ["Response"],
    properties: {
      Response: {
        type: "object",
        required: ["TaskType", "Status", "CreateTime", "BeginProcessTime", "FinishTime", OWN_VIEW_KEY, "RequestId"],
        properties: {
          TaskType: { type: "string", enum: typeKeys },
          Status: { type: "string", enum: ["WAITING", "PROCESSING", "FINISH", "ABORTED"], description: "Tencent's status; FINISH also for a failed task (read ErrCode / ErrCodeExt)." },
          CreateTime: TENCENT_TIME("When the task was created."),
          BeginProcessTime: TENCENT_TIME("When Tencent began the task."),
          FinishTime: TENCENT_TIME("When the task ended."),
          ...Object.fromEntries(typeKeys.map((key) => [key, taskObject])),
          [OWN_VIEW_KEY]: OWN_VIEW,
          RequestId: REQUEST_ID,
        },
        description: "VOD DescribeTaskDetail's answer (vod_models.d.ts DescribeTaskDetailResponse) with our view beside it.",
      },
    },
    additionalProperties: false,
  };
}

/** An MPS query answer: DescribeAigcVideoTask's shape (DescribeAigcImageTask's for image tasks), plus our view. */
export function mpsTaskQueryResponseSchema(): JsonSchema {
  const urlFields = [...new Set(Object.values(MPS_ANSWER_SHAPES).map((shape) => shape.urlsField))];
  return {
    type: "object",
    required: ["Response"],
    properties: {
      Response: {
        type: "object",
        required: ["Status", "Message", OWN_VIEW_KEY, "RequestId"],
        properties: {
          Status: { type: "string", enum: ["WAIT", "RUN", "DONE", "FAIL"] },
          ...Object.fromEntries(urlFields.map((field) => [field, { type: "array", items: { type: "string" }, description: "On DONE, the results' URLs: our presigned copies when kept (AIGC_KEEP_RESULTS), else MPS's (kept 12 hours)." }])),
          Resolution: { type: "string", description: "Video tasks: the output's resolution." },
          Message: { type: "string", description: "On FAIL, why." },
          [OWN_VIEW_KEY]: OWN_VIEW,
          RequestId: REQUEST_ID,
        },
        description: `MPS ${Object.values(MPS_ANSWER_SHAPES).map((shape) => shape.action).join(" / ")} answer (by the task's type), with our view beside it.`,
      },
    },
    additionalProperties: false,
  };
}

/** The component name of a query route's answer schema. */
export function queryResponseSchemaName(service: TencentService): string {
  return service === "vod" ? "VodTaskQueryResponse" : "MpsTaskQueryResponse";
}

const EXAMPLE_VIEW: TaskView = {
  TaskId: "251007502-AigcVideo-9d0a6c1f3e2b4a5c8d7e6f5a4b3c2d1et",
  TaskType: "vod-video",
  Status: "succeeded",
  Progress: 100,
  CreatedAt: "2025-10-21T08:00:00.000Z",
  UpdatedAt: "2025-10-21T08:01:30.000Z",
  FinishedAt: "2025-10-21T08:01:12.000Z",
  Outputs: [{ Type: "video", Url: "https://251007502.vod-qcloud.com/aigc/result.mp4", ExpiresAt: "2025-10-28T08:01:12.000Z", FileId: "5145403699605999621", Source: "tencent" }],
  Delivery: { Webhook: { State: "delivered", Attempts: 1, LastAttemptAt: "2025-10-21T08:01:30.000Z", DeliveredAt: "2025-10-21T08:01:30.000Z" } },
};

/** The example answers (without RequestId) of the query routes: a finished VOD video task, a finished MPS video task. */
export const QUERY_EXAMPLES: Readonly<Record<TencentService, Record<string, unknown> & { [OWN_VIEW_KEY]: TaskView }>> = {
  vod: {
    TaskType: "AigcVideoTask",
    Status: "FINISH",
    CreateTime: "2025-10-21T08:00:00Z",
    BeginProcessTime: "2025-10-21T08:00:02Z",
    FinishTime: "2025-10-21T08:01:12Z",
    AigcVideoTask: {
      TaskId: EXAMPLE_VIEW.TaskId,
      Status: "FINISH",
      ErrCode: 0,
      ErrCodeExt: "",
      Message: "SUCCESS",
      Progress: 100,
      Input: { ModelName: "Kling", ModelVersion: "2.1", Prompt: "a lighthouse at dusk" },
      Output: { FileInfos: [{ StorageMode: "Temporary", FileType: "mp4", FileUrl: "https://251007502.vod-qcloud.com/aigc/result.mp4", ExpireTime: "2025-10-28T08:01:12Z", FileId: "5145403699605999621" }] },
    },
    [OWN_VIEW_KEY]: EXAMPLE_VIEW,
  },
  mps: {
    Status: "DONE",
    VideoUrls: ["https://mps-1250000000.cos.ap-guangzhou.myqcloud.com/aigc/result.mp4"],
    Resolution: "1920x1088",
    Message: "ok",
    [OWN_VIEW_KEY]: {
      ...EXAMPLE_VIEW,
      TaskId: "1250000000-AigcVideo-5c8d7e6f5a4b3c2d1e0f9a8b7c6d5e4f",
      TaskType: "mps-video",
      FinishedAt: "2025-10-21T08:01:30.000Z",
      Outputs: [{ Type: "video", Url: "https://mps-1250000000.cos.ap-guangzhou.myqcloud.com/aigc/result.mp4", ExpiresAt: "2025-10-21T20:01:30.000Z", Source: "tencent" }],
    },
  },
};

/** The body of a task webhook (`task.started`, `task.succeeded` / `task.failed`). */
export function taskEventSchema(): JsonSchema {
  type Data = TaskEventPayload["data"];
  const output = {
    Type: { type: "string", enum: OUTPUT_TYPES },
    Url: { type: "string", format: "uri" },
    ExpiresAt: dateTime("When Url stops working."),
    FileId: { type: "string" },
  } satisfies Record<keyof TaskEventOutput, JsonSchema>;
  const data = {
    TaskId: { type: "string" },
    TaskType: { type: "string", enum: Object.keys(requestSchemas), description: "Which create route made the task." },
    Status: { type: "string", enum: ["running", "succeeded", "failed"] satisfies Data["Status"][], description: "`running` in task.started, else the outcome." },
    Progress: { type: "number", minimum: 0, maximum: 100 },
    Outputs: { type: "array", items: { type: "object", required: ["Type"], properties: output, additionalProperties: false } },
    Error: ref("TaskError"),
    CreatedAt: dateTime("When the task was created."),
    FinishedAt: dateTime("When the task ended."),
  } satisfies Record<keyof Data, JsonSchema>;
  const properties = {
    type: { type: "string", enum: TASK_EVENT_TYPES },
    timestamp: dateTime("When the task ended, or, in task.started, when it was first seen running (not when this attempt was sent)."),
    data: { type: "object", required: ["TaskId", "TaskType", "Status", "Outputs", "CreatedAt"], properties: data, additionalProperties: false },
  } satisfies Record<keyof TaskEventPayload, JsonSchema>;
  return { type: "object", required: ["type", "timestamp", "data"], properties, additionalProperties: false };
}

/** The RFC 9457 body of every error answer; `types` are every problem type URI. */
export function problemSchema(types: readonly string[], statuses: readonly number[]): JsonSchema {
  const issue = {
    field: { type: "string", description: "The field as the client spelled it, e.g. output_config.aspect_ratio or FileInfos[1].Url." },
    message: { type: "string" },
    code: { type: "string" },
  } satisfies Record<keyof FieldIssue, JsonSchema>;
  const properties = {
    type: { type: "string", enum: [...types], description: "What kind of problem; each one is listed with its status in the description of the API." },
    title: { type: "string", description: "The same for every problem of a type." },
    status: { type: "integer", enum: [...statuses] },
    detail: { type: "string", description: "What happened to this request (Tencent's message when Tencent refused the input; never internals in a 5xx)." },
    code: { type: "string", description: "A Tencent-style error code, e.g. InvalidParameterValue.Duration, AuthFailure.InvalidToken, or Tencent's own." },
    requestId: { type: "string", description: "Our request id (also in X-Request-Id): quote it when reporting a problem." },
    errors: { type: "array", items: { type: "object", required: ["field", "message", "code"], properties: issue, additionalProperties: false }, description: "Every invalid field (400 invalid-request)." },
    upstreamRequestId: { type: "string", description: "Tencent's RequestId, when Tencent answered." },
    sessionId: { type: "string", description: "The SessionId the create ran under (409 duplicate-session)." },
    Response: {
      type: "object",
      required: ["Error", "RequestId"],
      properties: {
        Error: {
          type: "object",
          required: ["Code", "Message"],
          properties: { Code: { type: "string", description: "The same as code." }, Message: { type: "string", description: "The same as detail." } },
          additionalProperties: false,
        },
        RequestId: { type: "string", description: "The same as requestId." },
      },
      additionalProperties: false,
      description: "Tencent's error envelope (an RFC 9457 extension member), so clients written for Tencent or a relay read Response.Error.Code.",
    },
  } satisfies Record<keyof ProblemBody, JsonSchema>;
  return { type: "object", required: ["type", "title", "status", "detail", "code", "requestId", "Response"], properties, additionalProperties: false };
}

/** `{ Code, Message }` of a failed task. */
export function taskErrorSchema(): JsonSchema {
  return {
    type: "object",
    required: ["Code", "Message"],
    properties: { Code: { type: "string", description: "Tencent's error code for the task." }, Message: { type: "string" } },
    additionalProperties: false,
  };
}

/** The schemas every description shares, by component name. */
export function sharedSchemas(problemTypes: readonly string[], problemStatuses: readonly number[]): Record<string, JsonSchema> {
  return {
    CreateTaskResponse: createTaskResponseSchema(),
    VodTaskQueryResponse: vodTaskQueryResponseSchema(),
    MpsTaskQueryResponse: mpsTaskQueryResponseSchema(),
    TaskView: taskViewSchema(),
    TaskDelivery: deliverySchema(),
    TaskError: taskErrorSchema(),
    TaskEvent: taskEventSchema(),
    Problem: problemSchema(problemTypes, problemStatuses),
  };
}

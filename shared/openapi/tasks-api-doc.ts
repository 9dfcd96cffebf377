/**
 * The OpenAPI operations of the native task API (`GET /v1/tasks`, `GET /v1/tasks/{TaskId}`) and of
 * the catalog as data (`GET /v1/models`), and the `Prefer` header the create routes share.
 */

import { TASK_KINDS } from "../tasks/kinds";
import { MAX_WAIT_SECONDS } from "../http/prefer";
import { OWN_VIEW_KEY } from "../tracking/answers";
import { parseTaskId } from "../tracking/query";
import { LIST_LIMIT, listParameters, TASKS_API_ROUTES } from "../tracking/tasks-api";
import { EXAMPLE_REQUEST_ID, problemResponses } from "./problems";
import { QUERY_EXAMPLES, type JsonSchema } from "./schemas";

const OK = "200";
const TASK_PROBLEMS = ["invalid-request", "unauthorized", "resource-not-found", "method-not-allowed", "misconfigured", "storage-failed", "internal", "storage-unavailable"] as const;
const LIST_PROBLEMS = ["invalid-request", "unauthorized", "method-not-allowed", "misconfigured", "storage-failed", "internal", "storage-unavailable"] as const;

/** The `Prefer: wait=N` request header (RFC 7240), as a create route or GET /v1/tasks/{TaskId} takes it. */
export function preferWaitParameter(what: string): JsonSchema {
  return {
    name: "Prefer",
    in: "header",
    required: false,
    description: `\`wait=N\` (RFC 7240): hold the answer up to N seconds (0-${MAX_WAIT_SECONDS}) until ${what} is final; Tencent is asked at most once a second. Answered with \`Preference-Applied: wait=N\`; a larger N is a 400.`,
    schema: { type: "string", pattern: "^wait=\\d{1,2}$" },
    example: "wait=20",
  };
}

/** The `Preference-Applied` response header. */
export const PREFERENCE_APPLIED_HEADER: JsonSchema = { description: "`wait=N` when the request's Prefer: wait was honoured.", schema: { type: "string" } };

const headers = { "X-Request-Id": { $ref: "#/components/headers/X-Request-Id" } };
const view = QUERY_EXAMPLES.vod[OWN_VIEW_KEY];

function refusalOf(attempt: () => unknown) {
  try {
    attempt();
  } catch (error) {
    return error as never;
  }
  throw new Error("the example was expected to be refused");
}

/** The paths of the native task API and of GET /v1/models. */
export function tasksApiPaths(): Record<string, JsonSchema> {
  const [list, one] = TASKS_API_ROUTES;
  const types = Object.keys(TASK_KINDS);
  return {
    [list.path]: {
      get: {
        tags: ["Tasks"],
        operationId: "listTasks",
        summary: "Your tasks, newest first",
        description: `The tasks this token created on the create routes, newest first, each in the product's own view (the ledger's state; a listing does not ask Tencent). Served from an index kept per token, so a page never reads every task the deployment made. Tasks an upload created have no token and are not listed.`,
        parameters: [
          { name: "limit", in: "query", required: false, schema: { type: "integer", minimum: 1, maximum: LIST_LIMIT.max, default: LIST_LIMIT.default } },
          { name: "cursor", in: "query", required: false, description: "`NextCursor` of the previous page, as it is.", schema: { type: "string" } },
          { name: "status", in: "query", required: false, schema: { type: "string", enum: ["queued", "running", "succeeded", "failed"] } },
          { name: "type", in: "query", required: false, schema: { type: "string", enum: types } },
        ],
        responses: {
          [OK]: {
            description: "One page of tasks; `NextCursor` when there may be more.",
            headers,
            content: {
              "application/json": {
                schema: {
                  type: "object",
                  required: ["Tasks", "RequestId"],
                  properties: { Tasks: { type: "array", items: { $ref: "#/components/schemas/TaskView" } }, NextCursor: { type: "string" }, RequestId: { type: "string" } },
                },
                example: { Tasks: [view], NextCursor: "eyJhIjoiOTk5ODIzNDQzOTk5OX52b2QtdmlkZW9-MjUxMDA3NTAyIn0", RequestId: EXAMPLE_REQUEST_ID },
              },
            },
          },
          ...problemResponses(LIST_PROBLEMS, { method: list.method, path: list.path, invalidRequest: refusalOf(() => listParameters({ limit: "500" })) }),
        },
      },
    },
    [one.path]: {
      get: {
        tags: ["Tasks"],
        operationId: "getTask",
        summary: "One task of any type",
        description: "A task this token created, of any type, in the product's own view (the same view the query routes carry under `aigcScf`), refreshed from Tencent while it is live.",
        parameters: [{ name: "TaskId", in: "path", required: true, schema: { type: "string" }, example: view.TaskId }, preferWaitParameter("the task")],
        responses: {
          [OK]: {
            description: "The task.",
            headers: { ...headers, "Preference-Applied": PREFERENCE_APPLIED_HEADER },
            content: { "application/json": { schema: { allOf: [{ $ref: "#/components/schemas/TaskView" }, { type: "object", required: ["RequestId"], properties: { RequestId: { type: "string" } } }] }, example: { ...view, RequestId: EXAMPLE_REQUEST_ID } } },
          },
          ...problemResponses(TASK_PROBLEMS, { method: one.method, path: one.path, invalidRequest: refusalOf(() => parseTaskId("../etc/passwd")) }),
        },
      },
    },
  };
}

/** The operation of GET /v1/models: the catalog as data, no token needed. */
export function modelsOperation(): JsonSchema {
  return {
    tags: ["API description"],
    operationId: "getModels",
    summary: "The model catalog",
    security: [],
    description:
      "Every create route's models and versions with each rule: its value, its strength (`documented`: Tencent's current doc comment states it, and a request that breaks it is refused; `inferred`: a request that breaks it is sent with a warning) and its source. The same data that validates requests. No token needed.",
    responses: {
      [OK]: {
        description: "The catalog.",
        headers,
        content: {
          "application/json": {
            schema: {
              type: "object",
              required: ["sdkVersion", "actions"],
              properties: {
                sdkVersion: { type: "string", description: "The tencentcloud-sdk-nodejs release whose doc comments the documented rules follow." },
                actions: { type: "array", items: { type: "object", required: ["action", "route", "models"], properties: { action: { type: "string" }, route: { type: "string" }, models: { type: "array" } } } },
              },
            },
          },
        },
      },
    },
  };
}

/**
 * The OpenAPI 3.1 description of the API, generated from what serves it: the routes (TASK_KINDS,
 * QUERY_ROUTES, API_DESCRIPTION_ROUTES), the zod schemas that validate request bodies, the model
 * catalog, and problem+json answers made by `problemResponse` itself. A pure function of its input;
 * run at build time (scripts/openapi.ts), never in a function (zod's converter is not bundled there).
 */

import { describeIntegerRule, mpsImageCatalog, mpsVideoCatalog, NOT_SUPPORTED, resolvedVersions, vodImageCatalog, vodVideoCatalog, type ActionCatalog, type RuleSource } from "../catalog";
import { RequestRefused } from "../errors";
import { problemKinds } from "../http/problem";
import { TASK_KINDS } from "../tasks/kinds";
import { OWN_VIEW_KEY } from "../tracking/answers";
import { parseTaskId, QUERY_ROUTES, TASK_ID, type QueryRoute } from "../tracking/query";
import { signWebhook, WEBHOOK_RETRY, webhookIdFor, type TaskEventPayload } from "../tracking/webhooks";
import { validateCreateRequest, type TaskKind } from "../validation";
import { DOCS_ASSETS } from "./files";
import { EXAMPLE_REQUEST_ID, problemExamples, problemHeaderName, problemName, problemResponses } from "./problems";
import { createRequestSchemas, QUERY_EXAMPLES, queryResponseSchemaName, sharedSchemas, TASK_EVENT_TYPES, type JsonSchema } from "./schemas";
import { API_DESCRIPTION_ROUTES } from "./serve";
import { modelsOperation, PREFERENCE_APPLIED_HEADER, preferWaitParameter, tasksApiPaths } from "./tasks-api-doc";

/** What the description is generated from, beyond the sources it imports. */
export interface OpenApiInput {
  /** The API's version (package.json's). */
  version: string;
  /** An example body of each create route in Tencent's spelling and in snake_case (test/events/bodies/*.seed*.json). */
  examples: Readonly<Record<TaskKind, { pascal: unknown; snake: unknown }>>;
}

/** An OpenAPI 3.1 document as plain JSON data. */
export type OpenApiDocument = JsonSchema;

/** Success keys of the description; error statuses come from problemResponse. */
const OK = "200";

/** Which problems each kind of route can answer (by type name; statuses come from shared/http/problem.ts). */
const CREATE_PROBLEMS = [
  "invalid-request",
  "upstream-rejected",
  "unauthorized",
  "method-not-allowed",
  "duplicate-session",
  "idempotency-in-flight",
  "payload-too-large",
  "unsupported-media-type",
  "idempotency-mismatch",
  "daily-limit-reached",
  "upstream-throttled",
  "upstream-quota-exceeded",
  "misconfigured",
  "storage-failed",
  "internal",
  "upstream-denied",
  "upstream-failed",
  "upstream-unavailable",
  "storage-unavailable",
  "upstream-timeout",
] as const;
const QUERY_PROBLEMS = ["invalid-request", "unauthorized", "resource-not-found", "method-not-allowed", "misconfigured", "storage-failed", "internal", "storage-unavailable"] as const;
const DESCRIPTION_PROBLEMS = ["method-not-allowed", "internal"] as const;

const ref = (section: string, name: string): JsonSchema => ({ $ref: `#/components/${section}/${name}` });

/** `vod-video` gives `VodVideo`. */
function pascalCase(kind: string): string {
  return kind
    .split("-")
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join("");
}

function catalogOf(kind: TaskKind): ActionCatalog<object, string> | undefined {
  const catalogs: Partial<Record<TaskKind, ActionCatalog<object, string>>> = {
    "vod-video": vodVideoCatalog,
    "vod-image": vodImageCatalog,
    "mps-video": mpsVideoCatalog,
    "mps-image": mpsImageCatalog as unknown as ActionCatalog<object, string>,
  };
  return catalogs[kind];
}

/** Catalog rules shown per model version, with their column titles; a column appears when some version has the rule. */
const CATALOG_COLUMNS: ReadonlyArray<readonly [rule: string, title: string]> = [
  ["durations", "Duration (s)"],
  ["resolutions", "Resolution"],
  ["aspectRatios", "AspectRatio"],
  ["outputImageCount", "Images"],
  ["lastFrame", "Last frame"],
  ["maxReferenceImages", "Reference images"],
  ["size", "Free size (AdditionalParameters)"],
];

function describeRule(value: unknown): string {
  if (value === undefined) return "";
  if (value === NOT_SUPPORTED) return "no";
  if (Array.isArray(value)) return value.join(", ");
  if (typeof value === "object" && value !== null) {
    if ("onlyAtResolution" in value) return `at ${String(value.onlyAtResolution)}`;
    if ("pixels" in value) {
      const { side, pixels } = value as { side?: { min: number; max: number }; pixels: { min?: number; max: number } };
      return [side ? `sides ${side.min}-${side.max}` : "", `${pixels.min !== undefined ? `${pixels.min}-` : "≤ "}${pixels.max} px`].filter(Boolean).join(", ");
    }
    if ("values" in value || "min" in value) return describeIntegerRule(value as Parameters<typeof describeIntegerRule>[0]);
  }
  return String(value);
}

/** Marks a table cell whose rule is only inferred (warns), followed by the number of its source in the notes under the table. */
export const INFERRED_MARK = "†";

/** What the catalog table's marks mean: said above every table. */
const RULE_STRENGTH_LEGEND =
  `Unmarked rules are **refused** when broken (400 \`invalid-request\`): Tencent's current doc comment states them. Rules marked ${INFERRED_MARK} only **warn**: they are inferred (from an older page, the other service, or reasoning; the source is listed under the table), so a request that breaks one is sent to Tencent and the answer carries \`Response.Warnings\`. "any": Tencent documents no rule, so none is checked here.`;

/**
 * The catalog of one action as a Markdown table, one row per model version, each inferred rule
 * marked and numbered, followed by where each numbered rule comes from.
 */
export function catalogTable(catalog: ActionCatalog<object, string>): string {
  const rows = Object.entries(catalog.models).flatMap(([model, entry]) =>
    resolvedVersions(catalog, entry).map(([version, rules, sources]) => ({
      model,
      version,
      rules: rules as Record<string, unknown>,
      sources: sources as Record<string, RuleSource | undefined>,
    })),
  );
  const columns = CATALOG_COLUMNS.filter(([rule]) => rows.some((row) => row.rules[rule] !== undefined));
  // One number per distinct source, in the order the table first cites it.
  const inferredFrom: string[] = [];
  const cell = (row: (typeof rows)[number], rule: string): string => {
    const text = describeRule(row.rules[rule]) || "any";
    const source = row.sources[rule];
    if (row.rules[rule] === undefined || source?.strength !== "inferred") return text;
    if (!inferredFrom.includes(source.source)) inferredFrom.push(source.source);
    return `${text} ${INFERRED_MARK}${inferredFrom.indexOf(source.source) + 1}`;
  };
  const line = (cells: string[]) => `| ${cells.join(" | ")} |`;
  const table = [
    line(["ModelName", "ModelVersion", ...columns.map(([, title]) => title)]),
    line(["---", "---", ...columns.map(() => "---")]),
    ...rows.map((row) => line([row.model, row.version, ...columns.map(([rule]) => cell(row, rule))])),
  ];
  const notes = inferredFrom.map((source, index) => `- ${INFERRED_MARK}${index + 1} warns, inferred from: ${source}`);
  return [...table, ...(notes.length > 0 ? ["", ...notes] : [])].join("\n");
}

/**
 * The models of a create route and their rules, as a Markdown table with its legend: the long
 * reference, so it is the description of the route's request schema (shown after the operations).
 */
export function catalogDescription(kind: TaskKind): string | undefined {
  const catalog = catalogOf(kind);
  if (!catalog) return undefined;
  return [`Models the catalog lists (\`${catalog.action}\`; \`AIGC_ALLOW_UNLISTED_MODELS=true\` lets others through; \`GET /v1/models\` has the same as data).`, "", RULE_STRENGTH_LEGEND, "", catalogTable(catalog)].join("\n");
}

/**
 * What "Try it out" sends by default on each create route: a small, real request that works more
 * than once and on any deployment (text only, or Tencent's public sample video for a redraw).
 */
export const TRY_IT_BODIES: Readonly<Record<TaskKind, Record<string, unknown>>> = {
  "vod-video": { ModelName: "GV", ModelVersion: "3.1-fast", Prompt: "a red fox running through fresh snow at dawn, cinematic", OutputConfig: { AspectRatio: "16:9" } },
  "vod-image": { ModelName: "GG", ModelVersion: "3.0", Prompt: "a lighthouse on a cliff at dawn, watercolor" },
  "vod-redraw": { FileInfo: { Type: "Url", Url: "https://cg-sdk-1258344699.cos.ap-nanjing.myqcloud.com/BackendBeauty/testcase/input.mp4" }, TaskInfo: { Style: "watercolor" } },
  "mps-video": { ModelName: "Kling", ModelVersion: "2.1", Prompt: "waves breaking on a rocky shore at dusk", Duration: 5 },
  "mps-image": { ModelName: "Kling", ModelVersion: "O1", Prompt: "a lighthouse on a cliff at dawn, watercolor" },
};

function createDescription(kind: TaskKind): string {
  const info = TASK_KINDS[kind];
  const catalog = catalogOf(kind);
  return [
    `Creates a task with ${info.service.toUpperCase()} \`${info.action}\`: the body is that action's own parameters, checked against the model catalog before Tencent is called (nothing invalid is billed).`,
    "",
    "Fields may be spelled as Tencent does (PascalCase), in snake_case or in camelCase. `SubAppId` comes from the deployment and is refused in a body.",
    info.dedupBySessionId
      ? "A retried create runs under a `SessionId` (yours, else one derived from `Idempotency-Key`), which Tencent refuses to run twice."
      : "MPS has no `SessionId`: only calls that certainly did not run are retried; send `Idempotency-Key` to make your own retries safe.",
    "`CallbackUrl` (ours, not Tencent's) asks for a webhook when the task ends; `WebhookEvents` (ours too) picks which of `task.started`, `task.succeeded`, `task.failed` are sent (default: the two final ones): see `webhooks`.",
    ...(catalog ? ["", `The models and their rules (which a request breaking them refuses, which only warn) are in the \`Create${pascalCase(kind)}Request\` schema below, and at \`GET /v1/models\`.`] : []),
  ].join("\n");
}

/** The 200 answer of a create route, and when it carries warnings. */
function createdDescription(kind: TaskKind): string {
  const marked = catalogOf(kind) ? ` (marked ${INFERRED_MARK} in the catalog table of the request schema)` : "";
  return [
    "The task was created (or, for a repeated Idempotency-Key with the same body, the first answer is replayed).",
    `\`Response.Warnings\` is present when the request was sent although it may not be honoured as asked: it breaks a rule the catalog only infers${marked}, names a version the catalog does not list yet, or uses an old model name Tencent renamed. Each warning names the field as the client spelled it, a code and a message, like a problem's \`errors\`; nothing was refused.`,
  ].join(" ");
}

/** The 400 an example body gets when it also sends `SubAppId`, from the validator itself. */
function invalidCreateExample(kind: TaskKind, body: unknown): RequestRefused {
  const result = validateCreateRequest(kind, { ...(body as Record<string, unknown>), SubAppId: 251007502 });
  const issue = result.ok ? undefined : result.issues[0];
  if (result.ok || !issue) throw new Error(`the ${kind} example with SubAppId was expected to be refused`);
  return new RequestRefused("invalid-request", issue.code, `${issue.field}: ${issue.message}`, { issues: result.issues });
}

/** MPS task ids are digits; VOD ids are `<SubAppId>-<type>-<hex>t` (the stand-in makes the same shapes). */
const MPS_EXAMPLE_TASK_ID = "1761024000123";

function exampleTaskId(kind: TaskKind): string {
  return TASK_KINDS[kind].service === "mps" ? MPS_EXAMPLE_TASK_ID : `251007502-${kind === "vod-image" ? "AigcImage" : kind === "vod-redraw" ? "AigcVideoRedrawTask" : "AigcVideo"}-9d0a6c1f3e2b4a5c8d7e6f5a4b3c2d1et`;
}

function createOperation(kind: TaskKind, examples: OpenApiInput["examples"][TaskKind]): JsonSchema {
  const info = TASK_KINDS[kind];
  const name = pascalCase(kind);
  return {
    tags: ["Create tasks"],
    operationId: `create${name}Task`,
    summary: `${info.service.toUpperCase()} ${info.action}`,
    description: createDescription(kind),
    parameters: [ref("parameters", "Idempotency-Key"), preferWaitParameter(`the task (the answer then adds its state under \`Response.${OWN_VIEW_KEY}\`)`)],
    requestBody: {
      required: true,
      content: {
        "application/json": {
          schema: { anyOf: [ref("schemas", `Create${name}Request`), ref("schemas", `Create${name}RequestSnakeCase`)] },
          // The first example is what "Try it out" sends: a body that works again and again on any
          // deployment (no SessionId, which Tencent refuses twice in 3 days; no placeholder FileIds).
          examples: {
            try_it: { summary: "A request that works as it is", value: TRY_IT_BODIES[kind] },
            tencent: { summary: "Tencent's example (its FileIds and SessionId are placeholders)", value: examples.pascal },
            snake_case: { summary: "The same in snake_case", value: examples.snake },
          },
        },
      },
    },
    responses: {
      [OK]: {
        description: createdDescription(kind),
        headers: { "X-Request-Id": ref("headers", "X-Request-Id"), "Idempotent-Replayed": ref("headers", "Idempotent-Replayed"), "Preference-Applied": PREFERENCE_APPLIED_HEADER },
        content: {
          "application/json": {
            schema: ref("schemas", "CreateTaskResponse"),
            example: { Response: { TaskId: exampleTaskId(kind), RequestId: "6e6b4f1c-1c5e-4b7c-9a43-0c3f2b1d9e55" } },
          },
        },
      },
      ...problemResponses(CREATE_PROBLEMS, { method: info.route.method, path: info.route.path, invalidRequest: invalidCreateExample(kind, examples.pascal) }),
    },
  };
}

function queryOperation(route: QueryRoute): JsonSchema {
  const service = route.service.toUpperCase();
  const action = route.service === "vod" ? "DescribeTaskDetail" : "DescribeAigcVideoTask (DescribeAigcImageTask for image tasks)";
  const example = QUERY_EXAMPLES[route.service];
  return {
    tags: ["Query tasks"],
    operationId: `query${pascalCase(route.service)}Task`,
    summary: `Status of a ${service} task`,
    description: [
      `A task this token created (${route.kinds.map((kind) => `\`${TASK_KINDS[kind].route.path}\``).join(", ")}), answered in ${service} \`${action}\`'s own shape, so clients written for Tencent or for the relays that serve this path read it unchanged. \`Response.${OWN_VIEW_KEY}\` holds the product's own view: the normalized status (\`queued\`, \`running\`, \`succeeded\`, \`failed\`), progress, outputs, the error of a failed task and delivery states.`,
      "",
      `While the task is live the answer is refreshed from Tencent; \`${OWN_VIEW_KEY}.Stale\` is true when Tencent could not be asked. A task of another token, or of the other service, is the same 404 as an unknown one.`,
    ].join("\n"),
    parameters: [{ name: "TaskId", in: "path", required: true, schema: { type: "string", pattern: TASK_ID.source }, example: example[OWN_VIEW_KEY].TaskId }],
    responses: {
      [OK]: {
        description: "The task's status.",
        headers: { "X-Request-Id": ref("headers", "X-Request-Id"), "Cache-Control": { description: "Always no-store: the answer has presigned URLs and a live state.", schema: { type: "string", const: "no-store" } } },
        content: { "application/json": { schema: ref("schemas", queryResponseSchemaName(route.service)), example: { Response: { ...example, RequestId: EXAMPLE_REQUEST_ID } } } },
      },
      ...problemResponses(QUERY_PROBLEMS, { method: route.method, path: route.path, invalidRequest: thrownRefusal(() => parseTaskId("../etc/passwd")) }),
    },
  };
}

function thrownRefusal(attempt: () => unknown): RequestRefused {
  try {
    attempt();
  } catch (error) {
    if (error instanceof RequestRefused) return error;
    throw error;
  }
  throw new Error("the example was expected to be refused");
}

function descriptionOperations(): Record<string, JsonSchema> {
  const [openapi, models, docs, assets] = API_DESCRIPTION_ROUTES;
  const base = { tags: ["API description"], security: [] };
  const headers = { "X-Request-Id": ref("headers", "X-Request-Id") };
  const problems = (route: { method: string; path: string }, names: readonly string[]) => problemResponses(names, route);
  const assetTypes = [...new Set(Object.values(DOCS_ASSETS))];
  return {
    [models.path]: { get: { ...modelsOperation(), responses: { ...(modelsOperation().responses as Record<string, unknown>), ...problems(models, DESCRIPTION_PROBLEMS) } } },
    [openapi.path]: {
      get: {
        ...base,
        operationId: "getOpenApiDocument",
        summary: "This document",
        description: "The OpenAPI 3.1 description of this API, generated at build time from the same catalog and schemas that validate requests. No token needed.",
        responses: { [OK]: { description: "The OpenAPI document.", headers, content: { "application/json": { schema: { type: "object", required: ["openapi"] } } } }, ...problems(openapi, DESCRIPTION_PROBLEMS) },
      },
    },
    [docs.path]: {
      get: {
        ...base,
        operationId: "getApiDocs",
        summary: "Documentation page",
        description: "This description rendered by Swagger UI, served from this API (no CDN), under a Content-Security-Policy that allows only this origin. No token needed.",
        responses: {
          [OK]: {
            description: "The HTML page.",
            headers: { ...headers, "Content-Security-Policy": { description: "Only this origin's scripts, styles and connections; no inline script.", schema: { type: "string" } } },
            content: { "text/html": { schema: { type: "string" } } },
          },
          ...problems(docs, DESCRIPTION_PROBLEMS),
        },
      },
    },
    [assets.path]: {
      get: {
        ...base,
        operationId: "getApiDocsAsset",
        summary: "A script or style of the documentation page",
        parameters: [{ name: "File", in: "path", required: true, schema: { type: "string", enum: Object.keys(DOCS_ASSETS) } }],
        responses: {
          [OK]: { description: "The file.", headers, content: Object.fromEntries(assetTypes.map((type) => [type.split(";")[0], { schema: { type: "string" } }])) },
          ...problems(assets, [...DESCRIPTION_PROBLEMS, "resource-not-found"]),
        },
      },
    },
  };
}

/** A `task.started` and a `task.succeeded` webhook of the VOD video task the query example shows, and an MPS failure. */
const WEBHOOK_EXAMPLES: Record<TaskEventPayload["type"], TaskEventPayload> = {
  "task.started": {
    type: "task.started",
    timestamp: "2025-10-21T08:00:02.000Z",
    data: {
      TaskId: QUERY_EXAMPLES.vod[OWN_VIEW_KEY].TaskId,
      TaskType: "vod-video",
      Status: "running",
      Outputs: [],
      CreatedAt: "2025-10-21T08:00:00.000Z",
    },
  },
  "task.succeeded": {
    type: "task.succeeded",
    timestamp: "2025-10-21T08:01:12.000Z",
    data: {
      TaskId: QUERY_EXAMPLES.vod[OWN_VIEW_KEY].TaskId,
      TaskType: "vod-video",
      Status: "succeeded",
      Progress: 100,
      Outputs: [{ Type: "video", Url: "https://251007502.vod-qcloud.com/aigc/result.mp4", ExpiresAt: "2025-10-28T08:01:12.000Z", FileId: "5145403699605999621" }],
      CreatedAt: "2025-10-21T08:00:00.000Z",
      FinishedAt: "2025-10-21T08:01:12.000Z",
    },
  },
  "task.failed": {
    type: "task.failed",
    timestamp: "2025-10-21T08:00:40.000Z",
    data: {
      TaskId: MPS_EXAMPLE_TASK_ID,
      TaskType: "mps-video",
      Status: "failed",
      Outputs: [],
      Error: { Code: "FailedOperation.ContentReview", Message: "The prompt did not pass content review." },
      CreatedAt: "2025-10-21T08:00:00.000Z",
      FinishedAt: "2025-10-21T08:00:40.000Z",
    },
  },
};

/** Signs the examples like a deployment would, with a secret that is only an example. */
const EXAMPLE_WEBHOOK_SECRET = `whsec_${Buffer.from("an example secret, for the docs only").toString("base64")}`;

function minutesOrHours(ms: number): string {
  return ms >= 3_600_000 ? `${ms / 3_600_000} h` : ms >= 60_000 ? `${ms / 60_000} min` : `${ms / 1000} s`;
}

/** Each webhook's operation id, summary and when it is sent. */
const WEBHOOK_OPERATIONS: Record<TaskEventPayload["type"], { operationId: string; summary: string; when: string }> = {
  "task.started": {
    operationId: "taskStartedWebhook",
    summary: "A task started processing",
    when: "POSTed to the create request's `CallbackUrl` once, when Tencent is first seen reporting the task processing (VOD `PROCESSING`, MPS `RUN`), before the final event. A task first seen when already finished sends none.",
  },
  "task.succeeded": { operationId: "taskSucceededWebhook", summary: "A task produced its results", when: "POSTed to the create request's `CallbackUrl` when the task ends with its results." },
  "task.failed": { operationId: "taskFailedWebhook", summary: "A task failed", when: "POSTed to the create request's `CallbackUrl` when the task ends without results." },
};

function webhooks(): Record<string, JsonSchema> {
  const header = (name: string, description: string, example: string): JsonSchema => ({ name, in: "header", required: true, description, schema: { type: "string" }, example });
  const retries = `retried on later tracker ticks, ${minutesOrHours(WEBHOOK_RETRY.firstDelayMs)} doubling to ${minutesOrHours(WEBHOOK_RETRY.maxDelayMs)}, for ${minutesOrHours(WEBHOOK_RETRY.giveUpAfterMs)}, then marked undeliverable in the task's Delivery`;
  return Object.fromEntries(
    TASK_EVENT_TYPES.map((type) => {
      const example = WEBHOOK_EXAMPLES[type];
      const signed = signWebhook(EXAMPLE_WEBHOOK_SECRET, webhookIdFor(example.data.TaskId, type), new Date(example.timestamp), JSON.stringify(example));
      const operation = {
        operationId: WEBHOOK_OPERATIONS[type].operationId,
        summary: WEBHOOK_OPERATIONS[type].summary,
        description: `${WEBHOOK_OPERATIONS[type].when} Sent for the events the create's \`WebhookEvents\` names (default: \`task.succeeded\` and \`task.failed\`), per [Standard Webhooks](https://www.standardwebhooks.com), signed with the deployment's \`AIGC_WEBHOOK_SECRET\` (\`whsec_…\`): verify it with any Standard Webhooks library. Each event of a task has its own \`webhook-id\` and its own retries. Redirects are not followed.`,
        security: [],
        parameters: [
          header("webhook-id", "The same for every attempt of one task's event: dedupe on it.", signed["webhook-id"]),
          header("webhook-timestamp", "Unix seconds of this attempt (signed; refuse old ones).", signed["webhook-timestamp"]),
          header("webhook-signature", "`v1,<base64 HMAC-SHA256 of {webhook-id}.{webhook-timestamp}.{body}>`, space-separated when there are several.", signed["webhook-signature"]),
        ],
        requestBody: {
          required: true,
          content: { "application/json": { schema: { allOf: [ref("schemas", "TaskEvent"), { properties: { type: { const: type } } }] }, example } },
        },
        responses: {
          "2XX": { description: "Delivered: no further attempt." },
          default: { description: `Not delivered (nor is an answer that does not come in time): ${retries}. 410 Gone stops the retries at once.` },
        },
      };
      return [type, { post: operation }];
    }),
  );
}

function problemTable(): string {
  const names = problemKinds().map((kind) => problemName(kind.type));
  const route = TASK_KINDS["vod-video"].route;
  const examples = problemExamples(names, { method: route.method, path: route.path }).sort((a, b) => a.status - b.status);
  const headers = (example: (typeof examples)[number]) => Object.keys(example.headers).map((name) => `\`${problemHeaderName(name)}\``).join(", ");
  return [
    "| status | type | title | headers |",
    "| --- | --- | --- | --- |",
    ...examples.map((example) => `| ${example.status} | \`${example.name}\` | ${example.body.title} | ${headers(example)} |`),
  ].join("\n");
}

function apiDescription(): string {
  return [
    "Tencent Cloud VOD and MPS AIGC generation behind one authenticated, validated HTTP API. Every request is checked against the model catalog before anything reaches Tencent, so nothing invalid, unauthenticated or duplicate is billed.",
    "",
    "**Requests.** A create body is the Tencent action's own parameters in Tencent's PascalCase; the same fields in snake_case or camelCase are accepted too. Send `Authorization: Bearer <token>` and `Content-Type: application/json`.",
    "",
    "**Idempotency.** `Idempotency-Key` (1-255 visible ASCII characters) makes a retry safe: the same key with the same body (same token, same route) returns the first answer with `Idempotent-Replayed: true`; with another body it is refused (`idempotency-mismatch`); while the first request is running, `idempotency-in-flight` says when to come back (`Retry-After`).",
    "",
    "**Following a task.** Poll the query route of its service, or give `CallbackUrl` to get a webhook when it ends, and `WebhookEvents` to choose the events (`task.started` too; see `webhooks`).",
    "",
    "**Errors** are RFC 9457 `application/problem+json`, with our request id in `requestId` and `X-Request-Id`; Tencent's code and RequestId are kept when Tencent answered. Every problem type with its status is listed in the `Problem` schema below.",
  ].join("\n");
}

/** The Problem schema described with every problem type and its status: a reference, shown after the operations. */
function withProblemTable(schemas: Record<string, JsonSchema>): Record<string, JsonSchema> {
  const problem = schemas.Problem ?? {};
  const description = [
    "An RFC 9457 problem. Every problem type:",
    "",
    problemTable(),
    "",
    "`type` is `urn:tencent-aigc-scf:problem:<type>`. `route-not-found` and `unsupported-event` are what a function answers to a request API Gateway should never have routed to it.",
  ].join("\n");
  return { ...schemas, Problem: { ...problem, description } };
}

/** Builds the OpenAPI 3.1 document of the API: every route, body, answer, error and webhook. */
export function buildOpenApiDocument(input: OpenApiInput): OpenApiDocument {
  const kinds = Object.keys(TASK_KINDS) as TaskKind[];
  const requestSchemas: Record<string, JsonSchema> = {};
  for (const kind of kinds) {
    const { pascal, snake } = createRequestSchemas(kind);
    const catalog = catalogDescription(kind);
    requestSchemas[`Create${pascalCase(kind)}Request`] = catalog ? { ...pascal, description: catalog } : pascal;
    requestSchemas[`Create${pascalCase(kind)}RequestSnakeCase`] = snake;
  }
  const problems = problemKinds();
  const paths: Record<string, JsonSchema> = {};
  for (const kind of kinds) paths[TASK_KINDS[kind].route.path] = { [TASK_KINDS[kind].route.method.toLowerCase()]: createOperation(kind, input.examples[kind]) };
  for (const route of QUERY_ROUTES) paths[route.path] = { [route.method.toLowerCase()]: queryOperation(route) };
  Object.assign(paths, tasksApiPaths());
  Object.assign(paths, descriptionOperations());

  return {
    openapi: "3.1.0",
    info: {
      title: "Tencent AIGC API",
      version: input.version,
      summary: "Create and follow Tencent VOD and MPS AIGC tasks (video, image, redraw) with a bearer token instead of a Tencent key.",
      description: apiDescription(),
      license: { name: "MIT", identifier: "MIT" },
    },
    // Relative: resolved against where this document is served, so the API Gateway stage path is kept.
    servers: [{ url: ".", description: "This deployment (where this document is served)" }],
    security: [{ bearerAuth: [] }],
    tags: [
      { name: "Create tasks", description: "One route per Tencent create action." },
      { name: "Query tasks", description: "The status of a task this token created, in Tencent's own answer shape (relay-compatible paths)." },
      { name: "Tasks", description: "The native task API: your tasks, and one task of any type, in this service's own view." },
      { name: "API description", description: "This document, its rendering and the model catalog as data; no token needed." },
    ],
    paths,
    webhooks: webhooks(),
    components: {
      securitySchemes: {
        bearerAuth: { type: "http", scheme: "bearer", description: "One of the deployment's tokens (AIGC_API_TOKENS); never a Tencent key." },
      },
      parameters: {
        "Idempotency-Key": {
          name: "Idempotency-Key",
          in: "header",
          required: false,
          description: "Makes a retry safe: a repeat of the same key (by the same token, to the same route) can never create a second task.",
          // No example: "Try it out" would fill it in, and every visitor would share one key.
          schema: { type: "string", pattern: "^[\\x21-\\x7E]{1,255}$" },
        },
      },
      headers: {
        "X-Request-Id": { description: "Our request id; quote it when reporting a problem.", schema: { type: "string" } },
        "Idempotent-Replayed": { description: "`true` when this is the stored answer of an earlier request with the same Idempotency-Key.", schema: { type: "string", const: "true" } },
      },
      schemas: withProblemTable({
        ...requestSchemas,
        ...sharedSchemas(
          problems.map((kind) => kind.type),
          [...new Set(problems.map((kind) => kind.status))].sort((a, b) => a - b),
        ),
      }),
    },
    externalDocs: { description: "Standard Webhooks", url: "https://www.standardwebhooks.com" },
  };
}

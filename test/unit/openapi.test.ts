/**
 * The OpenAPI description (shared/openapi, written by scripts/openapi.ts): a valid OpenAPI 3.1
 * document that lists every route the functions serve, takes the seed bodies its request schemas
 * describe, documents every problem the API can answer, and describes answers and webhooks as the
 * code really makes them.
 */

import { join } from "node:path";
import { Validator } from "@seriousme/openapi-schema-validator";
import { Ajv2020 } from "ajv/dist/2020";
import addFormats from "ajv-formats";
import fc from "fast-check";
import { Webhook } from "standardwebhooks";
import { beforeAll, describe, expect, it } from "vitest";
import { readApiRoutes } from "../../local/gateway";
import { loadSeedExamples, openApiDocument } from "../../scripts/openapi";
import { problemKinds } from "../../shared/http/problem";
import { buildOpenApiDocument } from "../../shared/openapi/document";
import { problemName } from "../../shared/openapi/problems";
import { TASKS_API_ROUTES } from "../../shared/tracking/tasks-api";
import { queryResponseSchemaName } from "../../shared/openapi/schemas";
import { API_DESCRIPTION_ROUTES } from "../../shared/openapi/serve";
import type { TaskRecord } from "../../shared/tasks/ledger";
import { TASK_KINDS } from "../../shared/tasks/kinds";
import { isValidIdempotencyKey } from "../../shared/tasks/session-id";
import { QUERY_ROUTES, queryTask, TASK_ID, taskAnswer } from "../../shared/tracking/query";
import { buildStartedEvent, buildTaskEvent } from "../../shared/tracking/webhooks";
import { validateCreateRequest, type TaskKind } from "../../shared/validation";
import { loadBody } from "../support/scf";

type Json = Record<string, any>;

const ROOT = join(__dirname, "..", "..");
const KINDS = Object.keys(TASK_KINDS) as TaskKind[];
const DOC_ID = "https://tencent-aigc-scf.invalid/openapi.json";
let inline = 0;

let document: Json;
let ajv: Ajv2020;

/** A validator of a value against a schema of the document, `$ref`s resolved inside it. */
function schemaValidator(schema: Json) {
  inline += 1;
  return ajv.compile({ $id: `https://tencent-aigc-scf.invalid/inline/${inline}.json`, ...rebase(schema) });
}

/** Points the document's local `$ref`s (`#/components/...`) at the document registered in ajv. */
function rebase(schema: unknown): any {
  if (Array.isArray(schema)) return schema.map(rebase);
  if (!schema || typeof schema !== "object") return schema;
  return Object.fromEntries(Object.entries(schema).map(([key, value]) => [key, key === "$ref" && typeof value === "string" && value.startsWith("#") ? `${DOC_ID}${value}` : rebase(value)]));
}

function operations(): Array<{ method: string; path: string; operation: Json }> {
  return Object.entries(document.paths as Json).flatMap(([path, item]) => Object.entries(item as Json).map(([method, operation]) => ({ method: method.toUpperCase(), path, operation: operation as Json })));
}

function requestSchema(kind: TaskKind): Json {
  const route = TASK_KINDS[kind].route;
  return document.paths[route.path][route.method.toLowerCase()].requestBody.content["application/json"].schema;
}

function responseSchema(path: string, method: string, status: string, mediaType: string): Json {
  return document.paths[path][method].responses[status].content[mediaType];
}

beforeAll(() => {
  document = openApiDocument();
  ajv = new Ajv2020({ allErrors: true, logger: false });
  addFormats(ajv);
  // Only the schemas are reached, through $ref; the rest of the document is not a JSON Schema.
  ajv.addKeyword("components");
  ajv.addSchema({ $id: DOC_ID, components: { schemas: rebase(document.components.schemas) } });
});

describe("the OpenAPI document", () => {
  it("is valid OpenAPI 3.1", async () => {
    const validator = new Validator();
    const result = await validator.validate(structuredClone(document));
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(validator.version).toBe("3.1");
    expect(document.openapi).toMatch(/^3\.1\./);
  });

  it("has schemas that compile as JSON Schema 2020-12 in ajv's strict mode", () => {
    for (const [name, schema] of Object.entries(document.components.schemas as Json)) {
      expect(() => schemaValidator(schema as Json), name).not.toThrow();
    }
  });

  it("lists every route the functions serve and serverless.yml declares, and no other", () => {
    const documented = operations().map(({ method, path }) => `${method} ${path}`).sort();
    const served = [
      ...Object.values(TASK_KINDS).map((kind) => `${kind.route.method} ${kind.route.path}`),
      ...QUERY_ROUTES.map((route) => `${route.method} ${route.path}`),
      ...TASKS_API_ROUTES.map((route) => `${route.method} ${route.path}`),
      ...API_DESCRIPTION_ROUTES.map((route) => `${route.method} ${route.path}`),
    ].sort();
    const declared = readApiRoutes(join(ROOT, "serverless.yml"))
      .map((route) => `${route.method} ${route.path}`)
      .sort();
    expect(documented).toEqual(served);
    expect(documented).toEqual(declared);
  });

  it("asks for the bearer token everywhere but on the API description and the webhooks", () => {
    expect(document.components.securitySchemes.bearerAuth).toMatchObject({ type: "http", scheme: "bearer" });
    expect(document.security).toEqual([{ bearerAuth: [] }]);
    for (const { method, path, operation } of operations()) {
      const open = API_DESCRIPTION_ROUTES.some((route) => route.path === path);
      expect(operation.security, `${method} ${path}`).toEqual(open ? [] : undefined);
      if (!open) expect(Object.keys(operation.responses), `${method} ${path}`).toContain(String(problemStatus("unauthorized")));
    }
  });

  it("describes TaskId as the query routes check it, and Idempotency-Key as the create routes do", () => {
    for (const route of QUERY_ROUTES) {
      const param = document.paths[route.path].get.parameters.find((p: Json) => p.name === "TaskId");
      expect(param).toMatchObject({ in: "path", required: true, schema: { pattern: TASK_ID.source } });
    }
    const key = document.components.parameters["Idempotency-Key"];
    expect(key).toMatchObject({ in: "header", required: false });
    const pattern = new RegExp(key.schema.pattern as string);
    fc.assert(fc.property(fc.string({ maxLength: 300, unit: "binary" }), (value) => pattern.test(value) === isValidIdempotencyKey(value)));
    for (const kind of KINDS) {
      const route = TASK_KINDS[kind].route;
      expect(document.paths[route.path].post.parameters).toContainEqual({ $ref: "#/components/parameters/Idempotency-Key" });
    }
  });

  it("is the same document however often it is generated", () => {
    expect(JSON.stringify(openApiDocument())).toBe(JSON.stringify(document));
  });
});

describe("request bodies", () => {
  it.each(KINDS)("%s: the seed bodies are the examples and validate against the documented schema", (kind) => {
    const validate = schemaValidator(requestSchema(kind));
    const examples = document.paths[TASK_KINDS[kind].route.path].post.requestBody.content["application/json"].examples;
    for (const file of [`${kind}.seed.json`, `${kind}.seed.snake.json`]) {
      const seed = loadBody(file);
      expect(validate(seed), `${file}: ${JSON.stringify(validate.errors)}`).toBe(true);
      expect(Object.values(examples).map((example: any) => example.value)).toContainEqual(seed);
    }
  });

  it.each(KINDS)("%s: documents our CallbackUrl in both spellings, and refuses fields the validator refuses", (kind) => {
    const validate = schemaValidator(requestSchema(kind));
    const seed = loadBody(`${kind}.seed.json`);
    const snake = loadBody(`${kind}.seed.snake.json`);
    expect(validate({ ...seed, CallbackUrl: "https://example.com/hooks/aigc" })).toBe(true);
    expect(validate({ ...snake, callback_url: "https://example.com/hooks/aigc" })).toBe(true);
    for (const refused of [{ ...seed, SubAppId: 251007502 }, { ...seed, NotAField: 1 }]) {
      expect(validate(refused)).toBe(false);
      expect(validateCreateRequest(kind, refused).ok).toBe(false);
    }
  });

  it("takes its examples as arguments, so the generator needs no files", () => {
    const examples = loadSeedExamples();
    const marked = { ...examples, "vod-image": { ...examples["vod-image"], pascal: { ...(examples["vod-image"].pascal as Json), Prompt: "a marked example" } } };
    const generated = buildOpenApiDocument({ version: "9.9.9", examples: marked });
    expect(generated.info).toMatchObject({ version: "9.9.9" });
    expect(JSON.stringify(generated)).toContain("a marked example");
  });

  it("lists the catalog's models and versions in each create route's request schema, after the operations, and points there from the route", () => {
    const video = document.components.schemas.CreateVodVideoRequest.description as string;
    expect(video).toContain("| GV | 3.1-fast |");
    expect(video).toContain("| Hailuo | 02 | 6, 10 |");
    expect(document.paths["/tencent-vod/v1/aigc-video"].post.description).toContain("`CreateVodVideoRequest` schema below");
    expect(document.paths["/tencent-vod/v1/aigc-video"].post.description).not.toContain("| GV |");
  });

  it("sends, by default, a Try-it-out body that creates a task again and again: no SessionId, no placeholder FileIds, valid as it is", () => {
    for (const kind of KINDS) {
      const { path, method } = TASK_KINDS[kind].route;
      const examples = document.paths[path][method.toLowerCase()].requestBody.content["application/json"].examples;
      const first = Object.values(examples)[0] as { value: Record<string, unknown> };
      expect(JSON.stringify(first.value), kind).not.toMatch(/SessionId|\*\*\*/);
      const result = validateCreateRequest(kind, first.value);
      expect(result.ok && result.warnings, kind).toEqual([]);
    }
  });
});

/** The status problem.ts gives a problem type. */
function problemStatus(name: string): number {
  const kind = problemKinds().find((k) => problemName(k.type) === name);
  if (!kind) throw new Error(`no problem type ${name}`);
  return kind.status;
}

describe("error answers", () => {
  it("documents every problem status on some route, and lists every problem type with its status", () => {
    const documented = new Set(operations().flatMap(({ operation }) => Object.keys(operation.responses)));
    for (const kind of problemKinds()) {
      expect(documented, kind.type).toContain(String(kind.status));
      expect(document.components.schemas.Problem.properties.type.enum).toContain(kind.type);
      expect(document.components.schemas.Problem.description).toContain(`| ${kind.status} | \`${problemName(kind.type)}\` | ${kind.title} |`);
    }
  });

  it("documents on each create route every problem a create can meet, as application/problem+json", () => {
    const names = ["invalid-request", "unauthorized", "method-not-allowed", "duplicate-session", "idempotency-in-flight", "payload-too-large", "unsupported-media-type", "idempotency-mismatch", "daily-limit-reached", "upstream-throttled", "internal", "upstream-failed", "upstream-unavailable", "upstream-timeout"];
    for (const kind of KINDS) {
      const { path, method } = TASK_KINDS[kind].route;
      const responses = document.paths[path][method.toLowerCase()].responses;
      for (const name of names) {
        const response = responses[String(problemStatus(name))];
        expect(response?.content["application/problem+json"].examples, `${path} ${name}`).toHaveProperty([name]);
      }
    }
  });

  it("says which headers problems carry: WWW-Authenticate on 401, Allow on 405, Retry-After on a 429 except an account quota's", () => {
    const responses = document.paths["/tencent-vod/v1/aigc-video"].post.responses;
    expect(responses[String(problemStatus("unauthorized"))].headers["WWW-Authenticate"]).toMatchObject({ required: true });
    expect(responses[String(problemStatus("method-not-allowed"))].headers.Allow).toMatchObject({ required: true });
    const retryAfter = responses[String(problemStatus("daily-limit-reached"))].headers["Retry-After"];
    expect(retryAfter).toMatchObject({ required: false, schema: { type: "integer" } });
    expect(retryAfter.description).toContain("Sent with daily-limit-reached, upstream-throttled.");
    expect(responses[String(problemStatus("idempotency-in-flight"))].headers["Retry-After"].description).toContain("idempotency-in-flight");
  });

  it("has examples that are valid problem bodies with the status of their response", () => {
    const validate = schemaValidator({ $ref: "#/components/schemas/Problem" });
    for (const { method, path, operation } of operations()) {
      for (const [status, response] of Object.entries(operation.responses as Json)) {
        const problem = response.content?.["application/problem+json"];
        if (!problem) continue;
        for (const [name, example] of Object.entries(problem.examples as Json)) {
          expect(validate(example.value), `${method} ${path} ${status} ${name}: ${JSON.stringify(validate.errors)}`).toBe(true);
          expect(example.value.status, `${method} ${path} ${name}`).toBe(Number(status));
        }
      }
    }
  });
});

describe("answers and webhooks", () => {
  const finished: TaskRecord = {
    taskId: "251007502-AigcVideo-0123456789abcdef0123456789abcdeft",
    kind: "vod-video",
    createdAt: "2025-10-21T08:00:00.000Z",
    updatedAt: "2025-10-21T08:01:30.000Z",
    origin: { type: "http", tokenId: "owner" },
    status: "succeeded",
    progress: 100,
    history: [
      { status: "queued", at: "2025-10-21T08:00:00.000Z" },
      { status: "succeeded", at: "2025-10-21T08:01:12.000Z" },
    ],
    outputs: [
      { type: "video", url: "https://vod.example.com/a.mp4", expiresAt: "2025-10-28T08:01:12.000Z", fileId: "5145403699605999621" },
      { type: "video", kept: { bucket: "aigc-1250000000", region: "ap-guangzhou", key: "aigc-results/a.mp4" } },
    ],
    finishedAt: "2025-10-21T08:01:12.000Z",
    detail: { TaskType: "AigcVideoTask", Status: "FINISH" },
    callbackUrl: "https://example.com/hook",
    delivery: {
      webhook: { state: "pending", attempts: 2, lastAttemptAt: "2025-10-21T08:01:30.000Z", nextAttemptAt: "2025-10-21T08:02:30.000Z", lastError: "HTTP 500" },
      keep: { state: "delivered", attempts: 1, deliveredAt: "2025-10-21T08:01:20.000Z" },
    },
  };
  const failed: TaskRecord = { ...finished, kind: "mps-video", status: "failed", outputs: [], error: { code: "FailedOperation", message: "content review" }, delivery: {} };

  it("describes the query answers the code makes, in each route's Tencent shape, for a succeeded and a failed task", async () => {
    for (const [record, route] of [
      [finished, QUERY_ROUTES[0]],
      [failed, QUERY_ROUTES[1]],
    ] as const) {
      if (!route) throw new Error("query route missing");
      const validate = schemaValidator({ $ref: `#/components/schemas/${queryResponseSchemaName(route.service)}` });
      const task = await queryTask(route, record.taskId, { tokenId: "owner" }, {
        ledger: { getTask: async () => record },
        clients: {} as never,
        config: { vodSubAppId: 251007502, upstreamAttemptTimeoutMs: 1000 } as never,
        presignGetUrl: (kept) => `https://${kept.bucket}.cos.${kept.region}.myqcloud.com/${kept.key}?sign=x`,
        deadline: Date.now() + 5_000,
        log: { info: () => {}, warn: () => {}, error: () => {}, with: () => undefined } as never,
        now: Date.now,
      });
      const body = { Response: { ...taskAnswer(task), RequestId: "req-1" } };
      expect(validate(body), JSON.stringify(validate.errors)).toBe(true);
      expect(validate(responseSchema(route.path, "get", "200", "application/json").example), route.path).toBe(true);
    }
  });

  it("describes the create answer with an example that fits it", () => {
    const validate = schemaValidator({ $ref: "#/components/schemas/CreateTaskResponse" });
    for (const kind of KINDS) {
      const example = responseSchema(TASK_KINDS[kind].route.path, "post", "200", "application/json").example;
      expect(validate(example), kind).toBe(true);
    }
    expect(validate({ Response: { TaskId: "x", RequestId: "y", Extra: 1 } })).toBe(false);
  });

  it("lists the three webhooks with the Standard Webhooks headers, and describes the payloads the tracker sends", () => {
    expect(Object.keys(document.webhooks).sort()).toEqual(["task.failed", "task.started", "task.succeeded"]);
    const validate = schemaValidator({ $ref: "#/components/schemas/TaskEvent" });
    const started = buildStartedEvent({ ...finished, history: [{ status: "queued", at: finished.createdAt }, { status: "running", at: "2025-10-21T08:00:02.000Z" }] });
    for (const payload of [buildTaskEvent(finished), buildTaskEvent(failed), started!]) {
      const webhook = document.webhooks[payload.type].post;
      expect(webhook.parameters.map((p: Json) => `${p.in} ${p.name}`)).toEqual(["header webhook-id", "header webhook-timestamp", "header webhook-signature"]);
      expect(validate(payload), JSON.stringify(validate.errors)).toBe(true);
      const typed = schemaValidator(webhook.requestBody.content["application/json"].schema);
      expect(typed(payload)).toBe(true);
      expect(typed({ ...payload, type: payload.type === "task.failed" ? "task.succeeded" : "task.failed" })).toBe(false);
    }
  });

  it("signs its webhook examples for real: the Standard Webhooks library makes the same signature", () => {
    const secret = `whsec_${Buffer.from("an example secret, for the docs only").toString("base64")}`;
    for (const webhook of Object.values(document.webhooks as Json)) {
      const operation = webhook.post as Json;
      const example = operation.requestBody.content["application/json"].example;
      const headers = Object.fromEntries(operation.parameters.map((p: Json) => [p.name, p.example])) as Record<string, string>;
      const timestamp = new Date(Number(headers["webhook-timestamp"]) * 1000);
      expect(new Webhook(secret).sign(headers["webhook-id"] ?? "", timestamp, JSON.stringify(example))).toBe(headers["webhook-signature"]);
    }
  });
});

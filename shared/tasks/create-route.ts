/**
 * The create-task HTTP route shared by the task functions:
 * authenticate -> read JSON -> validate against the catalog -> (replay an Idempotency-Key) ->
 * pick a SessionId -> admit it under the daily cap -> call Tencent once -> record the task in the ledger.
 * Nothing unauthenticated or invalid gets past the first three steps, so it never costs money.
 */

import { createHash } from "node:crypto";
import type { Caller } from "../auth";
import { ConfigError } from "../config";
import { RequestRefused, type FieldIssue } from "../errors";
import { checkCallbackUrl } from "../http/callback-url";
import { httpFunction, readJsonBody, requireCaller, type RequestScope } from "../http/function";
import type { HttpResponse } from "../http/types";
import { tencentClients } from "../tencent/clients";
import { parseWebhookEvents, sendsEveryFinalEvent } from "../tracking/webhook-events";
import type { TaskEventType } from "../tracking/webhooks";
import { validateWith, type CreateAction, type TaskKind } from "../validation/action";
import { normalizeKey } from "../validation/field-names";
import { createTask, type CreatedTask } from "./create";
import { TASK_KINDS } from "./kinds";
import type { FirstDueAt, TaskLedger, TaskRecord } from "./ledger";
import { optionalLedger } from "./services";
import { chooseSessionId, isValidIdempotencyKey } from "./session-id";
import { admitCreate, createdNothing, type SpendSlots } from "./spend-cap";

/** How long an unfinished Idempotency-Key claim is taken to be a request still in flight. */
const IN_FLIGHT_MS = 60_000;

/** Finds one of our own fields (any spelling: CallbackUrl, callback_url, callbackUrl) in a body, and how often it is given. */
function findOwnField(fields: Record<string, unknown>, normalized: string): { field?: string; count: number } {
  let field: string | undefined;
  let count = 0;
  for (const key in fields) {
    if (!Object.prototype.hasOwnProperty.call(fields, key) || normalizeKey(key) !== normalized) continue;
    field ??= key;
    count++;
  }
  return { ...(field !== undefined ? { field } : {}), count };
}

/** A 400 naming one of our own fields as the client spelled it. */
function refuseOwnField(code: string, field: string, message: string): RequestRefused {
  return new RequestRefused("invalid-request", code, `${field}: ${message}`, { issues: [{ field, message, code }] });
}

/**
 * Takes our own `CallbackUrl` and `WebhookEvents` fields (any spelling) out of the body before
 * Tencent's fields are validated, so neither is ever sent to Tencent.
 */
function takeWebhookFields(body: unknown, scope: RequestScope): { body: unknown; callbackUrl?: string; webhookEvents?: TaskEventType[] } {
  if (!body || typeof body !== "object" || Array.isArray(body)) return { body };
  const fields = body as Record<string, unknown>;
  // Most bodies have neither field: look for them before copying anything.
  const callback = findOwnField(fields, "callbackurl");
  const events = findOwnField(fields, "webhookevents");
  if (callback.field === undefined && events.field === undefined) return { body };
  const rest = { ...fields };
  let callbackUrl: string | undefined;
  if (callback.field !== undefined) {
    const refuse = (message: string) => refuseOwnField("InvalidParameterValue.CallbackUrl", callback.field as string, message);
    const value = fields[callback.field];
    if (callback.count > 1) throw refuse("is given more than once");
    if (typeof value !== "string") throw refuse("must be a string URL");
    const checked = checkCallbackUrl(value, { allowPrivate: scope.config.allowPrivateCallbacks });
    if (!checked.ok) throw refuse(checked.reason);
    callbackUrl = checked.url.href;
    delete rest[callback.field];
  }
  let webhookEvents: TaskEventType[] | undefined;
  if (events.field !== undefined) {
    const refuse = (message: string) => refuseOwnField("InvalidParameterValue.WebhookEvents", events.field as string, message);
    if (events.count > 1) throw refuse("is given more than once");
    // Events with nowhere to go would be silently dropped: a client who asks for them has made a mistake.
    if (callbackUrl === undefined) throw refuse("needs a CallbackUrl to send the events to");
    const parsed = parseWebhookEvents(fields[events.field]);
    if (!parsed.ok) throw refuse(parsed.reason);
    webhookEvents = parsed.events;
    delete rest[events.field];
  }
  return { body: rest, ...(callbackUrl !== undefined ? { callbackUrl } : {}), ...(webhookEvents ? { webhookEvents } : {}) };
}

function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(",")}]`;
  if (value && typeof value === "object") {
    return `{${Object.keys(value)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${stableJson((value as Record<string, unknown>)[key])}`)
      .join(",")}}`;
  }
  return JSON.stringify(value);
}

function inputSummary(params: Record<string, unknown>): TaskRecord["input"] {
  const files = [params.FileInfos, params.ImageInfos, params.VideoInfos].reduce<number>((n, list) => n + (Array.isArray(list) ? list.length : 0), 0) + (params.FileInfo || params.ImageUrl ? 1 : 0);
  return {
    ...(typeof params.ModelName === "string" ? { modelName: params.ModelName } : {}),
    ...(typeof params.ModelVersion === "string" ? { modelVersion: params.ModelVersion } : {}),
    ...(typeof params.Prompt === "string" ? { prompt: params.Prompt.slice(0, 200) } : {}),
    ...(files > 0 ? { files } : {}),
  };
}

/**
 * Tencent's envelope, plus `Warnings` when the request broke a rule the catalog only infers (or
 * named an unlisted version, or a renamed model): Tencent's clients ignore the extra member.
 */
function created(scope: RequestScope, task: CreatedTask, warnings: readonly FieldIssue[]): HttpResponse {
  const answer = { TaskId: task.taskId, RequestId: task.upstreamRequestId, ...(warnings.length > 0 ? { Warnings: warnings } : {}) };
  return {
    status: 200,
    headers: { "content-type": "application/json", "x-request-id": scope.request.requestId },
    body: JSON.stringify({ Response: answer }),
  };
}

/** Records a created task; the task exists either way, so a ledger failure is logged, not answered. */
async function recordTask(
  ledger: TaskLedger,
  kind: TaskKind,
  caller: Caller,
  task: CreatedTask,
  params: Record<string, unknown>,
  webhook: { callbackUrl?: string; webhookEvents?: TaskEventType[] },
  scope: RequestScope,
  firstDueAt?: FirstDueAt,
) {
  const { callbackUrl, webhookEvents } = webhook;
  const now = new Date().toISOString();
  const record: TaskRecord = {
    taskId: task.taskId,
    kind,
    createdAt: now,
    updatedAt: now,
    ...(task.sessionId ? { sessionId: task.sessionId } : {}),
    upstreamRequestId: task.upstreamRequestId,
    origin: { type: "http", tokenId: caller.tokenId },
    input: inputSummary(params),
    status: "queued",
    history: [{ status: "queued", at: now }],
    ...(callbackUrl ? { callbackUrl } : {}),
    ...(webhookEvents ? { webhookEvents } : {}),
    // A final webhook that will be sent whatever the outcome is pending from the start (the query
    // shows it); one that depends on the outcome is added by the tracker when the task ends.
    delivery: callbackUrl && sendsEveryFinalEvent(webhookEvents) ? { webhook: { state: "pending", attempts: 0 } } : {},
  };
  try {
    await ledger.recordNewTask(record, firstDueAt?.(record, scope.config.trackerPollScale));
  } catch (error) {
    scope.log.error("ledger.write-failed", { taskId: task.taskId, error, consequence: "the task is created but will not be tracked" });
  }
}

/**
 * What the layers above the create route add to it: `firstDueAt` says when the tracker first needs
 * a new task (the tracking layer's schedule), so the task's first due entry is written at that
 * time instead of "now" (and the first tick does not read it only to reschedule it).
 */
export interface CreateRouteOptions {
  firstDueAt?: FirstDueAt;
}

/** Handles one create request for a task type, from the raw HTTP request to Tencent's envelope. */
export async function handleCreateRequest(action: CreateAction, scope: RequestScope, options: CreateRouteOptions = {}): Promise<HttpResponse> {
  const kind = action.kind;
  const caller = requireCaller(scope);
  const { body, callbackUrl, webhookEvents } = takeWebhookFields(readJsonBody(scope.request), scope);
  const result = validateWith(action, body, { allowUnlistedModels: scope.config.allowUnlistedModels, refuseUnlistedVersions: scope.config.refuseUnlistedVersions });
  if (!result.ok) {
    const first = result.issues[0];
    const summary = result.issues.length === 1 && first ? `${first.field}: ${first.message}` : `${result.issues.length} fields are invalid; see errors.`;
    // Bounded: field names are the client's keys, and a body can hold thousands of them.
    scope.log.info("request.invalid", { kind, issueCount: result.issues.length, issues: result.issues.slice(0, 20).map((issue) => ({ field: issue.field.slice(0, 200), code: issue.code })) });
    throw new RequestRefused("invalid-request", result.issues.length === 1 && first ? first.code : "InvalidParameter", summary, { issues: result.issues });
  }

  // Bounded like the issues above; each warning is its own line, so it can be searched for.
  for (const warning of result.warnings.slice(0, 20)) scope.log.warn("request.warning", { kind, field: warning.field.slice(0, 200), code: warning.code, message: warning.message.slice(0, 500) });

  const idempotencyKey = scope.request.headers["idempotency-key"];
  if (idempotencyKey !== undefined && !isValidIdempotencyKey(idempotencyKey)) {
    throw new RequestRefused("invalid-request", "InvalidParameterValue.IdempotencyKey", "Idempotency-Key must be 1-255 visible ASCII characters.", {
      issues: [{ field: "Idempotency-Key", message: "must be 1-255 visible ASCII characters", code: "InvalidParameterValue.IdempotencyKey" }],
    });
  }
  const ledger = optionalLedger(scope.config);
  if (callbackUrl && !ledger) throw new ConfigError("AIGC_LEDGER_BUCKET", "is needed to deliver webhooks (a request gave CallbackUrl)");

  // SessionId is chosen below (the client's, or one derived from the Idempotency-Key).
  const { SessionId: sentSessionId, ...params } = result.params;
  const clientSessionId = typeof sentSessionId === "string" && sentSessionId !== "" ? sentSessionId : undefined;

  // A real replay: the same key with the same body gets the first answer, another body a 422.
  // Hashed only when a key is given: most creates carry none, and the hash is a full walk of the body.
  let idempotency: { id: string; bodyHash: string } | undefined;
  if (idempotencyKey !== undefined && ledger) {
    // webhookEvents only when given, so a body without it hashes as it did before the field existed.
    const bodyHash = createHash("sha256").update(stableJson({ params: result.params, callbackUrl: callbackUrl ?? null, ...(webhookEvents ? { webhookEvents } : {}) })).digest("hex");
    idempotency = { id: ledger.idempotencyId(`${caller.tokenId}\n${kind}`, idempotencyKey), bodyHash };
    const claim = await ledger.claimIdempotencyKey(idempotency.id, { bodyHash, state: "pending", createdAt: new Date().toISOString() });
    if (!claim.claimed) {
      const existing = claim.existing;
      if (existing.bodyHash !== bodyHash) {
        throw new RequestRefused("idempotency-mismatch", "InvalidParameter.IdempotencyKeyReused", "This Idempotency-Key was used with a different body; use a new key for a new request.");
      }
      if (existing.state === "done" && existing.response) {
        scope.log.info("idempotency.replayed", { kind });
        return {
          status: existing.response.status,
          headers: { "content-type": "application/json", "x-request-id": scope.request.requestId, "idempotent-replayed": "true" },
          body: existing.response.body,
        };
      }
      if (Date.now() - Date.parse(existing.createdAt) < IN_FLIGHT_MS) {
        throw new RequestRefused("idempotency-in-flight", "FailedOperation.IdempotencyKeyInFlight", "A request with this Idempotency-Key is still being processed; retry shortly.");
      }
      // A claim left behind by a request that died: go on, the derived SessionId keeps Tencent from
      // creating a second task if that request did reach it.
    }
  }

  const sessionId = TASK_KINDS[kind].dedupBySessionId
    ? chooseSessionId({ kind, caller, ...(clientSessionId ? { clientSessionId } : {}), ...(idempotencyKey ? { idempotencyKey } : {}) })
    : undefined;

  let task: CreatedTask;
  let spend: SpendSlots | undefined;
  try {
    // The daily cap is the last check before Tencent, so a replay or a refused request spends nothing.
    spend = await admitCreate(scope.config, caller.tokenId, scope.request.requestId, scope.log);
    task = await createTask(kind, params, sessionId, {
      config: scope.config,
      clients: tencentClients(scope.config),
      deadline: scope.deadline,
      log: scope.log.with({ tokenId: caller.tokenId }),
    });
  } catch (error) {
    if (spend && createdNothing(error)) {
      await spend.release().catch((releaseError: unknown) => scope.log.error("spend.release-failed", { error: releaseError, consequence: "a slot of the daily limit stays used" }));
    }
    // Nothing was created (or we cannot tell): let the client retry with the same key.
    if (idempotency && ledger) await ledger.releaseIdempotencyKey(idempotency.id).catch(() => undefined);
    throw error;
  }
  const response = created(scope, task, result.warnings);
  if (ledger) {
    await recordTask(ledger, kind, caller, task, params, { ...(callbackUrl ? { callbackUrl } : {}), ...(webhookEvents ? { webhookEvents } : {}) }, scope, options.firstDueAt);
    if (idempotency) {
      await ledger
        .completeIdempotencyKey(idempotency.id, { bodyHash: idempotency.bodyHash, state: "done", createdAt: new Date().toISOString(), response: { status: response.status, body: response.body } })
        .catch((error: unknown) => scope.log.error("ledger.write-failed", { what: "idempotency", error }));
    }
  }
  return response;
}

/** The SCF entry for a task type's create route; the function passes its own action, so its bundle holds no other. */
export function createTaskFunction(
  action: CreateAction,
  handle: (action: CreateAction, scope: RequestScope) => Promise<HttpResponse> = handleCreateRequest,
) {
  const info = TASK_KINDS[action.kind];
  return httpFunction(info.functionName, info.route, (scope) => handle(action, scope));
}

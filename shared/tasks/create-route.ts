/**
 * The create-task HTTP route shared by the four task functions:
 * authenticate -> read JSON -> validate against the catalog -> pick a SessionId -> call Tencent once.
 * Nothing unauthenticated or invalid gets past the first three steps, so it never costs money.
 */

import { RequestRefused } from "../errors";
import { httpFunction, readJsonBody, requireCaller, type RequestScope } from "../http/function";
import type { HttpResponse } from "../http/types";
import { tencentClients } from "../tencent/clients";
import { validateCreateRequest, type TaskKind } from "../validation";
import { createTask } from "./create";
import { TASK_KINDS } from "./kinds";
import { chooseSessionId, isValidIdempotencyKey } from "./session-id";

/** Handles one create request for a task type, from the raw HTTP request to Tencent's envelope. */
export async function handleCreateRequest(kind: TaskKind, scope: RequestScope): Promise<HttpResponse> {
  const caller = requireCaller(scope);
  const body = readJsonBody(scope.request);
  const result = validateCreateRequest(kind, body, { allowUnlistedModels: scope.config.allowUnlistedModels });
  if (!result.ok) {
    const first = result.issues[0];
    const summary = result.issues.length === 1 && first ? `${first.field}: ${first.message}` : `${result.issues.length} fields are invalid; see errors.`;
    scope.log.info("request.invalid", { kind, issues: result.issues.map((issue) => ({ field: issue.field, code: issue.code })) });
    throw new RequestRefused("invalid-request", result.issues.length === 1 && first ? first.code : "InvalidParameter", summary, { issues: result.issues });
  }

  const idempotencyKey = scope.request.headers["idempotency-key"];
  if (idempotencyKey !== undefined && !isValidIdempotencyKey(idempotencyKey)) {
    throw new RequestRefused("invalid-request", "InvalidParameterValue.IdempotencyKey", "Idempotency-Key must be 1-255 visible ASCII characters.", {
      issues: [{ field: "Idempotency-Key", message: "must be 1-255 visible ASCII characters", code: "InvalidParameterValue.IdempotencyKey" }],
    });
  }
  const params = { ...result.params };
  const clientSessionId = typeof params.SessionId === "string" && params.SessionId !== "" ? params.SessionId : undefined;
  delete params.SessionId;
  const sessionId = TASK_KINDS[kind].dedupBySessionId
    ? chooseSessionId({ kind, caller, ...(clientSessionId ? { clientSessionId } : {}), ...(idempotencyKey ? { idempotencyKey } : {}) })
    : undefined;

  const created = await createTask(kind, params, sessionId, {
    config: scope.config,
    clients: tencentClients(scope.config),
    deadline: scope.deadline,
    log: scope.log.with({ tokenId: caller.tokenId }),
  });
  return {
    status: 200,
    headers: { "content-type": "application/json", "x-request-id": scope.request.requestId },
    body: JSON.stringify({ Response: { TaskId: created.taskId, RequestId: created.upstreamRequestId } }),
  };
}

/** The SCF entry for a task type's create route. */
export function createTaskFunction(kind: TaskKind) {
  const info = TASK_KINDS[kind];
  return httpFunction(info.functionName, info.route, (scope) => handleCreateRequest(kind, scope));
}

/**
 * Creating a task: validated parameters in, one Tencent create call out, under a SessionId where
 * the action has one.
 */

import { ConfigError, type Config } from "../config";
import type { Logger } from "../log";
import { callTencent } from "../tencent/call";
import type { TencentClients } from "../tencent/clients";
import { TASK_KINDS } from "./kinds";
import type { TaskKind } from "../validation";

export interface CreatedTask {
  taskId: string;
  upstreamRequestId: string;
  sessionId?: string;
}

export interface CreateTaskDeps {
  config: Config;
  clients: TencentClients;
  /** Epoch ms by which the call must be over (the function's time limit less a margin). */
  deadline: number;
  log: Logger;
  sleep?: (ms: number) => Promise<void>;
}

/**
 * Creates one AIGC task (VOD CreateAigcVideoTask / CreateAigcImageTask / CreateAigcVideoRedrawTask,
 * or MPS CreateAigcVideoTask) from already validated parameters.
 */
export async function createTask(
  kind: TaskKind,
  params: Record<string, unknown>,
  sessionId: string | undefined,
  deps: CreateTaskDeps,
): Promise<CreatedTask> {
  const info = TASK_KINDS[kind];
  const body: Record<string, unknown> = { ...params };
  if (info.service === "vod") {
    if (deps.config.vodSubAppId === undefined) {
      throw new ConfigError("AIGC_VOD_SUBAPPID", "is required by the VOD functions (the VOD application id)");
    }
    body.SubAppId = deps.config.vodSubAppId;
  }
  const dedup = info.dedupBySessionId && sessionId !== undefined;
  if (dedup) body.SessionId = sessionId;

  const response = await callTencent(info.service === "vod" ? deps.clients.vod : deps.clients.mps, {
    action: info.action,
    params: body,
    ...(dedup ? { sessionId } : {}),
    deadline: deps.deadline,
    attemptTimeoutMs: deps.config.upstreamAttemptTimeoutMs,
    log: deps.log,
    missingFrom: (answer) => (typeof answer.TaskId === "string" && answer.TaskId ? undefined : "a TaskId"),
    ...(deps.sleep ? { sleep: deps.sleep } : {}),
  });
  const taskId = response.TaskId as string;
  deps.log.info("task.created", { kind, taskId, sessionId: dedup ? sessionId : undefined, upstreamRequestId: response.RequestId });
  return { taskId, upstreamRequestId: String(response.RequestId ?? ""), ...(dedup ? { sessionId } : {}) };
}

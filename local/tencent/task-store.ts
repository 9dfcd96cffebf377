// Tasks the stand-in created. Its own module because the task lifecycle (WAITING ->
// PROCESSING -> FINISH, DescribeTaskDetail, events) will grow here, apart from the protocol.
import type { ServiceName } from "./actions";

/** Tencent remembers a SessionId this long; a repeat inside the window is refused. */
export const SESSION_ID_RETENTION_MS = 3 * 24 * 60 * 60 * 1000;

/** Only the first state for now; the lifecycle arrives with DescribeTaskDetail. */
export type TaskStatus = "WAITING";

export interface StoredTask {
  taskId: string;
  service: ServiceName;
  action: string;
  secretId: string;
  status: TaskStatus;
  /** Server clock, unix ms. */
  createdAt: number;
  subAppId?: number;
  sessionId?: string;
  sessionContext?: string;
  params: Record<string, unknown>;
}

/** In-memory tasks and the SessionIds they consumed. */
export class TaskStore {
  private readonly tasks = new Map<string, StoredTask>();
  private readonly sessions = new Map<string, number>();

  /** Keeps a new task and marks its SessionId as used. */
  add(task: StoredTask): void {
    this.tasks.set(task.taskId, task);
    if (task.sessionId !== undefined) {
      this.sessions.set(sessionKey(task.service, task.subAppId, task.sessionId), task.createdAt);
    }
  }

  /** Whether a task of the same service and SubAppId used this SessionId within 3 days. */
  isSessionUsed(service: ServiceName, subAppId: number | undefined, sessionId: string, nowMs: number): boolean {
    const usedAt = this.sessions.get(sessionKey(service, subAppId, sessionId));
    return usedAt !== undefined && nowMs - usedAt < SESSION_ID_RETENTION_MS;
  }

  /** One task by id. */
  get(taskId: string): StoredTask | undefined {
    return this.tasks.get(taskId);
  }

  /** Every task, oldest first. */
  list(): StoredTask[] {
    return [...this.tasks.values()];
  }

  /** Forgets all tasks and SessionIds. */
  reset(): void {
    this.tasks.clear();
    this.sessions.clear();
  }
}

function sessionKey(service: ServiceName, subAppId: number | undefined, sessionId: string): string {
  return JSON.stringify([service, subAppId ?? null, sessionId]);
}

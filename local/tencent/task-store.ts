// Tasks the stand-in created and their lifecycle: queued, processing, then finished or failed.
// A task's whole schedule is fixed when it is created (every input to it is known then), so its
// state at any instant is computed from timestamps: no timer runs per task, and moving the
// stand-in's clock moves every task along with it.
import type { ServiceName } from "./actions";
import type { OutputFile } from "./outputs";
import type { TaskFailure } from "./task-failures";

/** Tencent remembers a SessionId this long; a repeat inside the window is refused. */
export const SESSION_ID_RETENTION_MS = 3 * 24 * 60 * 60 * 1000;

/**
 * How long after creation each service's query action still finds a task; past it, Tencent answers
 * "not found". VOD: DescribeTaskDetail "最多可以查询3天之内提交的任务" (vod_client.d.ts). MPS: its task
 * queries find tasks "7天之内" (mps_client.d.ts, DescribeTaskDetail); DescribeAigcVideoTask states
 * no window of its own, so the stand-in takes MPS's 7 days.
 */
export interface QueryWindows {
  vodMs: number;
  mpsMs: number;
}

/** Tencent's query windows, the stand-in's default. */
export const DEFAULT_QUERY_WINDOWS: Readonly<QueryWindows> = { vodMs: 3 * 24 * 60 * 60 * 1000, mpsMs: 7 * 24 * 60 * 60 * 1000 };

/** What the task makes, which decides its TaskType, output and completion event. */
export type TaskKind = "vod-video" | "vod-image" | "vod-redraw" | "mps-video" | "mps-image";

/** VOD's Status words for a task (ABORTED never happens here). */
export type VodTaskStatus = "WAITING" | "PROCESSING" | "FINISH";
/** MPS's Status words for an AIGC task. */
export type MpsTaskStatus = "WAIT" | "RUN" | "DONE" | "FAIL";
export type TaskStatus = VodTaskStatus | MpsTaskStatus;
/** The same state in service-neutral words. */
export type TaskPhase = "queued" | "processing" | "succeeded" | "failed";

export interface LifecycleOptions {
  /** How long a task waits before it starts, once a slot is free; 1000 ms by default. */
  queuedMs?: number;
  /** How long a task runs; 2000 ms by default. */
  processingMs?: number;
  /**
   * Tasks VOD runs at once per SubAppId and create action; 1 by default, the default
   * concurrency Tencent documents for CreateAigcVideoTask and CreateAigcImageTask (each its
   * own). MPS tasks always run in parallel.
   */
  vodConcurrency?: number;
}

/** A task as created; everything about its future is already decided. */
export interface TaskRecord {
  taskId: string;
  service: ServiceName;
  action: string;
  kind: TaskKind;
  secretId: string;
  /** Server clock, unix ms. */
  createdAt: number;
  /** When it leaves the queue and starts processing. */
  beginAt: number;
  /** When it finishes, successfully or not. */
  finishAt: number;
  /** Set when the task is doomed to fail (an injected task-failure fault). */
  failure?: TaskFailure;
  /** The files it produces on success (empty when it fails). */
  outputs: OutputFile[];
  /** VOD FileIds of the outputs, when OutputConfig.StorageMode is Permanent. */
  fileIds?: string[];
  subAppId?: number;
  sessionId?: string;
  sessionContext?: string;
  params: Record<string, unknown>;
}

/** A task with its state at the moment it was read. */
export interface StoredTask extends TaskRecord {
  status: TaskStatus;
  phase: TaskPhase;
  /** 0-100. */
  progress: number;
}

export type NewTask = Omit<TaskRecord, "beginAt" | "finishAt">;

const DEFAULT_QUEUED_MS = 1000;
const DEFAULT_PROCESSING_MS = 2000;

/** In-memory tasks, their schedule, and the SessionIds they consumed. */
export class TaskStore {
  private readonly tasks = new Map<string, TaskRecord>();
  private readonly sessions = new Map<string, number>();
  /** Per VOD SubAppId and create action, when each of its processing slots is next free. */
  private readonly vodSlots = new Map<string, number[]>();
  private readonly queuedMs: number;
  private readonly processingMs: number;
  private readonly vodConcurrency: number;
  private readonly initialWindows: QueryWindows;
  private windows: QueryWindows;

  constructor(lifecycle: LifecycleOptions = {}, queryWindows: Partial<QueryWindows> = {}) {
    this.queuedMs = nonNegative(lifecycle.queuedMs, DEFAULT_QUEUED_MS);
    this.processingMs = nonNegative(lifecycle.processingMs, DEFAULT_PROCESSING_MS);
    this.vodConcurrency = Math.max(1, Math.floor(lifecycle.vodConcurrency ?? 1));
    this.initialWindows = withWindows(DEFAULT_QUERY_WINDOWS, queryWindows);
    this.windows = this.initialWindows;
  }

  /** The query windows in force. */
  queryWindows(): QueryWindows {
    return { ...this.windows };
  }

  /** Changes some query windows (tests shorten them); reset() restores the ones the stand-in started with. */
  setQueryWindows(windows: Partial<QueryWindows>): QueryWindows {
    this.windows = withWindows(this.windows, windows);
    return this.queryWindows();
  }

  /** Whether the service's query action (DescribeTaskDetail, DescribeAigcVideoTask) still finds the task at `nowMs`. */
  isQueryable(task: TaskRecord, nowMs: number): boolean {
    const window = task.service === "vod" ? this.windows.vodMs : this.windows.mpsMs;
    return nowMs - task.createdAt < window;
  }

  /** Keeps a new task, schedules it, and marks its SessionId as used. */
  add(task: NewTask): TaskRecord {
    const ready = task.createdAt + this.queuedMs;
    let beginAt = ready;
    if (task.service === "vod") {
      // FIFO over the SubAppId's slots: the task takes the slot that frees first, and waits
      // for it when every slot is busy, so later tasks stay WAITING behind earlier ones.
      const queue = `${task.subAppId ?? ""}\n${task.action}`;
      const slots = this.vodSlots.get(queue) ?? Array<number>(this.vodConcurrency).fill(Number.NEGATIVE_INFINITY);
      let slot = 0;
      for (let i = 1; i < slots.length; i++) if ((slots[i] ?? 0) < (slots[slot] ?? 0)) slot = i;
      beginAt = Math.max(ready, slots[slot] ?? ready);
      slots[slot] = beginAt + this.processingMs;
      this.vodSlots.set(queue, slots);
    }
    const record: TaskRecord = { ...task, beginAt, finishAt: beginAt + this.processingMs };
    this.tasks.set(record.taskId, record);
    if (task.sessionId !== undefined) {
      this.sessions.set(sessionKey(task.service, task.subAppId, task.sessionId), task.createdAt);
    }
    return record;
  }

  /** Whether a task of the same service and SubAppId used this SessionId within 3 days. */
  isSessionUsed(service: ServiceName, subAppId: number | undefined, sessionId: string, nowMs: number): boolean {
    const usedAt = this.sessions.get(sessionKey(service, subAppId, sessionId));
    return usedAt !== undefined && nowMs - usedAt < SESSION_ID_RETENTION_MS;
  }

  /** One task by id. */
  get(taskId: string): TaskRecord | undefined {
    return this.tasks.get(taskId);
  }

  /** Every task record, oldest first. */
  records(): TaskRecord[] {
    return [...this.tasks.values()];
  }

  /** Every task with its state at `nowMs`, oldest first. */
  list(nowMs: number): StoredTask[] {
    return this.records().map((task) => snapshot(task, nowMs));
  }

  /** Forgets all tasks, schedules and SessionIds. */
  reset(): void {
    this.tasks.clear();
    this.sessions.clear();
    this.vodSlots.clear();
    this.windows = this.initialWindows;
  }
}

/** The phase of a task at `nowMs`. */
export function phaseAt(task: TaskRecord, nowMs: number): TaskPhase {
  if (nowMs < task.beginAt) return "queued";
  if (nowMs < task.finishAt) return "processing";
  return task.failure ? "failed" : "succeeded";
}

/** Progress 0-100 at `nowMs`: 0 while queued, 100 once finished, never 100 before. */
export function progressAt(task: TaskRecord, nowMs: number): number {
  const phase = phaseAt(task, nowMs);
  if (phase === "queued") return 0;
  if (phase !== "processing") return 100;
  const span = task.finishAt - task.beginAt;
  return Math.min(99, Math.max(0, Math.floor(((nowMs - task.beginAt) / span) * 100)));
}

/** The task's own service's Status word for a phase. */
export function statusOf(service: ServiceName, phase: TaskPhase): TaskStatus {
  if (service === "mps") return ({ queued: "WAIT", processing: "RUN", succeeded: "DONE", failed: "FAIL" } as const)[phase];
  return phase === "queued" ? "WAITING" : phase === "processing" ? "PROCESSING" : "FINISH";
}

/** The task with its state at `nowMs`. */
export function snapshot(task: TaskRecord, nowMs: number): StoredTask {
  const phase = phaseAt(task, nowMs);
  return { ...task, status: statusOf(task.service, phase), phase, progress: progressAt(task, nowMs) };
}

function sessionKey(service: ServiceName, subAppId: number | undefined, sessionId: string): string {
  return JSON.stringify([service, subAppId ?? null, sessionId]);
}

function withWindows(base: QueryWindows, changes: Partial<QueryWindows>): QueryWindows {
  return { vodMs: nonNegative(changes.vodMs, base.vodMs), mpsMs: nonNegative(changes.mpsMs, base.mpsMs) };
}

function nonNegative(value: number | undefined, fallback: number): number {
  return value !== undefined && Number.isFinite(value) && value >= 0 ? value : fallback;
}

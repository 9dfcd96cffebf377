// Failures the stand-in can be told to produce, so clients' timeout, retry and dedup paths
// can be tested against the same wire behaviour they meet in production.
import { z } from "zod";
import { TASK_ERR_CODE_EXTS } from "./task-failures";

const match = {
  /** Only requests to this service; any service when absent. */
  service: z.enum(["vod", "mps"]).optional(),
  /** Only requests for this action; any action when absent. */
  action: z.string().min(1).optional(),
  /** How many matching requests the fault consumes; 1 when absent. */
  times: z.number().int().positive().optional(),
};

/** Schema of a fault, shared by the in-process API and `POST /__standin/faults`. */
export const faultSchema = z.discriminatedUnion("kind", [
  // A Tencent error envelope (HTTP 200), e.g. InternalError or RequestLimitExceeded.
  z.object({ ...match, kind: z.literal("error"), code: z.string().min(1), message: z.string().optional() }),
  // processBeforeDelay: the task is created and only the answer is late, which is what a
  // lost response looks like to a client that timed out.
  z.object({ ...match, kind: z.literal("delay"), ms: z.number().int().nonnegative(), processBeforeDelay: z.boolean().optional() }),
  // The socket is destroyed after the body was read: the client sees a connection reset.
  z.object({ ...match, kind: z.literal("reset") }),
  // A gateway page instead of API JSON, e.g. 502 or 503 with HTML.
  z.object({ ...match, kind: z.literal("http-status"), status: z.number().int().min(400).max(599), body: z.string().optional() }),
  // HTTP 200 with a JSON content type and a truncated body.
  z.object({ ...match, kind: z.literal("malformed-json"), body: z.string().optional() }),
  // Not a wire fault: the create call succeeds, and the task it creates later ends in failure
  // with this ErrCodeExt (VOD) or Message (MPS). Consumed only by a create that made a task.
  z.object({
    ...match,
    kind: z.literal("task-failure"),
    /** ModelGenerateFailed when absent. */
    errCodeExt: z.enum(TASK_ERR_CODE_EXTS).optional(),
    /**
     * The task's numeric ErrCode; the ErrCodeExt's usual class when absent. 0 makes an
     * ErrCodeExt-only failure: ErrCode 0 beside a non-empty ErrCodeExt, which is still a failure
     * (AigcImageTask.ErrCodeExt: "空字符串表示成功，其它值表示失败"; AigcVideoTask.ErrCode: "返回0时请使用各个具体任务的 ErrCode").
     */
    errCode: z.number().int().nonnegative().optional(),
    message: z.string().min(1).optional(),
  }),
  // Not a wire fault either: the task finishes as a success by every code (VOD FINISH, ErrCode 0,
  // ErrCodeExt ""; MPS DONE) but without a single output file (empty FileInfos, no FileInfo, empty
  // VideoUrls). Consumed only by a create that made a task.
  z.object({ ...match, kind: z.literal("task-without-output") }),
]);

export type Fault = z.infer<typeof faultSchema>;
export type FaultKind = Fault["kind"];
/** Faults that decide how a created task ends rather than how a request is answered. */
export type TaskOutcomeFault = Extract<Fault, { kind: "task-failure" | "task-without-output" }>;

function isTaskOutcome(fault: Fault): fault is TaskOutcomeFault {
  return fault.kind === "task-failure" || fault.kind === "task-without-output";
}

/** Pending faults, consumed in injection order by the first request each matches. */
export class FaultQueue {
  private pending: Array<{ fault: Fault; remaining: number }> = [];

  /** Queues a fault for the next `times` matching requests. */
  inject(fault: Fault): void {
    this.pending.push({ fault, remaining: fault.times ?? 1 });
  }

  /** Removes and returns the first wire fault (any kind but the task outcomes) matching this request, if any. */
  take(service: string, action: string): Exclude<Fault, TaskOutcomeFault> | undefined {
    const fault = this.takeFirst(service, action, (candidate) => !isTaskOutcome(candidate));
    return fault && !isTaskOutcome(fault) ? fault : undefined;
  }

  /** Removes and returns the first task-outcome fault matching a create that just made a task, if any. */
  takeTaskOutcome(service: string, action: string): TaskOutcomeFault | undefined {
    const fault = this.takeFirst(service, action, isTaskOutcome);
    return fault && isTaskOutcome(fault) ? fault : undefined;
  }

  private takeFirst(service: string, action: string, kind: (fault: Fault) => boolean): Fault | undefined {
    const entry = this.pending.find(
      ({ fault }) =>
        kind(fault) && (fault.service === undefined || fault.service === service) && (fault.action === undefined || fault.action === action),
    );
    if (!entry) return undefined;
    entry.remaining -= 1;
    if (entry.remaining === 0) this.pending = this.pending.filter((candidate) => candidate !== entry);
    return entry.fault;
  }

  /** Faults still waiting, with how many requests each will still hit. */
  list(): Array<Fault & { remaining: number }> {
    return this.pending.map(({ fault, remaining }) => ({ ...fault, remaining }));
  }

  /** Drops every pending fault. */
  clear(): void {
    this.pending = [];
  }
}

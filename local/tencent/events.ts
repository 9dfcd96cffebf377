// VOD's reliable-callback event queue (PullEvents / ConfirmEvents). Each finished AIGC video or
// image task yields one completion event; video redraw yields none, as with Tencent. An event
// handed out by PullEvents must be confirmed within the confirm window or it becomes pullable
// again under a new handle (the old handle then refuses confirmation, as Tencent's does after
// 30 s); unconfirmed events are dropped once the retention period has passed.
import { randomBytes } from "node:crypto";
import type { TaskRecord } from "./task-store";

/** Tencent's PullEvents returns at most this many events per call. */
export const MAX_EVENTS_PER_PULL = 16;

export type EventType = "AigcVideoTaskComplete" | "AigcImageTaskComplete";
export type EventState = "pending" | "pulled" | "confirmed" | "expired";

export interface EventOptions {
  /** How long a pulled event waits for ConfirmEvents before it can be pulled again; 30 s by default. */
  confirmWindowMs?: number;
  /** How long an unconfirmed event is kept; 4 days by default. */
  retentionMs?: number;
}

interface EventRecord {
  eventId: string;
  eventType: EventType;
  taskId: string;
  secretId: string;
  subAppId?: number;
  /** When the task finished: the event exists from then on (server clock, unix ms). */
  availableAt: number;
  /** Current handle, when pulled at least once. */
  handle?: string;
  pulledAt?: number;
  deliveries: number;
  confirmedAt?: number;
}

/** An event with its state at the moment it was read. */
export interface StoredEvent extends EventRecord {
  /** pending: can be pulled (again); pulled: awaiting confirmation; expired: past retention, gone. */
  state: EventState;
}

/** The completion event type of a task, or undefined for tasks Tencent sends none for. */
export function eventTypeOf(task: TaskRecord): EventType | undefined {
  if (task.kind === "vod-video") return "AigcVideoTaskComplete";
  if (task.kind === "vod-image") return "AigcImageTaskComplete";
  return undefined;
}

/** The events of finished tasks, per account (SecretId) and SubAppId. */
export class EventQueue {
  private readonly events = new Map<string, EventRecord>();
  readonly confirmWindowMs: number;
  readonly retentionMs: number;

  constructor(options: EventOptions = {}) {
    this.confirmWindowMs = options.confirmWindowMs ?? 30_000;
    this.retentionMs = options.retentionMs ?? 4 * 24 * 60 * 60 * 1000;
  }

  /** Creates the events of tasks that have finished by `nowMs` and have none yet. */
  sync(tasks: TaskRecord[], nowMs: number): void {
    const finished = tasks.filter((task) => task.finishAt <= nowMs && !this.events.has(task.taskId)).sort((a, b) => a.finishAt - b.finishAt);
    for (const task of finished) {
      const eventType = eventTypeOf(task);
      if (!eventType) continue;
      this.events.set(task.taskId, {
        eventId: randomBytes(8).toString("hex"),
        eventType,
        taskId: task.taskId,
        secretId: task.secretId,
        availableAt: task.finishAt,
        deliveries: 0,
        ...(task.subAppId !== undefined ? { subAppId: task.subAppId } : {}),
      });
    }
  }

  /** Hands out up to 16 pullable events of this account and SubAppId, each under a new handle. */
  pull(secretId: string, subAppId: number | undefined, nowMs: number): StoredEvent[] {
    const pulled = this.pullable(secretId, subAppId, nowMs).slice(0, MAX_EVENTS_PER_PULL);
    for (const event of pulled) {
      event.handle = randomBytes(16).toString("hex");
      event.pulledAt = nowMs;
      event.deliveries += 1;
    }
    return pulled.map((event) => withState(event, "pulled"));
  }

  /** Whether a pull at `nowMs` would return anything. */
  hasPullable(secretId: string, subAppId: number | undefined, nowMs: number): boolean {
    return this.pullable(secretId, subAppId, nowMs).length > 0;
  }

  /**
   * Confirms the events behind `handles`. A handle that is not the current, unexpired handle of
   * an event of this account and SubAppId is returned as invalid; confirming a confirmed event
   * again is accepted.
   */
  confirm(secretId: string, subAppId: number | undefined, handles: string[], nowMs: number): { confirmed: string[]; invalid: string[] } {
    const confirmed: string[] = [];
    const invalid: string[] = [];
    for (const handle of handles) {
      const event = [...this.events.values()].find((candidate) => candidate.handle === handle);
      const mine = event !== undefined && event.secretId === secretId && event.subAppId === subAppId;
      if (mine && event.confirmedAt !== undefined) {
        confirmed.push(event.eventId);
      } else if (mine && this.stateOf(event, nowMs) === "pulled") {
        event.confirmedAt = nowMs;
        confirmed.push(event.eventId);
      } else {
        invalid.push(handle);
      }
    }
    return { confirmed, invalid };
  }

  /** Every event with its state at `nowMs`, oldest first. */
  list(nowMs: number): StoredEvent[] {
    return [...this.events.values()].sort((a, b) => a.availableAt - b.availableAt).map((event) => withState(event, this.stateOf(event, nowMs)));
  }

  /** Forgets every event. */
  reset(): void {
    this.events.clear();
  }

  private pullable(secretId: string, subAppId: number | undefined, nowMs: number): EventRecord[] {
    return [...this.events.values()]
      .filter((event) => event.secretId === secretId && event.subAppId === subAppId && this.stateOf(event, nowMs) === "pending")
      .sort((a, b) => a.availableAt - b.availableAt);
  }

  private stateOf(event: EventRecord, nowMs: number): EventState {
    if (event.confirmedAt !== undefined) return "confirmed";
    if (nowMs - event.availableAt >= this.retentionMs) return "expired";
    if (event.pulledAt !== undefined && nowMs < event.pulledAt + this.confirmWindowMs) return "pulled";
    return "pending";
  }
}

function withState(event: EventRecord, state: EventState): StoredEvent {
  return { ...event, state };
}

// Asynchronous invocation the way SCF runs it for COS triggers: the upload never waits for the
// function, a rejected invocation is retried (2 times by default; a minute apart in SCF, 1 s
// here), and every attempt is recorded so tests can see retries, give-ups and duplicates.
import { randomUUID } from "node:crypto";
import { redact } from "../../shared/log";
import type { CosEvent } from "./events";

export type Invoke = (functionName: string, event: unknown) => Promise<unknown>;

export interface DeliveryAttempt {
  /** 1 for the first invocation, 2.. for retries. */
  attempt: number;
  /** ISO 8601. */
  startedAt: string;
  finishedAt: string;
  outcome: "succeeded" | "failed";
  /** The rejection's message, redacted. */
  error?: string;
}

/** One event on its way to one function (a duplicate is a delivery of its own). */
export interface CosDelivery {
  id: string;
  functionName: string;
  bucket: string;
  key: string;
  eventName: string;
  /** 0 for the delivery COS makes; 1..N for the extra copies of duplicateDeliveries. */
  copy: number;
  event: CosEvent;
  attempts: DeliveryAttempt[];
  /** pending until an attempt succeeds or the retries run out; cancelled by close() or reset(). */
  status: "pending" | "succeeded" | "gave-up" | "cancelled";
}

export interface DeliveryOptions {
  invoke: Invoke;
  retries: number;
  retryDelayMs: number;
  now: () => number;
  log: (line: Record<string, unknown>) => void;
}

/** Runs deliveries in the background and keeps their record. */
export class DeliveryQueue {
  private records: CosDelivery[] = [];
  private readonly running = new Set<Promise<void>>();
  private readonly sleepers = new Map<NodeJS.Timeout, () => void>();
  private generation = 0;

  constructor(private readonly options: DeliveryOptions) {}

  /** Starts a delivery once `after` settles (the creating request's answer is out). */
  enqueue(delivery: Omit<CosDelivery, "id" | "attempts" | "status">, after: Promise<void>): void {
    const record: CosDelivery = { ...delivery, id: randomUUID(), attempts: [], status: "pending" };
    this.records.push(record);
    const generation = this.generation;
    const job = after.then(() => this.deliver(record, generation));
    this.running.add(job);
    void job.finally(() => this.running.delete(job));
  }

  /** Resolves once every pending delivery, retries included, has finished. */
  async flush(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running]);
  }

  /** Every delivery so far, oldest first (copies: callers cannot change the record). */
  list(): CosDelivery[] {
    return this.records.map((record) => ({ ...record, attempts: record.attempts.map((attempt) => ({ ...attempt })) }));
  }

  /** Cancels what is still waiting to be retried and forgets the record. */
  reset(): void {
    this.cancelPending();
    this.records = [];
  }

  /** Cancels what is still waiting to be retried; invocations already running are not interrupted. */
  cancelPending(): void {
    this.generation++;
    for (const [timer, wake] of this.sleepers) {
      clearTimeout(timer);
      wake();
    }
    this.sleepers.clear();
  }

  private async deliver(record: CosDelivery, generation: number): Promise<void> {
    for (let attempt = 1; attempt <= 1 + this.options.retries; attempt++) {
      if (generation !== this.generation) {
        record.status = "cancelled";
        return;
      }
      const startedAt = new Date(this.options.now()).toISOString();
      try {
        // Each attempt gets its own copy, as each SCF invocation deserializes its own event.
        await Promise.resolve().then(() => this.options.invoke(record.functionName, structuredClone(record.event)));
        record.attempts.push({ attempt, startedAt, finishedAt: new Date(this.options.now()).toISOString(), outcome: "succeeded" });
        record.status = "succeeded";
        this.logAttempt(record, attempt, "succeeded");
        return;
      } catch (error) {
        const message = String(redact(error instanceof Error ? error.message : String(error)));
        record.attempts.push({ attempt, startedAt, finishedAt: new Date(this.options.now()).toISOString(), outcome: "failed", error: message });
        this.logAttempt(record, attempt, "failed", message);
      }
      if (attempt <= this.options.retries) await this.sleep(this.options.retryDelayMs);
    }
    if (generation !== this.generation) {
      record.status = "cancelled";
      return;
    }
    record.status = "gave-up";
    this.options.log({ at: new Date(this.options.now()).toISOString(), delivery: record.id, functionName: record.functionName, gaveUp: true });
  }

  private logAttempt(record: CosDelivery, attempt: number, outcome: string, error?: string): void {
    this.options.log({
      at: new Date(this.options.now()).toISOString(),
      delivery: record.id,
      functionName: record.functionName,
      bucket: record.bucket,
      key: record.key,
      eventName: record.eventName,
      copy: record.copy,
      attempt,
      outcome,
      ...(error !== undefined ? { error } : {}),
    });
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.sleepers.delete(timer);
        resolve();
      }, ms);
      this.sleepers.set(timer, resolve);
    });
  }
}

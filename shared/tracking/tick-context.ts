/**
 * What the parts of one tracker tick share: the configuration and ledger, the tick's clock and
 * time left, its report, per-task serialization, and the one way each part asks Tencent.
 */

import type { Config } from "../config";
import type { Logger } from "../log";
import type { DueEntry, TaskLedger, TaskRecord } from "../tasks/ledger";
import type { DeliveryCounts } from "./deliveries";
import type { TaskSnapshot } from "./status";

/** What one tick did. */
export interface TickReport {
  skipped?: string;
  /** Which shard of how many (AIGC_TRACKER_SHARDS) the tick worked on. */
  shard: number;
  shards: number;
  /** handedOff: pulled events whose task is another shard's, passed to that shard's due index. */
  events: { pulled: number; handled: number; notOurs: number; confirmed: number; handedOff: number };
  /** due: tasks the due index listed (the records read); open: the same, kept for earlier readers. */
  tasks: { open: number; due: number; polled: number; finished: number; closed: number; deferred: number };
  deliveries: DeliveryCounts;
  /** Due entries moved out of a layout of another K (shard 0 only), and open markers given an entry. */
  migrated: { staleEntries: number; openMarkers: number };
  ms: number;
}

/** A report with nothing done yet. */
export function emptyReport(shard = 0, shards = 1): TickReport {
  return {
    shard,
    shards,
    events: { pulled: 0, handled: 0, notOurs: 0, confirmed: 0, handedOff: 0 },
    tasks: { open: 0, due: 0, polled: 0, finished: 0, closed: 0, deferred: 0 },
    deliveries: { webhook: 0, webhookStarted: 0, bucket: 0, keep: 0, failed: 0, undeliverable: 0 },
    migrated: { staleEntries: 0, openMarkers: 0 },
    ms: 0,
  };
}

/** The parts of a running tick that its event drain and its due-task walk share. */
export interface TickContext {
  config: Config;
  ledger: TaskLedger;
  log: Logger;
  report: TickReport;
  /** The shard this tick works on (its due index, its events). */
  shard: number;
  now: () => number;
  timeLeft: () => number;
  /**
   * Runs `fn` in one of the tick's work slots (TrackerDeps.concurrency): COS and webhook work hold one,
   * waiting for Tencent's rate budget does not, so tasks waiting on a busy action do not hold up the others.
   */
  inSlot<T>(fn: () => Promise<T>): Promise<T>;
  /** Runs `fn` after every earlier piece of work on the same task in this tick. */
  withTask<T>(taskId: string, fn: () => Promise<T>): Promise<T>;
  /** What Tencent says about a task (its Describe action). */
  poll(record: TaskRecord): Promise<TaskSnapshot>;
  /** A VOD call of the event drain (PullEvents, ConfirmEvents). */
  vodCall(action: string, params: Record<string, unknown>): Promise<Record<string, unknown>>;
  /** Adds a due index entry for a task. */
  schedule(taskId: string, at: number): Promise<void>;
  /** Removes a due index entry. */
  unschedule(entry: DueEntry): Promise<void>;
  /** Test hook: runs after pulled events are recorded and before they are confirmed. */
  beforeConfirm?: () => Promise<void> | void;
}

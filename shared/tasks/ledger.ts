/**
 * The task ledger: durable bookkeeping outside the functions (SCF instances are ephemeral), kept as
 * JSON objects under a private prefix of the deployment's COS bucket. Locally and in tests the same
 * code runs against the local COS stand-in, so the production path is the one tested.
 *
 * Layout under the prefix:
 *   tasks/<taskId>.json          one TaskRecord per task the bundle created
 *   open/<taskId>                an (empty) marker while the task is not finished or not delivered
 *   due/...                      the tracker's due index, one per shard (see due-index.ts): an
 *                                (empty) entry saying when the tracker next needs the task (a poll,
 *                                an overdue check, a delivery retry); the record's dueAt names it
 *   index/due.json               written once every open marker older than the due index has an
 *                                entry (the migration from open markers alone)
 *   owners/<tokenId>/<newest-first time>~<kind>~<taskId>
 *                                an (empty) entry per task an HTTP caller created: listing a
 *                                caller's tasks, newest first, reads this and not every record
 *   uploads/<sessionId>.json     which redraw task an upload became (redraw on upload)
 *   idempotency/<key>.json       the first answer to an Idempotency-Key
 *   locks/<name>.json            short leases (one tracker tick at a time)
 *   spend/<day>/<counter>/<n>    slots of the daily create limit (see spend-cap.ts)
 *
 * Writes that must not race use COS's create-if-absent (`x-cos-forbid-overwrite`). A TaskRecord's
 * status and delivery fields are written only by the tracker, so they have a single writer.
 */

import { createHash } from "node:crypto";
import type { CosBucketRef, CosClient } from "../cos/client";
import { DueIndex } from "./due-index";
import type { TaskEventType } from "../tracking/webhooks";
import type { TaskKind } from "../validation";

export type { DueEntry } from "./due-index";

/** When the tracker first needs a new task (epoch ms), given AIGC_TRACKER_POLL_SCALE: the tracking layer's schedule, passed down by the function entries. */
export type FirstDueAt = (record: TaskRecord, pollScale: number) => number;

/** One normalized status for every task type. */
export type TaskStatus = "queued" | "running" | "succeeded" | "failed";

/** Where a redraw-on-upload result goes, and what it came from. */
export interface UploadRecord {
  sessionId: string;
  source: { bucket: string; region: string; key: string; size?: number; etag?: string; cosRequestId?: string; eventTime?: string };
  output: OutputTarget;
  style?: string;
  /**
   * claimed: a delivery is creating the task; created: TaskId known; created-unconfirmed: Tencent
   * refused the SessionId as already used, so an earlier delivery created the task but its TaskId
   * was lost; failed: Tencent refused the input.
   */
  state: "claimed" | "created" | "created-unconfirmed" | "failed";
  taskId?: string;
  error?: { code: string; message: string };
  claimedAt: string;
  updatedAt: string;
}

/** A bucket location the result of a task is written to. */
export interface OutputTarget {
  bucket: string;
  region: string;
  key: string;
  sidecarKey: string;
}

/** One result file of a finished task. */
export interface TaskOutput {
  /** Tencent's URL (temporary: VOD 7 days, MPS 12 hours). */
  url?: string;
  expiresAt?: string;
  /** VOD FileId under permanent storage. */
  fileId?: string;
  type: "video" | "image" | "file";
  /** Where a copy was kept in our bucket (AIGC_KEEP_RESULTS). */
  kept?: { bucket: string; region: string; key: string };
}

/** State of one way of delivering a result. */
export interface DeliveryState {
  state: "pending" | "delivered" | "undeliverable";
  attempts: number;
  firstAttemptAt?: string;
  lastAttemptAt?: string;
  nextAttemptAt?: string;
  deliveredAt?: string;
  lastError?: string;
}

/** A task the bundle created. */
export interface TaskRecord {
  taskId: string;
  kind: TaskKind;
  createdAt: string;
  updatedAt: string;
  sessionId?: string;
  upstreamRequestId?: string;
  /** How it was created: an HTTP request (by which token: a hash, never the token) or an upload. */
  origin: { type: "http"; tokenId: string } | { type: "cos-upload"; uploadSessionId: string };
  /** A short summary of the create input (never file contents). */
  input?: { modelName?: string; modelVersion?: string; prompt?: string; files?: number };
  status: TaskStatus;
  progress?: number;
  history: Array<{ status: TaskStatus; at: string }>;
  outputs?: TaskOutput[];
  error?: { code: string; message: string };
  finishedAt?: string;
  /** Tencent's last detail of the task, as it answered. */
  detail?: unknown;
  lastCheckedAt?: string;
  /** When the task's due index entry says it is next due (the tracker writes the entry first). */
  dueAt?: string;
  /** Set when Tencent's completion event for this task was handled. */
  eventHandledAt?: string;
  callbackUrl?: string;
  /** The webhook events the create asked for (WebhookEvents); absent: the two final ones. */
  webhookEvents?: TaskEventType[];
  output?: OutputTarget;
  /** webhook: the final event (task.succeeded / task.failed); webhookStarted: task.started. */
  delivery: { webhook?: DeliveryState; webhookStarted?: DeliveryState; bucket?: DeliveryState; keep?: DeliveryState };
}

/** One task of a caller, as the owner index lists it (without reading its record). */
export interface OwnerIndexEntry {
  taskId: string;
  kind: TaskKind;
  createdAt: string;
  /** Where the entry is in its caller's index: a listing that stops here continues `after` it. */
  position: string;
}

/** Makes a later task sort first: COS lists keys in ascending order. */
const NEWEST_FIRST_BASE = 10 ** 13;
/** Separates the parts of an owner index key; no task id, kind or digit string holds it. */
const OWNER_KEY_SEPARATOR = "~";

/** An Idempotency-Key's first answer, so a repeat gets the same one. */
export interface IdempotencyRecord {
  bodyHash: string;
  state: "pending" | "done";
  createdAt: string;
  response?: { status: number; body: string };
}

export class TaskLedger {
  /** When the tracker next needs each open task, by shard (./due-index). */
  readonly due: DueIndex;

  constructor(
    readonly cos: CosClient,
    readonly ref: CosBucketRef,
    readonly prefix: string,
    /** K, the tracker's shards (AIGC_TRACKER_SHARDS): which due index a task's entries go to. */
    shards = 1,
  ) {
    this.due = new DueIndex(cos, ref, prefix, shards);
  }

  private key(kind: "uploads" | "tasks" | "idempotency" | "locks", id: string): string {
    return `${this.prefix}${kind}/${encodeURIComponent(id)}.json`;
  }

  private openKey(taskId: string): string {
    return `${this.prefix}open/${encodeURIComponent(taskId)}`;
  }

  private async read<T>(key: string): Promise<T | undefined> {
    const object = await this.cos.getObject(this.ref, key);
    return object ? (JSON.parse(object.body.toString("utf8")) as T) : undefined;
  }

  private async write(key: string, value: unknown, createOnly: boolean): Promise<boolean> {
    const result = await this.cos.putObject(this.ref, key, JSON.stringify(value), {
      contentType: "application/json",
      forbidOverwrite: createOnly,
    });
    return result.created;
  }

  /**
   * Claims an upload for processing. Returns the existing record when another delivery of the same
   * upload got there first (so the caller can see whether its task already exists).
   */
  async claimUpload(record: UploadRecord): Promise<{ claimed: true } | { claimed: false; existing: UploadRecord }> {
    const key = this.key("uploads", record.sessionId);
    if (await this.write(key, record, true)) return { claimed: true };
    const existing = await this.read<UploadRecord>(key);
    if (!existing) throw new Error(`ledger record ${key} exists but could not be read`);
    return { claimed: false, existing };
  }

  /** Updates an upload record (its task id, or its failure). */
  async updateUpload(record: UploadRecord): Promise<void> {
    await this.write(this.key("uploads", record.sessionId), record, false);
  }

  /** The upload record of a SessionId, if any. */
  getUpload(sessionId: string): Promise<UploadRecord | undefined> {
    return this.read<UploadRecord>(this.key("uploads", sessionId));
  }

  /**
   * Records a newly created task and marks it open for the tracker. The open marker is written
   * first: a task that is open but has no record yet is skipped until its record appears, while a
   * record without a marker would never be tracked.
   */
  async recordNewTask(record: TaskRecord, firstDueAt?: number): Promise<void> {
    await this.cos.putObject(this.ref, this.openKey(record.taskId), "", { contentType: "text/plain" });
    // When the tracker first needs it (its type's schedule: ../tracking/schedule firstDueAt), or at
    // once when the caller does not know, and the first tick to see it puts it on that schedule.
    const dueAt = firstDueAt ?? Date.parse(record.createdAt);
    await this.due.schedule(record.taskId, dueAt);
    await this.write(this.key("tasks", record.taskId), { ...record, dueAt: new Date(dueAt).toISOString() }, true);
    await this.indexByOwner(record);
  }

  private ownerPrefix(tokenId: string): string {
    return `${this.prefix}owners/${encodeURIComponent(tokenId)}/`;
  }

  /** The owner index key of a task: newest first by creation, then by kind and id. */
  private ownerKey(tokenId: string, record: Pick<TaskRecord, "taskId" | "kind" | "createdAt">): string {
    const newestFirst = String(NEWEST_FIRST_BASE - 1 - Date.parse(record.createdAt)).padStart(13, "0");
    return `${this.ownerPrefix(tokenId)}${newestFirst}${OWNER_KEY_SEPARATOR}${record.kind}${OWNER_KEY_SEPARATOR}${encodeURIComponent(record.taskId)}`;
  }

  /**
   * Adds a task to its caller's index (tasks an upload created have no caller). Written after the
   * record, so every listed task has one; a task whose entry failed is tracked but not listed.
   */
  async indexByOwner(record: TaskRecord): Promise<void> {
    if (record.origin.type !== "http") return;
    await this.cos.putObject(this.ref, this.ownerKey(record.origin.tokenId, record), "", { contentType: "text/plain" });
  }

  /**
   * One page of a caller's tasks from the owner index, newest first, without reading their records.
   * `after` is the `last` of the previous page: a position inside this caller's index only, so a
   * cursor can never reach another caller's entries.
   */
  async listOwnerTasks(tokenId: string, options: { after?: string; maxKeys: number }): Promise<{ entries: OwnerIndexEntry[]; last?: string; more: boolean }> {
    const prefix = this.ownerPrefix(tokenId);
    const page = await this.cos.listObjects(this.ref, { prefix, maxKeys: options.maxKeys, ...(options.after ? { marker: prefix + options.after } : {}) });
    const entries: OwnerIndexEntry[] = [];
    for (const object of page.objects) {
      const [newestFirst, kind, taskId] = object.key.slice(prefix.length).split(OWNER_KEY_SEPARATOR);
      if (newestFirst === undefined || kind === undefined || taskId === undefined) continue;
      entries.push({
        taskId: decodeURIComponent(taskId),
        kind: kind as TaskKind,
        createdAt: new Date(NEWEST_FIRST_BASE - 1 - Number(newestFirst)).toISOString(),
        position: object.key.slice(prefix.length),
      });
    }
    const lastKey = page.objects.at(-1)?.key;
    return { entries, ...(lastKey ? { last: lastKey.slice(prefix.length) } : {}), more: page.truncated };
  }

  /** Replaces a task's record (the tracker is its only writer after creation). */
  async saveTask(record: TaskRecord): Promise<void> {
    await this.write(this.key("tasks", record.taskId), record, false);
  }

  /** The record of a task, if the bundle created it. */
  getTask(taskId: string): Promise<TaskRecord | undefined> {
    return this.read<TaskRecord>(this.key("tasks", taskId));
  }

  /** Whether the bundle created a task (its record exists), without reading the record. */
  async hasTask(taskId: string): Promise<boolean> {
    return (await this.cos.headObject(this.ref, this.key("tasks", taskId))) !== undefined;
  }

  /** Task ids that still need the tracker's attention, page by page. */
  async listOpenTaskIds(marker?: string): Promise<{ taskIds: string[]; nextMarker?: string }> {
    const page = await this.cos.listObjects(this.ref, { prefix: `${this.prefix}open/`, maxKeys: 1000, ...(marker ? { marker } : {}) });
    const taskIds = page.objects.map((o) => decodeURIComponent(o.key.slice(`${this.prefix}open/`.length)));
    return { taskIds, ...(page.truncated && page.nextMarker ? { nextMarker: page.nextMarker } : {}) };
  }

  /** Takes a task off the tracker's list: it is finished and every delivery is settled. */
  async closeTask(taskId: string): Promise<void> {
    await this.cos.deleteObject(this.ref, this.openKey(taskId));
  }

  /** The ledger key of an Idempotency-Key, scoped to the caller and the route. */
  idempotencyId(scope: string, idempotencyKey: string): string {
    return createHash("sha256").update(`${scope}\n${idempotencyKey}`).digest("hex");
  }

  /** Claims an Idempotency-Key; returns the existing record when the key was used before. */
  async claimIdempotencyKey(id: string, record: IdempotencyRecord): Promise<{ claimed: true } | { claimed: false; existing: IdempotencyRecord }> {
    const key = this.key("idempotency", id);
    if (await this.write(key, record, true)) return { claimed: true };
    const existing = await this.read<IdempotencyRecord>(key);
    if (!existing) throw new Error(`ledger record ${key} exists but could not be read`);
    return { claimed: false, existing };
  }

  /** Stores the first answer given for an Idempotency-Key. */
  async completeIdempotencyKey(id: string, record: IdempotencyRecord): Promise<void> {
    await this.write(this.key("idempotency", id), record, false);
  }

  /** Forgets a claimed Idempotency-Key whose request failed before anything was created. */
  async releaseIdempotencyKey(id: string): Promise<void> {
    await this.cos.deleteObject(this.ref, this.key("idempotency", id));
  }

  /**
   * Takes a lease named `name` until `expiresAt` (epoch ms); false while another holder's lease is
   * live. An expired lease is taken over.
   */
  async acquireLease(name: string, holder: string, now: number, ttlMs: number): Promise<boolean> {
    const key = this.key("locks", name);
    const lease = { holder, expiresAt: now + ttlMs };
    if (await this.write(key, lease, true)) return true;
    const existing = await this.read<{ holder: string; expiresAt: number }>(key);
    if (existing && existing.expiresAt > now) return false;
    await this.cos.deleteObject(this.ref, key);
    return this.write(key, lease, true);
  }

  /** Gives a lease back early. */
  async releaseLease(name: string): Promise<void> {
    await this.cos.deleteObject(this.ref, this.key("locks", name));
  }
}

/**
 * The task ledger: durable bookkeeping outside the functions (SCF instances are ephemeral), kept as
 * JSON objects under a private prefix of the deployment's COS bucket. Locally and in tests the same
 * code runs against the local COS stand-in, so the production path is the one tested.
 *
 * Writes that must not race use COS's create-if-absent (`x-cos-forbid-overwrite`).
 */

import type { CosBucketRef, CosClient } from "../cos/client";

/** Where a redraw-on-upload result goes, and what it came from. */
export interface UploadRecord {
  sessionId: string;
  source: { bucket: string; region: string; key: string; size?: number; etag?: string; cosRequestId?: string; eventTime?: string };
  output: { bucket: string; region: string; key: string; sidecarKey: string };
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

/** A task the bundle created. */
export interface TaskRecord {
  taskId: string;
  kind: "vod-video" | "vod-image" | "vod-redraw" | "mps-video";
  createdAt: string;
  sessionId?: string;
  upstreamRequestId?: string;
  /** How it was created: an HTTP request (by which token) or an upload. */
  origin: { type: "http"; tokenId: string } | { type: "cos-upload"; uploadSessionId: string };
  output?: UploadRecord["output"];
}

export class TaskLedger {
  constructor(
    private readonly cos: CosClient,
    private readonly ref: CosBucketRef,
    private readonly prefix: string,
  ) {}

  private key(kind: "uploads" | "tasks", id: string): string {
    return `${this.prefix}${kind}/${encodeURIComponent(id)}.json`;
  }

  private async read<T>(key: string): Promise<T | undefined> {
    const object = await this.cos.getObject(this.ref, key);
    return object ? (JSON.parse(object.body.toString("utf8")) as T) : undefined;
  }

  private async write(key: string, value: unknown, createOnly: boolean): Promise<boolean> {
    const result = await this.cos.putObject(this.ref, key, JSON.stringify(value, null, 2), {
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

  /** Records a created task; a record that is already there is kept (a redelivery wrote it). */
  async recordTask(record: TaskRecord): Promise<void> {
    await this.write(this.key("tasks", record.taskId), record, true);
  }

  /** The record of a task, if the bundle created it. */
  getTask(taskId: string): Promise<TaskRecord | undefined> {
    return this.read<TaskRecord>(this.key("tasks", taskId));
  }
}

/**
 * Redraw on upload: a video put under the input prefix of the bucket becomes exactly one VOD
 * CreateAigcVideoRedrawTask, however many times SCF delivers (or retries) its COS event.
 *
 * Exactly once comes from two things: the SessionId is derived from the upload itself, so Tencent
 * refuses a second create for it, and the ledger remembers the upload, so a redelivery is answered
 * from it without calling Tencent at all.
 */

import { createHash } from "node:crypto";
import type { Config, RedrawConfig } from "../config";
import type { CosBucketRef, CosClient } from "../cos/client";
import { parseCosRecord, type CosObjectEvent } from "../cos/events";
import { UpstreamError } from "../errors";
import type { Logger } from "../log";
import type { TencentClients } from "../tencent/clients";
import { validateWith } from "../validation/action";
import { vodRedrawAction } from "../validation/actions/vod-redraw";
import { createTask } from "./create";
import type { FirstDueAt, TaskLedger, TaskRecord, UploadRecord } from "./ledger";

/** Tencent's limit on a redraw input. */
export const REDRAW_MAX_INPUT_BYTES = 2 * 1024 * 1024 * 1024;
/** How long the presigned input URL stays valid: VOD may queue a task before fetching its input. */
export const INPUT_URL_TTL_SECONDS = 6 * 60 * 60;
/** The user metadata (x-cos-meta-redraw-style) that overrides the default style per object. */
export const STYLE_METADATA = "redraw-style";

const VIDEO_SUFFIXES = [".mp4", ".mov", ".m4v", ".avi", ".mkv", ".flv", ".webm", ".ts", ".mpg", ".mpeg", ".3gp", ".wmv"];

export type RecordOutcome =
  | { key: string; outcome: "created"; taskId: string }
  | { key: string; outcome: "already-created"; taskId?: string }
  | { key: string; outcome: "skipped"; reason: string }
  | { key: string; outcome: "refused"; code: string }
  | { key: string; outcome: "retry"; code: string };

export interface RedrawDeps {
  config: Config;
  /** When the tracker first needs a new task (the tracking layer's schedule); default: at once. */
  firstDueAt?: FirstDueAt;
  redraw: RedrawConfig;
  cos: CosClient;
  ledger: TaskLedger;
  clients: TencentClients;
  log: Logger;
  deadline: number;
  now?: () => number;
}

/** Thrown so that SCF retries the invocation; the records that succeeded are not redone. */
export class RetryableUploadFailure extends Error {
  override name = "RetryableUploadFailure";
}

/**
 * The SessionId of an upload: the same for every delivery of it, new for a re-upload of the key.
 * COS's request id (x-cos-request-id) names the upload itself, so with it the identity is bucket,
 * key and request id alone: a re-notification may carry a later eventTime. Without one, the ETag,
 * size and event time stand in for it.
 */
export function uploadSessionId(object: CosObjectEvent): string {
  const upload = object.cosRequestId ? ["req", object.cosRequestId] : ["obj", object.etag ?? "", object.size ?? "", object.eventTime ?? ""];
  const identity = [object.bucket, object.key, ...upload].join("\n");
  return `cos-${createHash("sha256").update(identity).digest("base64url").slice(0, 40)}`;
}

function isVideo(object: CosObjectEvent): boolean {
  const key = object.key.toLowerCase();
  return VIDEO_SUFFIXES.some((suffix) => key.endsWith(suffix)) || /^video\//i.test(object.contentType ?? "");
}

/** Why a record is not for us, or undefined when it is an upload to redraw. */
export function skipReason(object: CosObjectEvent, redraw: RedrawConfig): string | undefined {
  if (!object.eventName.startsWith("cos:ObjectCreated:")) return `event ${object.eventName} is not an object creation`;
  if (object.bucket !== redraw.bucket) return `bucket ${object.bucket} is not the configured ${redraw.bucket}`;
  if (object.key.startsWith(redraw.outputPrefix)) return "the object is under the output prefix (our own result)";
  if (!object.key.startsWith(redraw.inputPrefix)) return `the object is outside the input prefix ${redraw.inputPrefix}`;
  if (object.key.endsWith("/")) return "the object is a folder marker";
  // A URL resolves "." and ".." segments, so no presigned URL can address this key (COS would
  // serve another object); retrying cannot change that.
  if (object.key.split("/").some((segment) => segment === "." || segment === "..")) return "the key has '.' or '..' segments, which no URL can address";
  if (!isVideo(object)) return `not a video (suffix or Content-Type ${object.contentType ?? "unknown"})`;
  if (object.size !== undefined && object.size > REDRAW_MAX_INPUT_BYTES) return `the object is ${object.size} bytes; Tencent takes at most 2 GB`;
  return undefined;
}

/** Where the redrawn video of an input object goes. */
export function outputKeyFor(key: string, redraw: RedrawConfig): string {
  return redraw.outputPrefix + key.slice(redraw.inputPrefix.length);
}

/** COS metadata headers are ASCII, so a non-ASCII style (水墨) arrives percent-encoded. */
function metadataText(value: string | undefined): string | undefined {
  if (value === undefined || value === "") return undefined;
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

async function redrawOne(object: CosObjectEvent, deps: RedrawDeps): Promise<RecordOutcome> {
  const { redraw, log } = deps;
  const now = deps.now ?? Date.now;
  const ref: CosBucketRef = { bucket: redraw.bucket, region: object.region ?? redraw.region };
  const sessionId = uploadSessionId(object);
  const outputKey = outputKeyFor(object.key, redraw);
  const style = metadataText(object.userMetadata[STYLE_METADATA]) ?? redraw.defaultStyle;
  const recordLog = log.with({ bucket: object.bucket, key: object.key, sessionId });

  const body = {
    FileInfo: { Type: "Url", Url: deps.cos.presignGetUrl(ref, object.key, INPUT_URL_TTL_SECONDS) },
    ...(style ? { TaskInfo: { Style: style } } : {}),
  };
  const validation = validateWith(vodRedrawAction, body, { allowUnlistedModels: deps.config.allowUnlistedModels, refuseUnlistedVersions: deps.config.refuseUnlistedVersions });
  if (!validation.ok) {
    // Only the object's metadata can make this invalid; retrying the same upload cannot fix it.
    recordLog.warn("upload.refused", { issues: validation.issues.map((i) => ({ field: i.field, code: i.code, message: i.message })) });
    return { key: object.key, outcome: "refused", code: validation.issues[0]?.code ?? "InvalidParameter" };
  }

  const stamp = new Date(now()).toISOString();
  const record: UploadRecord = {
    sessionId,
    source: {
      bucket: object.bucket,
      region: ref.region,
      key: object.key,
      ...(object.size !== undefined ? { size: object.size } : {}),
      ...(object.etag ? { etag: object.etag } : {}),
      ...(object.cosRequestId ? { cosRequestId: object.cosRequestId } : {}),
      ...(object.eventTime ? { eventTime: object.eventTime } : {}),
    },
    output: { bucket: redraw.bucket, region: redraw.region, key: outputKey, sidecarKey: `${outputKey}.json` },
    ...(style ? { style } : {}),
    state: "claimed",
    claimedAt: stamp,
    updatedAt: stamp,
  };
  const claim = await deps.ledger.claimUpload(record);
  if (!claim.claimed) {
    const existing = claim.existing;
    if (existing.state !== "claimed") {
      recordLog.info("upload.duplicate-delivery", { state: existing.state, taskId: existing.taskId });
      return { key: object.key, outcome: "already-created", ...(existing.taskId ? { taskId: existing.taskId } : {}) };
    }
    // Claimed but unfinished: an earlier delivery stopped midway. Go on; the SessionId keeps
    // Tencent from creating a second task if that delivery did reach it.
    recordLog.info("upload.resuming-claim", { claimedAt: existing.claimedAt });
  }

  try {
    const created = await createTask("vod-redraw", validation.params, sessionId, {
      config: deps.config,
      clients: deps.clients,
      deadline: deps.deadline,
      log: recordLog,
    });
    const createdAt = new Date(now()).toISOString();
    const task: TaskRecord = {
      taskId: created.taskId,
      kind: "vod-redraw",
      createdAt,
      updatedAt: createdAt,
      sessionId,
      upstreamRequestId: created.upstreamRequestId,
      origin: { type: "cos-upload", uploadSessionId: sessionId },
      input: { files: 1 },
      status: "queued",
      history: [{ status: "queued", at: createdAt }],
      output: record.output,
      delivery: { bucket: { state: "pending", attempts: 0 } },
    };
    await deps.ledger.recordNewTask(task, deps.firstDueAt?.(task, deps.config.trackerPollScale));
    await deps.ledger.updateUpload({ ...record, state: "created", taskId: created.taskId, updatedAt: new Date(now()).toISOString() });
    recordLog.info("upload.redraw-created", { taskId: created.taskId, outputKey });
    return { key: object.key, outcome: "created", taskId: created.taskId };
  } catch (error) {
    if (!(error instanceof UpstreamError)) throw error;
    if (error.failure === "duplicate") {
      // Tencent already has a task under this upload's SessionId: an earlier delivery created it.
      await deps.ledger.updateUpload({ ...record, state: "created-unconfirmed", updatedAt: new Date(now()).toISOString() });
      recordLog.warn("upload.created-by-earlier-delivery", { code: error.code });
      return { key: object.key, outcome: "already-created" };
    }
    if (error.failure === "rejected") {
      await deps.ledger.updateUpload({
        ...record,
        state: "failed",
        error: { code: error.code, message: error.message },
        updatedAt: new Date(now()).toISOString(),
      });
      recordLog.warn("upload.rejected-by-tencent", { code: error.code, upstreamRequestId: error.context.upstreamRequestId });
      return { key: object.key, outcome: "refused", code: error.code };
    }
    recordLog.error("upload.create-failed", { code: error.code, failure: error.failure, upstreamRequestId: error.context.upstreamRequestId });
    return { key: object.key, outcome: "retry", code: error.code };
  }
}

/**
 * Handles the records of one COS event independently: a bad record does not sink the others, and
 * if any record failed for a reason a retry can fix, the invocation fails (after all records were
 * tried) so that SCF redelivers the event.
 */
export async function redrawOnUpload(event: { Records: unknown[] }, deps: RedrawDeps): Promise<RecordOutcome[]> {
  const outcomes: RecordOutcome[] = [];
  for (const [index, raw] of event.Records.entries()) {
    const parsed = parseCosRecord(raw);
    if (!parsed.ok) {
      deps.log.warn("upload.skipped", { record: index, reason: parsed.reason });
      outcomes.push({ key: `(record ${index})`, outcome: "skipped", reason: parsed.reason });
      continue;
    }
    const reason = skipReason(parsed.object, deps.redraw);
    if (reason) {
      deps.log.info("upload.skipped", { record: index, key: parsed.object.key, eventName: parsed.object.eventName, reason });
      outcomes.push({ key: parsed.object.key, outcome: "skipped", reason });
      continue;
    }
    try {
      outcomes.push(await redrawOne(parsed.object, deps));
    } catch (error) {
      // The ledger (COS) failed: nothing is lost, the redelivery picks it up.
      deps.log.error("upload.failed", { record: index, key: parsed.object.key, error });
      outcomes.push({ key: parsed.object.key, outcome: "retry", code: (error as { code?: string }).code ?? "InternalError" });
    }
  }
  const retry = outcomes.filter((o) => o.outcome === "retry");
  if (retry.length > 0) {
    throw new RetryableUploadFailure(`${retry.length} of ${outcomes.length} record(s) failed for a reason a retry may fix`);
  }
  return outcomes;
}

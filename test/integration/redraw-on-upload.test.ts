/**
 * Redraw on upload, through the production path: real COS trigger events (fixtures, and events the
 * local COS stand-in fires for real uploads) into `vod-aigc-redraw`, presigned input URLs checked
 * against the COS signature, the ledger in the (local) bucket, and the Tencent stand-in counting
 * every create.
 */

import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { main_handler as redrawHandler } from "../../functions/vod-aigc-redraw";
import { startCosStandIn } from "../../local/cos/server";
import { startTencentStandIn } from "../../local/tencent/server";
import { getConfig } from "../../shared/config";
import { CosClient } from "../../shared/cos/client";
import { ledgerFor } from "../../shared/tasks/upload-function";
import { uploadSessionId } from "../../shared/tasks/redraw-on-upload";
import { parseCosRecord } from "../../shared/cos/events";
import { loadEvent, scfContext } from "../support/scf";
import { devCosClient, useStandIns, stopStandIns, type CosStandIn, type TencentStandIn } from "../support/env";

const BUCKET = "aigc-media-1250000000";
const REGION = "ap-guangzhou";
const ref = { bucket: BUCKET, region: REGION };
const VIDEO = Buffer.from("not really a video, but COS does not care");


let tencent: TencentStandIn;
let cosStandIn: CosStandIn;
let cos: CosClient;
let dataDir: string;
const savedEnv = { ...process.env };

function configure(extra: Record<string, string> = {}): void {
  useStandIns(savedEnv, { tencent, cos: cosStandIn }, {
    AIGC_API_TOKENS: "t",
    AIGC_REDRAW_BUCKET: BUCKET,
    AIGC_REDRAW_REGION: REGION,
    AIGC_UPSTREAM_TIMEOUT_MS: "500",
    ...extra,
  });
}

/**
 * The COS stand-in over the test's data dir. Without `trigger`, uploads fire nothing, so the tests
 * that feed fixture events can put the objects those events name.
 */
async function startCos(options: { trigger?: boolean; invoke?: (fn: string, event: unknown) => Promise<unknown>; duplicateDeliveries?: number } = {}) {
  return startCosStandIn({
    port: 0,
    dataDir,
    retryDelayMs: 50,
    triggers: options.trigger ? [{ functionName: "vod-aigc-redraw", bucket: BUCKET, events: ["cos:ObjectCreated:*"], prefix: "in/" }] : [],
    invoke: options.invoke ?? (async (_fn, event) => redrawHandler(event, scfContext(4_000))),
    ...(options.duplicateDeliveries ? { duplicateDeliveries: options.duplicateDeliveries } : {}),
  });
}

/** Puts each object a fixture names into the local bucket, without firing events for them. */
async function seedObjects(fixture: string): Promise<void> {
  for (const record of loadEvent<{ Records: unknown[] }>(fixture).Records) {
    const parsed = parseCosRecord(record);
    if (parsed.ok) await cos.putObject(ref, `seed/${parsed.object.key}`, VIDEO);
  }
}

/** A fixture as a brand-new upload: each test's uploads are distinct, as real re-uploads are. */
function freshEvent(fixture: string): { Records: any[] } {
  const event = loadEvent<{ Records: any[] }>(fixture);
  const run = Math.random().toString(36).slice(2);
  for (const record of event.Records) record.cos.cosObject.meta["x-cos-request-id"] = `${record.cos.cosObject.meta["x-cos-request-id"]}-${run}`;
  return event;
}

const invoke = (fixture: string, timeLimitMs = 4_000) => redrawHandler(freshEvent(fixture), scfContext(timeLimitMs));

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), "aigc-cos-"));
  tencent = await startTencentStandIn({ port: 0 });
  cosStandIn = await startCos();
  cos = devCosClient(cosStandIn.url);
});
afterAll(() => stopStandIns(savedEnv, { tencent, cos: cosStandIn, dataDir }));
beforeEach(async () => {
  tencent.reset();
  configure();
});

describe("COS events delivered to vod-aigc-redraw", () => {
  it("creates one redraw task whose input is a presigned URL of the uploaded object", async () => {
    await cos.putObject(ref, "in/clip.mp4", VIDEO, { contentType: "video/mp4" });
    const result = await invoke("cos-put-single.json");
    expect(result).toMatchObject({ records: [{ key: "in/clip.mp4", outcome: "created" }] });
    const [call] = tencent.createdTasks();
    expect(call?.action).toBe("CreateAigcVideoRedrawTask");
    const fileInfo = call?.params?.FileInfo as { Type: string; Url: string };
    expect(fileInfo.Type).toBe("Url");
    expect(fileInfo.Url).toContain("q-signature=");
    // The COS stand-in checks the signature: the URL Tencent gets really opens the object.
    const download = await fetch(fileInfo.Url);
    expect(download.status).toBe(200);
    expect(Buffer.from(await download.arrayBuffer())).toEqual(VIDEO);
  });

  it("takes the style from the object's x-cos-meta-redraw-style", async () => {
    await invoke("cos-put-single.json");
    expect(tencent.createdTasks()[0]?.params?.TaskInfo).toEqual({ Style: "watercolor" });
  });

  it("uses the configured default style when the object has none", async () => {
    configure({ AIGC_REDRAW_STYLE: "ink wash" });
    await invoke("cos-put-multiple.json");
    expect(tencent.createdTasks()[0]?.params?.TaskInfo).toEqual({ Style: "ink wash" });
  });

  it("creates exactly one task when the same event is delivered three times", async () => {
    const event = freshEvent("cos-put-single.json");
    await redrawHandler(event, scfContext());
    const second = await redrawHandler(event, scfContext());
    await redrawHandler(event, scfContext());
    expect(tencent.createdTasks()).toHaveLength(1);
    // Redeliveries are answered from the ledger: they do not even reach Tencent.
    expect(tencent.calls()).toHaveLength(1);
    expect(second).toMatchObject({ records: [{ outcome: "already-created", taskId: tencent.createdTasks()[0]?.taskId }] });
  });

  it("creates one task when COS re-notifies the same upload with a later eventTime", async () => {
    const event = freshEvent("cos-put-single.json");
    await redrawHandler(event, scfContext());
    const renotified = structuredClone(event);
    renotified.Records[0].event.eventTime += 90;
    const again = await redrawHandler(renotified, scfContext());
    expect(tencent.createdTasks()).toHaveLength(1);
    expect(again).toMatchObject({ records: [{ outcome: "already-created", taskId: tencent.createdTasks()[0]?.taskId }] });
  });

  it("handles the records of one event independently and skips the non-video", async () => {
    const result = (await invoke("cos-put-multiple.json")) as { records: Array<{ key: string; outcome: string }> };
    expect(result.records.map((r) => [r.key, r.outcome])).toEqual([
      ["in/a.mp4", "created"],
      ["in/b.mov", "created"],
      ["in/notes.txt", "skipped"],
    ]);
    expect(tencent.createdTasks()).toHaveLength(2);
  });

  it("presigns odd keys (spaces, Chinese, plus, percent, hash) so that the URLs open the right objects", async () => {
    await seedObjects("cos-odd-keys.json");
    for (const key of ["in/my clip 1.mp4", "in/视频/测试 片段.mp4", "in/a+b%c#d.mp4"]) {
      await cos.putObject(ref, key, Buffer.from(key));
    }
    await invoke("cos-odd-keys.json");
    const urls = tencent.createdTasks().map((call) => (call.params?.FileInfo as { Url: string }).Url);
    expect(urls).toHaveLength(3);
    const bodies = await Promise.all(urls.map(async (url) => (await (await fetch(url)).text())));
    expect(bodies).toEqual(["in/my clip 1.mp4", "in/视频/测试 片段.mp4", "in/a+b%c#d.mp4"]);
  });

  it.each(["cos-remove.json", "cos-non-video.json", "cos-output-prefix.json", "cos-too-large.json"])("creates nothing for %s", async (fixture) => {
    const result = (await invoke(fixture)) as { records: Array<{ outcome: string }> };
    expect(result.records.every((r) => r.outcome === "skipped")).toBe(true);
    expect(tencent.calls()).toHaveLength(0);
  });

  it("refuses, without retrying, an object whose style metadata is over 50 characters", async () => {
    const event = freshEvent("cos-put-single.json");
    event.Records[0].cos.cosObject.meta["x-cos-meta-redraw-style"] = "s".repeat(51);
    const result = await redrawHandler(event, scfContext());
    expect(result).toMatchObject({ records: [{ outcome: "refused" }] });
    expect(tencent.calls()).toHaveLength(0);
  });

  it("fails the invocation on a retryable upstream failure, and SCF's retry creates exactly one task", async () => {
    const event = freshEvent("cos-put-single.json");
    tencent.injectFault({ kind: "error", code: "ServiceUnavailable", service: "vod", times: 1_000 });
    await expect(redrawHandler(event, scfContext(2_500))).rejects.toThrow(/retry/);
    expect(tencent.createdTasks()).toHaveLength(0);
    tencent.clearFaults();
    await expect(redrawHandler(event, scfContext())).resolves.toMatchObject({ records: [{ outcome: "created" }] });
    await redrawHandler(event, scfContext());
    expect(tencent.createdTasks()).toHaveLength(1);
  });

  it("keeps one task when an answer was lost and the redelivery finds the SessionId taken", async () => {
    const event = freshEvent("cos-put-single.json");
    tencent.injectFault({ kind: "delay", ms: 1_200, processBeforeDelay: true, service: "vod", times: 1 });
    tencent.injectFault({ kind: "error", code: "InternalError", service: "vod", times: 1_000 });
    await expect(redrawHandler(event, scfContext(2_500))).rejects.toThrow();
    tencent.clearFaults();
    const retry = await redrawHandler(event, scfContext());
    expect(retry).toMatchObject({ records: [{ outcome: "already-created" }] });
    expect(tencent.createdTasks()).toHaveLength(1);
  });
});

describe("bookkeeping for the result", () => {
  it("schedules the new task for when the tracker first needs it: its first poll, two minutes on", async () => {
    configure({ AIGC_TRACKER_POLL_SCALE: "1" });
    await cos.putObject(ref, "in/clip.mp4", VIDEO, { contentType: "video/mp4" });
    await invoke("cos-put-single.json");
    const taskId = tencent.createdTasks()[0]?.taskId as string;
    const record = await ledgerFor(getConfig()).getTask(taskId);
    expect(Date.parse(record?.dueAt ?? "") - Date.parse(record?.createdAt ?? "")).toBe(2 * 60_000);
    const due = await cos.listObjects(ref, { prefix: ".aigc-ledger/due/" });
    expect(due.objects.map((o) => o.key).filter((key) => key.endsWith(`~${encodeURIComponent(taskId)}`))).toEqual([
      `.aigc-ledger/due/${String(Date.parse(record?.dueAt ?? "")).padStart(13, "0")}~${encodeURIComponent(taskId)}`,
    ]);
  });

  it("records which task belongs to which upload and where its output goes, and it survives a restart", async () => {
    const event = freshEvent("cos-put-single.json");
    await redrawHandler(event, scfContext());
    const taskId = tencent.createdTasks()[0]?.taskId;
    const parsed = parseCosRecord(event.Records[0]);
    if (!parsed.ok) throw new Error(parsed.reason);
    const sessionId = uploadSessionId(parsed.object);

    // Restart COS (a new process over the same data) and read the ledger afresh.
    await cosStandIn.close();
    cosStandIn = await startCos();
    configure();
    const ledger = ledgerFor(getConfig());
    const upload = await ledger.getUpload(sessionId);
    expect(upload).toMatchObject({
      state: "created",
      taskId,
      source: { bucket: BUCKET, key: "in/clip.mp4" },
      output: { bucket: BUCKET, key: "out/clip.mp4", sidecarKey: "out/clip.mp4.json" },
    });
    expect(await ledger.getTask(taskId ?? "")).toMatchObject({ kind: "vod-redraw", origin: { type: "cos-upload", uploadSessionId: sessionId } });
  });
});

describe("uploading through the local COS endpoint", () => {
  it("fires the trigger asynchronously and creates exactly one task per upload, whatever the number of deliveries", async () => {
    await cosStandIn.close();
    cosStandIn = await startCos({ trigger: true, duplicateDeliveries: 2 });
    configure();
    cos = devCosClient(cosStandIn.url);
    await cos.putObject(ref, "in/e2e/holiday.mp4", VIDEO, { contentType: "video/mp4", metadata: { "redraw-style": "anime" } });
    await cos.putObject(ref, "in/e2e/readme.txt", "hello", { contentType: "text/plain" });
    await cos.putObject(ref, "out/e2e/old-result.mp4", VIDEO, { contentType: "video/mp4" });
    await cosStandIn.flushDeliveries();
    const created = tencent.createdTasks();
    expect(created).toHaveLength(1);
    expect(created[0]?.params?.TaskInfo).toEqual({ Style: "anime" });
    expect(cosStandIn.deliveries().filter((d) => d.functionName === "vod-aigc-redraw").length).toBeGreaterThanOrEqual(3);
  });
});

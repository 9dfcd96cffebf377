/**
 * The ledger's owner index on the local COS stand-in: a caller's tasks listed newest first, page by
 * page, without reading their records, and never another caller's.
 */

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startCosStandIn } from "../../local/cos/server";
import { TaskLedger, type TaskRecord } from "../../shared/tasks/ledger";
import { devCosClient, type CosStandIn } from "../support/env";

const ref = { bucket: "aigc-ledger-1250000000", region: "ap-guangzhou" };
let cosStandIn: CosStandIn;
let ledger: TaskLedger;
let dataDir: string;

function record(taskId: string, tokenId: string, createdAt: string, kind: TaskRecord["kind"] = "vod-video"): TaskRecord {
  return {
    taskId,
    kind,
    createdAt,
    updatedAt: createdAt,
    origin: { type: "http", tokenId },
    status: "queued",
    history: [{ status: "queued", at: createdAt }],
    delivery: {},
  };
}

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), "aigc-owner-index-"));
  cosStandIn = await startCosStandIn({ port: 0, dataDir, retryDelayMs: 50, triggers: [] });
  ledger = new TaskLedger(devCosClient(cosStandIn.url), ref, ".ledger/");
  for (let i = 0; i < 5; i++) await ledger.recordNewTask(record(`251007502-AigcVideo-${i}t`, "owner-a", `2026-12-0${i + 1}T08:00:00.000Z`));
  await ledger.recordNewTask(record("2147483650", "owner-a", "2026-12-03T09:00:00.000Z", "mps-image"));
  await ledger.recordNewTask(record("251007502-AigcImage-bt", "owner-b", "2026-12-06T08:00:00.000Z", "vod-image"));
  await ledger.recordNewTask({ ...record("251007502-AigcVideoRedrawTask-ct", "x", "2026-12-07T08:00:00.000Z", "vod-redraw"), origin: { type: "cos-upload", uploadSessionId: "cos-1" } });
});
afterAll(async () => {
  await cosStandIn.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe("the owner index", () => {
  it("lists a caller's tasks newest first, with kind and creation time, across pages", async () => {
    const first = await ledger.listOwnerTasks("owner-a", { maxKeys: 4 });
    expect(first.more).toBe(true);
    const second = await ledger.listOwnerTasks("owner-a", { maxKeys: 4, ...(first.last ? { after: first.last } : {}) });
    expect(second.more).toBe(false);
    expect([...first.entries, ...second.entries].map((entry) => entry.taskId)).toEqual([
      "251007502-AigcVideo-4t",
      "251007502-AigcVideo-3t",
      "2147483650",
      "251007502-AigcVideo-2t",
      "251007502-AigcVideo-1t",
      "251007502-AigcVideo-0t",
    ]);
    expect(first.entries[2]).toMatchObject({ taskId: "2147483650", kind: "mps-image", createdAt: "2026-12-03T09:00:00.000Z" });
  });

  it("never lists another caller's tasks, nor tasks an upload created", async () => {
    expect((await ledger.listOwnerTasks("owner-b", { maxKeys: 100 })).entries.map((entry) => entry.taskId)).toEqual(["251007502-AigcImage-bt"]);
    expect((await ledger.listOwnerTasks("x", { maxKeys: 100 })).entries).toEqual([]);
  });

  it("keeps a cursor inside its caller's index: another caller's position lists only the caller's own later tasks", async () => {
    const other = await ledger.listOwnerTasks("owner-b", { maxKeys: 1 });
    const page = await ledger.listOwnerTasks("owner-a", { maxKeys: 100, ...(other.last ? { after: other.last } : {}) });
    expect(page.entries.every((entry) => entry.taskId !== "251007502-AigcImage-bt")).toBe(true);
  });
});

/**
 * Tracker shards (AIGC_TRACKER_SHARDS = K): each shard's tick reads its own due index only; shard 0
 * pulls VOD events and hands another shard's to that shard's index; changing K moves every due
 * entry into the new layout, and the tasks are still followed to their end; a shard spends
 * Tencent's rate budget inside its slot of the minute only. Real create functions, the Tencent and
 * COS stand-ins, the real tracker.
 */

import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startCosStandIn } from "../../local/cos/server";
import { startTencentStandIn } from "../../local/tencent/server";
import { getConfig } from "../../shared/config";
import type { CosClient } from "../../shared/cos/client";
import type { LogSink } from "../../shared/log";
import { shardOf } from "../../shared/tasks/shards";
import { ledgerFor } from "../../shared/tasks/services";
import { devCosClient, stopStandIns, useStandIns, type CosStandIn, type TencentStandIn } from "../support/env";
import { createMpsVideo, createVodVideo, ledgerKeys } from "../support/tracker-tasks";
import { trackerTick } from "../support/tracker-tick";
import { startWebhookReceiver, type WebhookReceiver } from "../support/webhook-receiver";

const TOKEN = "shards-token";
const SECRET = `whsec_${Buffer.from("a-test-secret-of-32-bytes-length").toString("base64")}`;
const BUCKET = "aigc-media-1250000000";
const LEDGER = ".aigc-ledger/";

let tencent: TencentStandIn;
let cosStandIn: CosStandIn;
let cos: CosClient;
let dataDir: string;
let receiver: WebhookReceiver;
const savedEnv = { ...process.env };

function configure(shards: number): void {
  useStandIns(savedEnv, { tencent, cos: cosStandIn }, {
    AIGC_API_TOKENS: TOKEN,
    AIGC_REDRAW_BUCKET: BUCKET,
    AIGC_WEBHOOK_SECRET: SECRET,
    AIGC_ALLOW_PRIVATE_CALLBACKS: "true",
    AIGC_UPSTREAM_TIMEOUT_MS: "2000",
    AIGC_TRACKER_SHARDS: String(shards),
  });
}



/** Video tasks until each of `shards` shards has one: [task of shard 0, task of shard 1, ...]. */
async function videoTaskPerShard(shards: number): Promise<string[]> {
  const found = new Map<number, string>();
  for (let i = 0; i < 64 && found.size < shards; i++) {
    const taskId = await createVideo();
    if (!found.has(shardOf(taskId, shards))) found.set(shardOf(taskId, shards), taskId);
  }
  return Array.from({ length: shards }, (_, shard) => found.get(shard) as string);
}


const createMps = () => createMpsVideo(TOKEN);
const createVideo = () => createVodVideo(TOKEN, { CallbackUrl: receiver.url });
const keysUnder = (prefix: string) => ledgerKeys(cos, BUCKET, LEDGER, prefix, true);
const describes = (taskId: string, from = 0) => tencent.calls().slice(from).filter((c) => c.action.startsWith("Describe") && c.params?.TaskId === taskId).length;
const recordOf = (taskId: string) => ledgerFor(getConfig()).getTask(taskId);
const openTasks = async () => (await ledgerFor(getConfig()).listOpenTaskIds()).taskIds;

/** One tick of every shard, in slot order. */
async function tickEveryShard(shards: number, skewMs = 0) {
  const reports = [];
  for (let shard = 0; shard < shards; shard++) reports.push(await trackerTick(skewMs, { shard }));
  return reports;
}

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), "aigc-shards-"));
  // Many VOD tasks at once (the default account runs one at a time): finding one per shard makes several.
  tencent = await startTencentStandIn({ port: 0, lifecycle: { queuedMs: 1_000, processingMs: 2_000, vodConcurrency: 100 }, events: { pullHoldMs: 50, confirmWindowMs: 30_000 } });
  cosStandIn = await startCosStandIn({ port: 0, dataDir, retryDelayMs: 50, triggers: [] });
  cos = devCosClient(cosStandIn.url);
  receiver = await startWebhookReceiver(SECRET);
});
afterAll(() => stopStandIns(savedEnv, { tencent, cos: cosStandIn, dataDir, others: [receiver] }));
beforeEach(() => {
  tencent.reset();
  cosStandIn.reset();
  receiver.reset();
});

describe("tracker shards", () => {
  it("writes a new task's due entry into its shard's index, and a shard's tick reads only its own", async () => {
    configure(2);
    const [inZero, inOne] = await videoTaskPerShard(2);
    const due = await keysUnder("due/");
    expect(due.filter((key) => key.includes(encodeURIComponent(inOne as string)))).toEqual([expect.stringMatching(/^due\/shards-2\/1\/\d{13}~/)]);
    expect(due.filter((key) => key.includes(encodeURIComponent(inZero as string)))).toEqual([expect.stringMatching(/^due\/shards-2\/0\/\d{13}~/)]);
    tencent.advance(5_000);
    // Shard 1 first: it does not pull events (shard 0 does) and does not touch shard 0's task.
    const one = await trackerTick(0, { shard: 1 });
    expect(one).toMatchObject({ shard: 1, shards: 2, events: { pulled: 0 } });
    expect((await recordOf(inZero as string))?.status).toBe("queued");
  });

  it("hands an event of another shard's task to that shard, which applies it and delivers the webhook", async () => {
    configure(2);
    const [inZero, inOne] = await videoTaskPerShard(2);
    tencent.advance(5_000);
    const zero = await trackerTick(0, { shard: 0 });
    expect(zero.events.handedOff).toBeGreaterThanOrEqual(1);
    // Shard 0 ended its own task, and only recorded the other one's event in shard 1's index.
    expect((await recordOf(inZero as string))?.status).toBe("succeeded");
    expect((await recordOf(inOne as string))?.status).toBe("queued");
    // An event entry: due/shards-2/1/<time>~<taskId>~<event id>, the event its body.
    const handed = (await keysUnder("due/shards-2/1/")).filter((key) => key.includes(encodeURIComponent(inOne as string)) && key.split("~").length === 3);
    expect(handed).toHaveLength(1);
    // Every pulled event is confirmed: the hand-off entry is written first.
    expect(tencent.events().filter((event) => event.state !== "confirmed")).toEqual([]);

    const one = await trackerTick(0, { shard: 1 });
    expect(one.events.handled).toBeGreaterThanOrEqual(1);
    const record = await recordOf(inOne as string);
    expect(record?.status).toBe("succeeded");
    expect(record?.eventHandledAt).toBeDefined();
    expect(receiver.deliveries.map((d) => d.payload.data.TaskId)).toEqual(expect.arrayContaining([inZero, inOne]));
    expect((await keysUnder("due/shards-2/1/")).filter((key) => key.includes(encodeURIComponent(inOne as string)))).toEqual([]);
    expect(await openTasks()).not.toContain(inOne);
  });

  it("loses no handed-off event when shard 0 dies before confirming, and applies it once", async () => {
    configure(2);
    const [, inOne] = await videoTaskPerShard(2);
    tencent.advance(5_000);
    const dying = trackerTick(0, {
      shard: 0,
      beforeConfirm: () => {
        throw new Error("killed before ConfirmEvents");
      },
    });
    await expect(dying).rejects.toThrow("killed before ConfirmEvents");
    // Unconfirmed, the events are pulled again (after the confirm window) and handed off again.
    tencent.advance(31_000);
    await trackerTick(0, { shard: 0 });
    const handed = (await keysUnder("due/shards-2/1/")).filter((key) => key.includes(encodeURIComponent(inOne as string)) && key.split("~").length === 3);
    expect(handed.length).toBeGreaterThanOrEqual(1);
    expect(tencent.events().filter((event) => event.state !== "confirmed")).toEqual([]);
    // Shard 1 applies the event (twice changes nothing), delivers once, and keeps no entry.
    await trackerTick(0, { shard: 1 });
    expect((await recordOf(inOne as string))?.status).toBe("succeeded");
    expect(receiver.deliveries.filter((d) => d.payload.data.TaskId === inOne)).toHaveLength(1);
    expect((await keysUnder("due/shards-2/1/")).filter((key) => key.includes(encodeURIComponent(inOne as string)))).toEqual([]);
  });

  it("moves every due entry when K changes (1 to 4, then 4 to 2), and follows each task to its end", async () => {
    configure(1);
    const first = [await createMps(), await createMps(), await createMps(), await createMps(), await createMps()];
    expect((await keysUnder("due/")).every((key) => /^due\/\d{13}~/.test(key))).toBe(true);

    configure(4);
    const second = [await createMps(), await createMps(), await createMps()];
    // Each shard of four moves its own tasks' K = 1 entries into its index, at the same due time.
    const migrating = await tickEveryShard(4);
    expect(migrating.reduce((n, r) => n + r.migrated.staleEntries, 0)).toBe(first.length);
    for (const [shard, report] of migrating.entries()) expect(report.migrated.staleEntries).toBe(first.filter((taskId) => shardOf(taskId, 4) === shard).length);
    const keys = await keysUnder("due/");
    for (const taskId of [...first, ...second]) {
      expect(keys.filter((key) => key.endsWith(`~${encodeURIComponent(taskId)}`))).toEqual([expect.stringMatching(new RegExp(`^due/shards-4/${shardOf(taskId, 4)}/\\d{13}~`))]);
    }

    configure(2);
    tencent.advance(5_000);
    const from = tencent.calls().length;
    // The first ticks under K = 2 find nothing in their new indexes, then move their tasks' entries;
    // the next ticks follow the tasks.
    const moving = await tickEveryShard(2);
    expect(moving.reduce((n, r) => n + r.migrated.staleEntries, 0)).toBe(first.length + second.length);
    await tickEveryShard(2);
    // Every task ended, was asked about once by the ticks after it ended, and left no entry in any layout.
    for (const taskId of [...first, ...second]) {
      expect((await recordOf(taskId))?.status).toBe("succeeded");
      expect(describes(taskId, from)).toBe(1);
    }
    expect(await openTasks()).toEqual([]);
    expect(await keysUnder("due/")).toEqual([]);
  });

  it("makes a shard's Tencent calls inside its slot only: after it closes, polls wait for the next", async () => {
    configure(4);
    const tasks = [await createMps(), await createMps(), await createMps(), await createMps()];
    tencent.advance(5_000);
    const calls = tencent.calls().length;
    // A 15 s slot that began 20 s ago: closed 6.5 s ago (the last 1.5 s are quiet).
    const lines: Array<{ event?: string }> = [];
    const late = await tickEveryShardAt(4, Date.now() - 20_000, (line) => lines.push(JSON.parse(line) as { event?: string }));
    expect(lines.filter((line) => line.event === "tracker.slot-closed")).toHaveLength(4);
    expect(tencent.calls().slice(calls).filter((c) => c.action.startsWith("Describe"))).toEqual([]);
    expect(late.reduce((n, r) => n + r.tasks.deferred, 0)).toBe(tasks.length);
    expect(await openTasks()).toEqual(expect.arrayContaining(tasks));

    const inSlot = await tickEveryShardAt(4, Date.now());
    expect(inSlot.reduce((n, r) => n + r.tasks.polled, 0)).toBe(tasks.length);
    expect(await openTasks()).toEqual([]);
  });
});

async function tickEveryShardAt(shards: number, slotStart: number, sink: LogSink = () => {}) {
  const reports = [];
  for (let shard = 0; shard < shards; shard++) reports.push(await trackerTick(0, { shard, slotStart }, sink));
  return reports;
}

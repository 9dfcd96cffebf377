/** Which shard a task and a timer event belong to, and when a shard may call Tencent. */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { shardOf, shardSlotSeconds, SLOT_GAP_MS, spendingWindow, trackerTriggerName } from "../../shared/tasks/shards";
import { resetConfigCache } from "../../shared/config";
import { shardOfTimer, trackerFunction, type TimerEvent } from "../../shared/tracking/timer-function";

const fixture = JSON.parse(readFileSync(new URL("../events/timer-tracker.json", import.meta.url), "utf8")) as TimerEvent;

describe("shardOf", () => {
  it("never changes: a task's due entries live in its shard (FNV-1a of the id, modulo K)", () => {
    // Known answer: FNV-1a (32 bits) of "a" is 0xe40c292c.
    expect(shardOf("a", 1_000_000)).toBe(0xe40c292c % 1_000_000);
    expect(shardOf("anything", 1)).toBe(0);
  });

  it("spreads task ids evenly over the shards", () => {
    const counts = [0, 0, 0, 0];
    for (let i = 0; i < 4_000; i++) counts[shardOf(`251007502-AigcVideo-${i.toString(16).padStart(8, "0")}t`, 4)]! += 1;
    for (const count of counts) expect(count).toBeGreaterThan(900);
  });
});

describe("slots", () => {
  it("gives each of K shards its own part of the minute, starting at its timer's second", () => {
    expect([0, 1, 2, 3].map((s) => shardSlotSeconds(s, 4))).toEqual([
      { startSecond: 0, endSecond: 15 },
      { startSecond: 15, endSecond: 30 },
      { startSecond: 30, endSecond: 45 },
      { startSecond: 45, endSecond: 60 },
    ]);
    expect(shardSlotSeconds(6, 7)).toEqual({ startSecond: 51, endSecond: 60 });
  });

  it("ends a shard's calls a gap before the next shard's slot; one shard has the whole minute and more", () => {
    expect(spendingWindow(1, 4, 1_000_000)).toEqual({ opensAt: 1_000_000, closesAt: 1_000_000 + 15_000 - SLOT_GAP_MS });
    expect(spendingWindow(0, 1, 1_000_000)).toEqual({ opensAt: 1_000_000, closesAt: Number.POSITIVE_INFINITY });
  });

  it("names the trigger of each shard, keeping the single tracker's name when K = 1", () => {
    expect(trackerTriggerName(0, 1)).toBe("task-tracker-schedule");
    expect(trackerTriggerName(3, 4)).toBe("task-tracker-shard-3");
  });
});

describe("shardOfTimer", () => {
  it("takes the shard from the timer's message, else from its trigger's name, else shard 0", () => {
    expect(shardOfTimer({ ...fixture, Message: "2" })).toBe(2);
    expect(shardOfTimer({ ...fixture, TriggerName: "task-tracker-shard-3", Message: "" })).toBe(3);
    expect(shardOfTimer({ ...fixture, TriggerName: "task-tracker-shard-3", Message: " 1 " })).toBe(1);
    expect(shardOfTimer({ ...fixture, Message: "" })).toBe(0);
    expect(shardOfTimer({ ...fixture, Message: "run everything" })).toBe(0);
  });
});

describe("the tracker's timer entry", () => {
  it("ignores, with a warning, a timer of a shard the deployment no longer has (K lowered, old trigger kept)", async () => {
    const saved = process.env;
    process.env = { ...saved, AIGC_TRACKER_SHARDS: "2" };
    resetConfigCache();
    const lines: string[] = [];
    const write = process.stdout.write;
    process.stdout.write = ((chunk: string) => (lines.push(String(chunk)), true)) as typeof process.stdout.write;
    try {
      const answer = await trackerFunction("task-tracker")({ ...fixture, TriggerName: "task-tracker-shard-3" }, { request_id: "r1" });
      expect(answer).toEqual({ ignored: "shard 3 is not one of the 2 shards (AIGC_TRACKER_SHARDS)" });
    } finally {
      process.stdout.write = write;
      process.env = saved;
      resetConfigCache();
    }
    expect(lines.map((line) => JSON.parse(line) as { event: string })).toEqual([expect.objectContaining({ event: "tracker.shard-unknown", shard: 3, shards: 2 })]);
  });
});

/**
 * The local stack with the tracker in K shards (AIGC_TRACKER_SHARDS, issue 16): one timer per
 * shard firing at its offset in each period with SCF's event for that shard, and POST
 * /__local/run/task-tracker running every shard in turn. Most tests put a recording handler in the
 * tracker's place; the last runs the real one.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main_handler as mpsVideo } from "../../functions/mps-aigc-video";
import { main_handler as taskQuery } from "../../functions/task-query";
import { main_handler as taskTracker } from "../../functions/task-tracker";
import { main_handler as vodImage } from "../../functions/vod-aigc-image";
import { main_handler as vodRedraw } from "../../functions/vod-aigc-redraw";
import { main_handler as vodVideo } from "../../functions/vod-aigc-video";
import { LOCAL_DEV_TOKEN, nextShardFire, RUN_TRACKER_PATH, shardOffsetMs, startLocalStack, type LocalStack, type LocalTimerEvent } from "../../local/stack";
import { resetConfigCache } from "../../shared/config";
import { shardOf, SLOT_GAP_MS } from "../../shared/tasks/shards";

const ISO_SECONDS = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/;

let cosDataDir: string;
beforeAll(() => {
  cosDataDir = mkdtempSync(join(tmpdir(), "aigc-stack-shards-"));
});
afterAll(() => {
  rmSync(cosDataDir, { recursive: true, force: true });
});

/** What the recording tracker saw: each event, when it was called and when it returned. */
interface Call {
  event: LocalTimerEvent;
  startedAt: number;
  endedAt?: number;
}

/** A stack whose tracker records its calls (and, with `hold`, waits for it before returning). */
async function recordingStack(shards: string, options: { trackerPeriodMs: number; hold?: () => Promise<void> }) {
  const calls: Call[] = [];
  const tracker = async (event: unknown) => {
    const call: Call = { event: event as LocalTimerEvent, startedAt: Date.now() };
    calls.push(call);
    await options.hold?.();
    // A tick that takes a little while, as a real one does.
    await new Promise((resolve) => setTimeout(resolve, 20));
    call.endedAt = Date.now();
    return { shard: Number(call.event.Message || 0), calls: calls.length };
  };
  // A copy of the environment: the stack fills it in for its stand-ins.
  const env: NodeJS.ProcessEnv = { ...process.env, AIGC_TRACKER_SHARDS: shards };
  const stack = await startLocalStack({ target: "local", env, cosDataDir, trackerPeriodMs: options.trackerPeriodMs, handlers: { "task-tracker": tracker } });
  return { stack, calls };
}

/** Polls `done` every 20 ms until it holds (the test's own timeout ends a wait that never does). */
async function until(done: () => boolean): Promise<void> {
  while (!done()) await new Promise((resolve) => setTimeout(resolve, 20));
}

describe("shard timers", () => {
  it("fire each shard at second floor(60·s/K) of every wall-clock minute, like the SCF triggers", () => {
    const minute = 60_000;
    const after = Date.UTC(2026, 11, 4, 9, 15, 7, 250);
    const fires = [0, 1, 2, 3].map((shard) => new Date(nextShardFire(shard, 4, minute, after)).toISOString());
    expect(fires).toEqual(["2026-12-04T09:16:00.000Z", "2026-12-04T09:15:15.000Z", "2026-12-04T09:15:30.000Z", "2026-12-04T09:15:45.000Z"]);
    // Exactly at a shard's time, the next one is a period later; every 5 minutes, the same seconds.
    expect(nextShardFire(1, 4, minute, Date.UTC(2026, 11, 4, 9, 15, 15))).toBe(Date.UTC(2026, 11, 4, 9, 16, 15));
    expect(new Date(nextShardFire(2, 3, 5 * minute, after)).toISOString()).toBe("2026-12-04T09:15:40.000Z");
    expect([0, 1, 2].map((shard) => shardOffsetMs(shard, 3, 5 * minute))).toEqual([0, 20_000, 40_000]);
    // A period shorter than a minute (tests) is divided as a minute is.
    expect([0, 1].map((shard) => shardOffsetMs(shard, 2, 2_000))).toEqual([0, 1_000]);
  });

  it("K = 2: each shard's timer invokes the tracker with its trigger's name, its number and its scheduled time", async () => {
    // A 2 s period puts shard 1 at 1 s into it, so each scheduled time is a whole second.
    const { stack, calls } = await recordingStack("2", { trackerPeriodMs: 2_000 });
    try {
      expect(stack.trackerShards).toBe(2);
      await until(() => [0, 1].every((shard) => calls.some((call) => call.event.Message === String(shard))));
    } finally {
      await stack.close();
    }
    for (const shard of [0, 1]) {
      const call = calls.find((c) => c.event.Message === String(shard));
      expect(call?.event).toEqual({ Type: "Timer", TriggerName: `task-tracker-shard-${shard}`, Time: expect.stringMatching(ISO_SECONDS), Message: String(shard) });
      const scheduled = Date.parse(call?.event.Time ?? "");
      expect(scheduled % 2_000, `shard ${shard}`).toBe(shard * 1_000);
      // The scheduled time, not a later one: never after the call.
      expect(scheduled).toBeLessThanOrEqual(call?.startedAt ?? 0);
    }
  });

  it("K = 1 keeps the single timer and its event: task-tracker-schedule, no message, the time it fired", async () => {
    const { stack, calls } = await recordingStack("1", { trackerPeriodMs: 50 });
    try {
      expect(stack.trackerShards).toBe(1);
      await until(() => calls.length >= 2);
    } finally {
      await stack.close();
    }
    expect(calls[0]?.event).toEqual({ Type: "Timer", TriggerName: "task-tracker-schedule", Time: expect.stringMatching(ISO_SECONDS), Message: "" });
  });

  it("refuses an AIGC_TRACKER_SHARDS the functions would refuse, before starting anything", async () => {
    await expect(startLocalStack({ target: "local", env: { AIGC_TRACKER_SHARDS: "13" }, cosDataDir, handlers: {} })).rejects.toThrow(
      'AIGC_TRACKER_SHARDS must be a whole number of tracker shards from 1 to 12; got "13"',
    );
  });
});

describe("POST /__local/run/task-tracker with K = 2", () => {
  it("runs shard 0, then shard 1 at least SLOT_GAP_MS after shard 0's tick ended, and answers both reports", async () => {
    const { stack, calls } = await recordingStack("2", { trackerPeriodMs: 0 });
    let response: Response;
    try {
      response = await fetch(`${stack.gateway.url}${RUN_TRACKER_PATH}`, { method: "POST" });
    } finally {
      await stack.close();
    }
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ shards: [{ shard: 0, calls: 1 }, { shard: 1, calls: 2 }] });
    expect(calls.map((call) => [call.event.TriggerName, call.event.Message])).toEqual([
      ["task-tracker-shard-0", "0"],
      ["task-tracker-shard-1", "1"],
    ]);
    const [first, second] = calls as [Call, Call];
    expect(second.startedAt - (first.endedAt ?? Number.POSITIVE_INFINITY)).toBeGreaterThanOrEqual(SLOT_GAP_MS);
    // Each shard's Time is the moment it started, in whole seconds.
    for (const call of calls) {
      expect(call.event.Time).toMatch(ISO_SECONDS);
      expect(call.startedAt - Date.parse(call.event.Time)).toBeGreaterThanOrEqual(0);
      expect(call.startedAt - Date.parse(call.event.Time)).toBeLessThan(1_000 + 50);
    }
  });

  it("close() waits for the running shard's tick and starts no further shard", async () => {
    let release: () => void = () => undefined;
    const released = new Promise<void>((resolve) => (release = resolve));
    const { stack, calls } = await recordingStack("2", { trackerPeriodMs: 0, hold: () => released });
    const run = stack.runTracker();
    await until(() => calls.length === 1);
    let closed = false;
    const closing = stack.close().then(() => (closed = true));
    // close() is waiting for shard 0's tick, which has not returned.
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(closed).toBe(false);
    release();
    await closing;
    expect(calls[0]?.endedAt).toBeDefined();
    expect(await run).toEqual({ shards: [{ shard: 0, calls: 1 }] });
    expect(calls).toHaveLength(1);
  });
});

describe("the real tracker in two shards", () => {
  let stack: LocalStack;
  const savedEnv = { ...process.env };

  beforeAll(async () => {
    process.env = { ...savedEnv, AIGC_TRACKER_SHARDS: "2" };
    for (const name of ["AIGC_API_TOKENS", "AIGC_VOD_SUBAPPID", "AIGC_REDRAW_BUCKET", "AIGC_COS_ENDPOINT", "AIGC_LEDGER_PREFIX"]) delete process.env[name];
    resetConfigCache();
    stack = await startLocalStack({
      target: "local",
      env: process.env,
      cosDataDir: join(cosDataDir, "real"),
      trackerPeriodMs: 0,
      handlers: { "vod-aigc-video": vodVideo, "vod-aigc-image": vodImage, "vod-aigc-redraw": vodRedraw, "mps-aigc-video": mpsVideo, "task-query": taskQuery, "task-tracker": taskTracker },
    });
  });
  afterAll(async () => {
    await stack?.close();
    process.env = savedEnv;
    resetConfigCache();
  });

  it("one run-now ticks shard 0 then shard 1, and follows a task of either shard to its end", async () => {
    const headers = { authorization: `Bearer ${LOCAL_DEV_TOKEN}`, "content-type": "application/json" };
    const body = JSON.stringify({ ModelName: "GV", ModelVersion: "3.1-fast", Prompt: "generate a car", OutputConfig: { AspectRatio: "9:16" } });
    const taskIds: string[] = [];
    // Tasks until both shards have one.
    while (new Set(taskIds.map((taskId) => shardOf(taskId, 2))).size < 2 && taskIds.length < 40) {
      const created = await fetch(`${stack.gateway.url}/tencent-vod/v1/aigc-video`, { method: "POST", headers, body });
      expect(created.status).toBe(200);
      taskIds.push(((await created.json()) as { Response: { TaskId: string } }).Response.TaskId);
    }
    expect(new Set(taskIds.map((taskId) => shardOf(taskId, 2)))).toEqual(new Set([0, 1]));
    stack.standIn?.advance(60_000);

    const tick = await fetch(`${stack.gateway.url}${RUN_TRACKER_PATH}`, { method: "POST" });
    expect(tick.status).toBe(200);
    const reports = ((await tick.json()) as { shards: Array<{ shard: number; shards: number; skipped?: string }> }).shards;
    expect(reports.map((report) => [report.shard, report.shards, report.skipped])).toEqual([
      [0, 2, undefined],
      [1, 2, undefined],
    ]);

    const statuses: string[] = [];
    for (const taskId of taskIds) {
      const query = await fetch(`${stack.gateway.url}/tencent-vod/v1/query/${taskId}`, { headers: { authorization: `Bearer ${LOCAL_DEV_TOKEN}` } });
      statuses.push(((await query.json()) as { Response: { aigcScf: { Status: string } } }).Response.aigcScf.Status);
    }
    expect(statuses).toEqual(taskIds.map(() => "succeeded"));
  });
});

/**
 * Due work: a tick reads only the tasks that are due (ledger due/ entries up to now), puts each back
 * at the time it is next due, survives dying midway, takes over open markers written before the
 * index existed, and spends Tencent's rate limits as a budget. Real create functions, the Tencent
 * and COS stand-ins, the real tracker.
 */

import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startCosStandIn } from "../../local/cos/server";
import { startTencentStandIn } from "../../local/tencent/server";
import { getConfig } from "../../shared/config";
import { CosClient } from "../../shared/cos/client";
import { TaskLedger } from "../../shared/tasks/ledger";
import type { TencentApi } from "../../shared/tencent/clients";
import { RateBudget, TENCENT_RATE_LIMITS, type BudgetClock } from "../../shared/tencent/rate-budget";
import { cosClientFor, ledgerFor } from "../../shared/tasks/services";
import { tencentClients } from "../../shared/tencent/clients";
import { devCosClient, stopStandIns, useStandIns, type CosStandIn, type TencentStandIn } from "../support/env";
import { createMpsVideo, createVodVideo, ledgerKeys } from "../support/tracker-tasks";
import { trackerTick } from "../support/tracker-tick";
import { startWebhookReceiver, type WebhookReceiver } from "../support/webhook-receiver";

const TOKEN = "due-index-token";
const SECRET = `whsec_${Buffer.from("a-test-secret-of-32-bytes-length").toString("base64")}`;
const BUCKET = "aigc-media-1250000000";
const LEDGER = ".aigc-ledger/";

let tencent: TencentStandIn;
let cosStandIn: CosStandIn;
let cos: CosClient;
let dataDir: string;
let receiver: WebhookReceiver;
let cosRequests: Array<{ method: string; key: string }> = [];
const savedEnv = { ...process.env };

function configure(extra: Record<string, string> = {}): void {
  useStandIns(savedEnv, { tencent, cos: cosStandIn }, {
    AIGC_API_TOKENS: TOKEN,
    AIGC_REDRAW_BUCKET: BUCKET,
    AIGC_WEBHOOK_SECRET: SECRET,
    AIGC_ALLOW_PRIVATE_CALLBACKS: "true",
    AIGC_UPSTREAM_TIMEOUT_MS: "2000",
    ...extra,
  });
}

const tick = trackerTick;
const createMps = (body: Record<string, unknown> = {}) => createMpsVideo(TOKEN, body);
const createVideo = (body: Record<string, unknown> = {}) => createVodVideo(TOKEN, body);
const keysUnder = (prefix: string) => ledgerKeys(cos, BUCKET, LEDGER, prefix);



const recordReads = (taskId: string) => cosRequests.filter((r) => r.method === "GET" && r.key === `${LEDGER}tasks/${encodeURIComponent(taskId)}.json`).length;
const describes = (taskId: string, from = 0) => tencent.calls().slice(from).filter((c) => c.action.startsWith("Describe") && c.params?.TaskId === taskId).length;


/** Every open task has a due entry: the invariant that makes "nothing lost" hold. */
async function openTasksWithoutDueEntry(): Promise<string[]> {
  const ledger = ledgerFor(getConfig());
  const open = (await ledger.listOpenTaskIds()).taskIds;
  const scheduled = new Set((await ledger.due.listTaskIds()).taskIds);
  return open.filter((taskId) => !scheduled.has(taskId));
}

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), "aigc-due-index-"));
  tencent = await startTencentStandIn({ port: 0, lifecycle: { queuedMs: 1_000, processingMs: 2_000 }, events: { pullHoldMs: 50, confirmWindowMs: 30_000 } });
  cosStandIn = await startCosStandIn({
    port: 0,
    dataDir,
    retryDelayMs: 50,
    triggers: [],
    log: (line) => {
      if (typeof line.method === "string") cosRequests.push({ method: line.method, key: String(line.key ?? "") });
    },
  });
  cos = devCosClient(cosStandIn.url);
  receiver = await startWebhookReceiver(SECRET);
});
afterAll(() => stopStandIns(savedEnv, { tencent, cos: cosStandIn, dataDir, others: [receiver] }));
beforeEach(() => {
  tencent.reset();
  cosStandIn.reset();
  cosRequests = [];
  receiver.reset();
  configure();
});
afterEach(() => tencent.clearFaults());

describe("the due index", () => {
  it("reads a task's record only when the task is due: an MPS task is first polled when such a task usually ends", async () => {
    configure({ AIGC_TRACKER_POLL_SCALE: "1" });
    const taskId = await createMps();
    // The create wrote its first due entry at its first poll: two minutes on (MPS video's plan).
    const record = await ledgerFor(getConfig()).getTask(taskId);
    expect(Date.parse(record?.dueAt ?? "") - Date.parse(record?.createdAt ?? "")).toBe(2 * 60_000);
    const readsBefore = recordReads(taskId);
    await tick();
    await tick(60_000);
    // Not due yet: neither tick read its record, nor asked Tencent.
    expect(recordReads(taskId)).toBe(readsBefore);
    expect(describes(taskId)).toBe(0);
    await tick(2 * 60_000 + 1_000);
    expect(describes(taskId)).toBe(1);
  });

  it("makes a task whose webhook delivery failed due again at its retry time, and not before", async () => {
    const taskId = await createVideo({ CallbackUrl: receiver.url });
    tencent.advance(5_000);
    receiver.down = true;
    await tick();
    expect(receiver.attempts).toBe(1);
    const record = await ledgerFor(getConfig()).getTask(taskId);
    const retryAt = Date.parse(record?.delivery.webhook?.nextAttemptAt ?? "");
    expect(record?.dueAt).toBe(new Date(retryAt).toISOString());
    receiver.down = false;
    const readsBefore = recordReads(taskId);
    await tick(retryAt - Date.now() - 5_000);
    expect(receiver.attempts).toBe(1);
    expect(recordReads(taskId)).toBe(readsBefore);
    await tick(retryAt - Date.now() + 1_000);
    expect(receiver.deliveries).toHaveLength(1);
    expect(await ledgerFor(getConfig()).listOpenTaskIds()).toEqual({ taskIds: [] });
  });

  it("loses no task and polls none twice in a tick when a tick dies midway", async () => {
    const taskIds: string[] = [];
    for (let i = 0; i < 8; i++) taskIds.push(await createMps({ CallbackUrl: receiver.url }));
    tencent.advance(5_000);
    // The tick's process dies after its 12th ledger write: every later write fails.
    let writes = 0;
    const real = cosClientFor(getConfig());
    const dying = Object.create(real) as CosClient;
    const die = <A extends unknown[], R>(fn: (...args: A) => Promise<R>) => (...args: A): Promise<R> =>
      ++writes > 12 ? Promise.reject(new Error("killed")) : fn.apply(real, args);
    dying.putObject = die(real.putObject);
    dying.deleteObject = die(real.deleteObject);
    const { ref, prefix } = ledgerFor(getConfig());
    const callsBefore = tencent.calls().length;
    await tick(0, { ledger: new TaskLedger(dying, ref, prefix), cos: dying, concurrency: 2 }).catch(() => undefined);
    const afterCrash = tencent.calls().length;
    expect(await openTasksWithoutDueEntry()).toEqual([]);
    const stillOpen = (await ledgerFor(getConfig()).listOpenTaskIds()).taskIds;
    expect(stillOpen.length).toBeGreaterThan(0);
    expect(stillOpen.length).toBeLessThan(taskIds.length);

    await tick(60_000); // past the dead tick's lease
    for (const taskId of taskIds) {
      expect(describes(taskId, callsBefore) - describes(taskId, afterCrash)).toBeLessThanOrEqual(1);
      expect(describes(taskId, afterCrash)).toBeLessThanOrEqual(1);
    }
    expect((await ledgerFor(getConfig()).listOpenTaskIds()).taskIds).toEqual([]);
    expect(new Set(receiver.deliveries.map((d) => d.payload.data.TaskId))).toEqual(new Set(taskIds));
    expect(await keysUnder("due/")).toEqual([]);
  });

  it("takes an open marker written before the due index as due at once", async () => {
    const taskId = await createMps({ CallbackUrl: receiver.url });
    for (const key of [...(await keysUnder("due/")), ...(await keysUnder("index/"))]) await cos.deleteObject({ bucket: BUCKET, region: "ap-guangzhou" }, key);
    tencent.advance(5_000);
    await tick();
    expect(receiver.deliveries.map((d) => d.payload.data.TaskId)).toEqual([taskId]);
    expect(await ledgerFor(getConfig()).listOpenTaskIds()).toEqual({ taskIds: [] });
  });

  it("moves a task's entry when it is worked on, leaving one entry per open task", async () => {
    const taskId = await createMps();
    await tick();
    const entries = await keysUnder("due/");
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatch(new RegExp(`^${LEDGER.replace(".", "\\.")}due/\\d{13}~${taskId}$`));
    expect((await ledgerFor(getConfig()).getTask(taskId))?.dueAt).toBe(new Date(Number(entries[0]?.slice(`${LEDGER}due/`.length, `${LEDGER}due/`.length + 13))).toISOString());
  });

  it("keeps the entry of a task that is due again at once (no schedule to wait for), rewriting nothing", async () => {
    // AIGC_TRACKER_POLL_SCALE=0 (this suite's default): a polled, still running task is due again now.
    const taskId = await createMps();
    await tick();
    const [before] = await keysUnder("due/");
    const record = await ledgerFor(getConfig()).getTask(taskId);
    await tick();
    expect(await keysUnder("due/")).toEqual([before]);
    expect((await ledgerFor(getConfig()).getTask(taskId))?.dueAt).toBe(record?.dueAt);
  });
});

/** A budget clock whose waits pass at once, moving its own time: the budget's pacing without the wait. */
function instantClock(): BudgetClock {
  let now = Date.now();
  return { now: () => now, sleep: async (ms) => void (now += ms) };
}

/** The most items of `times` inside any one-second window. */
function busiestSecond(times: readonly number[]): number {
  const sorted = [...times].sort((a, b) => a - b);
  let most = 0;
  for (let i = 0, j = 0; i < sorted.length; i++) {
    while ((sorted[i] as number) - (sorted[j] as number) >= 1_000) j++;
    most = Math.max(most, i - j + 1);
  }
  return most;
}

describe("the rate budget of a tick", () => {
  /** Tencent clients that note, on the budget's clock, when each Describe was sent. */
  function timedClients(clock: BudgetClock, sent: number[]) {
    const real = tencentClients(getConfig());
    const timed = (api: TencentApi): TencentApi => ({
      request: (action, params, options) => {
        if (action.startsWith("Describe")) sent.push(clock.now());
        return api.request(action, params, options);
      },
    });
    return { vod: timed(real.vod), mps: timed(real.mps) };
  }

  it("holds a burst of due MPS polls to the budget's rate, every one of them made", async () => {
    for (let i = 0; i < 20; i++) await createMps();
    const clock = instantClock();
    const sent: number[] = [];
    const budget = new RateBudget(TENCENT_RATE_LIMITS, 0.1, clock); // MPS DescribeAigcVideoTask: 5 a second
    const report = await tick(0, { budget, clients: timedClients(clock, sent) });
    expect(report.tasks.polled).toBe(20);
    expect(sent).toHaveLength(20);
    expect(busiestSecond(sent)).toBe(5);
  });

  it("leaves the polls the budget cannot fit before the deadline due for the next tick", async () => {
    const taskIds: string[] = [];
    for (let i = 0; i < 20; i++) taskIds.push(await createMps());
    const clock = instantClock();
    // 5 a second, spaced 200 ms apart, and the budget stops 3 s (the stop margin) before a deadline
    // 5 s away: the starts at 0 to 2,000 ms fit, 11 of them.
    const budget = new RateBudget(TENCENT_RATE_LIMITS, 0.1, clock);
    const first = await tick(0, { budget, clients: timedClients(clock, []), deadline: clock.now() + 5_000 });
    expect(first.tasks).toMatchObject({ polled: 11, deferred: 9 });
    const from = tencent.calls().length;
    const second = await tick();
    expect(second.tasks.polled).toBe(20);
    expect(taskIds.every((taskId) => describes(taskId, from) === 1)).toBe(true);
  });
});

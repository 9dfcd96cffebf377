/**
 * The daily spend cap (AIGC_DAILY_CREATE_LIMIT) through the real create functions: counted in the
 * ledger in the local COS stand-in, refused with 429 before anything reaches the Tencent stand-in.
 */

import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { main_handler as mpsVideo } from "../../functions/mps-aigc-video";
import { main_handler as vodVideo } from "../../functions/vod-aigc-video";
import { startCosStandIn } from "../../local/cos/server";
import { startTencentStandIn } from "../../local/tencent/server";
import { tokenIdOf } from "../../shared/auth";
import { CosClient } from "../../shared/cos/client";
import { DailyCreateLimit, secondsUntilNextUtcDay, utcDay } from "../../shared/tasks/spend-cap";
import { devCosClient, useStandIns, stopStandIns, type CosStandIn, type TencentStandIn } from "../support/env";
import { apiEvent, bodyOf, scfContext } from "../support/scf";

const ALICE = "alice-token";
const BOB = "bob-token";
const BUCKET = "aigc-spend-1250000000";
const ref = { bucket: BUCKET, region: "ap-guangzhou" };
const LEDGER = ".aigc-ledger/";


let tencent: TencentStandIn;
let cosStandIn: CosStandIn;
let cos: CosClient;
let dataDir: string;
let cosRequests: Array<{ method: string; key: string; status: number }> = [];
const savedEnv = { ...process.env };

function configure(limit: string, extra: Record<string, string> = {}): void {
  useStandIns(savedEnv, { tencent, cos: cosStandIn }, {
    AIGC_API_TOKENS: `${ALICE},${BOB}`,
    AIGC_LEDGER_BUCKET: BUCKET,
    AIGC_UPSTREAM_TIMEOUT_MS: "500",
    AIGC_DAILY_CREATE_LIMIT: limit,
    ...extra,
  });
}

const body = (prompt = "a paper boat") => ({ ModelName: "GV", ModelVersion: "3.1", Prompt: prompt });

function create(token = ALICE, headers: Record<string, string> = {}, payload: unknown = body()) {
  return vodVideo(apiEvent({ body: payload, headers: { authorization: `Bearer ${token}`, ...headers } }), scfContext(4_000));
}


/** Slot objects of one counter of a day. */
function slots(day: string, counter: string): string[] {
  return cosStandIn
    .objects(BUCKET)
    .map((object) => object.key)
    .filter((key) => key.startsWith(`${LEDGER}spend/${day}/${counter}/`));
}

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), "aigc-spend-"));
  // Both stand-ins read the clock on every call, so a test that moves Date moves them along.
  tencent = await startTencentStandIn({ port: 0, now: () => Date.now() });
  cosStandIn = await startCosStandIn({
    port: 0,
    dataDir,
    triggers: [],
    now: () => Date.now(),
    log: (line) => {
      if (typeof line.method === "string") cosRequests.push({ method: line.method, key: String(line.key ?? ""), status: Number(line.status) });
    },
  });
  cos = devCosClient(cosStandIn.url);
});
afterAll(() => stopStandIns(savedEnv, { tencent, cos: cosStandIn, dataDir }));
beforeEach(() => {
  tencent.reset();
  cosStandIn.reset();
  cosRequests = [];
});
afterEach(() => {
  vi.useRealTimers();
  tencent.clearFaults();
  cosStandIn.clearFaults();
});

describe("the total cap", () => {
  it("admits exactly 10 of 30 concurrent creates with a cap of 10, refusing 20 with 429 and the code before Tencent", async () => {
    configure("10");
    const responses = await Promise.all(Array.from({ length: 30 }, (_, i) => create(i % 2 === 0 ? ALICE : BOB, {}, body(`boat ${i}`))));
    const statuses = responses.map((response) => response.statusCode);
    expect(statuses.filter((status) => status === 200)).toHaveLength(10);
    expect(statuses.filter((status) => status === 429)).toHaveLength(20);
    for (const refused of responses.filter((response) => response.statusCode === 429)) {
      expect(bodyOf(refused)).toMatchObject({ code: "LimitExceeded.DailyCreateLimit", status: 429 });
      expect(bodyOf(refused).detail).toMatch(/deployment's limit of 10/);
      const retryAfter = Number(refused.headers["retry-after"]);
      expect(retryAfter).toBeGreaterThan(0);
      expect(retryAfter).toBeLessThanOrEqual(secondsUntilNextUtcDay(Date.now()) + 5);
    }
    // The stand-in saw the 10 admitted creates and nothing else.
    expect(tencent.createdTasks()).toHaveLength(10);
    expect(tencent.calls()).toHaveLength(10);
    expect(slots(utcDay(Date.now()), "total").sort()).toEqual(Array.from({ length: 10 }, (_, n) => `${LEDGER}spend/${utcDay(Date.now())}/total/${n}`).sort());
  });

  it("claims one slot with one PUT and no listing once the instance is warm", async () => {
    configure("5");
    expect((await create()).statusCode).toBe(200);
    cosRequests = [];
    expect((await create()).statusCode).toBe(200);
    const spend = cosRequests.filter((r) => r.key.includes("/spend/"));
    expect(spend).toEqual([{ method: "PUT", key: `${LEDGER}spend/${utcDay(Date.now())}/total/1`, status: 200 }]);
    expect(cosRequests.filter((r) => r.method === "GET" && r.key === "")).toHaveLength(0);
  });

  it("does not spend a slot on an Idempotency-Key replay", async () => {
    configure("1");
    const first = await create(ALICE, { "idempotency-key": "order-1" });
    const replay = await create(ALICE, { "idempotency-key": "order-1" });
    expect([first.statusCode, replay.statusCode]).toEqual([200, 200]);
    expect(replay.headers["idempotent-replayed"]).toBe("true");
    const other = await create(ALICE, {}, body("another boat"));
    expect(other.statusCode).toBe(429);
    expect(tencent.calls()).toHaveLength(1);
  });
});

describe("the per-token cap", () => {
  it("counts each token separately", async () => {
    configure("token=2");
    const alice = [await create(ALICE), await create(ALICE), await create(ALICE)];
    const bob = [await create(BOB), await create(BOB)];
    expect(alice.map((r) => r.statusCode)).toEqual([200, 200, 429]);
    expect(bob.map((r) => r.statusCode)).toEqual([200, 200]);
    expect(bodyOf(alice[2]!)).toMatchObject({ code: "LimitExceeded.DailyCreateLimit" });
    expect(bodyOf(alice[2]!).detail).toMatch(/token's limit of 2/);
    expect(slots(utcDay(Date.now()), tokenIdOf(ALICE))).toHaveLength(2);
    expect(tencent.createdTasks()).toHaveLength(4);
  });

  it("holds a token's cap under concurrency while another token still gets through", async () => {
    configure("token=3");
    const responses = await Promise.all([...Array.from({ length: 12 }, (_, i) => create(ALICE, {}, body(`a${i}`))), create(BOB)]);
    expect(responses.slice(0, 12).filter((r) => r.statusCode === 200)).toHaveLength(3);
    expect(responses[12]?.statusCode).toBe(200);
    expect(tencent.createdTasks()).toHaveLength(4);
  });

  it("enforces the total and the token cap together, and a refused token holds no slot of the total", async () => {
    configure("total=3,token=2");
    const statuses = [await create(ALICE), await create(ALICE), await create(ALICE), await create(BOB), await create(BOB)].map((r) => r.statusCode);
    expect(statuses).toEqual([200, 200, 429, 200, 429]);
    const day = utcDay(Date.now());
    expect(slots(day, "total")).toHaveLength(3);
    expect(slots(day, tokenIdOf(ALICE))).toHaveLength(2);
    // Bob was refused by the total: the slot of his own counter was given back.
    expect(slots(day, tokenIdOf(BOB))).toHaveLength(1);
  });
});

describe("slots of creates that failed", () => {
  it("gives the slot back when Tencent refused the create, so it made nothing", async () => {
    configure("1");
    tencent.injectFault({ kind: "error", code: "InvalidParameterValue.Prompt", service: "vod" });
    expect((await create()).statusCode).toBe(400);
    expect(slots(utcDay(Date.now()), "total")).toHaveLength(0);
    expect((await create()).statusCode).toBe(200);
  });

  it("keeps the slot when the create may have made a task (an MPS answer lost after Tencent ran it)", async () => {
    configure("1");
    tencent.injectFault({ kind: "delay", ms: 1_000, processBeforeDelay: true, service: "mps" });
    const lost = await mpsVideo(
      apiEvent({ path: "/tencent-mps/v1/aigc-video", body: { ModelName: "Kling", ModelVersion: "2.1", Prompt: "a cat" }, headers: { authorization: `Bearer ${ALICE}` } }),
      scfContext(4_000),
    );
    expect(lost.statusCode).toBe(504);
    expect(tencent.createdTasks()).toHaveLength(1);
    expect((await create()).statusCode).toBe(429);
  });

  it("fails closed with 503, calling Tencent not at all, when the ledger cannot count", async () => {
    configure("5");
    cosStandIn.injectFault({ method: "PUT", keyPrefix: `${LEDGER}spend/`, kind: "status", status: 503, times: 3 });
    const response = await create();
    expect(response.statusCode).toBe(503);
    expect(response.headers["retry-after"]).toBe("1");
    expect(tencent.calls()).toHaveLength(0);
  });
});

describe("the UTC day", () => {
  it("counts a new day from zero at 00:00 UTC", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(new Date("2026-03-01T23:59:58.000Z"));
    configure("2");
    expect([(await create(ALICE, {}, body("a"))).statusCode, (await create(ALICE, {}, body("b"))).statusCode]).toEqual([200, 200]);
    const refused = await create(ALICE, {}, body("c"));
    expect(refused.statusCode).toBe(429);
    expect(refused.headers["retry-after"]).toBe("2");

    vi.setSystemTime(new Date("2026-03-02T00:00:00.500Z"));
    configure("2");
    expect((await create(ALICE, {}, body("d"))).statusCode).toBe(200);
    expect(slots("2026-03-01", "total")).toHaveLength(2);
    expect(slots("2026-03-02", "total")).toHaveLength(1);
  });

  it("admits by the clock it is given (DailyCreateLimit with an injected clock)", async () => {
    let now = Date.parse("2026-07-10T12:00:00Z");
    const limit = new DailyCreateLimit(cos, ref, LEDGER, { perToken: 1 }, () => now);
    expect(await limit.admit("tok", "r1")).toMatchObject({ admitted: true });
    expect(await limit.admit("tok", "r2")).toEqual({ admitted: false, scope: "token", limit: 1, retryAfterSeconds: 12 * 60 * 60 });
    now = Date.parse("2026-07-11T00:00:00Z");
    expect(await limit.admit("tok", "r3")).toMatchObject({ admitted: true });
    expect(slots("2026-07-10", "tok")).toHaveLength(1);
    expect(slots("2026-07-11", "tok")).toHaveLength(1);
  });

  it("finds a slot given back below a full count", async () => {
    const now = () => Date.parse("2026-07-12T08:00:00Z");
    const limit = new DailyCreateLimit(cos, ref, LEDGER, { total: 3 }, now);
    const admitted = await Promise.all([limit.admit("a", "1"), limit.admit("b", "2"), limit.admit("c", "3")]);
    expect(admitted.every((a) => a.admitted)).toBe(true);
    expect(await limit.admit("d", "4")).toMatchObject({ admitted: false });
    const second = admitted[1];
    if (!second?.admitted) throw new Error("expected an admission");
    await second.slots.release();
    // A fresh instance (cold, no hint) and this one both find the gap; only one gets it.
    const cold = new DailyCreateLimit(cos, ref, LEDGER, { total: 3 }, now);
    const [x, y] = await Promise.all([cold.admit("e", "5"), limit.admit("f", "6")]);
    expect([x.admitted, y.admitted].filter(Boolean)).toHaveLength(1);
    expect(slots("2026-07-12", "total")).toHaveLength(3);
  });
});

/** When the tracker next needs a task: per-type poll schedules, overdue events, delivery retries. */

import { describe, expect, it } from "vitest";
import type { TaskRecord } from "../../shared/tasks/ledger";
import { EVENT_OVERDUE_MS, isPollDue, MIN_POLL_WAIT_MS, nextDueAt, POLL_PLANS, pollDueAt } from "../../shared/tracking/schedule";

const CREATED = Date.parse("2026-12-04T08:00:00.000Z");
const iso = (ms: number) => new Date(ms).toISOString();

function record(overrides: Partial<TaskRecord> = {}): TaskRecord {
  return {
    taskId: "t-1",
    kind: "mps-video",
    createdAt: iso(CREATED),
    updatedAt: iso(CREATED),
    origin: { type: "http", tokenId: "owner" },
    status: "queued",
    history: [{ status: "queued", at: iso(CREATED) }],
    delivery: {},
    ...overrides,
  };
}

describe("poll schedule", () => {
  it("first polls an MPS video task when such a task usually ends", () => {
    expect(pollDueAt(record(), 1)).toBe(CREATED + POLL_PLANS["mps-video"].firstPollMs);
    expect(isPollDue(record(), CREATED + POLL_PLANS["mps-video"].firstPollMs - 1, 1)).toBe(false);
  });

  it("polls an image task sooner than a video task", () => {
    expect(pollDueAt(record({ kind: "mps-image" }), 1)).toBeLessThan(pollDueAt(record({ kind: "mps-video" }), 1) ?? 0);
  });

  it("waits a quarter of the task's age after each poll, at least the minimum", () => {
    const checked = CREATED + 2 * 60_000;
    expect(pollDueAt(record({ lastCheckedAt: iso(checked) }), 1)).toBe(checked + 30_000);
    const early = CREATED + 10_000;
    expect(pollDueAt(record({ lastCheckedAt: iso(early) }), 1)).toBe(early + MIN_POLL_WAIT_MS);
  });

  it("backs off to the type's cap", () => {
    const checked = CREATED + 6 * 60 * 60_000;
    expect(pollDueAt(record({ lastCheckedAt: iso(checked) }), 1)).toBe(checked + POLL_PLANS["mps-video"].capMs);
  });

  it("asks at once on every tick with scale 0 (the stand-ins' seconds-long tasks)", () => {
    expect(pollDueAt(record(), 0)).toBe(CREATED);
  });

  it("checks a VOD video task only once its completion event is overdue", () => {
    expect(pollDueAt(record({ kind: "vod-video" }), 0)).toBe(CREATED + EVENT_OVERDUE_MS);
  });

  it("does not poll a VOD task whose event was handled", () => {
    expect(pollDueAt(record({ kind: "vod-video", eventHandledAt: iso(CREATED) }), 1)).toBeUndefined();
  });

  it("polls a queued VOD task that asked for task.started within half a minute", () => {
    const wantsStart = record({ kind: "vod-video", callbackUrl: "https://example.com/h", webhookEvents: ["task.started", "task.succeeded"] });
    expect(pollDueAt(wantsStart, 1)).toBe(CREATED + 30_000);
  });
});

describe("next due time", () => {
  const failed = (nextAttemptAt: number) =>
    record({ status: "succeeded", delivery: { webhook: { state: "pending", attempts: 1, nextAttemptAt: iso(nextAttemptAt) } } });

  it("is a failed delivery's retry time, not before", () => {
    const now = CREATED + 60_000;
    expect(nextDueAt(failed(now + 5 * 60_000), now, 1)).toBe(now + 5 * 60_000);
  });

  it("is now for a delivery whose retry time has passed", () => {
    const now = CREATED + 60_000;
    expect(nextDueAt(failed(now - 1), now, 1)).toBe(now);
  });

  it("is the earlier of a poll and a delivery retry", () => {
    const now = CREATED + 60_000;
    const running = record({ status: "running", delivery: { webhookStarted: { state: "pending", attempts: 1, nextAttemptAt: iso(now + 10_000) } } });
    expect(nextDueAt(running, now, 1)).toBe(now + 10_000);
  });

  it("is not moved earlier by the final webhook of a task still running", () => {
    const running = record({ status: "running", lastCheckedAt: iso(CREATED + 2 * 60_000), delivery: { webhook: { state: "pending", attempts: 0 } } });
    expect(nextDueAt(running, CREATED + 2 * 60_000, 1)).toBe(pollDueAt(running, 1));
  });

  it("is never for a finished task whose deliveries are settled", () => {
    const done = record({ status: "succeeded", delivery: { webhook: { state: "delivered", attempts: 1 } } });
    expect(nextDueAt(done, CREATED, 1)).toBeUndefined();
  });
});

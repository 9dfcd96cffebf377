import { describe, expect, it } from "vitest";
import type { TaskStatus } from "../../shared/tasks/ledger";
import { waitForFinal } from "../../shared/tracking/wait";

/** A fake clock and a task whose status follows the clock. */
function scenario(statusAt: (ms: number) => TaskStatus) {
  const clock = { t: 0 };
  const asks: number[] = [];
  const ask = async () => {
    asks.push(clock.t);
    clock.t += 50; // each ask takes 50 ms
    return { status: statusAt(clock.t) };
  };
  const timing = { deadline: 60_000, now: () => clock.t, sleep: async (ms: number) => void (clock.t += ms) };
  return { clock, asks, ask, timing };
}

describe("waiting for a task to end (Prefer: wait)", () => {
  it("answers as soon as the task is final, asking at most once a second", async () => {
    const { asks, ask, timing } = scenario((ms) => (ms > 3_200 ? "succeeded" : "running"));
    expect(await waitForFinal(ask, 10, timing)).toEqual({ status: "succeeded" });
    expect(asks).toEqual([0, 1_000, 2_000, 3_000, 4_000]);
  });

  it("answers the current state when N seconds pass first", async () => {
    const { clock, ask, timing } = scenario(() => "queued");
    expect(await waitForFinal(ask, 3, timing)).toEqual({ status: "queued" });
    expect(clock.t).toBeLessThanOrEqual(3_050);
  });

  it("never waits into the function's deadline", async () => {
    const { clock, ask, timing } = scenario(() => "running");
    await waitForFinal(ask, 25, { ...timing, deadline: 5_000 });
    expect(clock.t).toBeLessThanOrEqual(5_000);
  });

  it("asks once when the task is already final", async () => {
    const { asks, ask, timing } = scenario(() => "failed");
    await waitForFinal(ask, 25, timing);
    expect(asks).toEqual([0]);
  });
});

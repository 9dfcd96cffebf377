/**
 * Waiting for a task to end within one request (`Prefer: wait=N`): Tencent is asked again at most
 * once a second, and the wait never runs into the function's deadline.
 */

import type { TaskStatus } from "../tasks/ledger";
import { isFinal } from "./status";

/** While waiting, Tencent is asked at most once a second per request. */
const WAIT_POLL_MS = 1_000;
/** Time kept back from the function's deadline to answer after a wait. */
const WAIT_ANSWER_MARGIN_MS = 1_500;

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Asks for a task's state until it is final or `waitSeconds` have passed (never past the function's
 * deadline), at most once a second; returns the last state seen.
 */
export async function waitForFinal<T extends { status: TaskStatus }>(
  ask: () => Promise<T>,
  waitSeconds: number,
  timing: { deadline: number; now: () => number; sleep?: (ms: number) => Promise<void> },
): Promise<T> {
  const sleep = timing.sleep ?? defaultSleep;
  const until = Math.min(timing.now() + waitSeconds * 1000, timing.deadline - WAIT_ANSWER_MARGIN_MS);
  for (;;) {
    const asked = timing.now();
    const task = await ask();
    if (isFinal(task.status)) return task;
    const next = asked + WAIT_POLL_MS;
    if (next > until) return task;
    await sleep(next - timing.now());
  }
}

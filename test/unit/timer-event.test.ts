/** The tracker's check of SCF timer events (by hand, to keep zod out of its bundle). */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { isTimerEvent } from "../../shared/tracking/timer-function";

const fixture = JSON.parse(readFileSync(new URL("../events/timer-tracker.json", import.meta.url), "utf8")) as Record<string, unknown>;

describe("isTimerEvent", () => {
  it("accepts SCF's timer event, with or without Message", () => {
    expect(isTimerEvent(fixture)).toBe(true);
    const { Message: _message, ...withoutMessage } = fixture;
    expect(isTimerEvent(withoutMessage)).toBe(true);
  });

  it.each([
    ["null", null],
    ["an array", [fixture]],
    ["a string", "Timer"],
    ["another Type", { ...fixture, Type: "timer" }],
    ["no TriggerName", { ...fixture, TriggerName: undefined }],
    ["a numeric Time", { ...fixture, Time: 1_700_000_000 }],
    ["a non-string Message", { ...fixture, Message: { a: 1 } }],
    ["a Message over 4096 characters", { ...fixture, Message: "x".repeat(4097) }],
    ["an API Gateway event", { httpMethod: "POST", path: "/", headers: {}, body: "{}" }],
    ["a COS event", { Records: [{ cos: {}, event: { eventName: "cos:ObjectCreated:Put" } }] }],
  ])("refuses %s", (_name, event) => {
    expect(isTimerEvent(event)).toBe(false);
  });
});

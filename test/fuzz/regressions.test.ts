/**
 * The counterexamples the fuzzer found (shrunk), kept as plain tests so they stay fixed whatever
 * seed a later run uses. Each goes through the real handler against the stand-ins and must keep
 * every fuzz invariant.
 */

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main_handler as mpsVideo } from "../../functions/mps-aigc-video";
import { main_handler as vodRedraw } from "../../functions/vod-aigc-redraw";
import { main_handler as vodVideo } from "../../functions/vod-aigc-video";
import { fixture } from "./arbitraries";
import { FUZZ_TOKEN, fuzzContext, observe, startFuzzStack, type FuzzStack } from "./harness";
import { checkCosCase, checkHttpCase, type HttpExpectations, type RecordLabel } from "./invariants";

type Handler = (event: unknown, context?: Record<string, unknown>) => Promise<unknown>;

const VIDEO_PATH = "/tencent-vod/v1/aigc-video";
const videoExpectations: HttpExpectations = { actions: ["CreateAigcVideoTask"], successCalls: "at-least-one", isApiPath: (path) => path === VIDEO_PATH };
const mpsExpectations: HttpExpectations = { actions: ["CreateAigcVideoTask"], successCalls: "at-least-one", isApiPath: () => true };

let stack: FuzzStack;
beforeAll(async () => {
  stack = await startFuzzStack();
});
afterAll(async () => {
  await stack.close();
});

/** The API Gateway fixture aimed at the video route with the fuzz token, changed by `edit`. */
function videoEvent(body: unknown, edit: (event: Record<string, any>) => void = () => {}): Record<string, any> {
  const event = fixture<Record<string, any>>("apigw-create-video.json");
  event.headers.authorization = `Bearer ${FUZZ_TOKEN}`;
  event.body = typeof body === "string" ? body : JSON.stringify(body);
  edit(event);
  return event;
}

async function send(handler: Handler, event: unknown, expectations: HttpExpectations = videoExpectations) {
  const observation = await observe(stack, () => handler(event, fuzzContext()));
  const verdict = checkHttpCase({ event, auth: { expect: "either" }, route: "either", note: "regression" }, observation, expectations);
  return { observation, verdict, response: observation.result as { statusCode: number; headers: Record<string, string>; body: string } };
}

/** A COS event of the put-single fixture with `edit` applied to its record and a fresh upload id. */
function cosEvent(edit: (record: Record<string, any>) => void): { Records: unknown[] } {
  const event = fixture<{ Records: Array<Record<string, any>> }>("cos-put-single.json");
  const record = event.Records[0] as Record<string, any>;
  record.cos.cosObject.meta["x-cos-request-id"] = `regression-${Math.random().toString(36).slice(2)}`;
  edit(record);
  return event;
}

async function deliver(event: { Records: unknown[] }, labels: RecordLabel[], keys: Array<string | undefined>) {
  const observation = await observe(stack, () => (vodRedraw as Handler)(event, fuzzContext()));
  return { observation, verdict: checkCosCase({ event, records: labels, keys, note: "regression" }, observation) };
}

describe("API Gateway events the fuzzer broke", () => {
  it("answers 405, not a throw, for an event with no method at all", async () => {
    const { verdict, response } = await send(vodVideo as Handler, videoEvent({}, (e) => {
      e.httpMethod = "";
      delete e.requestContext.httpMethod;
    }));
    expect(verdict.violations).toEqual([]);
    expect(response.statusCode).toBe(405);
  });

  it("treats a body that is not a string as no body (400), not a throw", async () => {
    for (const body of [123, true, { ModelName: "GV" }]) {
      const { verdict, response } = await send(vodVideo as Handler, videoEvent("", (e) => (e.body = body)));
      expect(verdict.violations).toEqual([]);
      expect(response.statusCode).toBe(400);
    }
  });

  it("never echoes a request id that is not a platform id into headers or logs", async () => {
    for (const edit of [(e: Record<string, any>) => (e.requestContext.requestId = { id: 1 }), (e: Record<string, any>) => {
      delete e.requestContext.requestId;
      e.headers["x-scf-request-id"] = "\u0000\r\nforged";
    }]) {
      const { verdict, response } = await send(vodVideo as Handler, videoEvent({ ModelName: "GV" }, edit));
      expect(verdict.violations).toEqual([]);
      expect(response.headers["x-request-id"]).toMatch(/^[A-Za-z0-9._:-]+$/);
    }
  });
});

describe("create bodies the fuzzer broke", () => {
  it("refuses a ModelName naming an Object.prototype member with 400, before Tencent", async () => {
    const { verdict, response, observation } = await send(vodVideo as Handler, videoEvent({ ModelName: "valueOf", ModelVersion: "1.0", Prompt: "x" }));
    expect(verdict.violations).toEqual([]);
    expect(response.statusCode).toBe(400);
    expect(observation.calls).toEqual([]);
  });

  it("treats a ModelVersion naming an Object.prototype member as an unlisted version: sent with a warning, never found on the prototype", async () => {
    const { verdict, response } = await send(vodVideo as Handler, videoEvent({ ModelName: "GV", ModelVersion: "constructor", Prompt: "x" }));
    expect(verdict.violations).toEqual([]);
    expect(response.statusCode).toBe(200);
    expect(JSON.parse(response.body).Response.Warnings).toEqual([expect.objectContaining({ field: "ModelVersion", code: "UnlistedModelVersion" })]);
  });

  it("refuses a body just under 10 MB that SubAppId and SessionId would push over Tencent's limit", async () => {
    const body = { ModelName: "GV", ModelVersion: "3.1-fast", Prompt: "a car", ExtInfo: "" };
    body.ExtInfo = "p".repeat(10 * 1024 * 1024 - Buffer.byteLength(JSON.stringify(body)) - 16);
    const { verdict, response, observation } = await send(vodVideo as Handler, videoEvent(body));
    expect(verdict.violations).toEqual([]);
    expect(JSON.parse(response.body).code).toBe("RequestSizeLimitExceeded");
    expect(observation.calls).toEqual([]);
  });

  it("keeps the answer and the log line small for a body of 100,000 unknown keys", async () => {
    const body: Record<string, unknown> = { Prompt: "x" };
    for (let i = 0; i < 100_000; i++) body[`k${i}`] = 0;
    const { verdict, response } = await send(mpsVideo as Handler, videoEvent(body, (e) => (e.path = "/tencent-mps/v1/aigc-video")), mpsExpectations);
    expect(verdict.violations).toEqual([]);
    const problem = JSON.parse(response.body) as { errors: Array<{ field: string }> };
    expect(problem.errors.at(-1)?.field).toBe("(more)");
  });

  it("does not echo a megabyte value back twice", async () => {
    const { verdict, response } = await send(vodVideo as Handler, videoEvent({ ModelName: "界".repeat(1_000_000), ModelVersion: "1", Prompt: "x" }));
    expect(verdict.violations).toEqual([]);
    expect(response.body.length).toBeLessThan(8 * 1024);
  });
});

describe("COS events the fuzzer broke", () => {
  it("skips a key with '.' or '..' segments instead of failing the whole invocation", async () => {
    const event = cosEvent((r) => {
      r.cos.cosObject.key = "/1250000000/aigc-media/in/./clip.mp4";
      r.cos.cosObject.url = "http://aigc-media-1250000000.cos.ap-guangzhou.myqcloud.com/in/./clip.mp4";
    });
    const { verdict } = await deliver(event, ["ineligible"], ["in/./clip.mp4"]);
    expect(verdict.violations).toEqual([]);
    expect(verdict.status).toBe("skipped");
  });

  it("does not throw on an eventTime outside Date's range", async () => {
    const { verdict } = await deliver(cosEvent((r) => (r.event.eventTime = 1e20)), ["unknown"], ["in/clip.mp4"]);
    expect(verdict.violations).toEqual([]);
  });

  it("ignores a malformed region in a record rather than presigning for it", async () => {
    const { verdict } = await deliver(cosEvent((r) => (r.cos.cosBucket.cosRegion = "ap-guangzhou.evil.com")), ["eligible"], ["in/clip.mp4"]);
    expect(verdict.violations).toEqual([]);
    expect(verdict.status).toBe("created");
  });

  it("redraws an upload whose record names the bucket by its full name", async () => {
    const { verdict } = await deliver(cosEvent((r) => (r.cos.cosBucket.name = "aigc-media-1250000000")), ["eligible"], ["in/clip.mp4"]);
    expect(verdict.violations).toEqual([]);
    expect(verdict.status).toBe("created");
  });
});

/**
 * Task webhooks over real HTTP: a local receiver on 127.0.0.1 verifies every request with the
 * Standard Webhooks reference library, the way a client's receiver would, and records what it got.
 */
import type { LookupAddress } from "node:dns";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { Webhook } from "standardwebhooks";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { DeliveryState, TaskRecord } from "../../shared/tasks/ledger";
import { isDeliveryDue } from "../../shared/tracking/schedule";
import {
  buildStartedEvent,
  buildTaskEvent,
  checkWebhookSecret,
  deliverWebhook,
  markDelivered,
  markUndeliverable,
  nextAttempt,
  signWebhook,
  WEBHOOK_RETRY,
  WEBHOOK_USER_AGENT,
  webhookIdFor,
  type WebhookDeliveryResult,
} from "../../shared/tracking/webhooks";

const SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const SECRET_BYTES = SECRET.slice("whsec_".length);

interface Received {
  path: string;
  headers: Record<string, string>;
  body: string;
  verified: boolean;
}

/** What the receiver does with a request to `path`. */
type Behaviour = (request: IncomingMessage, response: ServerResponse) => void;

let server: Server;
let base: string;
let port: number;
let received: Received[];
let behaviours: Map<string, Behaviour>;

beforeEach(async () => {
  received = [];
  behaviours = new Map();
  server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      const headers = Object.fromEntries(Object.entries(request.headers).map(([name, value]) => [name, String(value)]));
      let verified = false;
      try {
        new Webhook(SECRET).verify(body, headers);
        verified = true;
      } catch {
        verified = false;
      }
      received.push({ path: request.url ?? "", headers, body, verified });
      const behaviour = behaviours.get(request.url ?? "");
      if (behaviour) return behaviour(request, response);
      response.writeHead(verified ? 204 : 401).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  port = (server.address() as AddressInfo).port;
  base = `http://127.0.0.1:${port}`;
});

afterEach(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

function finishedTask(overrides: Partial<TaskRecord> = {}): TaskRecord {
  return {
    taskId: "251007502-AigcVideo-0a1b2c3d4e5f6789t",
    kind: "vod-video",
    createdAt: "2025-10-07T08:00:00.000Z",
    updatedAt: "2025-10-07T08:03:10.000Z",
    origin: { type: "http", tokenId: "tok-1" },
    status: "succeeded",
    progress: 100,
    history: [
      { status: "queued", at: "2025-10-07T08:00:00.000Z" },
      { status: "succeeded", at: "2025-10-07T08:03:10.000Z" },
    ],
    outputs: [{ type: "video", url: "https://vod.example.com/out.mp4", expiresAt: "2025-10-14T08:03:00.000Z", fileId: "5145403692123456789" }],
    finishedAt: "2025-10-07T08:03:00.000Z",
    delivery: {},
    ...overrides,
  };
}

function bodyOf(record: TaskRecord): string {
  return JSON.stringify(buildTaskEvent(record));
}

function deliver(url: string, extra: Partial<Parameters<typeof deliverWebhook>[1]> = {}): Promise<WebhookDeliveryResult> {
  const record = finishedTask();
  return deliverWebhook(url, { id: webhookIdFor(record.taskId, "task.succeeded"), body: bodyOf(record), secret: SECRET, timeoutMs: 2000, allowPrivate: true, ...extra });
}

/** A resolver that answers every name with 127.0.0.1, as a rebinding or internal DNS name would. */
const resolvesToLoopback = ((_hostname: string, _options: unknown, callback: (error: null, answers: LookupAddress[]) => void) => {
  callback(null, [{ address: "127.0.0.1", family: 4 }]);
}) as never;

describe("deliverWebhook", () => {
  it("delivers a webhook whose signature the receiver verifies with the reference library", async () => {
    const result = await deliver(`${base}/hook`);
    expect(result).toEqual({ delivered: true, status: 204 });
    expect(received).toHaveLength(1);
    expect(received[0]?.verified).toBe(true);
  });

  it("sends the event as JSON that parses back to the payload", async () => {
    await deliver(`${base}/hook`);
    expect(received[0]?.headers["content-type"]).toBe("application/json");
    expect(JSON.parse(received[0]?.body ?? "")).toEqual(buildTaskEvent(finishedTask()));
  });

  it("names the product in the user-agent", async () => {
    await deliver(`${base}/hook`);
    expect(received[0]?.headers["user-agent"]).toBe(WEBHOOK_USER_AGENT);
  });

  it("sends the same webhook-id for the same task and event on every delivery", async () => {
    await deliver(`${base}/hook`);
    await deliver(`${base}/hook`);
    expect(received.map((request) => request.headers["webhook-id"])).toEqual([webhookIdFor("251007502-AigcVideo-0a1b2c3d4e5f6789t", "task.succeeded"), webhookIdFor("251007502-AigcVideo-0a1b2c3d4e5f6789t", "task.succeeded")]);
  });

  it("counts any 2xx as delivered", async () => {
    behaviours.set("/accepted", (_request, response) => response.writeHead(202).end("queued"));
    expect(await deliver(`${base}/accepted`)).toEqual({ delivered: true, status: 202 });
  });

  it("refuses a literal loopback address outside local development, sending nothing", async () => {
    const result = await deliver(`${base}/hook`, { allowPrivate: false });
    expect(result).toMatchObject({ delivered: false, retryable: false, error: expect.stringMatching(/refused/) });
    expect(received).toHaveLength(0);
  });

  it("refuses localhost outside local development, sending nothing", async () => {
    const result = await deliver(`https://localhost:${port}/hook`, { allowPrivate: false });
    expect(result).toMatchObject({ delivered: false, retryable: false, error: expect.stringMatching(/localhost/) });
    expect(received).toHaveLength(0);
  });

  it("refuses a public-looking name that resolves to loopback, at connection time", async () => {
    const result = await deliver(`https://hooks.example.com:${port}/hook`, { allowPrivate: false, resolve: resolvesToLoopback });
    expect(result).toMatchObject({ delivered: false, retryable: false, error: expect.stringMatching(/resolves to 127\.0\.0\.1, which is not a public address/) });
    expect(received).toHaveLength(0);
  });

  it("connects to the address the guarded lookup checked", async () => {
    const result = await deliver(`http://hooks.example.com:${port}/hook`, { resolve: resolvesToLoopback });
    expect(result).toEqual({ delivered: true, status: 204 });
    expect(received[0]?.headers.host).toBe(`hooks.example.com:${port}`);
  });

  it("delivers to localhost in local development", async () => {
    const result = await deliver(`http://localhost:${port}/hook`);
    expect(result).toEqual({ delivered: true, status: 204 });
  });

  it("does not follow a redirect and reports it as a failure", async () => {
    behaviours.set("/moved", (_request, response) => response.writeHead(307, { location: `${base}/hook` }).end());
    const result = await deliver(`${base}/moved`);
    expect(result).toMatchObject({ delivered: false, status: 307, retryable: false, error: expect.stringMatching(/redirects are not followed/) });
    expect(received.map((request) => request.path)).toEqual(["/moved"]);
  });

  it("reports a 500 as a retryable failure", async () => {
    behaviours.set("/broken", (_request, response) => response.writeHead(500).end("boom"));
    expect(await deliver(`${base}/broken`)).toEqual({ delivered: false, status: 500, error: "the receiver answered 500", retryable: true });
  });

  it("reports a 404 as a failure that is not expected to pass on retry", async () => {
    behaviours.set("/missing", (_request, response) => response.writeHead(404).end());
    expect(await deliver(`${base}/missing`)).toMatchObject({ delivered: false, status: 404, retryable: false });
  });

  it("reports a 429 as retryable and passes its Retry-After on", async () => {
    behaviours.set("/busy", (_request, response) => response.writeHead(429, { "retry-after": "120" }).end());
    expect(await deliver(`${base}/busy`)).toEqual({ delivered: false, status: 429, error: "the receiver answered 429", retryable: true, retryAfterMs: 120_000 });
  });

  it("reports 410 Gone as the receiver asking to stop", async () => {
    behaviours.set("/gone", (_request, response) => response.writeHead(410).end());
    expect(await deliver(`${base}/gone`)).toMatchObject({ delivered: false, status: 410, retryable: false, error: expect.stringMatching(/410 Gone/) });
  });

  it("reports a receiver that never answers as a retryable timeout", async () => {
    behaviours.set("/slow", () => undefined);
    const started = Date.now();
    const result = await deliver(`${base}/slow`, { timeoutMs: 300 });
    expect(result).toEqual({ delivered: false, error: "the receiver did not answer within 300 ms", retryable: true });
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it("reports a refused connection as retryable", async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const closedPort = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    expect(await deliver(`http://127.0.0.1:${closedPort}/hook`)).toMatchObject({ delivered: false, retryable: true, error: expect.stringMatching(/ECONNREFUSED/) });
  });

  it("stops reading an endless answer after 64 KB and keeps its status", async () => {
    behaviours.set("/endless", (_request, response) => {
      response.writeHead(200, { "content-type": "text/plain" });
      const chunk = Buffer.alloc(16 * 1024, "x");
      const pump = () => {
        while (response.write(chunk)) {
          /* fill the socket until it pushes back */
        }
        response.once("drain", pump);
      };
      pump();
    });
    const started = Date.now();
    expect(await deliver(`${base}/endless`, { timeoutMs: 10_000 })).toEqual({ delivered: true, status: 200 });
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it("returns neither the secret nor the signature, whatever the outcome", async () => {
    behaviours.set("/broken", (_request, response) => response.writeHead(500).end(`echo ${SECRET}`));
    behaviours.set("/slow", () => undefined);
    const results = [
      await deliver(`${base}/hook`),
      await deliver(`${base}/broken`),
      await deliver(`${base}/slow`, { timeoutMs: 200 }),
      await deliver(`${base}/hook`, { allowPrivate: false }),
    ];
    const returned = JSON.stringify(results);
    const signatures = received.map((request) => request.headers["webhook-signature"] ?? "").flatMap((header) => [header, header.replace(/^v1,/, "")]);
    expect(signatures.length).toBeGreaterThan(0);
    for (const secretPart of [SECRET, SECRET_BYTES, ...signatures]) expect(returned).not.toContain(secretPart);
  });
});

describe("signWebhook", () => {
  it("signs so that the reference library verifies the body", () => {
    const body = bodyOf(finishedTask());
    const headers = signWebhook(SECRET, "msg_abc", new Date(), body);
    expect(() => new Webhook(SECRET).verify(body, { ...headers })).not.toThrow();
  });

  it("writes the timestamp in whole unix seconds", () => {
    expect(signWebhook(SECRET, "msg_abc", new Date("2025-10-07T08:03:10.999Z"), "{}")["webhook-timestamp"]).toBe("1759824190");
  });

  it("refuses a raw secret without echoing it", () => {
    expect(() => signWebhook("my-raw-secret", "msg_abc", new Date(), "{}")).toThrow(/whsec_/);
    expect(() => signWebhook("my-raw-secret", "msg_abc", new Date(), "{}")).not.toThrow(/my-raw-secret/);
  });

  it("refuses a secret shorter than the spec's 24 bytes", () => {
    expect(checkWebhookSecret(`whsec_${Buffer.alloc(16, 1).toString("base64")}`)).toEqual({ ok: false, reason: "the webhook secret must decode to at least 24 bytes" });
  });

  it("accepts whsec_ and base64 of 32 random bytes", () => {
    expect(checkWebhookSecret(`whsec_${Buffer.alloc(32, 7).toString("base64")}`)).toEqual({ ok: true });
  });

  it("refuses an id with a full stop, which would blur the signed fields", () => {
    expect(() => signWebhook(SECRET, "msg.1", new Date(), "{}")).toThrow(/webhook-id/);
  });
});

describe("webhookIdFor", () => {
  it("is msg_ and a hash, the same on every call", () => {
    expect(webhookIdFor("t-1", "task.succeeded")).toMatch(/^msg_[0-9a-f]{32}$/);
    expect(webhookIdFor("t-1", "task.succeeded")).toBe(webhookIdFor("t-1", "task.succeeded"));
  });

  it("differs between the events of one task", () => {
    expect(webhookIdFor("t-1", "task.succeeded")).not.toBe(webhookIdFor("t-1", "task.failed"));
  });

  it("differs between tasks", () => {
    expect(webhookIdFor("t-1", "task.succeeded")).not.toBe(webhookIdFor("t-2", "task.succeeded"));
  });
});

describe("buildTaskEvent", () => {
  it("describes a succeeded task with its outputs", () => {
    expect(buildTaskEvent(finishedTask())).toEqual({
      type: "task.succeeded",
      timestamp: "2025-10-07T08:03:00.000Z",
      data: {
        TaskId: "251007502-AigcVideo-0a1b2c3d4e5f6789t",
        TaskType: "vod-video",
        Status: "succeeded",
        Progress: 100,
        Outputs: [{ Type: "video", Url: "https://vod.example.com/out.mp4", ExpiresAt: "2025-10-14T08:03:00.000Z", FileId: "5145403692123456789" }],
        CreatedAt: "2025-10-07T08:00:00.000Z",
        FinishedAt: "2025-10-07T08:03:00.000Z",
      },
    });
  });

  it("publishes the outputs the caller gives instead of Tencent's", () => {
    const kept = [{ type: "video" as const, url: "https://media-1250000000.cos.ap-guangzhou.myqcloud.com/out/a.mp4?q-signature=x", expiresAt: "2025-10-08T08:03:00.000Z" }];
    expect(buildTaskEvent(finishedTask(), { outputs: kept }).data.Outputs).toEqual([{ Type: "video", Url: kept[0]?.url, ExpiresAt: "2025-10-08T08:03:00.000Z" }]);
  });

  it("describes a failed task with its error and no outputs", () => {
    const failed = finishedTask({ status: "failed", progress: 40, outputs: [], error: { code: "FailedOperation.ContentAudit", message: "The prompt was refused." } });
    expect(buildTaskEvent(failed)).toMatchObject({ type: "task.failed", data: { Status: "failed", Outputs: [], Error: { Code: "FailedOperation.ContentAudit", Message: "The prompt was refused." } } });
  });

  it("dates the event by when the task finished, so a redelivered body is unchanged", () => {
    const { finishedAt: _unknown, ...withoutFinish } = finishedTask();
    expect(buildTaskEvent(withoutFinish as TaskRecord).timestamp).toBe("2025-10-07T08:03:10.000Z");
  });

  it("refuses a task that has not finished", () => {
    expect(() => buildTaskEvent(finishedTask({ status: "running" }))).toThrow(/only a finished task/);
  });
});

describe("buildStartedEvent", () => {
  const RUNNING_AT = "2025-10-07T08:00:40.000Z";
  const ran = (overrides: Partial<TaskRecord> = {}) =>
    finishedTask({
      history: [
        { status: "queued", at: "2025-10-07T08:00:00.000Z" },
        { status: "running", at: RUNNING_AT },
        { status: "succeeded", at: "2025-10-07T08:03:10.000Z" },
      ],
      ...overrides,
    });

  it("describes the task as it started: running, no outputs, dated when it was first seen running", () => {
    const running = ran({ status: "running", history: ran().history.slice(0, 2), outputs: [], progress: 30 });
    expect(buildStartedEvent(running)).toEqual({
      type: "task.started",
      timestamp: RUNNING_AT,
      data: { TaskId: "251007502-AigcVideo-0a1b2c3d4e5f6789t", TaskType: "vod-video", Status: "running", Outputs: [], CreatedAt: "2025-10-07T08:00:00.000Z" },
    });
  });

  it("sends the same body after the task ended, so a retried task.started is unchanged", () => {
    const running = ran({ status: "running", history: ran().history.slice(0, 2), outputs: [], progress: 30 });
    expect(JSON.stringify(buildStartedEvent(ran()))).toBe(JSON.stringify(buildStartedEvent(running)));
  });

  it("has nothing for a task never seen running", () => {
    expect(buildStartedEvent(finishedTask())).toBeUndefined();
  });
});

describe("nextAttempt", () => {
  const START = Date.parse("2025-10-07T08:03:00.000Z");
  const fresh: DeliveryState = { state: "pending", attempts: 0 };
  const middle = () => 0.5;

  it("schedules the first retry about 30 s after the first failure", () => {
    const state = nextAttempt(fresh, START, { error: "the receiver answered 500", random: middle });
    expect(state).toEqual({
      state: "pending",
      attempts: 1,
      firstAttemptAt: "2025-10-07T08:03:00.000Z",
      lastAttemptAt: "2025-10-07T08:03:00.000Z",
      nextAttemptAt: "2025-10-07T08:03:30.000Z",
      lastError: "the receiver answered 500",
    });
  });

  it("keeps the jittered first delay within a quarter of 30 s", () => {
    const earliest = Date.parse(nextAttempt(fresh, START, { random: () => 0 }).nextAttemptAt ?? "");
    const latest = Date.parse(nextAttempt(fresh, START, { random: () => 0.999999 }).nextAttemptAt ?? "");
    expect([earliest - START, latest - START]).toEqual([22_500, expect.closeTo(37_500, -1)]);
  });

  it("doubles the delay after each failure", () => {
    let state = fresh;
    let now = START;
    const delays: number[] = [];
    for (let i = 0; i < 4; i += 1) {
      state = nextAttempt(state, now, { random: middle });
      const next = Date.parse(state.nextAttemptAt ?? "");
      delays.push(next - now);
      now = next;
    }
    expect(delays).toEqual([30_000, 60_000, 120_000, 240_000]);
  });

  it("never waits more than 1 h between attempts, however high the jitter", () => {
    const state = nextAttempt({ state: "pending", attempts: 12, firstAttemptAt: new Date(START).toISOString() }, START + 60_000, { random: () => 0.999999 });
    expect(Date.parse(state.nextAttemptAt ?? "") - (START + 60_000)).toBe(WEBHOOK_RETRY.maxDelayMs);
  });

  it("honours a longer Retry-After within the 1 h cap", () => {
    const state = nextAttempt(fresh, START, { random: middle, retryAfterMs: 10 * 60_000 });
    expect(state.nextAttemptAt).toBe("2025-10-07T08:13:00.000Z");
  });

  it("reaches undeliverable 24 h after the first attempt and never schedules beyond it", () => {
    const deadline = START + WEBHOOK_RETRY.giveUpAfterMs;
    let state = fresh;
    let now = START;
    let attempts = 0;
    while (state.state === "pending" && attempts < 1000) {
      state = nextAttempt(state, now, { error: "the receiver answered 503" });
      attempts += 1;
      if (state.nextAttemptAt) {
        expect(Date.parse(state.nextAttemptAt)).toBeLessThanOrEqual(deadline);
        now = Date.parse(state.nextAttemptAt);
      }
    }
    expect(state).toMatchObject({ state: "undeliverable", firstAttemptAt: "2025-10-07T08:03:00.000Z", lastAttemptAt: new Date(deadline).toISOString(), lastError: "the receiver answered 503" });
    expect(state.nextAttemptAt).toBeUndefined();
    expect(state.attempts).toBeLessThan(40);
  });

  it("gives up at once when the first recorded attempt is already 24 h old", () => {
    const old: DeliveryState = { state: "pending", attempts: 5, firstAttemptAt: new Date(START).toISOString(), nextAttemptAt: new Date(START + 1000).toISOString() };
    expect(nextAttempt(old, START + WEBHOOK_RETRY.giveUpAfterMs + 5_000)).toMatchObject({ state: "undeliverable", attempts: 6 });
  });

  it("leaves a delivered state as it is", () => {
    const delivered = markDelivered(fresh, START);
    expect(nextAttempt(delivered, START + 1000)).toBe(delivered);
  });
});

describe("delivery state helpers", () => {
  const START = Date.parse("2025-10-07T08:03:00.000Z");

  it("marks a delivery delivered and clears its schedule", () => {
    const failedOnce = nextAttempt({ state: "pending", attempts: 0 }, START, { error: "the receiver answered 500" });
    expect(markDelivered(failedOnce, START + 60_000)).toEqual({
      state: "delivered",
      attempts: 2,
      firstAttemptAt: "2025-10-07T08:03:00.000Z",
      lastAttemptAt: "2025-10-07T08:04:00.000Z",
      deliveredAt: "2025-10-07T08:04:00.000Z",
    });
  });

  it("marks a delivery undeliverable at once, counting the attempt that was answered 410 and keeping why", () => {
    expect(markUndeliverable({ state: "pending", attempts: 0 }, START, "the receiver answered 410 Gone")).toEqual({
      state: "undeliverable",
      attempts: 1,
      lastError: "the receiver answered 410 Gone",
      firstAttemptAt: "2025-10-07T08:03:00.000Z",
      lastAttemptAt: "2025-10-07T08:03:00.000Z",
    });
  });

  it("calls a new delivery due at once", () => {
    expect(isDeliveryDue({ state: "pending", attempts: 0 }, START)).toBe(true);
  });

  it("calls a scheduled retry due only from its time on", () => {
    const state = nextAttempt({ state: "pending", attempts: 0 }, START, { random: () => 0.5 });
    expect([isDeliveryDue(state, START + 29_999), isDeliveryDue(state, START + 30_000)]).toEqual([false, true]);
  });
});

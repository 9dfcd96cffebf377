/**
 * The Tencent stand-in driven by the real SDK clients over HTTP, with the SDK's Host header
 * (vod/mps.tencentcloudapi.com) and only the TCP connection redirected to 127.0.0.1.
 */
import { request as httpRequest, type Agent } from "node:http";
import { AbstractClient } from "tencentcloud-sdk-nodejs/tencentcloud/common/abstract_client";
import { Client as MpsClient } from "tencentcloud-sdk-nodejs/tencentcloud/services/mps/v20190612/mps_client";
import { Client as VodClient } from "tencentcloud-sdk-nodejs/tencentcloud/services/vod/v20180717/vod_client";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { DEV_SECRET_ID, DEV_SECRET_KEY } from "../../local/dev-credentials";
import { createStandInAgent } from "../../local/tencent/agent";
import { startTencentStandIn, type TencentStandIn } from "../../local/tencent/server";
import { signTc3 } from "../../shared/signing/tc3";

const SUBAPPID = 251007502;
const TEMP_CREDENTIAL = { secretId: "AKIDTEMPORARY000000000000000000000000", secretKey: "temporaryKey", token: "session-token-1" };
const OTHER_ACCOUNT = { secretId: "AKIDOTHERACCOUNT00000000000000000000", secretKey: "otherAccountKey" };
const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

let standIn: TencentStandIn;
let agent: Agent;
const logLines: Array<Record<string, unknown>> = [];

beforeAll(async () => {
  standIn = await startTencentStandIn({
    credentials: [{ secretId: DEV_SECRET_ID, secretKey: DEV_SECRET_KEY }, TEMP_CREDENTIAL, OTHER_ACCOUNT],
    log: (line) => logLines.push(line),
  });
  agent = createStandInAgent({ port: standIn.port });
});

afterAll(async () => {
  agent.destroy();
  await standIn.close();
});

beforeEach(() => {
  standIn.reset();
  logLines.length = 0;
});

type Credential = { secretId: string; secretKey: string; token?: string };
const DEV: Credential = { secretId: DEV_SECRET_ID, secretKey: DEV_SECRET_KEY };

function profile(service: "vod" | "mps", reqTimeoutSeconds?: number) {
  return {
    httpProfile: {
      protocol: "http://",
      endpoint: `${service}.tencentcloudapi.com`,
      agent,
      ...(reqTimeoutSeconds !== undefined ? { reqTimeout: reqTimeoutSeconds } : {}),
    },
  };
}

function vodClient(credential: Credential = DEV, reqTimeoutSeconds?: number): VodClient {
  return new VodClient({ credential, region: "ap-guangzhou", profile: profile("vod", reqTimeoutSeconds) });
}

function mpsClient(credential: Credential = DEV): MpsClient {
  return new MpsClient({ credential, region: "ap-guangzhou", profile: profile("mps") });
}

function videoRequest(extra: Record<string, unknown> = {}) {
  return { SubAppId: SUBAPPID, ModelName: "Hunyuan", ModelVersion: "1.5", Prompt: "a cat on a skateboard", ...extra };
}

interface SdkError {
  message: string;
  code?: string;
  requestId?: string;
  httpCode?: number;
}

async function rejectionOf(promise: Promise<unknown>): Promise<SdkError> {
  try {
    await promise;
  } catch (error) {
    return error as SdkError;
  }
  throw new Error("expected the call to fail, it succeeded");
}

/** A hand-made API 3.0 request, for what the SDK cannot be made to send. */
async function postSigned(input: {
  host?: string;
  action?: string;
  version?: string;
  body: string;
  credential?: Credential;
  scopeService?: string;
  timestamp?: number;
  authorization?: string;
}): Promise<{ Response: { Error?: { Code: string; Message: string }; TaskId?: string; RequestId: string } }> {
  const host = input.host ?? "vod.tencentcloudapi.com";
  const credential = input.credential ?? DEV;
  const timestamp = input.timestamp ?? Math.floor(Date.now() / 1000);
  const authorization =
    input.authorization ??
    signTc3({
      secretId: credential.secretId,
      secretKey: credential.secretKey,
      service: input.scopeService ?? host.split(".")[0] ?? "",
      host,
      timestamp,
      payload: input.body,
    }).authorization;
  const headers: Record<string, string> = {
    host,
    "content-type": "application/json",
    "x-tc-action": input.action ?? "CreateAigcVideoTask",
    "x-tc-version": input.version ?? "2018-07-17",
    "x-tc-timestamp": String(timestamp),
    "x-tc-region": "ap-guangzhou",
  };
  if (authorization !== "") headers["authorization"] = authorization;
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: "127.0.0.1", port: standIn.port, method: "POST", path: "/", headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () => resolve(JSON.parse(Buffer.concat(chunks).toString("utf8"))));
    });
    req.on("error", reject);
    req.end(input.body);
  });
}

async function control(method: string, path: string, body?: unknown): Promise<Response> {
  return fetch(`${standIn.url}/__standin/${path}`, {
    method,
    ...(body !== undefined ? { body: JSON.stringify(body), headers: { "content-type": "application/json" } } : {}),
  });
}

describe("creating tasks", () => {
  it("answers a VOD video create with a TaskId in Tencent's format", async () => {
    const response = await vodClient().CreateAigcVideoTask(videoRequest());
    expect(response.TaskId).toMatch(new RegExp(`^${SUBAPPID}-AigcVideo-[0-9a-f]{32}t$`));
  });

  it("gives every answer a fresh uuid v4 RequestId", async () => {
    const [first, second] = await Promise.all([vodClient().CreateAigcVideoTask(videoRequest()), vodClient().CreateAigcVideoTask(videoRequest())]);
    expect(first.RequestId).toMatch(UUID_V4);
    expect(second.RequestId).toMatch(UUID_V4);
    expect(first.RequestId).not.toBe(second.RequestId);
  });

  it("answers a VOD image create with an AigcImage TaskId", async () => {
    const response = await vodClient().CreateAigcImageTask({ SubAppId: SUBAPPID, ModelName: "Hunyuan", ModelVersion: "3.0", Prompt: "a lighthouse" });
    expect(response.TaskId).toMatch(new RegExp(`^${SUBAPPID}-AigcImage-[0-9a-f]{32}t$`));
  });

  it("answers a VOD video redraw create with an AigcVideoRedrawTask TaskId", async () => {
    const response = await vodClient().CreateAigcVideoRedrawTask({ SubAppId: SUBAPPID, FileInfo: { Type: "Url", Url: "https://example.com/in.mp4" } });
    expect(response.TaskId).toMatch(new RegExp(`^${SUBAPPID}-AigcVideoRedrawTask-[0-9a-f]{32}t$`));
  });

  it("answers an MPS video create with a numeric TaskId", async () => {
    const response = await mpsClient().CreateAigcVideoTask({ ModelName: "Kling", ModelVersion: "2.1", Prompt: "waves", EnhancePrompt: true });
    expect(response.TaskId).toMatch(/^\d{10,}$/);
  });

  it("keeps the created task, waiting, with its SessionId", async () => {
    const { TaskId } = await vodClient().CreateAigcVideoTask(videoRequest({ SessionId: "session-kept", SessionContext: "ctx" }));
    expect(standIn.tasks()).toEqual([
      expect.objectContaining({ taskId: TaskId, service: "vod", status: "WAITING", subAppId: SUBAPPID, sessionId: "session-kept", sessionContext: "ctx" }),
    ]);
  });
});

describe("authentication", () => {
  it("rejects a request signed with the wrong key", async () => {
    const error = await rejectionOf(vodClient({ secretId: DEV_SECRET_ID, secretKey: "wrong-key" }).CreateAigcVideoTask(videoRequest()));
    expect(error).toMatchObject({ code: "AuthFailure.SignatureFailure", requestId: expect.stringMatching(UUID_V4) });
  });

  it("rejects a SecretId it does not know", async () => {
    const error = await rejectionOf(vodClient({ secretId: "AKIDnobody", secretKey: DEV_SECRET_KEY }).CreateAigcVideoTask(videoRequest()));
    expect(error.code).toBe("AuthFailure.SecretIdNotFound");
  });

  it("rejects a request whose timestamp is more than five minutes off its clock", async () => {
    standIn.setClockOffsetSeconds(301);
    const error = await rejectionOf(vodClient().CreateAigcVideoTask(videoRequest()));
    expect(error.code).toBe("AuthFailure.SignatureExpire");
  });

  it("accepts a request from a client whose clock is four minutes behind", async () => {
    standIn.setClockOffsetSeconds(240);
    await expect(vodClient().CreateAigcVideoTask(videoRequest())).resolves.toMatchObject({ TaskId: expect.any(String) });
  });

  it("rejects a request without an Authorization header", async () => {
    const response = await postSigned({ body: JSON.stringify(videoRequest()), authorization: "" });
    expect(response.Response.Error?.Code).toBe("AuthFailure.InvalidAuthorization");
  });

  it("rejects a garbled Authorization header", async () => {
    const response = await postSigned({ body: JSON.stringify(videoRequest()), authorization: "TC3-HMAC-SHA256 Credential=garbage" });
    expect(response.Response.Error?.Code).toBe("AuthFailure.InvalidAuthorization");
  });

  it("rejects a VOD-scoped signature sent to MPS", async () => {
    const response = await postSigned({
      host: "mps.tencentcloudapi.com",
      version: "2019-06-12",
      scopeService: "vod",
      body: JSON.stringify({ ModelName: "Kling" }),
    });
    expect(response.Response.Error?.Code).toBe("AuthFailure.SignatureFailure");
  });

  it("rejects a temporary credential sent without its token", async () => {
    const { token: _token, ...withoutToken } = TEMP_CREDENTIAL;
    const error = await rejectionOf(vodClient(withoutToken).CreateAigcVideoTask(videoRequest()));
    expect(error.code).toBe("AuthFailure.TokenFailure");
  });

  it("rejects a temporary credential sent with another token", async () => {
    const error = await rejectionOf(vodClient({ ...TEMP_CREDENTIAL, token: "stale-token" }).CreateAigcVideoTask(videoRequest()));
    expect(error.code).toBe("AuthFailure.TokenFailure");
  });

  it("accepts a temporary credential sent with its token", async () => {
    await expect(vodClient(TEMP_CREDENTIAL).CreateAigcVideoTask(videoRequest())).resolves.toMatchObject({ TaskId: expect.any(String) });
  });
});

describe("routing", () => {
  function vodClientWithVersion(version: string): AbstractClient {
    return new AbstractClient("vod.tencentcloudapi.com", version, { credential: DEV, region: "ap-guangzhou", profile: profile("vod") });
  }

  it("answers NoSuchVersion to a version the service does not have", async () => {
    const error = await rejectionOf(vodClientWithVersion("2019-06-12").request("CreateAigcVideoTask", videoRequest()));
    expect(error.code).toBe("NoSuchVersion");
  });

  it("answers InvalidAction to an action it does not serve", async () => {
    const error = await rejectionOf(vodClientWithVersion("2018-07-17").request("CreateAigcAudioTask", videoRequest()));
    expect(error.code).toBe("InvalidAction");
  });

  it("refuses a body over 10 MB", async () => {
    const error = await rejectionOf(vodClient().CreateAigcVideoTask(videoRequest({ Prompt: "x".repeat(10 * 1024 * 1024) })));
    expect(error.code).toBe("RequestSizeLimitExceeded");
  });

  it("answers InvalidParameter to a body that is not JSON", async () => {
    const response = await postSigned({ body: '{"SubAppId": 251007502, ' });
    expect(response.Response.Error?.Code).toBe("InvalidParameter");
  });
});

describe("rate limits", () => {
  it("lets 20 of 25 concurrent VOD creates through and refuses 5 with RequestLimitExceeded", async () => {
    const results = await Promise.allSettled(Array.from({ length: 25 }, () => vodClient().CreateAigcVideoTask(videoRequest())));
    const refusals = results.flatMap((r) => (r.status === "rejected" ? [(r.reason as SdkError).code] : []));
    expect({ created: results.filter((r) => r.status === "fulfilled").length, refusals }).toEqual({
      created: 20,
      refusals: Array(5).fill("RequestLimitExceeded"),
    });
  });

  it("lets 10 of 12 concurrent MPS creates through and refuses 2 with RequestLimitExceeded", async () => {
    const results = await Promise.allSettled(Array.from({ length: 12 }, () => mpsClient().CreateAigcVideoTask({ ModelName: "Kling", Prompt: "waves" })));
    const refusals = results.flatMap((r) => (r.status === "rejected" ? [(r.reason as SdkError).code] : []));
    expect({ created: results.filter((r) => r.status === "fulfilled").length, refusals }).toEqual({
      created: 10,
      refusals: Array(2).fill("RequestLimitExceeded"),
    });
  });

  it("counts each account separately", async () => {
    await Promise.all(Array.from({ length: 20 }, () => vodClient().CreateAigcVideoTask(videoRequest())));
    await expect(vodClient(OTHER_ACCOUNT).CreateAigcVideoTask(videoRequest())).resolves.toMatchObject({ TaskId: expect.any(String) });
  });

  it("does not count requests that fail authentication", async () => {
    const bad = { secretId: DEV_SECRET_ID, secretKey: "wrong-key" };
    await Promise.allSettled(Array.from({ length: 25 }, () => vodClient(bad).CreateAigcVideoTask(videoRequest())));
    const results = await Promise.allSettled(Array.from({ length: 20 }, () => vodClient().CreateAigcVideoTask(videoRequest())));
    expect(results.every((r) => r.status === "fulfilled")).toBe(true);
  });
});

describe("request checks", () => {
  it("requires SubAppId on VOD", async () => {
    const { SubAppId: _omitted, ...withoutSubAppId } = videoRequest();
    const error = await rejectionOf(vodClient().CreateAigcVideoTask(withoutSubAppId as ReturnType<typeof videoRequest>));
    expect(error.code).toBe("MissingParameter");
  });

  it("refuses a SubAppId that is not an integer", async () => {
    const error = await rejectionOf(vodClient().CreateAigcVideoTask(videoRequest({ SubAppId: 1.5 })));
    expect(error.code).toBe("InvalidParameterValue.SubAppId");
  });

  it("requires ModelVersion on a VOD image create", async () => {
    const error = await rejectionOf(vodClient().CreateAigcImageTask({ SubAppId: SUBAPPID, ModelName: "Hunyuan" } as never));
    expect(error.code).toBe("MissingParameter");
  });

  it("refuses a SessionId over 50 characters", async () => {
    const error = await rejectionOf(vodClient().CreateAigcVideoTask(videoRequest({ SessionId: "s".repeat(51) })));
    expect(error.code).toBe("InvalidParameterValue.SessionIdTooLong");
  });

  it("refuses a SessionContext over 1000 characters", async () => {
    const error = await rejectionOf(vodClient().CreateAigcVideoTask(videoRequest({ SessionContext: "c".repeat(1001) })));
    expect(error.code).toBe("InvalidParameterValue.SessionContextTooLong");
  });

  it("refuses a SessionId already used on the same SubAppId", async () => {
    await vodClient().CreateAigcVideoTask(videoRequest({ SessionId: "dedup-1" }));
    const error = await rejectionOf(vodClient().CreateAigcVideoTask(videoRequest({ SessionId: "dedup-1" })));
    expect(error).toMatchObject({ code: "InvalidParameterValue.SessionId", message: "The deduplication ID already exists." });
  });

  it("accepts the same SessionId on another SubAppId", async () => {
    await vodClient().CreateAigcVideoTask(videoRequest({ SessionId: "dedup-2" }));
    await expect(vodClient().CreateAigcVideoTask(videoRequest({ SessionId: "dedup-2", SubAppId: SUBAPPID + 1 }))).resolves.toMatchObject({
      TaskId: expect.any(String),
    });
  });

  it("accepts a SessionId again once three days have passed", async () => {
    let nowMs = Date.UTC(2025, 0, 1);
    const clocked = await startTencentStandIn({ now: () => nowMs });
    try {
      const send = () =>
        new Promise<string>((resolve, reject) => {
          const body = JSON.stringify(videoRequest({ SessionId: "dedup-3" }));
          const timestamp = Math.floor(nowMs / 1000);
          const { authorization } = signTc3({ ...DEV, service: "vod", host: "vod.tencentcloudapi.com", timestamp, payload: body });
          const req = httpRequest(
            {
              host: "127.0.0.1",
              port: clocked.port,
              method: "POST",
              path: "/",
              headers: {
                host: "vod.tencentcloudapi.com",
                "content-type": "application/json",
                authorization,
                "x-tc-action": "CreateAigcVideoTask",
                "x-tc-version": "2018-07-17",
                "x-tc-timestamp": String(timestamp),
              },
            },
            (res) => {
              const chunks: Buffer[] = [];
              res.on("data", (chunk: Buffer) => chunks.push(chunk));
              res.on("end", () => resolve(JSON.parse(Buffer.concat(chunks).toString("utf8")).Response.Error?.Code ?? "created"));
            },
          );
          req.on("error", reject);
          req.end(body);
        });
      const outcomes = [await send()];
      nowMs += 3 * 24 * 3600 * 1000 - 1000;
      outcomes.push(await send());
      nowMs += 2000;
      outcomes.push(await send());
      expect(outcomes).toEqual(["created", "InvalidParameterValue.SessionId", "created"]);
    } finally {
      await clocked.close();
    }
  });

  it("refuses a top-level parameter MPS does not define", async () => {
    const error = await rejectionOf(mpsClient().request("CreateAigcVideoTask", { ModelName: "Kling", SessionId: "not-on-mps" }));
    expect(error.code).toBe("UnknownParameter");
  });
});

describe("fault injection", () => {
  it("answers an injected Tencent error once, then serves normally", async () => {
    standIn.injectFault({ kind: "error", code: "InternalError", action: "CreateAigcVideoTask" });
    const error = await rejectionOf(vodClient().CreateAigcVideoTask(videoRequest()));
    await expect(vodClient().CreateAigcVideoTask(videoRequest())).resolves.toMatchObject({ TaskId: expect.any(String) });
    expect(error).toMatchObject({ code: "InternalError", requestId: expect.stringMatching(UUID_V4) });
  });

  it("consumes a fault as many times as asked", async () => {
    standIn.injectFault({ kind: "error", code: "ServiceUnavailable", times: 2 });
    const results = await Promise.allSettled([1, 2, 3].map(() => vodClient().CreateAigcVideoTask(videoRequest())));
    expect(results.map((r) => (r.status === "rejected" ? (r.reason as SdkError).code : "created"))).toEqual([
      "ServiceUnavailable",
      "ServiceUnavailable",
      "created",
    ]);
  });

  it("applies a fault only to the service it names", async () => {
    standIn.injectFault({ kind: "error", code: "ResourceUnavailable", service: "mps" });
    await expect(vodClient().CreateAigcVideoTask(videoRequest())).resolves.toMatchObject({ TaskId: expect.any(String) });
    expect((await rejectionOf(mpsClient().CreateAigcVideoTask({ ModelName: "Kling" }))).code).toBe("ResourceUnavailable");
  });

  it("creates the task but answers too late when processing precedes the delay, like a lost response", async () => {
    standIn.injectFault({ kind: "delay", ms: 600, processBeforeDelay: true });
    const error = await rejectionOf(vodClient(DEV, 0.2).CreateAigcVideoTask(videoRequest({ SessionId: "lost-response" })));
    expect(error.message).toMatch(/timeout/i);
    expect(standIn.createdTasks()).toEqual([expect.objectContaining({ fault: "delay", sessionId: "lost-response" })]);
  });

  it("creates nothing when the client gives up during a delay that precedes processing", async () => {
    standIn.injectFault({ kind: "delay", ms: 400 });
    const error = await rejectionOf(vodClient(DEV, 0.1).CreateAigcVideoTask(videoRequest()));
    expect(error.message).toMatch(/timeout/i);
    await vi.waitFor(() => expect(standIn.calls()).toEqual([expect.objectContaining({ outcome: "fault", fault: "delay" })]), { timeout: 2000 });
    expect(standIn.tasks()).toEqual([]);
  });

  it("answers late but normally when the client waits out the delay", async () => {
    standIn.injectFault({ kind: "delay", ms: 200 });
    const started = Date.now();
    await expect(vodClient().CreateAigcVideoTask(videoRequest())).resolves.toMatchObject({ TaskId: expect.any(String) });
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
  });

  it("resets the connection on a reset fault", async () => {
    standIn.injectFault({ kind: "reset" });
    const error = await rejectionOf(vodClient().CreateAigcVideoTask(videoRequest()));
    expect(error.message).toMatch(/socket hang up|ECONNRESET/);
    expect(standIn.tasks()).toEqual([]);
  });

  it("answers a gateway error page with its HTTP status", async () => {
    standIn.injectFault({ kind: "http-status", status: 502 });
    const error = await rejectionOf(vodClient().CreateAigcVideoTask(videoRequest()));
    expect(error).toMatchObject({ httpCode: 502, message: "Bad Gateway" });
  });

  it("answers 503 with an HTML body", async () => {
    standIn.injectFault({ kind: "http-status", status: 503, body: "<html><body>busy</body></html>" });
    const response = await fetch(`${standIn.url}/`, { method: "POST", headers: { host: "vod.tencentcloudapi.com" }, body: "{}" });
    expect({ status: response.status, type: response.headers.get("content-type"), body: await response.text() }).toEqual({
      status: 503,
      type: "text/html",
      body: "<html><body>busy</body></html>",
    });
  });

  it("answers truncated JSON that the SDK cannot parse", async () => {
    standIn.injectFault({ kind: "malformed-json" });
    const error = await rejectionOf(vodClient().CreateAigcVideoTask(videoRequest()));
    expect({ code: error.code, message: error.message }).toEqual({ code: undefined, message: expect.stringMatching(/invalid json/i) });
  });

  it("takes faults, clock skew and resets through its control HTTP API", async () => {
    const injected = await control("POST", "faults", { kind: "error", code: "RequestLimitExceeded", service: "vod" });
    const faulted = await rejectionOf(vodClient().CreateAigcVideoTask(videoRequest()));
    await control("POST", "clock", { offsetSeconds: -400 });
    const skewed = await rejectionOf(vodClient().CreateAigcVideoTask(videoRequest()));
    await control("POST", "reset");
    await expect(vodClient().CreateAigcVideoTask(videoRequest())).resolves.toMatchObject({ TaskId: expect.any(String) });
    expect([injected.status, faulted.code, skewed.code, standIn.calls().length]).toEqual([201, "RequestLimitExceeded", "AuthFailure.SignatureExpire", 1]);
  });

  it("refuses a malformed fault on its control API", async () => {
    const response = await control("POST", "faults", { kind: "explode" });
    expect(response.status).toBe(400);
  });
});

describe("call log", () => {
  it("records each call with its outcome, error code, task and session", async () => {
    const created = await vodClient().CreateAigcVideoTask(videoRequest({ SessionId: "logged" }));
    const refused = await rejectionOf(vodClient().CreateAigcVideoTask(videoRequest({ SessionId: "logged" })));
    standIn.injectFault({ kind: "error", code: "InternalError" });
    const faulted = await rejectionOf(vodClient().CreateAigcVideoTask(videoRequest()));
    expect(standIn.calls()).toEqual([
      expect.objectContaining({
        service: "vod",
        action: "CreateAigcVideoTask",
        secretId: DEV_SECRET_ID,
        requestId: created.RequestId,
        outcome: "created",
        taskId: created.TaskId,
        sessionId: "logged",
        params: expect.objectContaining({ SubAppId: SUBAPPID, Prompt: "a cat on a skateboard" }),
      }),
      expect.objectContaining({ requestId: refused.requestId, outcome: "error", errorCode: "InvalidParameterValue.SessionId", sessionId: "logged" }),
      expect.objectContaining({ requestId: faulted.requestId, outcome: "fault", fault: "error", errorCode: "InternalError", secretId: DEV_SECRET_ID }),
    ]);
  });

  it("lists only successful creates as created tasks", async () => {
    await vodClient().CreateAigcVideoTask(videoRequest());
    await rejectionOf(vodClient().CreateAigcVideoTask(videoRequest({ SubAppId: "x" })));
    expect(standIn.createdTasks().map((call) => call.outcome)).toEqual(["created"]);
  });

  it("serves the calls and the tasks over its control HTTP API", async () => {
    const { TaskId } = await mpsClient().CreateAigcVideoTask({ ModelName: "Kling" });
    const calls = (await (await control("GET", "calls")).json()) as Array<{ taskId?: string }>;
    const tasks = (await (await control("GET", "tasks")).json()) as Array<{ taskId: string }>;
    expect([calls.map((c) => c.taskId), tasks.map((t) => t.taskId)]).toEqual([[TaskId], [TaskId]]);
  });

  it("never logs the Authorization header, the secret key or the token", async () => {
    await vodClient(TEMP_CREDENTIAL).CreateAigcVideoTask(videoRequest());
    await rejectionOf(vodClient({ secretId: DEV_SECRET_ID, secretKey: "wrong-key" }).CreateAigcVideoTask(videoRequest()));
    const logged = JSON.stringify(logLines);
    expect(logLines).toHaveLength(2);
    for (const secret of ["TC3-HMAC-SHA256", DEV_SECRET_KEY, TEMP_CREDENTIAL.secretKey, TEMP_CREDENTIAL.token, "wrong-key"]) {
      expect(logged).not.toContain(secret);
    }
  });
});

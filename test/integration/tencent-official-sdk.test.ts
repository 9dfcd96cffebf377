/**
 * The Tencent stand-in reached the way a user's own script reaches it: the official Node SDK's
 * full client (`require("tencentcloud-sdk-nodejs")`), its endpoint set to the stand-in's address.
 * The SDK then sends `Host: 127.0.0.1:<port>` and signs the scope `<date>/127/tc3_request`, so the
 * service comes from X-TC-Version; every action the bundle uses is called.
 */
import * as tencentcloud from "tencentcloud-sdk-nodejs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEV_CREDENTIAL } from "../../local/dev-credentials";
import { startTencentStandIn, type TencentStandIn } from "../../local/tencent/server";
import { signTc3 } from "../../shared/signing/tc3";

const SUBAPPID = 251007502;
let standIn: TencentStandIn;

beforeAll(async () => {
  standIn = await startTencentStandIn({ events: { pullHoldMs: 0 } });
});

afterAll(async () => {
  await standIn.close();
});

function clientOptions() {
  return { credential: { ...DEV_CREDENTIAL }, region: "ap-guangzhou", profile: { httpProfile: { protocol: "http://", endpoint: `127.0.0.1:${standIn.port}` } } };
}
const vod = () => new tencentcloud.vod.v20180717.Client(clientOptions());
const mps = () => new tencentcloud.mps.v20190612.Client(clientOptions());

describe("tencentcloud-sdk-nodejs with the stand-in's address as endpoint", () => {
  it("creates a VOD video task (CreateAigcVideoTask)", async () => {
    const { TaskId } = await vod().CreateAigcVideoTask({ SubAppId: SUBAPPID, ModelName: "Hunyuan", ModelVersion: "1.5", Prompt: "a cat" });
    expect(TaskId).toMatch(/^251007502-AigcVideo/);
  });

  it("creates a VOD image task (CreateAigcImageTask)", async () => {
    const { TaskId } = await vod().CreateAigcImageTask({ SubAppId: SUBAPPID, ModelName: "GEM", ModelVersion: "2.5", Prompt: "a car" });
    expect(TaskId).toMatch(/^251007502-AigcImage/);
  });

  it("creates a VOD redraw task (CreateAigcVideoRedrawTask)", async () => {
    const { TaskId } = await vod().CreateAigcVideoRedrawTask({ SubAppId: SUBAPPID, FileInfo: { Type: "Url", Url: "https://example.com/in.mp4" } });
    expect(TaskId).toMatch(/^251007502-AigcVideoRedraw/);
  });

  it("describes a VOD task (DescribeTaskDetail)", async () => {
    const { TaskId } = await vod().CreateAigcImageTask({ SubAppId: SUBAPPID, ModelName: "GEM", ModelVersion: "2.5", Prompt: "a car" });
    const detail = await vod().DescribeTaskDetail({ SubAppId: SUBAPPID, TaskId: TaskId ?? "" });
    expect(detail.TaskType).toBe("AigcImageTask");
  });

  it("pulls and confirms VOD completion events (PullEvents, ConfirmEvents)", async () => {
    await vod().CreateAigcImageTask({ SubAppId: SUBAPPID, ModelName: "GEM", ModelVersion: "2.5", Prompt: "a finished car" });
    standIn.advance(60_000);
    const pulled = await vod().PullEvents({ SubAppId: SUBAPPID });
    const handles = (pulled.EventSet ?? []).map((event) => event.EventHandle ?? "");
    await vod().ConfirmEvents({ SubAppId: SUBAPPID, EventHandles: handles });
    expect([handles.length > 0, standIn.events().filter((event) => event.state !== "confirmed").length]).toEqual([true, 0]);
  });

  it("creates and describes an MPS video task (CreateAigcVideoTask, DescribeAigcVideoTask)", async () => {
    const { TaskId } = await mps().CreateAigcVideoTask({ ModelName: "GV", Prompt: "move the picture", Duration: 8 });
    const described = await mps().DescribeAigcVideoTask({ TaskId: TaskId ?? "" });
    expect(typeof described.Status).toBe("string");
  });

  it("still checks the signature as signed: a wrong key is AuthFailure.SignatureFailure", async () => {
    const client = new tencentcloud.vod.v20180717.Client({ ...clientOptions(), credential: { secretId: DEV_CREDENTIAL.secretId, secretKey: "not-the-key" } });
    const error = (await client.DescribeTaskDetail({ SubAppId: SUBAPPID, TaskId: "x" }).catch((e: unknown) => e)) as { code?: string };
    expect(error.code).toBe("AuthFailure.SignatureFailure");
  });
});

describe("service selection for requests whose Host names no service", () => {
  async function send(scopeService: string, version: string, action: string): Promise<string | undefined> {
    const body = "{}";
    const timestamp = Math.floor(Date.now() / 1000);
    const host = `127.0.0.1:${standIn.port}`;
    const { authorization } = signTc3({
      ...DEV_CREDENTIAL,
      service: scopeService,
      host: "127.0.0.1",
      timestamp,
      payload: body,
      contentType: "application/json; charset=utf-8",
    });
    const response = await fetch(`${standIn.url}/`, {
      method: "POST",
      headers: { host, authorization, "content-type": "application/json; charset=utf-8", "x-tc-action": action, "x-tc-version": version, "x-tc-timestamp": String(timestamp), "x-tc-region": "ap-guangzhou" },
      body,
    });
    const json = (await response.json()) as { Response: { Error?: { Code: string } } };
    return json.Response.Error?.Code;
  }

  it("takes the service from the credential scope, as the Python SDK signs it", async () => {
    expect(await send("mps", "2019-06-12", "DescribeAigcVideoTask")).toBe("MissingParameter");
  });

  it("answers InvalidAction to an action of neither service", async () => {
    expect(await send("127", "2018-07-17", "DescribeInstances")).toBe("InvalidAction");
  });

  it("answers InvalidAction when nothing names a service it serves", async () => {
    expect(await send("127", "2017-03-12", "DescribeInstances")).toBe("InvalidAction");
  });
});

describe("result URLs across a restart", () => {
  it("serves a result URL of an earlier stand-in with the same files secret and port", async () => {
    const filesSecret = Buffer.alloc(32, 9);
    const first = await startTencentStandIn({ filesSecret });
    const client = new tencentcloud.vod.v20180717.Client({ ...clientOptions(), profile: { httpProfile: { protocol: "http://", endpoint: `127.0.0.1:${first.port}` } } });
    const { TaskId } = await client.CreateAigcImageTask({ SubAppId: SUBAPPID, ModelName: "GEM", ModelVersion: "2.5", Prompt: "a kept car" });
    first.advance(60_000);
    const detail = JSON.stringify(await client.DescribeTaskDetail({ SubAppId: SUBAPPID, TaskId: TaskId ?? "" }));
    const url = /"(http:\/\/[^"]+\/__standin\/files\/[^"]+)"/.exec(detail)?.[1] ?? "";
    await first.close();
    const second = await startTencentStandIn({ filesSecret, port: first.port });
    try {
      const response = await fetch(url);
      expect([response.status, response.headers.get("content-type")]).toEqual([200, expect.stringMatching(/^image\//)]);
    } finally {
      await second.close();
    }
  });
});

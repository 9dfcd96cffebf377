/**
 * The bench's instant upstream (scripts/bench/instant-upstream.ts) sets the headline overhead figure,
 * so it must only answer what Tencent would: a TC3-signed create of a known action and version.
 */
import { request } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEV_SECRET_ID, DEV_SECRET_KEY } from "../../local/dev-credentials";
import { startInstantUpstream, type InstantUpstream } from "../../scripts/bench/instant-upstream";
import { getConfig, resetConfigCache } from "../../shared/config";
import { tencentClients } from "../../shared/tencent/clients";

function post(url: string, headers: Record<string, string>, body: string): Promise<{ status: number; json: any }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: "POST", headers: { ...headers, "content-length": String(Buffer.byteLength(body)) } }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => (text += chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, json: JSON.parse(text) }));
    });
    req.on("error", reject);
    req.end(body);
  });
}

describe("the bench's instant upstream", () => {
  let upstream: InstantUpstream;
  const savedEnv = process.env;

  beforeAll(async () => {
    upstream = await startInstantUpstream({ vodSubAppId: 251007502 });
    process.env = { ...savedEnv, TENCENTCLOUD_SECRETID: DEV_SECRET_ID, TENCENTCLOUD_SECRETKEY: DEV_SECRET_KEY, AIGC_VOD_ENDPOINT: upstream.url, AIGC_MPS_ENDPOINT: upstream.url };
    delete process.env.TENCENTCLOUD_SESSIONTOKEN;
    resetConfigCache();
  });

  afterAll(async () => {
    process.env = savedEnv;
    resetConfigCache();
    await upstream.close();
  });

  it("answers creates the SDK signs with TaskIds in Tencent's formats", async () => {
    const clients = tencentClients(getConfig());
    const vod = await clients.vod.request("CreateAigcVideoTask", { SubAppId: 251007502, ModelName: "GV", Prompt: "a car" });
    const image = await clients.vod.request("CreateAigcImageTask", { SubAppId: 251007502, ModelName: "GEM", Prompt: "a cat" });
    const mps = await clients.mps.request("CreateAigcVideoTask", { ModelName: "Kling", Prompt: "a dog" });
    expect(vod.TaskId).toMatch(/^251007502-AigcVideo-[0-9a-f]{32}t$/);
    expect(image.TaskId).toMatch(/^251007502-AigcImage-[0-9a-f]{32}t$/);
    expect(mps.TaskId).toMatch(/^\d{10,}$/);
    expect(upstream.counts()).toMatchObject({ answered: 3, refused: 0 });
  });

  it("refuses an unsigned request, a non-create action and a wrong version with Tencent's error shape", async () => {
    const before = upstream.counts().refused;
    const base = { host: "vod.tencentcloudapi.com", "content-type": "application/json", "x-tc-action": "CreateAigcVideoTask", "x-tc-version": "2018-07-17", "x-tc-timestamp": "1" };
    const unsigned = await post(upstream.url, base, "{}");
    const query = await post(upstream.url, { ...base, "x-tc-action": "DescribeTaskDetail", authorization: "TC3-HMAC-SHA256 Credential=x" }, "{}");
    const version = await post(upstream.url, { ...base, "x-tc-version": "2019-06-12", authorization: "TC3-HMAC-SHA256 Credential=x" }, "{}");
    for (const answer of [unsigned, query, version]) {
      expect(answer.json.Response.Error.Code).toMatch(/^(AuthFailure\.SignatureFailure|InvalidAction|NoSuchVersion)$/);
      expect(answer.json.Response.TaskId).toBeUndefined();
    }
    expect(upstream.counts().refused - before).toBe(3);
  });
});

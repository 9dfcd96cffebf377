import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Client as VodClient } from "tencentcloud-sdk-nodejs/tencentcloud/services/vod/v20180717/vod_client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createStandInAgent } from "../../local/tencent/agent";
import { cosObjectUrl, presignCosUrl, signCosRequest, verifyCosAuthorization } from "../../shared/signing/cos";
import { parseTc3Authorization, signTc3, verifyTc3 } from "../../shared/signing/tc3";

// Tencent's published TC3 example (API 3.0 "Signature v3" doc), values as in tencent-platform.md.
const TC3_VECTOR = {
  secretId: "AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE",
  secretKey: "Gu5t9xGARNpq86cd98joQYCN3EXAMPLE",
  service: "cvm",
  host: "cvm.tencentcloudapi.com",
  contentType: "application/json; charset=utf-8",
  timestamp: 1551113065,
  payload: String.raw`{"Limit": 1, "Filters": [{"Values": ["\u672a\u547d\u540d"], "Name": "instance-name"}]}`,
};

function tc3VectorHeaders(authorization: string): IncomingHttpHeaders {
  return {
    authorization,
    "content-type": TC3_VECTOR.contentType,
    host: TC3_VECTOR.host,
    "x-tc-action": "DescribeInstances",
    "x-tc-timestamp": String(TC3_VECTOR.timestamp),
    "x-tc-version": "2017-03-12",
    "x-tc-region": "ap-guangzhou",
  };
}

function verifyVectorRequest(overrides: { authorization?: string; body?: string; secretKey?: string; nowSeconds?: number; headers?: IncomingHttpHeaders } = {}) {
  const authorization = overrides.authorization ?? signTc3(TC3_VECTOR).authorization;
  return verifyTc3({
    method: "POST",
    path: "/",
    query: "",
    headers: { ...tc3VectorHeaders(authorization), ...overrides.headers },
    body: overrides.body ?? TC3_VECTOR.payload,
    lookupSecretKey: (secretId) => (secretId === TC3_VECTOR.secretId ? (overrides.secretKey ?? TC3_VECTOR.secretKey) : undefined),
    expectedService: "cvm",
    nowSeconds: overrides.nowSeconds ?? TC3_VECTOR.timestamp,
  });
}

describe("TC3-HMAC-SHA256", () => {
  it("hashes the official payload to the published value", () => {
    expect(signTc3(TC3_VECTOR).hashedPayload).toBe("35e9c5b0e3ae67532d3c9f17ead6c90222632e5b1ff7f6e89887f1398934f064");
  });

  it("hashes the official canonical request to the published value", () => {
    expect(signTc3(TC3_VECTOR).hashedCanonicalRequest).toBe("5ffe6a04c0664d6b969fab9a13bdab201d63ee709638e2749d62a09ca18d7031");
  });

  it("produces the published signature for the official example", () => {
    expect(signTc3(TC3_VECTOR).signature).toBe("72e494ea809ad7a8c8f7a4507b9bddcbaa8e581f516e8da2f66e2c5a96525168");
  });

  it("formats the Authorization header as Tencent documents it", () => {
    expect(signTc3(TC3_VECTOR).authorization).toBe(
      "TC3-HMAC-SHA256 Credential=AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE/2019-02-25/cvm/tc3_request, " +
        "SignedHeaders=content-type;host, Signature=72e494ea809ad7a8c8f7a4507b9bddcbaa8e581f516e8da2f66e2c5a96525168",
    );
  });

  it("gives the same signature for a Buffer payload as for its string", () => {
    expect(signTc3({ ...TC3_VECTOR, payload: Buffer.from(TC3_VECTOR.payload) }).signature).toBe(signTc3(TC3_VECTOR).signature);
  });

  it("parses the parts of an Authorization header", () => {
    expect(parseTc3Authorization(signTc3(TC3_VECTOR).authorization)).toEqual({
      secretId: TC3_VECTOR.secretId,
      date: "2019-02-25",
      service: "cvm",
      signedHeaders: ["content-type", "host"],
      signature: "72e494ea809ad7a8c8f7a4507b9bddcbaa8e581f516e8da2f66e2c5a96525168",
    });
  });

  it("parses nothing out of an Authorization header of another scheme", () => {
    expect(parseTc3Authorization("Bearer abc")).toBeNull();
  });

  it("verifies the official example request", () => {
    expect(verifyVectorRequest()).toEqual({ ok: true, secretId: TC3_VECTOR.secretId, service: "cvm", timestamp: TC3_VECTOR.timestamp });
  });

  it("rejects a request whose body was changed after signing", () => {
    expect(verifyVectorRequest({ body: TC3_VECTOR.payload.replace('"Limit": 1', '"Limit": 100') })).toMatchObject({
      ok: false,
      reason: "signature-mismatch",
    });
  });

  it("rejects a request signed with the wrong key", () => {
    expect(verifyVectorRequest({ secretKey: "not-the-key" })).toMatchObject({ ok: false, reason: "signature-mismatch" });
  });

  it("rejects a request whose signed content-type was changed", () => {
    expect(verifyVectorRequest({ headers: { "content-type": "application/json" } })).toMatchObject({ ok: false, reason: "signature-mismatch" });
  });

  it("rejects a request whose timestamp is more than five minutes from the verifier's clock", () => {
    expect(verifyVectorRequest({ nowSeconds: TC3_VECTOR.timestamp + 301 })).toMatchObject({ ok: false, reason: "expired" });
  });

  it("accepts a request whose timestamp is exactly five minutes old", () => {
    expect(verifyVectorRequest({ nowSeconds: TC3_VECTOR.timestamp + 300 })).toMatchObject({ ok: true });
  });

  it("rejects a SecretId the lookup does not know", () => {
    const authorization = signTc3({ ...TC3_VECTOR, secretId: "AKIDunknown" }).authorization;
    expect(verifyVectorRequest({ authorization })).toMatchObject({ ok: false, reason: "unknown-secret-id", secretId: "AKIDunknown" });
  });

  it("rejects a signature scoped to another service", () => {
    const authorization = signTc3({ ...TC3_VECTOR, service: "vod" }).authorization;
    expect(verifyVectorRequest({ authorization })).toMatchObject({ ok: false, reason: "service-mismatch" });
  });

  it("rejects a signature that leaves the host header unsigned", () => {
    const authorization = signTc3({ ...TC3_VECTOR, signedHeaders: { "content-type": TC3_VECTOR.contentType } }).authorization;
    expect(verifyVectorRequest({ authorization })).toMatchObject({ ok: false, reason: "required-header-unsigned" });
  });

  it("reports a missing Authorization header", () => {
    expect(verifyVectorRequest({ authorization: "" })).toEqual({ ok: false, reason: "missing-authorization" });
  });

  it("reports a garbled Authorization header", () => {
    expect(verifyVectorRequest({ authorization: "TC3-HMAC-SHA256 Credential=x" })).toEqual({ ok: false, reason: "malformed-authorization" });
  });

  it("verifies a signature over extra signed headers, their values lower-cased as TC3 requires", () => {
    const authorization = signTc3({
      ...TC3_VECTOR,
      signedHeaders: { "content-type": TC3_VECTOR.contentType, host: TC3_VECTOR.host, "x-tc-action": "DescribeInstances" },
    }).authorization;
    expect(verifyVectorRequest({ authorization })).toMatchObject({ ok: true });
  });
});

describe("TC3 requests produced by the installed SDK", () => {
  const SECRET_ID = "AKIDsdkCapture000000000000000000000000";
  const SECRET_KEY = "sdkCaptureSecretKey";
  let server: Server;
  let port: number;
  const captured: Array<{ method: string; url: string; headers: IncomingHttpHeaders; body: Buffer }> = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (chunk: Buffer) => chunks.push(chunk));
      req.on("end", () => {
        captured.push({ method: req.method ?? "", url: req.url ?? "", headers: req.headers, body: Buffer.concat(chunks) });
        res.writeHead(200, { "content-type": "application/json" });
        res.end(JSON.stringify({ Response: { TaskId: "1-AigcVideo-0t", RequestId: "00000000-0000-4000-8000-000000000000" } }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    port = (server.address() as AddressInfo).port;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  async function captureSdkRequest(endpoint: string) {
    const agent = createStandInAgent({ port });
    const client = new VodClient({
      credential: { secretId: SECRET_ID, secretKey: SECRET_KEY },
      region: "ap-guangzhou",
      profile: { httpProfile: { protocol: "http://", endpoint, agent } },
    });
    captured.length = 0;
    await client.CreateAigcVideoTask({ SubAppId: 251007502, ModelName: "Hunyuan", ModelVersion: "1.0", Prompt: "一只猫 & a dog + 100%" });
    agent.destroy();
    const request = captured[0];
    if (!request) throw new Error("the SDK request did not reach the capture server");
    const q = request.url.indexOf("?");
    return verifyTc3({
      method: request.method,
      path: q < 0 ? request.url : request.url.slice(0, q),
      query: q < 0 ? "" : request.url.slice(q + 1),
      headers: request.headers,
      body: request.body,
      lookupSecretKey: (secretId) => (secretId === SECRET_ID ? SECRET_KEY : undefined),
      expectedService: "vod",
      nowSeconds: Math.floor(Date.now() / 1000),
    });
  }

  it("verifies a VOD request signed by the SDK", async () => {
    expect(await captureSdkRequest("vod.tencentcloudapi.com")).toMatchObject({ ok: true, secretId: SECRET_ID, service: "vod" });
  });

  it("verifies an SDK request whose Host header carries a port the SDK did not sign", async () => {
    expect(await captureSdkRequest(`vod.tencentcloudapi.com:${port}`)).toMatchObject({ ok: true, service: "vod" });
  });
});

// COS's published examples ("Request signature" doc), values as in tencent-platform.md.
const COS_VECTOR = {
  secretId: "AKIDQjz3ltompVjBni5LitkWHFlFpwkn9U5q",
  secretKey: "BQYIM75p8x0iWVFSIgqEKwFprpRSVHlz",
  host: "examplebucket-1250000000.cos.ap-beijing.myqcloud.com",
  pathname: "/exampleobject(腾讯云)",
};

const COS_GET = {
  ...COS_VECTOR,
  method: "GET",
  params: { "response-content-type": "application/octet-stream", "response-cache-control": "max-age=600" },
  headers: { Date: "Thu, 16 May 2019 06:55:53 GMT", Host: COS_VECTOR.host },
  keyTime: { start: 1557989753, end: 1557996953 },
};

const COS_PUT = {
  ...COS_VECTOR,
  method: "PUT",
  headers: {
    "Content-Length": "13",
    "Content-MD5": "mQ/fVh815F3k6TAUm8m0eg==",
    "Content-Type": "text/plain",
    Date: "Thu, 16 May 2019 06:45:51 GMT",
    Host: COS_VECTOR.host,
    "x-cos-acl": "private",
    "x-cos-grant-read": 'uin="100000000011"',
  },
  keyTime: { start: 1557989151, end: 1557996351 },
};

function lowerCaseKeys(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value]));
}

describe("COS q-sign-algorithm=sha1", () => {
  it("derives the published SignKey for the GET example", () => {
    expect(signCosRequest(COS_GET).signKey).toBe("937914bf490e9e8c189836aad2052e4feeb35eaf");
  });

  it("hashes the GET example's HttpString to the published value", () => {
    expect(signCosRequest(COS_GET).httpStringSha1).toBe("54ecfe22f59d3514fdc764b87a32d8133ea611e6");
  });

  it("produces the published signature for the GET example", () => {
    expect(signCosRequest(COS_GET).signature).toBe("01681b8c9d798a678e43b685a9f1bba0f6c0e012");
  });

  it("derives the published SignKey for the PUT example", () => {
    expect(signCosRequest(COS_PUT).signKey).toBe("eb2519b498b02ac213cb1f3d1a3d27a3b3c9bc5f");
  });

  it("hashes the PUT example's HttpString to the published value", () => {
    expect(signCosRequest(COS_PUT).httpStringSha1).toBe("8b2751e77f43a0995d6e9eb9477f4b685cca4172");
  });

  it("produces the published signature for the PUT example", () => {
    expect(signCosRequest(COS_PUT).signature).toBe("3b8851a11a569213c17ba8fa7dcf2abec6935172");
  });

  it("lists the signed headers and parameters sorted and lower-cased in the Authorization", () => {
    expect(signCosRequest(COS_GET).authorization).toBe(
      "q-sign-algorithm=sha1&q-ak=AKIDQjz3ltompVjBni5LitkWHFlFpwkn9U5q&q-sign-time=1557989753;1557996953" +
        "&q-key-time=1557989753;1557996953&q-header-list=date;host" +
        "&q-url-param-list=response-cache-control;response-content-type&q-signature=01681b8c9d798a678e43b685a9f1bba0f6c0e012",
    );
  });

  it("verifies the PUT example sent with its Authorization header", () => {
    const result = verifyCosAuthorization({
      method: "PUT",
      url: "/exampleobject(%E8%85%BE%E8%AE%AF%E4%BA%91)",
      headers: { ...lowerCaseKeys(COS_PUT.headers), authorization: signCosRequest(COS_PUT).authorization },
      lookupSecretKey: () => COS_VECTOR.secretKey,
      now: COS_PUT.keyTime.start + 60,
    });
    expect(result).toEqual({ ok: true, secretId: COS_VECTOR.secretId, keyTime: COS_PUT.keyTime });
  });

  it("rejects the PUT example when a signed header was changed", () => {
    const result = verifyCosAuthorization({
      method: "PUT",
      url: "/exampleobject(%E8%85%BE%E8%AE%AF%E4%BA%91)",
      headers: { ...lowerCaseKeys(COS_PUT.headers), "x-cos-acl": "public-read", authorization: signCosRequest(COS_PUT).authorization },
      lookupSecretKey: () => COS_VECTOR.secretKey,
      now: COS_PUT.keyTime.start + 60,
    });
    expect(result).toMatchObject({ ok: false, reason: "signature-mismatch" });
  });

  it("rejects a request that lacks a header its signature lists", () => {
    const headers: Record<string, string> = { ...lowerCaseKeys(COS_PUT.headers), authorization: signCosRequest(COS_PUT).authorization };
    delete headers["x-cos-grant-read"];
    const result = verifyCosAuthorization({
      method: "PUT",
      url: "/exampleobject(%E8%85%BE%E8%AE%AF%E4%BA%91)",
      headers,
      lookupSecretKey: () => COS_VECTOR.secretKey,
      now: COS_PUT.keyTime.start + 60,
    });
    expect(result).toMatchObject({ ok: false, reason: "signed-value-missing" });
  });
});

describe("COS presigned URLs", () => {
  const BUCKET_ORIGIN = `https://${COS_VECTOR.host}`;
  const NOW = 1_700_000_000;

  function presign(key: string, extra: { params?: Record<string, string>; securityToken?: string; secretKey?: string } = {}) {
    return presignCosUrl({
      secretId: COS_VECTOR.secretId,
      secretKey: extra.secretKey ?? COS_VECTOR.secretKey,
      url: cosObjectUrl(BUCKET_ORIGIN, key),
      now: NOW,
      expiresInSeconds: 600,
      ...(extra.params ? { params: extra.params } : {}),
      ...(extra.securityToken ? { securityToken: extra.securityToken } : {}),
    });
  }

  function verifyUrl(url: string, now = NOW + 1, method = "GET") {
    return verifyCosAuthorization({
      method,
      url,
      headers: { host: new URL(url).host },
      lookupSecretKey: (secretId) => (secretId === COS_VECTOR.secretId ? COS_VECTOR.secretKey : undefined),
      now,
    });
  }

  it.each([
    "plain.mp4",
    "with space/clip 1.mp4",
    "腾讯云/视频.png",
    "a+b.mp4",
    "100%.mp4",
    "%20literal.mp4",
    "mixed (1)+%25 腾讯云!*'~.jpeg",
  ])("verifies the presigned URL of key %j", (key) => {
    expect(verifyUrl(presign(key))).toMatchObject({ ok: true, secretId: COS_VECTOR.secretId });
  });

  it("keeps an odd key intact in the presigned URL's path", () => {
    const key = "dir/a b+c%d 腾讯云.mp4";
    expect(decodeURIComponent(new URL(presign(key)).pathname)).toBe(`/${key}`);
  });

  it("keeps dot segments of a key instead of resolving them", () => {
    const url = presign("a/../b/./c.mp4");
    expect({ path: url.slice(BUCKET_ORIGIN.length, url.indexOf("?")), ok: verifyUrl(url).ok }).toEqual({ path: "/a/../b/./c.mp4", ok: true });
  });

  it("refuses to presign a URL whose path is not percent-encoded", () => {
    expect(() => presignCosUrl({ ...COS_VECTOR, url: `${BUCKET_ORIGIN}/100%.mp4`, now: NOW, expiresInSeconds: 60 })).toThrow(URIError);
  });

  it("signs extra URL parameters whose values hold spaces, '+', '%' and Chinese", () => {
    const url = presign("clip.mp4", { params: { "response-content-disposition": 'attachment; filename="a+b 100% 腾讯.mp4"' } });
    expect(verifyUrl(url)).toMatchObject({ ok: true });
  });

  it("rejects a presigned URL whose signed parameter was changed", () => {
    const url = presign("clip.mp4", { params: { "response-content-type": "video/mp4" } });
    expect(verifyUrl(url.replace("video%2Fmp4", "text%2Fhtml"))).toMatchObject({ ok: false, reason: "signature-mismatch" });
  });

  it("rejects a presigned URL used for another key", () => {
    const url = presign("a+b.mp4");
    expect(verifyUrl(url.replace("a%2Bb.mp4", "a%20b.mp4"))).toMatchObject({ ok: false, reason: "signature-mismatch" });
  });

  it("rejects a presigned URL used with another method", () => {
    expect(verifyUrl(presign("clip.mp4"), NOW + 1, "PUT")).toMatchObject({ ok: false, reason: "signature-mismatch" });
  });

  it("rejects a presigned URL signed with the wrong key", () => {
    expect(verifyUrl(presign("clip.mp4", { secretKey: "wrong" }))).toMatchObject({ ok: false, reason: "signature-mismatch" });
  });

  it("refuses a presigned URL after its q-key-time has ended", () => {
    expect(verifyUrl(presign("clip.mp4"), NOW + 601)).toMatchObject({ ok: false, reason: "expired" });
  });

  it("refuses a presigned URL before its q-key-time has started", () => {
    expect(verifyUrl(presign("clip.mp4"), NOW - 1)).toMatchObject({ ok: false, reason: "not-yet-valid" });
  });

  it("carries a temporary credential's token as x-cos-security-token", () => {
    const url = presign("clip.mp4", { securityToken: "token+/=with odd chars" });
    expect(verifyUrl(url)).toMatchObject({ ok: true, securityToken: "token+/=with odd chars" });
  });

  it("reports a URL without any signature", () => {
    expect(verifyUrl(cosObjectUrl(BUCKET_ORIGIN, "clip.mp4"))).toEqual({ ok: false, reason: "missing-authorization" });
  });
});

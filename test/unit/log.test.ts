import { describe, expect, it } from "vitest";
import { createLogger, redact } from "../../shared/log";

describe("logging", () => {
  it("writes one JSON line per event with the request id", () => {
    const lines: string[] = [];
    createLogger("req-9", { fn: "vod-aigc-video" }, (line) => lines.push(line)).info("task.created", { taskId: "t1" });
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0] ?? "")).toMatchObject({ level: "info", event: "task.created", requestId: "req-9", fn: "vod-aigc-video", taskId: "t1" });
  });

  it("redacts secret-looking fields whatever the caller passed", () => {
    const out = redact({ authorization: "Bearer abc", secretKey: "k", SessionToken: "t", nested: { signature: "s" }, tokenId: "keep" }) as Record<string, any>;
    expect(out).toMatchObject({ authorization: "[redacted]", secretKey: "[redacted]", SessionToken: "[redacted]", tokenId: "keep" });
    expect(out.nested.signature).toBe("[redacted]");
  });

  it("redacts presigned query strings and bearer values inside text", () => {
    const text = redact("GET https://b.cos.ap-guangzhou.myqcloud.com/in/a.mp4?q-sign-algorithm=sha1&q-ak=AKID1&q-signature=abc123&x-cos-security-token=tok and Bearer secret-token") as string;
    expect(text).not.toMatch(/AKID1|abc123|tok\b|secret-token/);
    expect(text).toContain("q-signature=[redacted]");
  });

  it("redacts every kind of secret text, whatever its case, and keeps other text as it is", () => {
    const cases: Array<[text: string, secret: string]> = [
      ["Authorization: TC3-HMAC-SHA256 Credential=AKIDexample/2026-11-21/vod/tc3_request, SignedHeaders=content-type;host, Signature=5da7a33f6", "5da7a33f6"],
      ["tc3-hmac-sha256 Credential=AKIDlower/2026-11-21/vod/tc3_request", "AKIDlower"],
      ["retrying with bearer tok-lower-case", "tok-lower-case"],
      ["upstream said Signature=deadbeef01 was wrong", "deadbeef01"],
      ["X-TC-Token: sts-token-value", "sts-token-value"],
      ["header x-cos-security-token=cos-sts-value", "cos-sts-value"],
      ["GET /in/a.mp4?sign=q-sign-value", "q-sign-value"],
      ["webhook secret whsec_c2VjcmV0IHZhbHVl", "c2VjcmV0IHZhbHVl"],
    ];
    for (const [text, secret] of cases) {
      const out = redact(text) as string;
      expect(out, text).not.toContain(secret);
      expect(out, text).toContain("[redacted]");
    }
    const plain = "tencent.call CreateAigcVideoTask Kling 2.1 /tencent-vod/v1/aigc-video";
    expect(redact(plain)).toBe(plain);
  });

  it("puts the fixed fields first, then the logger's, then the event's, the later winning", () => {
    const lines: string[] = [];
    const log = createLogger("req-1", { fn: "vod-aigc-video", shared: "base" }, (line) => lines.push(line)).with({ route: "/r" });
    log.warn("task.retry", { shared: "event", apiToken: "abc" });
    const record = JSON.parse(lines[0] ?? "") as Record<string, unknown>;
    expect(Object.keys(record)).toEqual(["time", "level", "event", "requestId", "fn", "shared", "route", "apiToken"]);
    expect(record).toMatchObject({ level: "warn", event: "task.retry", requestId: "req-1", shared: "event", apiToken: "[redacted]" });
  });
});

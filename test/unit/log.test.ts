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
});

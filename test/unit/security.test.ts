/**
 * Security review items, one behaviour each: constant-time bearer tokens, the body size limit ahead
 * of any parsing, prototype keys dropped while parsing, and secrets redacted from log text.
 */

import { afterEach, describe, expect, it, vi } from "vitest";

// timingSafeEqual is watched (still doing the real comparison) to see how authenticate compares.
vi.mock("node:crypto", async (importOriginal) => {
  const real = await importOriginal<typeof import("node:crypto")>();
  return { ...real, default: real, timingSafeEqual: vi.fn(real.timingSafeEqual) };
});

import { createHash, timingSafeEqual } from "node:crypto";
import { authenticate, parseTokenList } from "../../shared/auth";
import { RequestRefused } from "../../shared/errors";
import { MAX_BODY_BYTES, readJsonBody } from "../../shared/http/function";
import type { HttpRequest } from "../../shared/http/types";
import { createLogger, redact } from "../../shared/log";

const compare = vi.mocked(timingSafeEqual);

afterEach(() => {
  compare.mockClear();
  vi.restoreAllMocks();
});

function request(body: Buffer | string, contentType = "application/json"): HttpRequest {
  return { method: "POST", path: "/x", headers: { "content-type": contentType }, query: {}, body: Buffer.isBuffer(body) ? body : Buffer.from(body), requestId: "r" };
}

describe("bearer tokens are compared in constant time", () => {
  const TOKEN = "live-token-0123456789abcdef";
  const tokens = parseTokenList(`first-token, sha256:${createHash("sha256").update("second-token").digest("hex")}, ${TOKEN}`);

  it("refuses a token that differs from a configured one only in its last character", () => {
    expect(authenticate(`Bearer ${TOKEN.slice(0, -1)}0`, tokens)).toEqual({ ok: false, reason: "unknown" });
  });

  it("refuses a configured token with one character more or less", () => {
    expect(authenticate(`Bearer ${TOKEN}f`, tokens)).toEqual({ ok: false, reason: "unknown" });
    expect(authenticate(`Bearer ${TOKEN.slice(0, -1)}`, tokens)).toEqual({ ok: false, reason: "unknown" });
  });

  it("compares SHA-256 digests (32 bytes on both sides, whatever the token's length) with crypto.timingSafeEqual", () => {
    authenticate(`Bearer ${"x".repeat(300)}`, tokens);
    authenticate("Bearer y", tokens);
    expect(compare.mock.calls.length).toBeGreaterThan(0);
    for (const [a, b] of compare.mock.calls) {
      expect((a as Buffer).length).toBe(32);
      expect((b as Buffer).length).toBe(32);
    }
  });

  it.each([
    ["the first entry", "first-token"],
    ["an entry kept as a digest", "second-token"],
    ["the last entry", TOKEN],
    ["no entry", "nobody-token"],
  ])("checks every configured entry, without stopping early, when the token matches %s", (_which, token) => {
    authenticate(`Bearer ${token}`, tokens);
    expect(compare).toHaveBeenCalledTimes(tokens.length);
    // Each entry once, so which one matched does not change the work done.
    expect(new Set(compare.mock.calls.map(([entry]) => entry))).toEqual(new Set(tokens.map((entry) => entry.digest)));
  });
});

describe("request bodies over 10 MB", () => {
  it("are refused before any JSON parsing, however slow the body would be to parse", () => {
    const parse = vi.spyOn(JSON, "parse");
    // Nested arrays: the kind of body a parser spends its time (and stack) on.
    const body = Buffer.alloc(MAX_BODY_BYTES + 1, "[");
    let caught: unknown;
    try {
      readJsonBody(request(body));
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(RequestRefused);
    expect((caught as RequestRefused).kind).toBe("payload-too-large");
    expect(parse).not.toHaveBeenCalled();
  });

  it("are refused by their size in bytes, not characters", () => {
    // 3 bytes per character: under the limit in characters, over it in bytes.
    const text = `"${"界".repeat(Math.floor(MAX_BODY_BYTES / 3) + 1)}"`;
    expect(text.length).toBeLessThan(MAX_BODY_BYTES);
    expect(() => readJsonBody(request(text))).toThrow(expect.objectContaining({ kind: "payload-too-large" }));
  });

  it("are parsed when exactly at the limit", () => {
    const text = `{"Prompt":"${"x".repeat(MAX_BODY_BYTES - 13)}"}`;
    expect(Buffer.byteLength(text)).toBe(MAX_BODY_BYTES);
    expect(readJsonBody(request(text))).toMatchObject({ Prompt: expect.any(String) });
  });
});

describe("prototype keys in JSON bodies", () => {
  afterEach(() => {
    delete (Object.prototype as Record<string, unknown>)["polluted"];
  });

  it("drops __proto__ at the top level, as if it was never sent", () => {
    const parsed = readJsonBody(request('{"Prompt":"a cat","__proto__":{"polluted":1}}')) as Record<string, unknown>;
    expect(parsed).toEqual({ Prompt: "a cat" });
    expect(Object.keys(parsed)).toEqual(["Prompt"]);
    expect(Object.getPrototypeOf(parsed)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it("drops __proto__ and constructor.prototype at any depth, in objects and arrays", () => {
    const body =
      '{"Prompt":"a cat","OutputConfig":{"AspectRatio":"9:16","constructor":{"prototype":{"polluted":1}}},' +
      '"FileInfos":[{"Type":"Url","Url":"https://example.com/a.png","__proto__":{"polluted":1},"nested":{"deeper":{"__proto__":{"polluted":1}}}}]}';
    const parsed = readJsonBody(request(body));
    expect(parsed).toEqual({
      Prompt: "a cat",
      OutputConfig: { AspectRatio: "9:16" },
      FileInfos: [{ Type: "Url", Url: "https://example.com/a.png", nested: { deeper: {} } }],
    });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it("drops a __proto__ key spelled with JSON unicode escapes", () => {
    const parsed = readJsonBody(request('{"Prompt":"a cat","\\u005f\\u005fproto__":{"polluted":1}}'));
    expect(parsed).toEqual({ Prompt: "a cat" });
  });

  it("keeps a constructor key that is plain data", () => {
    expect(readJsonBody(request('{"constructor":"not a prototype"}'))).toEqual({ constructor: "not a prototype" });
  });

  it("leaves Object.prototype alone when the parsed body is later copied and merged", () => {
    const parsed = readJsonBody(request('{"a":{"__proto__":{"polluted":1}},"__proto__":{"polluted":1}}')) as Record<string, unknown>;
    const merged: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(parsed)) merged[key] = value;
    Object.assign({}, parsed, parsed.a);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getPrototypeOf(merged)).toBe(Object.prototype);
  });
});

describe("log redaction of text", () => {
  const tc3 =
    "TC3-HMAC-SHA256 Credential=AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE/2019-02-25/cvm/tc3_request, SignedHeaders=content-type;host, Signature=2230eefd229f582d8b1b891af7107b91597240707d778ab3738f756258d7652c";

  it("removes the credential and the signature of a TC3 Authorization quoted in a message", () => {
    const text = redact(`request failed: authorization ${tc3}`) as string;
    expect(text).not.toContain("AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE");
    expect(text).not.toContain("2230eefd229f582d8b1b891af7107b91597240707d778ab3738f756258d7652c");
  });

  it("removes session tokens quoted as headers", () => {
    const text = redact("headers: X-TC-Token: session-abc123, x-cos-security-token=cos-session-456") as string;
    expect(text).not.toMatch(/session-abc123|cos-session-456/);
  });

  it("removes a webhook secret quoted in text", () => {
    expect(redact("secret whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw was refused")).not.toContain("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
  });

  it("writes none of them when a caller logs them in fields and messages", () => {
    const lines: string[] = [];
    const log = createLogger("r", {}, (line) => lines.push(line));
    log.error("oops", {
      headers: { authorization: "Bearer live-token-0123456789abcdef", "x-tc-token": "session-abc123" },
      message: `upstream said: ${tc3}`,
      url: "https://b-1250000000.cos.ap-guangzhou.myqcloud.com/in/a.mp4?q-sign-algorithm=sha1&q-ak=AKIDcos&q-sign-time=1;2&q-key-time=1;2&q-header-list=host&q-url-param-list=&q-signature=cafebabe0123&x-cos-security-token=cos-session-456",
    });
    const text = lines.join("\n");
    expect(text).not.toMatch(/live-token-0123456789abcdef|session-abc123|2230eefd229f|cafebabe0123|cos-session-456|AKIDcos/);
  });
});

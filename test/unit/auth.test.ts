import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { authenticate, parseTokenList, tokenIdOf } from "../../shared/auth";

const tokens = parseTokenList(`alpha-token, sha256:${createHash("sha256").update("beta-token").digest("hex")}`);

describe("bearer authentication", () => {
  it("accepts a raw configured token", () => {
    expect(authenticate("Bearer alpha-token", tokens)).toMatchObject({ ok: true });
  });

  it("accepts a token configured only as its sha256 digest", () => {
    expect(authenticate("Bearer beta-token", tokens)).toMatchObject({ ok: true });
  });

  it("accepts the scheme name in any case", () => {
    expect(authenticate("bearer alpha-token", tokens)).toMatchObject({ ok: true });
  });

  it("refuses an unknown token", () => {
    expect(authenticate("Bearer gamma-token", tokens)).toEqual({ ok: false, reason: "unknown" });
  });

  it("refuses a missing header and a non-bearer scheme", () => {
    expect(authenticate(undefined, tokens)).toEqual({ ok: false, reason: "missing" });
    expect(authenticate("Basic YWxwaGE6", tokens)).toEqual({ ok: false, reason: "malformed" });
  });

  it("fails closed when no token is configured", () => {
    expect(authenticate("Bearer alpha-token", [])).toEqual({ ok: false, reason: "no-tokens-configured" });
  });

  it("identifies callers by a stable id that is not the token", () => {
    const a = authenticate("Bearer alpha-token", tokens);
    const b = authenticate("Bearer beta-token", tokens);
    expect(a.ok && b.ok).toBe(true);
    if (a.ok && b.ok) {
      expect(a.caller.tokenId).toMatch(/^[0-9a-f]{16}$/);
      expect(a.caller.tokenId).not.toBe(b.caller.tokenId);
      expect(a.caller.tokenId).not.toContain("alpha");
    }
  });

  it("refuses a sha256 entry that is not a digest", () => {
    expect(() => parseTokenList("sha256:1234")).toThrow(/64 hex/);
  });

  it("hashes tokens as SHA-256 of their UTF-8 bytes, so a raw entry and its sha256: entry are the same token", () => {
    const sha256 = (text: string) => createHash("sha256").update(text, "utf8").digest("hex");
    for (const token of ["alpha-token", "tökén-ü-令牌"]) {
      const [raw] = parseTokenList(token);
      const [hashed] = parseTokenList(`sha256:${sha256(token)}`);
      expect(raw?.digest.toString("hex")).toBe(sha256(token));
      expect(raw?.digest.equals(hashed?.digest ?? Buffer.alloc(0))).toBe(true);
      expect(tokenIdOf(token)).toBe(sha256(token).slice(0, 16));
    }
  });
});

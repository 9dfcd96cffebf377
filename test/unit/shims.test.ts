/**
 * The substitutes the function bundles carry instead of some SDK dependencies (scripts/shims,
 * scripts/build.ts SUBSTITUTIONS), checked directly against what they replace. The bundled SDK's
 * behaviour end to end is in build.test.ts ("the bundled Tencent transport").
 */
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { createRequire } from "node:module";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import fetch from "../../scripts/shims/node-fetch";
import JSONbig from "../../scripts/shims/json-bigint";

const load = createRequire(import.meta.url);
const original = load("json-bigint") as (options: { useNativeBigInt: boolean }) => { stringify(value: unknown): string };

describe("the json-bigint shim (what the SDK writes and signs request bodies with)", () => {
  const shim = JSONbig({ useNativeBigInt: true });
  const json2 = original({ useNativeBigInt: true });
  const params = {
    SubAppId: 251007502,
    ModelName: "Kling",
    Prompt: "a cat \"on\" a\\mat\n\ttab",
    FileInfos: [{ Type: "Url", Url: "https://example.com/a.png?x=1&y=2" }],
    OutputConfig: { Duration: 5, AudioGeneration: "Enabled", Enhance: true, Nothing: null, Skipped: undefined },
    Empty: [],
  };

  it("writes an ASCII request body byte for byte as json-bigint does", () => {
    expect(shim.stringify(params)).toBe(json2.stringify(params));
  });

  it("writes the same value as json-bigint for any text, escaping only differently", () => {
    const text = { Prompt: "猫 🐱 soft\u00adhyphen zero\u200dwidth line\u2028sep bom\ufeff del\u007f" };
    expect(JSON.parse(shim.stringify(text) ?? "")).toEqual(JSON.parse(json2.stringify(text)));
    expect(JSON.parse(shim.stringify(text) ?? "")).toEqual(text);
  });

  it("writes BigInts and BigNumbers as bare numbers, as json-bigint does", () => {
    const big = { TaskId: 12345678901234567890n, List: [1n, 2] };
    expect(shim.stringify(big)).toBe('{"TaskId":12345678901234567890,"List":[1,2]}');
    expect(shim.stringify(big)).toBe(json2.stringify(big));
    const bigNumber = { _isBigNumber: true, toJSON: () => "98765432109876543210", toString: () => "98765432109876543210" };
    expect(shim.stringify({ n: bigNumber })).toBe('{"n":98765432109876543210}');
    // A BigInt only a toJSON() gives is still written, not thrown on.
    expect(shim.stringify({ later: { toJSON: () => 7n } })).toBe('{"later":7}');
  });

  it("reports a circular value as JSON.stringify does", () => {
    const loop: Record<string, unknown> = { a: 1 };
    loop.self = loop;
    expect(() => shim.stringify(loop)).toThrow(TypeError);
  });
});

describe("the node-fetch shim's request targets", () => {
  let server: ReturnType<typeof createServer>;
  let port: number;
  const seen: Array<{ url: string | undefined; authorization: string | undefined; host: string | undefined }> = [];

  beforeAll(async () => {
    server = createServer((req: IncomingMessage, res) => {
      seen.push({ url: req.url, authorization: req.headers.authorization, host: req.headers.host });
      req.resume();
      req.on("end", () => res.writeHead(200, { "content-type": "application/json" }).end('{"ok":true}'));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
    port = (server.address() as AddressInfo).port;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it("sends path and query as given, on every call to the same URL", async () => {
    seen.length = 0;
    for (let i = 0; i < 3; i++) {
      const response = await fetch(`http://127.0.0.1:${port}/v1/x?a=1&b=%20`, { method: "POST", body: "{}" });
      expect(await response.json()).toEqual({ ok: true });
    }
    expect(seen.map((s) => s.url)).toEqual(["/v1/x?a=1&b=%20", "/v1/x?a=1&b=%20", "/v1/x?a=1&b=%20"]);
    expect(seen[0]?.host).toBe(`127.0.0.1:${port}`);
  });

  it("sends a URL's credentials as Basic auth, and does not keep them for the next call", async () => {
    seen.length = 0;
    await (await fetch(`http://user:p%40ss@127.0.0.1:${port}/secret`)).text();
    await (await fetch(`http://127.0.0.1:${port}/secret`)).text();
    expect(seen[0]?.authorization).toBe(`Basic ${Buffer.from("user:p@ss").toString("base64")}`);
    expect(seen[1]?.authorization).toBeUndefined();
  });

  it("refuses a URL that is not HTTP(S)", async () => {
    await expect(fetch("ftp://127.0.0.1/x")).rejects.toThrow(/Only HTTP\(S\)/);
  });
});

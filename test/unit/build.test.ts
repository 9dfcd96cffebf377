import { spawnSync } from "node:child_process";
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync, existsSync } from "node:fs";
import { createServer, type IncomingMessage, type Server } from "node:http";
import { connect, type AddressInfo, type Socket } from "node:net";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { unzipSync } from "fflate";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { build } from "esbuild";
import { DEV_SECRET_ID, DEV_SECRET_KEY } from "../../local/dev-credentials";
import { startTencentStandIn } from "../../local/tencent/server";
import { BuildError, buildFunctions, esbuildOptions, type BuiltFunction } from "../../scripts/build";
import { getConfig, resetConfigCache } from "../../shared/config";
import { classifyError } from "../../shared/tencent/call";
import { tencentClients } from "../../shared/tencent/clients";

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const LOCAL_MARKER = "LOCAL_ONLY_DEV_SECRET_6f1d";
const DEP_MARKER = "BUNDLED_DEPENDENCY_41c2";

let root: string;
let built: BuiltFunction[];
let logLines: string[];

/** Writes files (path relative to root -> content) into the scratch tree. */
function writeTree(base: string, files: Record<string, string>): void {
  for (const [rel, content] of Object.entries(files)) {
    const file = path.join(base, rel);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, content);
  }
}

function forbidden(base: string): string[] {
  return [path.join(base, "local"), path.join(base, "scripts")];
}

function byName(name: string): BuiltFunction {
  const fn = built.find((b) => b.name === name);
  if (!fn) throw new Error(`${name} was not built`);
  return fn;
}

/** A preload that turns any socket connection or DNS lookup into a thrown error, i.e. "no network". */
function writeNoNetworkPreload(dir: string): string {
  const file = path.join(dir, "no-network.cjs");
  writeFileSync(
    file,
    `const net = require("net"); const dns = require("dns");
const deny = (what) => function () { throw new Error("network access attempted: " + what); };
net.Socket.prototype.connect = deny("net.Socket.connect");
dns.lookup = deny("dns.lookup"); dns.resolve = deny("dns.resolve");
`,
  );
  return file;
}

/** Unzips alpha into runDir and requires it in a child node that cannot reach the network. */
function runBareBundle(runDir: string): void {
  const entries = unzipSync(readFileSync(byName("alpha").zipPath));
  writeFileSync(path.join(runDir, "index.js"), entries["index.js"] ?? new Uint8Array());
  const preload = writeNoNetworkPreload(runDir);
  // Loaded through the CommonJS wrapper by hand rather than require(): Node >= 20.19 would also
  // require() an ES module, while SCF's Node 18 would not.
  const script = `
const fs = require("fs"), vm = require("vm"), path = require("path");
const file = process.env.BUNDLE;
const wrapper = vm.compileFunction(fs.readFileSync(file, "utf8"), ["exports", "require", "module", "__filename", "__dirname"], { filename: file });
const module_ = { exports: {} };
wrapper(module_.exports, require, module_, file, path.dirname(file));
const mod = module_.exports;
Promise.resolve(mod.main_handler({ body: "world" }, {})).then((r) => {
process.stdout.write(JSON.stringify({ exports: Object.keys(mod), type: typeof mod.main_handler, result: r }));
});`;
  const run = (code: string) =>
    spawnSync(process.execPath, ["--require", preload, "-e", code], {
      cwd: runDir,
      env: { ...process.env, BUNDLE: path.join(runDir, "index.js") },
      encoding: "utf8",
    });

  const result = run(script);
  expect(result.stderr).toBe("");
  expect(result.status).toBe(0);
  const out = JSON.parse(result.stdout) as { exports: string[]; type: string; result: { statusCode: number; body: string } };
  expect(out.type).toBe("function");
  expect(out.exports).toContain("main_handler");
  expect(out.result.statusCode).toBe(200);
  expect(out.result.body).toMatch(new RegExp(`^\\[${DEP_MARKER}\\]world:[0-9a-f]{8}$`));

  // The preload really does forbid network access, so the run above proves the point.
  const probe = run(`require("net").connect(80, "example.com")`);
  expect(probe.status).not.toBe(0);
  expect(probe.stderr).toContain("network access attempted");
}

beforeAll(async () => {
  root = mkdtempSync(path.join(os.tmpdir(), "scf-build-test-"));
  writeTree(root, {
    "shared/greet.ts": `import { createHash } from "node:crypto";
import { pad } from "fake-dep";
export function greet(name: string): string {
  return pad(name) + ":" + createHash("sha256").update(name).digest("hex").slice(0, 8);
}
`,
    // A dependency resolved from node_modules must be inlined: the zip carries no node_modules.
    "node_modules/fake-dep/package.json": JSON.stringify({ name: "fake-dep", version: "1.0.0", main: "index.js" }),
    "node_modules/fake-dep/index.js": `exports.pad = (s) => "[${DEP_MARKER}]" + s;\n`,
    "local/secret.ts": `export const secret = "${LOCAL_MARKER}";\n`,
    "functions/alpha/index.ts": `import { greet } from "../../shared/greet";
export async function main_handler(event: { body?: string }, _context: unknown) {
  return { isBase64Encoded: false, statusCode: 200, headers: { "content-type": "text/plain" }, body: greet(event.body ?? "") };
}
`,
    "functions/beta/index.ts": `export const main_handler = async () => ({ isBase64Encoded: false, statusCode: 204, headers: {}, body: "" });\n`,
    // Not a function: no index.ts, so it must not be picked up.
    "functions/README.md": "scratch\n",
    "functions/helpers/util.ts": "export const x = 1;\n",
  });
  logLines = [];
  built = await buildFunctions({
    functionsDir: path.join(root, "functions"),
    outDir: path.join(root, "dist"),
    forbiddenDirs: forbidden(root),
    log: (line) => logLines.push(line),
  });
});

afterAll(() => {
  if (root) rmSync(root, { recursive: true, force: true });
});

describe("buildFunctions", () => {
  it("builds every functions/<name>/index.ts into dist/<name>/index.js, meta.json and dist/<name>.zip", () => {
    expect(built.map((b) => b.name)).toEqual(["alpha", "beta"]);
    for (const name of ["alpha", "beta"]) {
      expect(existsSync(path.join(root, "dist", name, "index.js"))).toBe(true);
      expect(existsSync(path.join(root, "dist", `${name}.zip`))).toBe(true);
      const meta = JSON.parse(readFileSync(path.join(root, "dist", name, "meta.json"), "utf8")) as { inputs: object };
      expect(Object.keys(meta.inputs).length).toBeGreaterThan(0);
    }
    expect(logLines).toHaveLength(2);
    expect(logLines[0]).toMatch(/^alpha\s+min\s+\S+ \S+\s+gzip\s+\S+ \S+/);
    expect(byName("alpha").gzipBytes).toBeLessThan(byName("alpha").bytes);
  });

  it("emits minified CommonJS with dependencies inlined and Node built-ins left external", () => {
    const code = readFileSync(byName("alpha").bundlePath, "utf8");
    expect(code).toContain(DEP_MARKER);
    expect(code).not.toMatch(/require\(["']fake-dep["']\)/);
    expect(code).toMatch(/require\(["'](node:)?crypto["']\)/);
    expect(code).not.toMatch(/^\s*export\s/m);
    expect(code.split("\n").length).toBeLessThan(5); // minified
  });

  it("produces a zip with only index.js at its root that unzips to the bundle's bytes", () => {
    for (const fn of built) {
      const entries = unzipSync(readFileSync(fn.zipPath));
      expect(Object.keys(entries)).toEqual(["index.js"]);
      expect(Buffer.from(entries["index.js"] ?? new Uint8Array())).toEqual(readFileSync(fn.bundlePath));
    }
  });

  it("loads as CommonJS from the bare unzipped file, without network, and answers through main_handler", () => {
    // Outside the scratch tree, so no node_modules is reachable from the unzipped bundle.
    const runDir = mkdtempSync(path.join(os.tmpdir(), "scf-run-"));
    try {
      runBareBundle(runDir);
    } finally {
      rmSync(runDir, { recursive: true, force: true });
    }
  });

  it("is deterministic: rebuilding yields byte-identical zips", async () => {
    const again = await buildFunctions({
      functionsDir: path.join(root, "functions"),
      outDir: path.join(root, "dist-again"),
      forbiddenDirs: forbidden(root),
      names: ["alpha"],
      log: () => {},
    });
    expect(again.map((b) => b.name)).toEqual(["alpha"]);
    expect(readFileSync(again[0]?.zipPath ?? "")).toEqual(readFileSync(byName("alpha").zipPath));
  });

  it("keeps local/ code out of bundles and refuses to bundle a function that imports it", async () => {
    for (const fn of built) {
      expect(readFileSync(fn.bundlePath, "utf8")).not.toContain(LOCAL_MARKER);
      expect(Object.keys(fn.metafile.inputs).some((input) => input.split(/[\\/]/).includes("local"))).toBe(false);
    }

    const leakyRoot = mkdtempSync(path.join(root, "leaky-"));
    writeTree(leakyRoot, {
      "local/secret.ts": `export const secret = "${LOCAL_MARKER}";\n`,
      "functions/leaky/index.ts": `import { secret } from "../../local/secret";
export const main_handler = async () => ({ statusCode: 200, headers: {}, body: secret, isBase64Encoded: false });
`,
    });
    const attempt = buildFunctions({
      functionsDir: path.join(leakyRoot, "functions"),
      outDir: path.join(leakyRoot, "dist"),
      forbiddenDirs: forbidden(leakyRoot),
      log: () => {},
    });
    await expect(attempt).rejects.toBeInstanceOf(BuildError);
    await expect(attempt).rejects.toThrow(/local\/ and scripts\/ code must never be bundled/);
    expect(existsSync(path.join(leakyRoot, "dist", "leaky.zip"))).toBe(false);
    expect(existsSync(path.join(leakyRoot, "dist", "leaky", "index.js"))).toBe(false);
  });

  it("fails on build errors, and the CLI exits non-zero", async () => {
    const brokenRoot = mkdtempSync(path.join(root, "broken-"));
    writeTree(brokenRoot, { "functions/broken/index.ts": "export const main_handler = (;\n" });
    const options = {
      functionsDir: path.join(brokenRoot, "functions"),
      outDir: path.join(brokenRoot, "dist"),
      forbiddenDirs: forbidden(brokenRoot),
      log: () => {},
    };
    await expect(buildFunctions(options)).rejects.toThrow(/broken: .*ERROR/s);

    const tsxCli = createRequire(import.meta.url).resolve("tsx/cli");
    const cli = spawnSync(
      process.execPath,
      [tsxCli, path.join(REPO_ROOT, "scripts", "build.ts"), "--functions-dir", options.functionsDir, "--out-dir", options.outDir],
      { cwd: REPO_ROOT, encoding: "utf8" },
    );
    expect(cli.status).not.toBe(0);
    expect(cli.stderr).toContain("build failed");
    expect(cli.stderr).toContain("broken");
  });

  it("fails when there is nothing to build or a named function does not exist", async () => {
    const emptyRoot = mkdtempSync(path.join(root, "empty-"));
    mkdirSync(path.join(emptyRoot, "functions"));
    const base = { functionsDir: path.join(emptyRoot, "functions"), outDir: path.join(emptyRoot, "dist"), log: () => {} };
    await expect(buildFunctions(base)).rejects.toThrow(/no functions found/);
    await expect(buildFunctions({ ...base, names: ["missing"] })).rejects.toThrow(/entry not found/);
  });
});

/**
 * The function bundles talk to Tencent through scripts/shims/node-fetch.ts instead of node-fetch
 * (scripts/build.ts SUBSTITUTIONS). shared/tencent/call.ts decides retries from what a failed call
 * throws, so the bundled SDK must throw what the SDK from node_modules throws, for every failure
 * the stand-in can produce: compared here side by side, through the stand-in's redirecting agent.
 */
describe("the bundled Tencent transport", () => {
  type Api = { request(action: string, params: unknown, options?: { signal?: AbortSignal }): Promise<Record<string, unknown>> };
  interface Side {
    getConfig(): unknown;
    resetConfigCache(): void;
    tencentClients(config: never): { vod: Api; mps: Api };
    classifyError(error: unknown, aborted: boolean): { failure: string; retry: string; code: string; requestId?: string };
  }
  let source: Side;
  let bundled: Side;
  let standIn: Awaited<ReturnType<typeof startTencentStandIn>>;
  let dir: string;
  let bundledInputs: string[] = [];
  const savedEnv = process.env;
  const params = { SubAppId: 251007502, ModelName: "GV", ModelVersion: "3.1-fast", Prompt: "a car" };

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), "scf-transport-"));
    const entry = path.join(dir, "entry.ts");
    writeFileSync(
      entry,
      [
        `export { getConfig, resetConfigCache } from ${JSON.stringify(path.join(REPO_ROOT, "shared", "config"))};`,
        `export { tencentClients } from ${JSON.stringify(path.join(REPO_ROOT, "shared", "tencent", "clients"))};`,
        `export { classifyError } from ${JSON.stringify(path.join(REPO_ROOT, "shared", "tencent", "call"))};`,
        "",
      ].join("\n"),
    );
    const outfile = path.join(dir, "bundle.js");
    const result = await build(esbuildOptions(entry, outfile, forbidden(REPO_ROOT)));
    bundledInputs = Object.keys(result.metafile?.inputs ?? {});
    const load = createRequire(import.meta.url);
    bundled = load(outfile) as Side;
    source = { getConfig, resetConfigCache, tencentClients, classifyError } as unknown as Side;
    standIn = await startTencentStandIn({ port: 0 });
  });

  afterAll(async () => {
    process.env = savedEnv;
    source?.resetConfigCache();
    await standIn?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  function configure(endpoint = standIn.url, proxy?: string): void {
    process.env = { ...savedEnv, TENCENTCLOUD_SECRETID: DEV_SECRET_ID, TENCENTCLOUD_SECRETKEY: DEV_SECRET_KEY, AIGC_VOD_ENDPOINT: endpoint, AIGC_MPS_ENDPOINT: endpoint };
    for (const name of ["TENCENTCLOUD_SESSIONTOKEN", "http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY"]) delete process.env[name];
    if (proxy) process.env.http_proxy = proxy;
    source.resetConfigCache();
    bundled.resetConfigCache();
  }

  /** What a call's outcome looks like to call.ts, with the per-call random ids left out. */
  async function outcome(side: Side, abortAfterMs?: number): Promise<Record<string, unknown>> {
    const controller = new AbortController();
    const timer = abortAfterMs === undefined ? undefined : setTimeout(() => controller.abort(), abortAfterMs);
    try {
      const answer = await side.tencentClients(side.getConfig() as never).vod.request("CreateAigcVideoTask", { ...params, SessionId: `s-${Math.random()}` }, { signal: controller.signal });
      return { ok: true, keys: Object.keys(answer).sort() };
    } catch (error) {
      const e = error as { name?: string; message?: string; code?: string; httpCode?: number; type?: string; requestId?: string };
      return {
        ok: false,
        name: e.name,
        message: e.message,
        code: e.code,
        httpCode: e.httpCode,
        type: e.type,
        hasRequestId: Boolean(e.requestId),
        classified: { ...side.classifyError(error, controller.signal.aborted), requestId: e.requestId ? "(present)" : undefined },
      };
    } finally {
      clearTimeout(timer);
    }
  }

  const cases: Array<{ name: string; fault?: Parameters<typeof standIn.injectFault>[0]; abortAfterMs?: number; unreachable?: boolean }> = [
    { name: "a created task" },
    { name: "a Tencent error envelope (RequestLimitExceeded)", fault: { kind: "error", code: "RequestLimitExceeded" } },
    { name: "a connection reset before the answer", fault: { kind: "reset" } },
    { name: "a 502 gateway page", fault: { kind: "http-status", status: 502 } },
    { name: "a 503 page with a body", fault: { kind: "http-status", status: 503, body: "<html>busy</html>" } },
    { name: "truncated JSON", fault: { kind: "malformed-json" } },
    { name: "an answer later than the caller waits (aborted)", fault: { kind: "delay", ms: 400 }, abortAfterMs: 100 },
    { name: "an unreachable endpoint", unreachable: true },
  ];

  it("is the shim over node:http, not node-fetch", () => {
    expect(bundledInputs).toContain("scripts/shims/node-fetch.ts");
    expect(bundledInputs.filter((input) => /node_modules[\\/](node-fetch|whatwg-url|tr46|form-data|mime-db)[\\/]/.test(input))).toEqual([]);
  });

  for (const c of cases) {
    it(`throws what node-fetch's SDK throws for ${c.name}`, async () => {
      configure(c.unreachable ? "http://127.0.0.1:1" : standIn.url);
      if (c.fault) standIn.injectFault(c.fault);
      const fromSource = await outcome(source, c.abortAfterMs);
      if (c.fault) standIn.injectFault(c.fault);
      const fromBundle = await outcome(bundled, c.abortAfterMs);
      expect(fromBundle).toEqual(fromSource);
    });
  }

  describe("through a proxy (http_proxy), for an endpoint the SDK reaches without an agent of ours", () => {
    let proxy: Server;
    let proxyUrl: string;
    const tunnels: string[] = [];
    let refuse = false;

    beforeAll(async () => {
      // A CONNECT proxy that tunnels every request to the stand-in, whatever host it names.
      proxy = createServer();
      proxy.on("connect", (req: IncomingMessage, client: Socket, head: Buffer) => {
        tunnels.push(`${req.url} ${req.headers.host}`);
        if (refuse) {
          client.end("HTTP/1.1 407 Proxy Authentication Required\r\ncontent-length: 0\r\n\r\n");
          return;
        }
        const upstream = connect(Number(new URL(standIn.url).port), "127.0.0.1", () => {
          client.write("HTTP/1.1 200 Connection Established\r\n\r\n");
          upstream.write(head);
          upstream.pipe(client);
          client.pipe(upstream);
        });
        upstream.on("error", () => client.destroy());
        client.on("error", () => upstream.destroy());
      });
      await new Promise<void>((resolve) => proxy.listen(0, "127.0.0.1", () => resolve()));
      proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
    });

    afterAll(async () => {
      proxy?.closeAllConnections();
      await new Promise<void>((resolve) => proxy?.close(() => resolve()));
    });

    for (const c of [
      { name: "a created task" },
      { name: "a Tencent error envelope", fault: { kind: "error", code: "InternalError" } as const },
    ]) {
      it(`tunnels like https-proxy-agent and throws what it throws for ${c.name}`, async () => {
        configure("http://vod.tencentcloudapi.com", proxyUrl);
        tunnels.length = 0;
        if (c.fault) standIn.injectFault(c.fault);
        const fromSource = await outcome(source);
        if (c.fault) standIn.injectFault(c.fault);
        const fromBundle = await outcome(bundled);
        expect(fromBundle).toEqual(fromSource);
        expect(tunnels).toEqual(["vod.tencentcloudapi.com:80 vod.tencentcloudapi.com", "vod.tencentcloudapi.com:80 vod.tencentcloudapi.com"]);
      });
    }

    it("fails a call the proxy refuses, naming the proxy's answer, and does not retry it without a SessionId", async () => {
      configure("http://vod.tencentcloudapi.com", proxyUrl);
      refuse = true;
      try {
        const fromBundle = await outcome(bundled);
        expect(fromBundle).toMatchObject({ ok: false, message: expect.stringMatching(/proxy answered 407 to CONNECT vod\.tencentcloudapi\.com:80/) });
        expect(fromBundle.classified).toMatchObject({ retry: "with-session-id" });
      } finally {
        refuse = false;
      }
    });
  });
});

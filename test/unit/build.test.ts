import { spawnSync } from "node:child_process";
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync, existsSync } from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { unzipSync } from "fflate";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BuildError, buildFunctions, type BuiltFunction } from "../../scripts/build";

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

/**
 * The build ships the API description beside task-query's bundle (scripts/build.ts FUNCTION_FILES):
 * in dist/task-query/ and in its zip, never inside index.js, and the bundle serves them from its
 * own directory.
 */

import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { unzipSync } from "fflate";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BuildError, buildFunctions, FUNCTION_FILES, type BuiltFunction } from "../../scripts/build";
import { resetConfigCache } from "../../shared/config";
import { API_DESCRIPTION_FILES, OPENAPI_FILE } from "../../shared/openapi/files";
import { apiEvent, captureLogs, scfContext } from "../support/scf";

/** The bundle-size budget of test/unit/bundle-size.test.ts: the description must not eat into it. */
const MAX_BUNDLE_BYTES = 200_000;

type Handler = (event: unknown, context: unknown) => Promise<{ statusCode: number; headers: Record<string, string>; body: string }>;

let outDir: string;
let built: BuiltFunction;

beforeAll(async () => {
  outDir = mkdtempSync(path.join(os.tmpdir(), "scf-task-query-"));
  const [fn] = await buildFunctions({ outDir, names: ["task-query"], log: () => {} });
  if (!fn) throw new Error("task-query was not built");
  built = fn;
}, 60_000);

afterAll(() => {
  if (outDir) rmSync(outDir, { recursive: true, force: true });
});

describe("task-query's build", () => {
  it("writes every API description file beside index.js", () => {
    expect(built.files).toEqual([...API_DESCRIPTION_FILES].sort());
    for (const file of API_DESCRIPTION_FILES) expect(readFileSync(path.join(outDir, "task-query", file)).byteLength, file).toBeGreaterThan(0);
    expect(built.filesBytes).toBeGreaterThan(1_000_000); // Swagger UI
  });

  it("zips them with index.js, byte for byte", () => {
    const entries = unzipSync(readFileSync(built.zipPath));
    expect(Object.keys(entries).sort()).toEqual(["index.js", ...API_DESCRIPTION_FILES].sort());
    // Buffer.equals: a deep toEqual of 1.7 MB takes seconds.
    for (const file of API_DESCRIPTION_FILES) expect(Buffer.from(entries[file] ?? new Uint8Array()).equals(readFileSync(path.join(outDir, "task-query", file))), file).toBe(true);
  });

  it("keeps them out of index.js, which stays small", () => {
    const code = readFileSync(built.bundlePath, "utf8");
    expect(built.bytes).toBeLessThan(MAX_BUNDLE_BYTES);
    expect(code).not.toContain("SwaggerUIBundle");
    expect(code).not.toContain('"openapi":"3.1');
  });

  it("makes the same zip every time", async () => {
    const again = mkdtempSync(path.join(os.tmpdir(), "scf-task-query-again-"));
    try {
      const [fn] = await buildFunctions({ outDir: again, names: ["task-query"], log: () => {} });
      expect(readFileSync(fn?.zipPath ?? "").equals(readFileSync(built.zipPath))).toBe(true);
    } finally {
      rmSync(again, { recursive: true, force: true });
    }
  });

  it("gives a bundle that serves the files from its own directory, without a token", async () => {
    // A copy outside the repo, as SCF unzips it: index.js and the files, nothing else.
    const runDir = mkdtempSync(path.join(os.tmpdir(), "scf-task-query-run-"));
    const savedEnv = process.env;
    const logs = captureLogs();
    try {
      cpSync(path.join(outDir, "task-query"), runDir, { recursive: true });
      rmSync(path.join(runDir, "meta.json"));
      process.env = { ...savedEnv, AIGC_API_TOKENS: "t" };
      resetConfigCache();
      const handler = (createRequire(import.meta.url)(path.join(runDir, "index.js")) as { main_handler: Handler }).main_handler;
      const response = await handler(apiEvent({ path: "/openapi.json", method: "GET", rawBody: "", headers: { authorization: undefined } }), scfContext());
      expect(response.statusCode).toBe(200);
      expect(response.body).toBe(readFileSync(path.join(runDir, OPENAPI_FILE), "utf8"));
    } finally {
      logs.restore();
      process.env = savedEnv;
      resetConfigCache();
      rmSync(runDir, { recursive: true, force: true });
    }
  });

  it("fails, leaving nothing to deploy, when a function's files are not the ones it declares", async () => {
    const root = mkdtempSync(path.join(os.tmpdir(), "scf-files-"));
    try {
      mkdirSync(path.join(root, "functions", "alpha"), { recursive: true });
      writeFileSync(path.join(root, "functions", "alpha", "index.ts"), "export const main_handler = async () => ({});\n");
      const attempt = buildFunctions({
        functionsDir: path.join(root, "functions"),
        outDir: path.join(root, "dist"),
        forbiddenDirs: [],
        log: () => {},
        functionFiles: { alpha: { files: ["a.json"], make: async () => ({ "a.json": new Uint8Array(1), "b.json": new Uint8Array(1) }) } },
      });
      await expect(attempt).rejects.toBeInstanceOf(BuildError);
      await expect(attempt).rejects.toThrow(/declared \[a\.json\]/);
      expect(() => readFileSync(path.join(root, "dist", "alpha", "index.js"))).toThrow();
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it("is declared for task-query only", () => {
    expect(Object.keys(FUNCTION_FILES)).toEqual(["task-query"]);
  });
});

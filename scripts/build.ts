/**
 * Bundles every SCF function into a single self-contained `dist/<function>/index.js` and packs it
 * into `dist/<function>.zip` (index.js at the zip root), which is exactly what serverless.yml
 * deploys. Run as `npx tsx scripts/build.ts [--functions-dir DIR] [--out-dir DIR] [name ...]`.
 */

import { existsSync, realpathSync } from "node:fs";
import { mkdir, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { build, formatMessagesSync, type BuildOptions, type Message, type Metafile, type Plugin } from "esbuild";
import { gzipSync, zipSync, type Zippable } from "fflate";

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

/** Name of the bundle inside the function directory and the zip; SCF's handler is `index.main_handler`. */
export const BUNDLE_FILE = "index.js";

/**
 * Every zip entry gets this mtime so the same bundle always yields the same zip bytes. It is built
 * from local-time components on purpose: fflate encodes DOS timestamps with the local getters, so a
 * UTC-based Date would produce different bytes on machines in different time zones. 1980 is the
 * earliest instant a DOS timestamp can hold.
 */
const ZIP_MTIME = new Date(1980, 0, 1, 0, 0, 0);

/** Unix regular file, rw-r--r--; without it unzip tools fall back to host-specific permissions. */
const ZIP_FILE_ATTRS = 0o100644 * 0x10000;
const ZIP_OS_UNIX = 3;

export interface BuildFunctionsOptions {
  /** Directory holding one `<name>/index.ts` per function; defaults to `<repo>/functions`. */
  functionsDir?: string;
  /** Where `<name>/index.js`, `<name>/meta.json` and `<name>.zip` go; defaults to `<repo>/dist`. */
  outDir?: string;
  /** Subset of functions to build; defaults to every directory of functionsDir with an index.ts. */
  names?: string[];
  /** Code under these directories must never be bundled; defaults to `<repo>/local` and `<repo>/scripts`. */
  forbiddenDirs?: string[];
  /** Receives the one-line size report per function; defaults to console.log. */
  log?: (line: string) => void;
}

export interface BuiltFunction {
  name: string;
  entry: string;
  bundlePath: string;
  zipPath: string;
  metafilePath: string;
  /** Size of the minified bundle in bytes. */
  bytes: number;
  /** Size of the bundle gzipped at level 9, a proxy for what actually gets shipped. */
  gzipBytes: number;
  zipBytes: number;
  metafile: Metafile;
}

/** Raised when one or more functions fail to build; the message carries esbuild's diagnostics. */
export class BuildError extends Error {
  override name = "BuildError";
  constructor(readonly failures: { name: string; message: string }[]) {
    super(failures.map((f) => `${f.name}: ${f.message}`).join("\n"));
  }
}

/** Where the stand-ins for heavy dependencies live; they reach a bundle only through {@link slimDependencies}. */
export const SHIMS_DIR = path.join(REPO_ROOT, "scripts", "shims");

/** Matches a file of tencentcloud-sdk-nodejs by its path under `tencentcloud/`, on any OS. */
function sdkFile(relative: string): RegExp {
  return new RegExp(`tencentcloud-sdk-nodejs[\\\\/]tencentcloud[\\\\/]${relative.split("/").map(escapeRegExp).join("[\\\\/]")}$`);
}

/** Matches any file of an npm package. */
function packageFiles(...names: string[]): RegExp {
  return new RegExp(`[\\\\/]node_modules[\\\\/](?:${names.map(escapeRegExp).join("|")})[\\\\/]`);
}

/** A dependency that function bundles get in a smaller form: who imports it, what replaces it, and why that is safe. */
export interface Substitution {
  /** The bare specifier as the importer writes it. */
  specifier: string;
  /** Only imports from files matching this are replaced; everyone else gets the real package. */
  importer: RegExp;
  /** File under SHIMS_DIR. */
  shim: string;
  why: string;
}

/**
 * The substitutions, as data. Each one keeps what the importer can observe; the shims say how.
 * Measured on vod-aigc-video before any of them: 1.07 MiB minified, mostly zod's locales, tr46 and mime-db.
 */
export const SUBSTITUTIONS: readonly Substitution[] = [
  {
    specifier: "node-fetch",
    importer: sdkFile("common/http/fetch.js"),
    shim: "node-fetch.ts",
    why: "node-fetch 2 brings whatwg-url and tr46 (280 KiB); the shim is node-fetch's behaviour on node:http, agent included",
  },
  {
    specifier: "https-proxy-agent",
    importer: sdkFile("common/http/fetch.js"),
    shim: "https-proxy-agent.ts",
    why: "needed only when a proxy is configured, so it is loaded on first use instead of at import",
  },
  {
    specifier: "debug",
    importer: packageFiles("https-proxy-agent", "agent-base"),
    shim: "debug.ts",
    why: "the proxy agent's DEBUG traces; brings ms and supports-color",
  },
  {
    specifier: "form-data",
    importer: sdkFile("common/http/http_connection.js"),
    shim: "form-data.ts",
    why: "only multipart (upload) calls use it, and brings mime-db (133 KiB); our calls are JSON",
  },
  {
    specifier: "bignumber.js",
    importer: packageFiles("json-bigint"),
    shim: "bignumber.cjs",
    why: "the SDK's json-bigint uses native BigInt; stringify only asks whether a value is a BigNumber",
  },
  {
    specifier: "uuid",
    importer: packageFiles("tencentcloud-sdk-nodejs"),
    shim: "uuid.ts",
    why: "the SDK calls only v4(), which uuid 11 answers with crypto.randomUUID()",
  },
];

/** The single place where esbuild is configured: every function is built with exactly these options. */
export function esbuildOptions(
  entry: string,
  outfile: string,
  forbiddenDirs: string[],
  options: { slim?: boolean } = {},
): BuildOptions {
  return {
    entryPoints: [entry],
    outfile,
    bundle: true, // the deployed zip holds nothing but index.js: no node_modules
    platform: "node", // keeps node:* and bare built-ins (crypto, https, ...) external
    format: "cjs", // SCF's Node.js runtimes load index.main_handler with require()
    target: "node18",
    minify: true,
    legalComments: "none",
    metafile: true,
    write: true,
    logLevel: "silent", // diagnostics are formatted and reported by buildOne instead
    // forbidDirectories first: its onLoad backstop must see every file before another plugin loads it.
    plugins: [forbidDirectories(forbiddenDirs, [SHIMS_DIR]), ...(options.slim === false ? [] : [slimDependencies()])],
  };
}

/** Builds the requested functions, writing bundle, metafile and zip for each; throws BuildError on any failure. */
export async function buildFunctions(options: BuildFunctionsOptions = {}): Promise<BuiltFunction[]> {
  const functionsDir = path.resolve(options.functionsDir ?? path.join(REPO_ROOT, "functions"));
  const outDir = path.resolve(options.outDir ?? path.join(REPO_ROOT, "dist"));
  const forbiddenDirs = options.forbiddenDirs ?? [path.join(REPO_ROOT, "local"), path.join(REPO_ROOT, "scripts")];
  const log = options.log ?? ((line: string) => console.log(line));

  const names = options.names ?? (await discoverFunctions(functionsDir));
  if (names.length === 0) {
    throw new BuildError([{ name: "(none)", message: `no functions found: expected ${functionsDir}/<name>/index.ts` }]);
  }

  const settled = await Promise.allSettled(
    names.map((name) => buildOne(name, functionsDir, outDir, forbiddenDirs)),
  );
  const built: BuiltFunction[] = [];
  const failures: { name: string; message: string }[] = [];
  settled.forEach((result, i) => {
    const name = names[i] ?? "?";
    if (result.status === "fulfilled") built.push(result.value);
    else failures.push({ name, message: result.reason instanceof Error ? result.reason.message : String(result.reason) });
  });
  if (failures.length > 0) throw new BuildError(failures);

  const width = Math.max(...built.map((b) => b.name.length));
  for (const b of built) {
    log(`${b.name.padEnd(width)}  min ${formatSize(b.bytes).padStart(10)}  gzip ${formatSize(b.gzipBytes).padStart(10)}  -> ${displayPath(b.zipPath)}`);
  }
  return built;
}

/** Packs files into a zip whose bytes depend only on the file names and contents. */
export function deterministicZip(files: Record<string, Uint8Array>): Uint8Array {
  const entries: Zippable = {};
  for (const name of Object.keys(files).sort()) {
    const data = files[name];
    if (data === undefined) continue;
    entries[name] = [data, { level: 9, mtime: ZIP_MTIME, os: ZIP_OS_UNIX, attrs: ZIP_FILE_ATTRS }];
  }
  return zipSync(entries);
}

async function discoverFunctions(functionsDir: string): Promise<string[]> {
  let dirents;
  try {
    dirents = await readdir(functionsDir, { withFileTypes: true });
  } catch (error) {
    throw new BuildError([{ name: "(none)", message: `cannot read functions directory ${functionsDir}: ${(error as Error).message}` }]);
  }
  return dirents
    .filter((d) => d.isDirectory() && existsSync(path.join(functionsDir, d.name, "index.ts")))
    .map((d) => d.name)
    .sort();
}

async function buildOne(name: string, functionsDir: string, outDir: string, forbiddenDirs: string[]): Promise<BuiltFunction> {
  const entry = path.join(functionsDir, name, "index.ts");
  if (!(await stat(entry).catch(() => null))?.isFile()) throw new Error(`entry not found: ${entry}`);

  const fnOut = path.join(outDir, name);
  const bundlePath = path.join(fnOut, BUNDLE_FILE);
  const metafilePath = path.join(fnOut, "meta.json");
  const zipPath = path.join(outDir, `${name}.zip`);
  // A stale bundle or zip from an earlier run must never survive a failed build and get deployed.
  await rm(fnOut, { recursive: true, force: true });
  await rm(zipPath, { force: true });
  await mkdir(fnOut, { recursive: true });

  let metafile: Metafile;
  try {
    const result = await build(esbuildOptions(entry, bundlePath, forbiddenDirs));
    if (result.warnings.length > 0) console.warn(formatDiagnostics(result.warnings, "warning"));
    if (!result.metafile) throw new Error("esbuild returned no metafile");
    metafile = result.metafile;
  } catch (error) {
    await rm(fnOut, { recursive: true, force: true });
    const errors = (error as { errors?: Message[] }).errors;
    throw new Error(errors && errors.length > 0 ? formatDiagnostics(errors, "error") : (error as Error).message);
  }

  // Defense in depth for imports the resolver plugin cannot see (e.g. tsconfig path aliases).
  const leaked = Object.keys(metafile.inputs).filter((input) => isInside(path.resolve(input), forbiddenDirs));
  if (leaked.length > 0) {
    await rm(fnOut, { recursive: true, force: true });
    throw new Error(`bundle would include code that must not be deployed: ${leaked.join(", ")}`);
  }

  const bundle = await readFile(bundlePath);
  const zip = deterministicZip({ [BUNDLE_FILE]: bundle });
  await writeFile(metafilePath, JSON.stringify(metafile, null, 2) + "\n");
  await writeFile(zipPath, zip);
  return {
    name,
    entry,
    bundlePath,
    zipPath,
    metafilePath,
    bytes: bundle.byteLength,
    gzipBytes: gzipSync(bundle, { level: 9 }).byteLength,
    zipBytes: zip.byteLength,
    metafile,
  };
}

/** Fails the build as soon as a module under a forbidden directory is resolved, naming the importer. */
function forbidDirectories(dirs: string[]): Plugin {
  const roots = dirs.map(canonical);
  return {
    name: "forbid-local-and-scripts",
    setup(b) {
      if (roots.length === 0) return;
      b.onResolve({ filter: /^[./]/ }, (args) => {
        const target = path.resolve(args.resolveDir, args.path);
        if (!isInside(target, roots)) return undefined;
        return {
          errors: [{ text: `"${args.path}" (from ${args.importer}) resolves into ${target}: local/ and scripts/ code must never be bundled into a function` }],
        };
      });
      // Backstop for anything that reached a forbidden file without a relative import.
      const filter = new RegExp(`^(?:${roots.map((r) => escapeRegExp(r + path.sep)).join("|")})`);
      b.onLoad({ filter }, (args) => ({
        errors: [{ text: `${args.path}: local/ and scripts/ code must never be bundled into a function` }],
      }));
    },
  };
}

function canonical(dir: string): string {
  const resolved = path.resolve(dir);
  // esbuild reports real paths, so symlinked checkouts (or /tmp on macOS) must be compared as such.
  return existsSync(resolved) ? realpathSync(resolved) : resolved;
}

function isInside(file: string, dirs: string[]): boolean {
  return dirs.some((dir) => {
    const rel = path.relative(canonical(dir), existsSync(file) ? realpathSync(file) : file);
    return rel === "" || (!rel.startsWith("..") && !path.isAbsolute(rel));
  });
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
}

function formatDiagnostics(messages: Message[], kind: "error" | "warning"): string {
  return formatMessagesSync(messages, { kind, color: false }).join("").trimEnd();
}

function displayPath(file: string): string {
  const rel = path.relative(process.cwd(), file);
  return rel.startsWith("..") ? file : rel;
}

function formatSize(bytes: number): string {
  return bytes < 1024 ? `${bytes} B` : `${(bytes / 1024).toFixed(1)} KiB`;
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    options: {
      "functions-dir": { type: "string" },
      "out-dir": { type: "string" },
    },
    allowPositionals: true,
  });
  await buildFunctions({
    ...(values["functions-dir"] === undefined ? {} : { functionsDir: values["functions-dir"] }),
    ...(values["out-dir"] === undefined ? {} : { outDir: values["out-dir"] }),
    ...(positionals.length === 0 ? {} : { names: positionals }),
  });
}

// Only act as a CLI when run directly, so tests and benchmarks can import buildFunctions.
const invokedPath = process.argv[1] ? path.resolve(process.argv[1]) : "";
if (invokedPath === fileURLToPath(import.meta.url)) {
  main().catch((error: unknown) => {
    console.error(`build failed:\n${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  });
}

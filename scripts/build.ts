/**
 * Bundles every SCF function into a single self-contained `dist/<function>/index.js` and packs it
 * into `dist/<function>.zip` (index.js at the zip root, with the files the function reads at run time
 * beside it: FUNCTION_FILES), which is exactly what serverless.yml deploys. Run as `npx tsx scripts/build.ts [--functions-dir DIR] [--out-dir DIR] [name ...]`.
 */

import { existsSync, realpathSync } from "node:fs";
import { mkdir, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { build, formatMessagesSync, transform, type BuildOptions, type Message, type Metafile, type Plugin } from "esbuild";
import { gzipSync, zipSync, type Zippable } from "fflate";
import { API_DESCRIPTION_FILES } from "../shared/openapi/files";
import { TSLIB_HELPERS } from "./shims/tslib";

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

/**
 * The SCF runtime every function deploys on (serverless.yml's provider.runtime), and the Node
 * version the bundles are built for. Nodejs24.11 is the newest Node runtime Tencent documents for
 * SCF functions (beside Nodejs22.21, Nodejs20.19 and the end-of-life 18.15 and 16.13); Node 24 is
 * supported until April 2028. The bundles use nothing newer than Node 20.19 has, so they also run
 * on Nodejs20.19/22.21 and on the Node 20 that develops and tests them.
 */
export const SCF_RUNTIME = "Nodejs24.11";
export const BUILD_TARGET = "node24";

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

/** Files a function reads at run time, shipped beside its bundle and in its zip: data, not code, so index.js stays small. */
export interface FunctionFiles {
  /** Paths relative to the function's directory (and zip entry names). */
  files: readonly string[];
  /** Makes every one of them, at build time. */
  make: () => Promise<Record<string, Uint8Array>>;
}

/**
 * The functions that ship files beside their bundle: task-query serves the API description
 * (OpenAPI document, /docs page, Swagger UI), generated here because zod's JSON Schema converter is
 * not bundled into functions. Loaded only when built, so importing this module stays cheap.
 */
export const FUNCTION_FILES: Readonly<Record<string, FunctionFiles>> = {
  "task-query": { files: API_DESCRIPTION_FILES, make: async () => (await import("./openapi")).apiDescriptionFiles() },
};

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
  /** Files shipped beside bundles, by function name; defaults to FUNCTION_FILES. */
  functionFiles?: Readonly<Record<string, FunctionFiles>>;
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
  /** The files shipped beside the bundle (FunctionFiles), relative to its directory. */
  files: string[];
  /** Their total size in bytes; they are read at run time, not loaded with index.js. */
  filesBytes: number;
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
  /** The specifier exactly as the importer writes it (a package, or a relative path inside the importer's package). */
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
    why: "used only when a proxy is configured; the shim opens the same CONNECT tunnel without agent-base and debug (7 KiB)",
  },
  {
    specifier: "form-data",
    importer: sdkFile("common/http/http_connection.js"),
    shim: "form-data.ts",
    why: "only multipart (upload) calls use it, and it brings mime-db (133 KiB); our calls are JSON",
  },
  {
    specifier: "get-stream",
    importer: sdkFile("common/http/http_connection.js"),
    shim: "get-stream.ts",
    why: "reads stream parameters, and ours come from JSON (is-stream, which tells, stays)",
  },
  {
    specifier: "./sse_response_model",
    importer: sdkFile("common/abstract_client.js"),
    shim: "sse-response-model.ts",
    why: "wraps streamed (text/event-stream) answers, which none of our actions gives",
  },
  {
    specifier: "json-bigint",
    importer: packageFiles("tencentcloud-sdk-nodejs"),
    shim: "json-bigint.ts",
    why: "the SDK only stringifies with it: V8's JSON.stringify, and json-bigint's own only for a BigInt or BigNumber; answers are parsed by res.json()",
  },
  {
    specifier: "bignumber.js",
    importer: packageFiles("json-bigint"),
    shim: "bignumber.cjs",
    why: "with useNativeBigInt, stringify only asks whether a value is a BigNumber",
  },
  {
    specifier: "tslib",
    importer: packageFiles("tencentcloud-sdk-nodejs"),
    shim: "tslib.ts",
    why: "a required tslib cannot be tree-shaken; the SDK calls four helpers (checked at build time)",
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
    target: BUILD_TARGET,
    minify: true,
    legalComments: "none",
    metafile: true,
    write: true,
    logLevel: "silent", // diagnostics are formatted and reported by buildOne instead
    // forbidDirectories first: its onLoad backstop must see every file before another plugin loads it.
    plugins: [forbidDirectories(forbiddenDirs, [SHIMS_DIR]), ...(options.slim === false ? [] : slimDependencies())],
  };
}

/** Builds the requested functions, writing bundle, metafile and zip for each; throws BuildError on any failure. */
export async function buildFunctions(options: BuildFunctionsOptions = {}): Promise<BuiltFunction[]> {
  const functionsDir = path.resolve(options.functionsDir ?? path.join(REPO_ROOT, "functions"));
  const outDir = path.resolve(options.outDir ?? path.join(REPO_ROOT, "dist"));
  const forbiddenDirs = options.forbiddenDirs ?? [path.join(REPO_ROOT, "local"), path.join(REPO_ROOT, "scripts")];
  const log = options.log ?? ((line: string) => console.log(line));
  const functionFiles = options.functionFiles ?? FUNCTION_FILES;

  const names = options.names ?? (await discoverFunctions(functionsDir));
  if (names.length === 0) {
    throw new BuildError([{ name: "(none)", message: `no functions found: expected ${functionsDir}/<name>/index.ts` }]);
  }

  const settled = await Promise.allSettled(
    names.map((name) => buildOne(name, functionsDir, outDir, forbiddenDirs, functionFiles[name])),
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
    const files = b.files.length > 0 ? `  + ${b.files.length} files ${formatSize(b.filesBytes)}` : "";
    log(`${b.name.padEnd(width)}  min ${formatSize(b.bytes).padStart(10)}  gzip ${formatSize(b.gzipBytes).padStart(10)}  -> ${displayPath(b.zipPath)}${files}`);
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

/** Makes a function's files and checks they are exactly the ones it declares, none of them the bundle's own. */
async function makeFunctionFiles(spec: FunctionFiles | undefined): Promise<Record<string, Uint8Array>> {
  if (!spec) return {};
  const files = await spec.make();
  const made = Object.keys(files).sort();
  const declared = [...spec.files].sort();
  if (made.join("\n") !== declared.join("\n")) throw new Error(`made files [${made.join(", ")}], but declared [${declared.join(", ")}]`);
  const bad = made.filter((file) => file === BUNDLE_FILE || file === "meta.json" || path.posix.isAbsolute(file) || file.split("/").some((part) => part === "" || part === "." || part === ".."));
  if (bad.length > 0) throw new Error(`files may not be named ${bad.join(", ")}`);
  return files;
}

async function buildOne(name: string, functionsDir: string, outDir: string, forbiddenDirs: string[], filesSpec?: FunctionFiles): Promise<BuiltFunction> {
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
  const leaked = Object.keys(metafile.inputs).filter(
    (input) => isInside(path.resolve(input), forbiddenDirs) && !isInside(path.resolve(input), [SHIMS_DIR]),
  );
  if (leaked.length > 0) {
    await rm(fnOut, { recursive: true, force: true });
    throw new Error(`bundle would include code that must not be deployed: ${leaked.join(", ")}`);
  }

  let files: Record<string, Uint8Array>;
  try {
    files = await makeFunctionFiles(filesSpec);
    for (const [file, data] of Object.entries(files)) {
      await mkdir(path.dirname(path.join(fnOut, file)), { recursive: true });
      await writeFile(path.join(fnOut, file), data);
    }
  } catch (error) {
    await rm(fnOut, { recursive: true, force: true });
    throw new Error(`files beside the bundle: ${(error as Error).message}`);
  }

  const bundle = await readFile(bundlePath);
  const zip = deterministicZip({ ...files, [BUNDLE_FILE]: bundle });
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
    files: Object.keys(files).sort(),
    filesBytes: Object.values(files).reduce((sum, data) => sum + data.byteLength, 0),
  };
}

/**
 * Fails the build as soon as a module under a forbidden directory is resolved, naming the importer.
 * Files under `allowed` (the shims) may be loaded, but only by plugins: a relative import of one is still refused.
 */
function forbidDirectories(dirs: string[], allowed: string[] = []): Plugin {
  const roots = dirs.map(canonical);
  const exempt = allowed.map(canonical);
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
      b.onLoad({ filter }, (args) =>
        isInside(args.path, exempt)
          ? undefined
          : { errors: [{ text: `${args.path}: local/ and scripts/ code must never be bundled into a function` }] },
      );
    },
  };
}

const REAL_PACKAGE = "slim-dependencies:real";

/**
 * The plugins that keep function bundles small and quick to load without changing what a function
 * does: a 1.07 MiB bundle that took ~90 ms to require became ~190 KiB and ~25 ms (npm run bench).
 */
export function slimDependencies(substitutions: readonly Substitution[] = SUBSTITUTIONS): Plugin[] {
  return [substituteDependencies(substitutions), slimServiceClients(), zodForFunctions()];
}

/**
 * Every SUBSTITUTIONS entry: the heavy dependency replaced by its shim, for the importers listed.
 * A shim's own imports (the real package it wraps, or a part of it) resolve from where the
 * replaced import was, so a shim never depends on how npm hoisted the SDK's dependencies.
 */
function substituteDependencies(substitutions: readonly Substitution[]): Plugin {
  return {
    name: "substitute-dependencies",
    setup(b) {
      const replacedFrom = new Map<string, string>(); // shim file -> resolveDir of the import it replaced
      const specifiers = [...new Set(substitutions.map((s) => s.specifier))];
      if (specifiers.length > 0) {
        b.onResolve({ filter: new RegExp(`^(?:${specifiers.map(escapeRegExp).join("|")})$`) }, (args) => {
          if ((args.pluginData as Record<string, unknown> | undefined)?.[REAL_PACKAGE]) return undefined;
          const rule = substitutions.find((s) => s.specifier === args.path && s.importer.test(args.importer));
          if (!rule) return undefined;
          const shim = path.join(SHIMS_DIR, rule.shim);
          replacedFrom.set(shim, args.resolveDir);
          return { path: shim };
        });
      }
      b.onResolve({ filter: /^[^./]/ }, async (args) => {
        if (args.path.startsWith("node:") || (args.pluginData as Record<string, unknown> | undefined)?.[REAL_PACKAGE]) return undefined;
        const origin = replacedFrom.get(args.importer);
        if (origin === undefined) return undefined;
        const real = await b.resolve(args.path, { kind: args.kind, resolveDir: origin, pluginData: { [REAL_PACKAGE]: true } });
        if (real.errors.length > 0) return { errors: real.errors };
        return { path: real.path, external: real.external, namespace: real.namespace, sideEffects: real.sideEffects };
      });

      if (substitutions.some((s) => s.specifier === "tslib")) {
        // The tslib shim has only the helpers the SDK calls today; an SDK that calls another must not build.
        b.onLoad({ filter: /tencentcloud-sdk-nodejs[\\/].*\.js$/ }, async (args) => {
          const source = await readFile(args.path, "utf8");
          const helpers: readonly string[] = TSLIB_HELPERS;
          const missing = [...new Set([...source.matchAll(/\btslib_1\.(__\w+)/g)].map((m) => m[1] ?? ""))].filter((h) => !helpers.includes(h));
          if (missing.length === 0) return undefined;
          return { errors: [{ text: `${args.path} calls tslib's ${missing.join(", ")}, which scripts/shims/tslib.ts does not provide: add it there` }] };
        });
      }
    },
  };
}

/** A Tencent service client module, e.g. `services/vod/v20180717/vod_client.js`. */
const SERVICE_CLIENT = /tencentcloud-sdk-nodejs[\\/]tencentcloud[\\/]services[\\/][^\\/]+[\\/]v\d+[\\/]\w+_client\.js$/;

/** One generated action method of a client, with its doc comment: `async Name(req, cb) { return this.request("Name", req, cb); }`. */
const ACTION_WRAPPER = /(?:\n {4}\/\*\*(?:(?!\*\/)[\s\S])*\*\/)?\n {4}async (\w+)\(req, cb\) \{\n {8}return this\.request\("\1", req, cb\);\n {4}\}/g;

const CLIENT_CONSTRUCTOR = /super\("[a-z0-9-]+\.tencentcloudapi\.com", "\d{4}-\d{2}-\d{2}", clientConfig\)/;

/**
 * Tencent service clients without their generated one-line action methods (VOD 239, MPS 230: 40 KiB
 * of the bundle for vod + mps). Nothing can call them: shared/tencent/clients.ts hands out only
 * `request(action, params)`, which lives on the SDK's AbstractClient, untouched. Any other method
 * is kept as it is.
 */
function slimServiceClients(): Plugin {
  return {
    name: "slim-service-clients",
    setup(b) {
      b.onLoad({ filter: SERVICE_CLIENT }, async (args) => {
        const slim = (await readFile(args.path, "utf8")).replace(ACTION_WRAPPER, "");
        if (!CLIENT_CONSTRUCTOR.test(slim)) {
          return { errors: [{ text: `${args.path}: no \`super("<service>.tencentcloudapi.com", "<version>", clientConfig)\` left; the SDK's client layout changed, check ACTION_WRAPPER in scripts/build.ts` }] };
        }
        return { contents: slim, loader: "js" };
      });
    },
  };
}

/** `import { z } from "zod"` in our own code (a type-only import emits nothing and is left alone). */
const ZOD_NAMED_IMPORT = /^import\s*\{\s*z\s*\}\s*from\s*(["'])zod\1/gm;

/** zod's classic schemas, which wire every schema to the JSON Schema converter. */
const ZOD_CLASSIC_SCHEMAS = /zod[\\/]v4[\\/]classic[\\/]schemas\.js$/;

/** zod's JSON Schema converter modules; in a bundle, only as stubs. */
const ZOD_JSON_SCHEMA = /zod[\\/]v4[\\/]core[\\/](?:json-schema-processors|to-json-schema|json-schema-generator)\.js$/;

/** Code that converts schemas to JSON Schema (comments aside). */
const JSON_SCHEMA_USE = /\b(?:toJSONSchema|jsonSchema|JSONSchemaGenerator)\b/;

const JSON_SCHEMA_STUB = "zod-json-schema-stub";

/**
 * zod, as function bundles need it:
 * - `import { z } from "zod"` is compiled as `import * as z from "zod"`: the same module and
 *   bindings, but esbuild then keeps only the zod functions the code uses. Through the re-exported
 *   `z` namespace object it keeps all of zod, its 48 locales included (258 KiB).
 * - zod's JSON Schema converter (17 KiB) is replaced by stubs that throw when called. Functions
 *   validate with zod but never describe schemas; the OpenAPI description is generated from the
 *   sources, where the real converter is used. The build fails, instead of shipping a stub, when
 *   function code refers to the converter.
 */
function zodForFunctions(): Plugin {
  return {
    name: "zod-for-functions",
    setup(b) {
      const usesJsonSchema = new Set<string>();
      let stubbed = false;

      b.onLoad({ filter: /\.[cm]?ts$/ }, async (args) => {
        if (/[\\/]node_modules[\\/]/.test(args.path)) return undefined;
        const source = await readFile(args.path, "utf8");
        const { code } = await transform(source, { loader: "ts" }); // without comments and types
        if (JSON_SCHEMA_USE.test(code)) usesJsonSchema.add(displayPath(args.path));
        const rewritten = source.replace(ZOD_NAMED_IMPORT, "import * as z from $1zod$1");
        return rewritten === source ? undefined : { contents: rewritten, loader: "ts" };
      });

      b.onResolve({ filter: /^\.\.\/core\/(?:json-schema-processors|to-json-schema)\.js$/ }, (args) => {
        if (!ZOD_CLASSIC_SCHEMAS.test(args.importer)) return undefined;
        stubbed = true;
        return { path: path.join(args.resolveDir, args.path), namespace: JSON_SCHEMA_STUB };
      });

      b.onLoad({ filter: /.*/, namespace: JSON_SCHEMA_STUB }, async (args) => {
        const source = await readFile(args.path, "utf8");
        const names = [...new Set([...source.matchAll(/^export (?:const|function|class) (\w+)/gm)].map((m) => m[1] ?? ""))];
        const stub = (name: string) =>
          // Factories (called when a schema's `~standard` is read) hand out the throwing function.
          /^create\w*Method$/.test(name) ? `export const ${name} = () => unavailable;` : `export const ${name} = unavailable;`;
        return {
          contents: [
            "const unavailable = () => {",
            '  throw new Error("zod JSON Schema conversion is not bundled into functions (scripts/build.ts zodForFunctions); convert from the sources");',
            "};",
            ...names.map(stub),
          ].join("\n"),
          loader: "js",
        };
      });

      b.onEnd((result) => {
        if (!stubbed) return;
        // Parsed is not used: zod's indexes re-export the converter, so count only what reached the output.
        const output = Object.values(result.metafile?.outputs ?? {})[0];
        const real = Object.entries(output?.inputs ?? {})
          .filter(([input, { bytesInOutput }]) => bytesInOutput > 0 && !input.startsWith(`${JSON_SCHEMA_STUB}:`) && ZOD_JSON_SCHEMA.test(input))
          .map(([input]) => input);
        const users = [...usesJsonSchema, ...real];
        if (users.length === 0) return;
        return {
          errors: [{ text: `zod JSON Schema conversion is used by ${users.join(", ")}, but function bundles get a stub for it: remove the JSON Schema stub from zodForFunctions in scripts/build.ts, or convert outside the function` }],
        };
      });
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

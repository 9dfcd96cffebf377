/**
 * The API description over HTTP, without a token: `GET /openapi.json`, the `GET /docs` page and the
 * page's scripts and styles under `GET /docs/assets/{File}`. The files are generated at build time
 * next to the function's bundle (scripts/build.ts), read on first request and kept in memory: the
 * renderer is 1.9 MB that a function serving task queries should neither parse nor load at start.
 */

import { readFile } from "node:fs/promises";
import path from "node:path";
import { RequestRefused } from "../errors";
import type { RequestScope, RouteHandler } from "../http/function";
import type { HttpResponse } from "../http/types";
import { DOCS_ASSETS, DOCS_ASSETS_DIR, DOCS_PAGE_FILE, MODELS_FILE, OPENAPI_FILE } from "./files";

/** The routes of the API description; serverless.yml declares the same ones (a test keeps them in step). */
export const API_DESCRIPTION_ROUTES = [
  { method: "GET", path: "/openapi.json" },
  { method: "GET", path: "/v1/models" },
  { method: "GET", path: "/docs" },
  { method: "GET", path: `/${DOCS_ASSETS_DIR}/{File}` },
] as const;

/**
 * The page may run and style only what we serve: no inline script or style, no other origin, no
 * framing. `data:` images are Swagger UI's CSS icons; `connect-src 'self'` lets "Try it out" call
 * this API and the page fetch openapi.json.
 */
export const DOCS_CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join("; ");

/** The files change only with a deployment; a short public cache spares repeat loads of 1.9 MB. */
const CACHE_CONTROL = "public, max-age=300";

const COMMON_HEADERS: Readonly<Record<string, string>> = {
  "cache-control": CACHE_CONTROL,
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
};

/** Reads files of one directory once each; a failed read is not kept, so a later request tries again. */
function fileCache(dir: string | undefined): (file: string) => Promise<string> {
  const cache = new Map<string, Promise<string>>();
  return (file) => {
    const cached = cache.get(file);
    if (cached) return cached;
    const read = (async () => {
      if (dir === undefined) throw new Error(`the API description is not available: no directory was given for ${file}`);
      try {
        return await readFile(path.join(dir, file), "utf8");
      } catch (error) {
        // Running from the sources (not a bundle) is the usual cause; the build writes these files.
        throw new Error(`the API description file ${file} cannot be read from ${dir} (npm run build writes it): ${(error as Error).message}`, { cause: error });
      }
    })();
    cache.set(file, read);
    read.catch(() => cache.delete(file));
    return read;
  };
}

function ok(contentType: string, body: string, headers: Record<string, string> = {}): HttpResponse {
  return { status: 200, headers: { "content-type": contentType, ...COMMON_HEADERS, ...headers }, body };
}

/**
 * The API description routes of `task-query`. `assetsDir` is the directory holding the generated
 * files (the bundle's own `__dirname`; tests pass one they generated into).
 */
export function apiDescriptionRoutes(assetsDir: string | undefined): RouteHandler[] {
  const read = fileCache(assetsDir);
  const [openapi, models, docs, assets] = API_DESCRIPTION_ROUTES;
  return [
    {
      ...openapi,
      // Public and read-only: other origins' tools (editors, client generators) may fetch it.
      handle: async () => ok("application/json", await read(OPENAPI_FILE), { "access-control-allow-origin": "*" }),
    },
    {
      ...models,
      // The catalog that validates requests, as data: public like the description it also drives.
      handle: async () => ok("application/json", await read(MODELS_FILE), { "access-control-allow-origin": "*" }),
    },
    {
      ...docs,
      handle: async (scope: RequestScope) => {
        const page = await read(DOCS_PAGE_FILE);
        // The page links its assets relative to `/docs`; under `/docs/` the same links need one level less.
        const body = scope.request.path.endsWith("/") ? page.replaceAll(`"${DOCS_ASSETS_DIR}/`, `"${path.posix.basename(DOCS_ASSETS_DIR)}/`) : page;
        return ok("text/html; charset=utf-8", body, { "content-security-policy": DOCS_CONTENT_SECURITY_POLICY, "x-frame-options": "DENY" });
      },
    },
    {
      ...assets,
      handle: async (scope: RequestScope) => {
        const name = scope.params.File ?? "";
        // Only the listed names are ever read, so no path from the request reaches the file system.
        const contentType = Object.hasOwn(DOCS_ASSETS, name) ? DOCS_ASSETS[name] : undefined;
        if (contentType === undefined) {
          throw new RequestRefused("resource-not-found", "ResourceNotFound.Asset", `${DOCS_ASSETS_DIR}/${name.slice(0, 100)} is not a file of the API documentation.`);
        }
        return ok(contentType, await read(`${DOCS_ASSETS_DIR}/${name}`));
      },
    },
  ];
}

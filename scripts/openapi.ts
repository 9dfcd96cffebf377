/**
 * The API description's files: the OpenAPI document (from shared/openapi, with the seed bodies of
 * test/events/bodies as examples), the /docs page and Swagger UI's files from swagger-ui-dist.
 * `npx tsx scripts/openapi.ts > openapi.json` prints the document; `npm run build` writes every file
 * next to task-query's bundle (scripts/build.ts).
 */

import { readFileSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { docsInitScript, docsPageHtml } from "../shared/openapi/docs-page";
import { buildOpenApiDocument, type OpenApiDocument, type OpenApiInput } from "../shared/openapi/document";
import { mpsImageCatalog, mpsVideoCatalog, vodImageCatalog, vodVideoCatalog, type ActionCatalog } from "../shared/catalog";
import { catalogView } from "../shared/catalog/view";
import { API_DESCRIPTION_FILES, DOCS_ASSETS_DIR, DOCS_INIT_ASSET, DOCS_PAGE_FILE, MODELS_FILE, OPENAPI_FILE } from "../shared/openapi/files";
import { TASK_KINDS } from "../shared/tasks/kinds";
import type { TaskKind } from "../shared/validation";

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

/** Where the seed bodies are: `<kind>.seed.json` (Tencent's spelling) and `<kind>.seed.snake.json`. */
export const SEED_BODIES_DIR = path.join(REPO_ROOT, "test", "events", "bodies");

/** Swagger UI's files we serve, by the name they are served under. */
const RENDERER_FILES: Readonly<Record<string, string>> = {
  "swagger-ui-bundle.js": "swagger-ui-bundle.js",
  "swagger-ui.css": "swagger-ui.css",
  "swagger-ui-bundle.js.LICENSE.txt": "swagger-ui-bundle.js.LICENSE.txt",
  "swagger-ui-LICENSE.txt": "LICENSE",
  "swagger-ui-NOTICE.txt": "NOTICE",
};

/** The seed bodies of every create route, as the generator's examples. */
export function loadSeedExamples(dir: string = SEED_BODIES_DIR): OpenApiInput["examples"] {
  const read = (file: string): unknown => JSON.parse(readFileSync(path.join(dir, file), "utf8"));
  const examples = {} as Record<TaskKind, { pascal: unknown; snake: unknown }>;
  for (const kind of Object.keys(TASK_KINDS) as TaskKind[]) {
    examples[kind] = { pascal: read(`${kind}.seed.json`), snake: read(`${kind}.seed.snake.json`) };
  }
  return examples;
}

/** The OpenAPI document of this checkout. */
export function openApiDocument(): OpenApiDocument {
  const pkg = JSON.parse(readFileSync(path.join(REPO_ROOT, "package.json"), "utf8")) as { version: string };
  return buildOpenApiDocument({ version: pkg.version, examples: loadSeedExamples() });
}

/** The catalog view served as `GET /v1/models`: every create route that has models, with its catalog. */
export function modelsDocument(): ReturnType<typeof catalogView> {
  const catalogs: Partial<Record<TaskKind, ActionCatalog<object, string>>> = {
    "vod-video": vodVideoCatalog as unknown as ActionCatalog<object, string>,
    "vod-image": vodImageCatalog as unknown as ActionCatalog<object, string>,
    "mps-video": mpsVideoCatalog as unknown as ActionCatalog<object, string>,
    "mps-image": mpsImageCatalog as unknown as ActionCatalog<object, string>,
  };
  return catalogView(
    (Object.keys(TASK_KINDS) as TaskKind[]).flatMap((kind) => {
      const catalog = catalogs[kind];
      return catalog ? [{ route: TASK_KINDS[kind].route.path, catalog }] : [];
    }),
  );
}

/** Every file of the API description (API_DESCRIPTION_FILES), by path relative to the function's directory. */
export function apiDescriptionFiles(): Record<string, Uint8Array> {
  const encode = (text: string) => new TextEncoder().encode(text);
  const document = openApiDocument();
  const title = String((document.info as { title?: unknown } | undefined)?.title ?? "API");
  const dist = path.dirname(createRequire(import.meta.url).resolve("swagger-ui-dist/package.json"));
  const files: Record<string, Uint8Array> = {
    [OPENAPI_FILE]: encode(`${JSON.stringify(document, null, 2)}\n`),
    [MODELS_FILE]: encode(`${JSON.stringify(modelsDocument(), null, 2)}\n`),
    [DOCS_PAGE_FILE]: encode(docsPageHtml(title)),
    [`${DOCS_ASSETS_DIR}/${DOCS_INIT_ASSET}`]: encode(docsInitScript()),
  };
  for (const [served, source] of Object.entries(RENDERER_FILES)) {
    // The source maps are not shipped: a browser asking for one would only get a 404.
    const text = readFileSync(path.join(dist, source), "utf8").replace(/\n?(?:\/\/# sourceMappingURL=\S+|\/\*# sourceMappingURL=\S+ ?\*\/)\s*$/, "\n");
    files[`${DOCS_ASSETS_DIR}/${served}`] = encode(text);
  }
  const made = Object.keys(files).sort().join(", ");
  const expected = [...API_DESCRIPTION_FILES].sort().join(", ");
  if (made !== expected) throw new Error(`the API description has files [${made}], but shared/openapi/files.ts lists [${expected}]`);
  return files;
}

/** Writes every file of the API description under `dir` (tests serve them from there). */
export async function writeApiDescription(dir: string): Promise<void> {
  for (const [name, data] of Object.entries(apiDescriptionFiles())) {
    const file = path.join(dir, name);
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, data);
  }
}

const invokedPath = process.argv[1] ? path.resolve(process.argv[1]) : "";
if (invokedPath === fileURLToPath(import.meta.url)) {
  process.stdout.write(`${JSON.stringify(openApiDocument(), null, 2)}\n`);
}

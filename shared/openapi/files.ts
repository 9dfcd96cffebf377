/**
 * The files of the API description that `task-query` serves: their names (relative to the directory
 * of its bundle) and media types. The build writes them (scripts/openapi.ts); the function reads them.
 * Nothing here converts schemas, so function bundles can import it (see scripts/build.ts zodForFunctions).
 */

/** The OpenAPI document, served as `GET /openapi.json`. */
export const OPENAPI_FILE = "openapi.json";

/** The model catalog as data (shared/catalog/view.ts), served as `GET /v1/models`. */
export const MODELS_FILE = "models.json";

/** The HTML page served as `GET /docs`. */
export const DOCS_PAGE_FILE = "docs/index.html";

/** Where the page's own scripts and styles are, served as `GET /docs/assets/{File}`. */
export const DOCS_ASSETS_DIR = "docs/assets";

/** The script that starts the renderer: a file of ours, so the page needs no inline script. */
export const DOCS_INIT_ASSET = "docs-init.js";

/** Every file `GET /docs/assets/{File}` may answer, with its media type; nothing else is read. */
export const DOCS_ASSETS: Readonly<Record<string, string>> = {
  [DOCS_INIT_ASSET]: "text/javascript; charset=utf-8",
  "swagger-ui-bundle.js": "text/javascript; charset=utf-8",
  "swagger-ui.css": "text/css; charset=utf-8",
  // Swagger UI is Apache-2.0: its licence and notices travel with it.
  "swagger-ui-bundle.js.LICENSE.txt": "text/plain; charset=utf-8",
  "swagger-ui-LICENSE.txt": "text/plain; charset=utf-8",
  "swagger-ui-NOTICE.txt": "text/plain; charset=utf-8",
};

/** Every file of the API description, relative to the bundle's directory (zip entries use the same names). */
export const API_DESCRIPTION_FILES: readonly string[] = [
  OPENAPI_FILE,
  MODELS_FILE,
  DOCS_PAGE_FILE,
  ...Object.keys(DOCS_ASSETS).map((name) => `${DOCS_ASSETS_DIR}/${name}`),
];

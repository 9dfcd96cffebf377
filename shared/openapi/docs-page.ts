/**
 * The `GET /docs` page: Swagger UI (swagger-ui-dist, served from our own routes) drawing
 * `openapi.json`. Swagger UI renders OpenAPI 3.1 (webhooks included) and ships as prebuilt files,
 * so nothing is bundled into the function and no CDN is used. The page has no inline script or
 * style, so its Content-Security-Policy can allow only this origin (shared/openapi/serve.ts).
 */

import { DOCS_ASSETS_DIR, DOCS_INIT_ASSET, OPENAPI_FILE } from "./files";

/** The element Swagger UI draws into. */
export const DOCS_ROOT_ID = "swagger-ui";

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * The HTML of the page. Links are relative to `/docs` (`docs/assets/…`), so the page works under an
 * API Gateway stage path such as `/release/docs`.
 */
export function docsPageHtml(title: string): string {
  const asset = (name: string) => `${DOCS_ASSETS_DIR}/${name}`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="${asset("swagger-ui.css")}">
</head>
<body>
<noscript><p>This page needs JavaScript. The API description itself is <a href="${OPENAPI_FILE}">${OPENAPI_FILE}</a>.</p></noscript>
<div id="${DOCS_ROOT_ID}"></div>
<script src="${asset("swagger-ui-bundle.js")}"></script>
<script src="${asset(DOCS_INIT_ASSET)}"></script>
</body>
</html>
`;
}

/** The script that starts Swagger UI (a file of ours, not an inline script). */
export function docsInitScript(): string {
  // Depth of the script under the page's base: docs/assets/docs-init.js is two levels below openapi.json.
  const up = "../".repeat(DOCS_ASSETS_DIR.split("/").length);
  return `"use strict";
// Starts Swagger UI on ${OPENAPI_FILE}, found relative to this script so a stage path (/release/...) is kept.
(function () {
  var spec = new URL(${JSON.stringify(up + OPENAPI_FILE)}, document.currentScript.src).href;
  window.ui = SwaggerUIBundle({
    url: spec,
    dom_id: ${JSON.stringify(`#${DOCS_ROOT_ID}`)},
    deepLinking: true,
    // The default would load a badge from validator.swagger.io: no third-party requests.
    validatorUrl: null,
    presets: [SwaggerUIBundle.presets.apis],
    layout: "BaseLayout",
    defaultModelsExpandDepth: 0,
    displayRequestDuration: true,
    persistAuthorization: false
  });
})();
`;
}

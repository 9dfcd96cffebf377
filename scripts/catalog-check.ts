/**
 * `npm run catalog:check`: compares the model catalog (shared/catalog) with the doc comments of the
 * installed tencentcloud-sdk-nodejs, prints every difference, and exits 1 when the catalog lacks a
 * model, version or value the SDK lists, or states as documented one the SDK no longer lists.
 * Run it after updating the SDK (CI runs it after the tests).
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { SDK_VERSION } from "../shared/catalog";
import { checkCatalog, formatReport, hasErrors, repositoryCatalogs, type CatalogCheckInput } from "./catalog-check/check";

/** Where the installed SDK's two model files are, and its version. */
export function installedSdk(): { files: CatalogCheckInput["sdkFiles"]; version: string } {
  const require = createRequire(import.meta.url);
  const root = path.dirname(require.resolve("tencentcloud-sdk-nodejs/package.json"));
  const services = path.join(root, "tencentcloud", "services");
  const { version } = JSON.parse(readFileSync(path.join(root, "package.json"), "utf8")) as { version: string };
  return {
    files: { vod: path.join(services, "vod", "v20180717", "vod_models.d.ts"), mps: path.join(services, "mps", "v20190612", "mps_models.d.ts") },
    version,
  };
}

const invokedPath = process.argv[1] ? path.resolve(process.argv[1]) : "";
if (invokedPath === fileURLToPath(import.meta.url)) {
  const sdk = installedSdk();
  const result = checkCatalog({ sdkFiles: sdk.files, ...repositoryCatalogs(), sdkVersion: { installed: sdk.version, catalog: SDK_VERSION } });
  process.stdout.write(`${formatReport(result, `tencentcloud-sdk-nodejs ${sdk.version}`)}\n`);
  process.exitCode = hasErrors(result) ? 1 : 0;
}

/**
 * The catalog check's core: the SDK's doc comments against the catalog, as a list of differences.
 * It takes file paths and catalog objects, so tests can run it on a changed copy of either.
 */
import { readFileSync } from "node:fs";
import { mpsImageCatalog, mpsVideoCatalog, vodImageCatalog, vodVideoCatalog, type ActionCatalog } from "../../shared/catalog";
import { compareEnum, compareModels, compareScenes, type Difference } from "./compare";
import { DocCommentNotFound } from "./doc-comment";
import { UnreadableComment } from "./comment-lists";
import { CATALOG_ENUMS, ENUM_FIELDS, MODEL_ACTIONS, readEnumField, readModelLists, type CatalogEnums, type ModelAction, type SdkModelFiles } from "./sdk-fields";

export type { Difference } from "./compare";

/** What the check compares. */
export interface CatalogCheckInput {
  /** Paths of vod/v20180717/vod_models.d.ts and mps/v20190612/mps_models.d.ts. */
  readonly sdkFiles: SdkModelFiles;
  readonly catalogs: Readonly<Record<ModelAction, ActionCatalog<object, string>>>;
  readonly enums: CatalogEnums;
  /** The installed SDK's version and the one the catalog was read from (shared/catalog/sources.ts), when known. */
  readonly sdkVersion?: { readonly installed: string; readonly catalog: string };
}

/** What the check found, and how much it compared. */
export interface CatalogCheckResult {
  readonly differences: readonly Difference[];
  readonly compared: { readonly models: number; readonly versions: number; readonly enums: number };
}

/** The real catalogs and enums, to check the repository as it is. */
export function repositoryCatalogs(): Pick<CatalogCheckInput, "catalogs" | "enums"> {
  return { catalogs: { vodVideo: vodVideoCatalog, vodImage: vodImageCatalog, mpsVideo: mpsVideoCatalog, mpsImage: mpsImageCatalog }, enums: CATALOG_ENUMS };
}

/** Runs `read`, turning a comment the parser cannot read into an error difference (so the check fails, saying where). */
function readOrReport<T>(scope: string, differences: Difference[], read: () => T): T | undefined {
  try {
    return read();
  } catch (error) {
    if (!(error instanceof DocCommentNotFound || error instanceof UnreadableComment)) throw error;
    differences.push({ severity: "error", scope, message: `the SDK's doc comment could not be read: ${error.message}` });
    return undefined;
  }
}

/** Compares the SDK's doc comments (model names, versions, scenes, enums) with the catalog. */
export function checkCatalog(input: CatalogCheckInput): CatalogCheckResult {
  const files: SdkModelFiles = { vod: readFileSync(input.sdkFiles.vod, "utf8"), mps: readFileSync(input.sdkFiles.mps, "utf8") };
  const differences: Difference[] = [];
  let models = 0;
  let versions = 0;
  if (input.sdkVersion && input.sdkVersion.installed !== input.sdkVersion.catalog) {
    differences.push({
      severity: "note",
      scope: "tencentcloud-sdk-nodejs",
      message: `${input.sdkVersion.installed} is installed, but the catalog cites ${input.sdkVersion.catalog} (shared/catalog/sources.ts): re-read the rules whose comments changed`,
    });
  }
  for (const action of Object.keys(MODEL_ACTIONS) as ModelAction[]) {
    const scope = MODEL_ACTIONS[action].label;
    const catalog = input.catalogs[action];
    const sdk = readOrReport(scope, differences, () => readModelLists(files, action));
    if (!sdk) continue;
    differences.push(...compareModels(scope, catalog, sdk), ...compareScenes(scope, catalog, sdk));
    models += Object.keys(catalog.models).length;
    versions += Object.values(catalog.models).reduce((sum, entry) => sum + Object.keys(entry.versions).length, 0);
  }
  for (const field of ENUM_FIELDS) {
    const scope = `${field.file.toUpperCase()} ${field.interface}.${field.field}`;
    const values = readOrReport(scope, differences, () => readEnumField(files, field));
    if (values) differences.push(...compareEnum(scope, field.catalog, input.enums[field.catalog], values));
  }
  return { differences, compared: { models, versions, enums: ENUM_FIELDS.length } };
}

/** Whether the differences should fail the check. */
export function hasErrors(result: CatalogCheckResult): boolean {
  return result.differences.some((difference) => difference.severity === "error");
}

/** The report printed by `npm run catalog:check`: one line per difference, then a summary. */
export function formatReport(result: CatalogCheckResult, sdkLabel: string): string {
  const errors = result.differences.filter((difference) => difference.severity === "error").length;
  const notes = result.differences.length - errors;
  const { models, versions, enums } = result.compared;
  const lines = result.differences.map((difference) => `${difference.severity === "error" ? "error" : "note "} ${difference.scope}: ${difference.message}`);
  const summary = `catalog:check: ${models} models, ${versions} versions and ${enums} enum fields compared with ${sdkLabel}: ${errors === 0 ? "no errors" : `${errors} error${errors === 1 ? "" : "s"}`}${notes > 0 ? `, ${notes} note${notes === 1 ? "" : "s"}` : ""}`;
  return [...lines, summary].join("\n");
}

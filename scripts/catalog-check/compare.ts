/**
 * Comparing what the SDK's doc comments list with the catalog. An error is a difference that makes
 * the catalog wrong about Tencent today (a model, version or value one lists and the other does not,
 * where the catalog states it as documented); a note is worth reading but needs no change.
 */
import { lookupModel, NOT_SUPPORTED, type ActionCatalog } from "../../shared/catalog";
import type { SdkModelLists } from "./sdk-fields";

/** One difference between the SDK and the catalog. */
export interface Difference {
  readonly severity: "error" | "note";
  /** What was compared: "VOD CreateAigcVideoTask", "VOD AigcVideoOutputConfig.StorageMode", … */
  readonly scope: string;
  readonly message: string;
}

type AnyCatalog = ActionCatalog<object, string>;

/** Which of the SDK's two comments list a model: "ModelName", "ModelVersion" or both. */
function listedWhere(sdk: SdkModelLists, model: string): string {
  const inNames = sdk.modelNames.includes(model);
  const inVersions = sdk.versions.has(model);
  return inNames && inVersions ? "ModelName and ModelVersion" : inNames ? "ModelName" : "ModelVersion";
}

/** Differences in the models and versions of one action: the union of ModelName and ModelVersion is what the SDK lists. */
export function compareModels(scope: string, catalog: AnyCatalog, sdk: SdkModelLists): Difference[] {
  const differences: Difference[] = [];
  const error = (message: string) => differences.push({ severity: "error", scope, message });
  const note = (message: string) => differences.push({ severity: "note", scope, message });
  const sdkModels = [...new Set([...sdk.modelNames, ...sdk.versions.keys()])];
  const renamed = catalog.renamed ?? {};
  const retired = catalog.retired ?? {};

  for (const model of sdkModels) {
    if (Object.hasOwn(catalog.models, model)) {
      if (!sdk.modelNames.includes(model)) note(`${model} is listed by the SDK's ModelVersion comment only, not by its ModelName comment; the catalog keeps it`);
      continue;
    }
    const where = listedWhere(sdk, model);
    if (Object.hasOwn(retired, model)) error(`${model} is listed by the SDK (${where}) but the catalog retires it: ${retired[model]}`);
    else if (Object.hasOwn(renamed, model)) error(`${model} is listed by the SDK (${where}) but the catalog renames it to ${renamed[model]}`);
    else error(`${model} is listed by the SDK (${where}) but not by the catalog`);
  }
  for (const model of Object.keys(catalog.models)) {
    if (!sdkModels.includes(model)) error(`${model} is listed by the catalog but not by the SDK (neither ModelName nor ModelVersion)`);
  }
  for (const [old, current] of Object.entries(renamed)) {
    if (!Object.hasOwn(catalog.models, current)) error(`the catalog renames ${old} to ${current}, a model it does not list`);
  }

  for (const [model, entry] of Object.entries(catalog.models)) {
    if (!sdkModels.includes(model)) continue;
    const sdkVersions = sdk.versions.get(model) ?? [];
    const catalogVersions = Object.keys(entry.versions);
    for (const version of sdkVersions) {
      if (!catalogVersions.includes(version)) error(`${model} ${version} is listed by the SDK (ModelVersion) but not by the catalog`);
    }
    for (const version of catalogVersions) {
      if (!sdkVersions.includes(version)) error(`${model} ${version} is listed by the catalog but not by the SDK (ModelVersion${sdk.versions.has(model) ? "" : ` lists no version of ${model}`})`);
    }
  }
  return differences;
}

/** The scenes a catalog model takes, over all its versions; undefined when the catalog has no SceneType rule for it. */
function catalogScenes(catalog: AnyCatalog, model: string): { scenes: readonly string[]; documented: boolean; source: string } | undefined {
  const lookup = lookupModel(catalog, model, undefined);
  if (!lookup.found) return undefined;
  const rule = (lookup.rules as { sceneTypes?: unknown }).sceneTypes;
  const source = (lookup.sources as { sceneTypes?: { strength: string; source: string } }).sceneTypes;
  if (rule === undefined) return undefined;
  const scenes = rule === NOT_SUPPORTED || !Array.isArray(rule) ? [] : (rule as string[]);
  return { scenes, documented: source?.strength !== "inferred", source: source?.source ?? catalog.source };
}

/** Differences in the SceneType values per model; models missing from either side are compareModels' business. */
export function compareScenes(scope: string, catalog: AnyCatalog, sdk: SdkModelLists): Difference[] {
  const differences: Difference[] = [];
  for (const model of Object.keys(catalog.models)) {
    const own = catalogScenes(catalog, model);
    if (!own) continue;
    const severity = own.documented ? "error" : "note";
    const documented = sdk.scenes.get(model) ?? [];
    for (const scene of documented) {
      if (!own.scenes.includes(scene)) differences.push({ severity, scope, message: `${model} SceneType ${scene} is listed by the SDK (SceneType) but not by the catalog` });
    }
    for (const scene of own.scenes) {
      if (!documented.includes(scene)) {
        const how = own.documented ? "as documented" : `as inferred (${own.source})`;
        differences.push({ severity, scope, message: `${model} SceneType ${scene} is listed by the catalog ${how} but not by the SDK (SceneType)` });
      }
    }
  }
  return differences;
}

/** Differences between an enum the SDK documents and the catalog's copy of it (enums.ts values are all documented). */
export function compareEnum(scope: string, catalogName: string, catalogValues: readonly string[], sdkValues: readonly string[]): Difference[] {
  return [
    ...sdkValues.filter((value) => !catalogValues.includes(value)).map((value) => ({ severity: "error" as const, scope, message: `${value} is listed by the SDK but not by the catalog (${catalogName})` })),
    ...catalogValues.filter((value) => !sdkValues.includes(value)).map((value) => ({ severity: "error" as const, scope, message: `${value} is listed by the catalog (${catalogName}) but not by the SDK` })),
  ];
}

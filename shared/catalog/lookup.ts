/**
 * Reading the catalog: finding a model version's rules and describing them in messages.
 */
import { NOT_SUPPORTED, type ActionCatalog, type IntegerRule, type ModelEntry } from "./types";

/** The outcome of looking a ModelName/ModelVersion pair up in an action's catalog. */
export type ModelLookup<R> =
  | { readonly found: true; readonly model: string; readonly version: string | undefined; readonly rules: R }
  | { readonly found: false; readonly unknown: "model"; readonly knownModels: readonly string[] }
  | { readonly found: false; readonly unknown: "version"; readonly model: string; readonly knownVersions: readonly string[] };

/**
 * Found lookups, per catalog, model and version: the catalog is data that never changes, and a
 * request would otherwise merge the same rules afresh. Only pairs the catalog has are kept, so the
 * cache is bounded by its size.
 */
const found = new WeakMap<object, Map<string, Map<string | undefined, ModelLookup<object>>>>();

/** Finds a model version and resolves its rules (defaults, then model, then version); without a version, any version's rules. */
export function lookupModel<R extends object, F extends string>(
  catalog: ActionCatalog<R, F>,
  modelName: string,
  modelVersion: string | undefined,
): ModelLookup<R> {
  const cached = found.get(catalog)?.get(modelName)?.get(modelVersion);
  if (cached) return cached as ModelLookup<R>;
  // Own keys only: "constructor" or "valueOf" would otherwise find Object.prototype's members (a
  // TypeError for a model, a bogus version let through to Tencent).
  const entry = Object.hasOwn(catalog.models, modelName) ? catalog.models[modelName] : undefined;
  if (!entry) return { found: false, unknown: "model", knownModels: Object.keys(catalog.models) };
  let rules: R;
  if (modelVersion === undefined) {
    rules = rulesForAnyVersion(catalog, entry);
  } else {
    const versionRules = Object.hasOwn(entry.versions, modelVersion) ? entry.versions[modelVersion] : undefined;
    if (!versionRules) return { found: false, unknown: "version", model: modelName, knownVersions: Object.keys(entry.versions) };
    rules = { ...catalog.defaults, ...entry.rules, ...versionRules };
  }
  // Frozen because every request with this pair now shares it.
  const lookup: ModelLookup<R> = Object.freeze({ found: true, model: modelName, version: modelVersion, rules: Object.freeze(rules) });
  let models = found.get(catalog);
  if (!models) found.set(catalog, (models = new Map()));
  let versions = models.get(modelName);
  if (!versions) models.set(modelName, (versions = new Map()));
  versions.set(modelVersion, lookup);
  return lookup;
}

/** The rules of every version of a model, one per version, resolved over the defaults. */
export function resolvedVersions<R extends object, F extends string>(
  catalog: ActionCatalog<R, F>,
  entry: ModelEntry<R>,
): Array<[version: string, rules: R]> {
  return Object.entries(entry.versions).map(([version, rules]) => [version, { ...catalog.defaults, ...entry.rules, ...rules }]);
}

/**
 * The most permissive reading of a model's versions: a value is allowed when any version
 * allows it, so a request without ModelVersion is refused only when no version could take it.
 */
function rulesForAnyVersion<R extends object, F extends string>(catalog: ActionCatalog<R, F>, entry: ModelEntry<R>): R {
  const all = resolvedVersions(catalog, entry).map(([, rules]) => rules as Record<string, unknown>);
  const keys = new Set(all.flatMap((rules) => Object.keys(rules)));
  const merged: Record<string, unknown> = {};
  for (const key of keys) {
    // Conditional rules depend on the version's own base rule; dropping them is permissive.
    if (key === "durationsWithVideo" || key === "maxReferenceImagesWithVideo") continue;
    const values = all.map((rules) => rules[key]);
    if (values.some((value) => value === undefined)) continue;
    merged[key] = mergePermissively(key, values);
  }
  return merged as R;
}

const LAST_FRAME_RANK = (value: unknown): number =>
  value === "supported" ? 2 : value === NOT_SUPPORTED ? 0 : 1;

function mergePermissively(key: string, values: unknown[]): unknown {
  if (key === "lastFrame") {
    return values.reduce((best, value) => (LAST_FRAME_RANK(value) > LAST_FRAME_RANK(best) ? value : best));
  }
  if (values.every((value) => typeof value === "number")) return Math.max(...(values as number[]));
  if (values.every((value) => typeof value === "boolean")) return values.some(Boolean);
  if (values.every((value) => isIntegerRule(value) || value === NOT_SUPPORTED)) {
    const rules = values.filter(isIntegerRule);
    if (rules.length === 0) return NOT_SUPPORTED;
    const union = [...new Set(rules.flatMap(integerValues))].sort((a, b) => a - b);
    return { values: union };
  }
  if (values.every((value) => Array.isArray(value) || value === NOT_SUPPORTED)) {
    const lists = values.filter((value): value is string[] => Array.isArray(value));
    if (lists.length === 0) return NOT_SUPPORTED;
    return [...new Set(lists.flat())];
  }
  return values.every((value) => value === values[0]) ? values[0] : undefined;
}

function isIntegerRule(value: unknown): value is IntegerRule {
  // Arrays have a `values` method, so they must be ruled out first.
  return typeof value === "object" && value !== null && !Array.isArray(value) && ("values" in value || "min" in value);
}

/** Every integer an IntegerRule allows (ranges here are small: seconds, image counts). */
export function integerValues(rule: IntegerRule): number[] {
  if ("values" in rule) return [...rule.values];
  return Array.from({ length: rule.max - rule.min + 1 }, (_, index) => rule.min + index);
}

/** Whether an IntegerRule allows a value. */
export function allowsInteger(rule: IntegerRule, value: number): boolean {
  return "values" in rule ? rule.values.includes(value) : value >= rule.min && value <= rule.max;
}

/** Describes an IntegerRule for a message: "6, 10", "4-15", or runs like "5, 8-10". */
export function describeIntegerRule(rule: IntegerRule): string {
  if ("min" in rule) return `${rule.min}-${rule.max}`;
  const runs: number[][] = [];
  for (const value of [...rule.values].sort((a, b) => a - b)) {
    const run = runs.at(-1);
    if (run && run.at(-1) === value - 1) run.push(value);
    else runs.push([value]);
  }
  return runs.map((run) => (run.length >= 3 ? `${run[0]}-${run.at(-1)}` : run.join(", "))).join(", ");
}

/** Names the models (and, where only some versions qualify, the versions) whose rules pass a test. */
export function modelsWhere<R extends object, F extends string>(
  catalog: ActionCatalog<R, F>,
  test: (rules: R) => boolean,
): string[] {
  const names: string[] = [];
  for (const [model, entry] of Object.entries(catalog.models)) {
    const versions = resolvedVersions(catalog, entry);
    const passing = versions.filter(([, rules]) => test(rules)).map(([version]) => version);
    if (passing.length === versions.length) names.push(model);
    else if (passing.length > 0) names.push(`${model} ${passing.join(", ")}`);
  }
  return names;
}

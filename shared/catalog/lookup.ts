/**
 * Reading the catalog: finding a model version's rules (and where each comes from) and describing
 * them in messages.
 */
import { NOT_SUPPORTED, isInferred, type ActionCatalog, type Authored, type IntegerRule, type ModelEntry, type RuleSource, type RuleSources } from "./types";

/** The outcome of looking a ModelName/ModelVersion pair up in an action's catalog. */
export type ModelLookup<R> =
  | {
      readonly found: true;
      /** The model and version in Tencent's spelling (the request may have used another case). */
      readonly model: string;
      readonly version: string | undefined;
      readonly rules: R;
      readonly sources: RuleSources<R>;
    }
  | { readonly found: false; readonly unknown: "model"; readonly knownModels: readonly string[] }
  | {
      readonly found: false;
      readonly unknown: "version";
      readonly model: string;
      readonly knownVersions: readonly string[];
      /** The model's version-independent rules (defaults, then the model's own), to check an unlisted version by. */
      readonly rules: R;
      readonly sources: RuleSources<R>;
    };

/**
 * Found lookups, per catalog, by model and version in Tencent's spelling: the catalog is data that
 * never changes, and a request would otherwise merge the same rules afresh.
 */
const found = new WeakMap<object, Map<string, ModelLookup<object>>>();

/** The key of `record` equal to `name`, exactly or else ignoring case; own keys only. */
function keyOf(record: object, name: string): string | undefined {
  // Own keys only: "constructor" or "valueOf" would otherwise find Object.prototype's members.
  if (Object.hasOwn(record, name)) return name;
  const lower = name.toLowerCase();
  return Object.keys(record).find((key) => key.toLowerCase() === lower);
}

/** Resolves rule layers in order (later wins field by field), unwrapping inferred() values and noting each rule's source. */
function resolveLayers<R extends object>(layers: ReadonlyArray<[Authored<R> | undefined, string]>): { rules: R; sources: RuleSources<R> } {
  const rules: Record<string, unknown> = {};
  const sources: Record<string, RuleSource> = {};
  for (const [layer, source] of layers) {
    if (!layer) continue;
    for (const [key, value] of Object.entries(layer)) {
      if (value === undefined) {
        // Written out as undefined: the layer lifts a rule an earlier one set (OG has no image cap).
        delete rules[key];
        delete sources[key];
        continue;
      }
      if (isInferred(value)) {
        rules[key] = value.inferred;
        sources[key] = { strength: "inferred", source: value.from };
      } else {
        rules[key] = value;
        sources[key] = { strength: "documented", source };
      }
    }
  }
  return { rules: rules as R, sources: sources as RuleSources<R> };
}

function modelLayers<R extends object, F extends string>(catalog: ActionCatalog<R, F>, entry: ModelEntry<R>): Array<[Authored<R> | undefined, string]> {
  return [
    [catalog.defaults, catalog.source],
    [entry.rules, entry.source],
  ];
}

/**
 * Finds a model version (names match ignoring case) and resolves its rules: defaults, then model,
 * then version. Without a version, the most permissive reading of all its versions. An unknown
 * version of a known model comes back with the model's version-independent rules.
 */
export function lookupModel<R extends object, F extends string>(
  catalog: ActionCatalog<R, F>,
  modelName: string,
  modelVersion: string | undefined,
): ModelLookup<R> {
  const model = keyOf(catalog.models, modelName);
  const entry = model === undefined ? undefined : catalog.models[model];
  if (model === undefined || !entry) return { found: false, unknown: "model", knownModels: Object.keys(catalog.models) };
  const version = modelVersion === undefined ? undefined : keyOf(entry.versions, modelVersion);
  if (modelVersion !== undefined && version === undefined) {
    // Not cached: the version is the client's text, so a cache keyed by it would grow without bound.
    return { found: false, unknown: "version", model, knownVersions: Object.keys(entry.versions), ...resolveLayers(modelLayers(catalog, entry)) };
  }
  // Cached by Tencent's spelling, so the cache is bounded by the catalog's size whatever the client's case.
  const cacheKey = version === undefined ? `${model}\n*` : `${model}\n=${version}`;
  const cached = found.get(catalog)?.get(cacheKey);
  if (cached) return cached as ModelLookup<R>;
  const resolved = version === undefined ? rulesForAnyVersion(catalog, entry) : resolveLayers([...modelLayers(catalog, entry), [entry.versions[version], entry.source]]);
  // Frozen because every request with this pair now shares it.
  const lookup: ModelLookup<R> = Object.freeze({ found: true, model, version, rules: Object.freeze(resolved.rules), sources: Object.freeze(resolved.sources) });
  let cache = found.get(catalog);
  if (!cache) found.set(catalog, (cache = new Map()));
  cache.set(cacheKey, lookup as ModelLookup<object>);
  return lookup;
}

/** The rules of every version of a model, one per version, resolved over the defaults, with their sources. */
export function resolvedVersions<R extends object, F extends string>(
  catalog: ActionCatalog<R, F>,
  entry: ModelEntry<R>,
): Array<[version: string, rules: R, sources: RuleSources<R>]> {
  return Object.entries(entry.versions).map(([version, own]) => {
    const { rules, sources } = resolveLayers<R>([...modelLayers(catalog, entry), [own, entry.source]]);
    return [version, rules, sources];
  });
}

/**
 * The most permissive reading of a model's versions: a value is allowed when any version
 * allows it, so a request without ModelVersion is refused only when no version could take it.
 * A merged rule is documented only when every version's is.
 */
function rulesForAnyVersion<R extends object, F extends string>(catalog: ActionCatalog<R, F>, entry: ModelEntry<R>): { rules: R; sources: RuleSources<R> } {
  const versions = resolvedVersions(catalog, entry);
  // A model that lists no versions (MPS Mingmou) is checked by its version-independent rules.
  if (versions.length === 0) return resolveLayers(modelLayers(catalog, entry));
  const all = versions.map(([, rules]) => rules as Record<string, unknown>);
  const keys = new Set(all.flatMap((rules) => Object.keys(rules)));
  const merged: Record<string, unknown> = {};
  const sources: Record<string, RuleSource> = {};
  for (const key of keys) {
    // Conditional rules depend on the version's own base rule; dropping them is permissive.
    if (key === "durationsWithVideo" || key === "maxReferenceImagesWithVideo") continue;
    const values = all.map((rules) => rules[key]);
    if (values.some((value) => value === undefined)) continue;
    const value = mergePermissively(key, values);
    if (value === undefined) continue;
    merged[key] = value;
    const keySources = versions.map(([, , own]) => (own as Record<string, RuleSource | undefined>)[key]);
    const weakest = keySources.find((source) => source?.strength === "inferred") ?? keySources[0];
    if (weakest) sources[key] = weakest;
  }
  return { rules: merged as R, sources: sources as RuleSources<R> };
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

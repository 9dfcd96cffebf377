/**
 * Checks a request against the catalog entry of its model version.
 */
import {
  NOT_SUPPORTED,
  allowsInteger,
  describeIntegerRule,
  lookupModel,
  modelsWhere,
  resolvedVersions,
  type ActionCatalog,
  type AllowedValues,
  type IntegerRule,
  type NotSupported,
} from "../../catalog";
import type { Path } from "../field-names";
import type { Findings } from "../issues";
import { valuesAt } from "./values";

/** Options that change how strictly the catalog is applied. */
export interface CatalogOptions {
  /** Let models and versions the catalog does not list through, skipping their per-model rules. */
  readonly allowUnlistedModels: boolean;
}

/**
 * Finds the model version a request names and returns a checker for its rules, or
 * undefined when there is nothing to check against (no model, unlisted, or refused).
 */
export function checkModelChoice<R extends object, F extends string>(
  findings: Findings,
  catalog: ActionCatalog<R, F>,
  modelName: string | undefined,
  modelVersion: string | undefined,
  options: CatalogOptions,
): ModelCheck<R, F> | undefined {
  if (modelName === undefined) return undefined;
  const found = lookupModel(catalog, modelName, modelVersion);
  if (found.found) return new ModelCheck(findings, catalog, found.model, found.version, found.rules);
  if (options.allowUnlistedModels) return undefined;
  if (found.unknown === "model") {
    findings.add(
      ["ModelName"],
      "InvalidParameterValue.ModelName",
      `${findings.key(["ModelName"])} ${modelName} is not a known model of ${catalog.action}; known models: ${found.knownModels.join(", ")}`,
    );
  } else {
    findings.add(
      ["ModelVersion"],
      "InvalidParameterValue.ModelVersion",
      `${findings.key(["ModelVersion"])} ${String(modelVersion)} is not a known version of ${found.model}; known versions: ${found.knownVersions.join(", ")}`,
    );
  }
  return undefined;
}

const featureEntriesByCatalog = new WeakMap<object, ReadonlyArray<[string, unknown]>>();

/** The catalog's optional features as [name, spec] pairs, listed once per catalog instead of per request. */
function featureEntries<R extends object, F extends string>(catalog: ActionCatalog<R, F>): ReadonlyArray<[F, ActionCatalog<R, F>["features"][F]]> {
  let entries = featureEntriesByCatalog.get(catalog);
  if (!entries) {
    entries = Object.entries(catalog.features);
    featureEntriesByCatalog.set(catalog, entries);
  }
  return entries as ReadonlyArray<[F, ActionCatalog<R, F>["features"][F]]>;
}

/** The rules of one model version, with checks that report against them. */
export class ModelCheck<R extends object, F extends string> {
  constructor(
    private readonly findings: Findings,
    private readonly catalog: ActionCatalog<R, F>,
    readonly model: string,
    readonly version: string | undefined,
    readonly rules: R,
  ) {}

  /** "Hailuo 02", or "Kling" when the request names no version. */
  get subject(): string {
    return this.version === undefined ? this.model : `${this.model} ${this.version}`;
  }

  /**
   * Checks a string value against the allowed values `pick` reads from the rules; returns
   * the catalog's spelling when `caseInsensitive`, or undefined when refused.
   */
  value(
    path: Path,
    value: string | undefined,
    pick: (rules: R) => AllowedValues | undefined,
    { caseInsensitive = false } = {},
  ): string | undefined {
    const allowed = pick(this.rules);
    if (value === undefined || allowed === undefined) return value;
    const same = (candidate: string) => (caseInsensitive ? candidate.toLowerCase() === value.toLowerCase() : candidate === value);
    const match = allowed === NOT_SUPPORTED ? undefined : allowed.find(same);
    if (match !== undefined) return match;
    const elsewhere = this.otherVersions((rules) => {
      const other = pick(rules);
      return other !== undefined && other !== NOT_SUPPORTED && other.some(same);
    });
    if (allowed === NOT_SUPPORTED) this.findings.invalid(path, `is not supported by ${this.subject}${elsewhere}`);
    else this.findings.invalid(path, `${value} is not supported by ${this.subject}; allowed: ${allowed.join(", ")}${elsewhere}`);
    return undefined;
  }

  /** Checks an integer against the rule `pick` reads from the rules. */
  integer(path: Path, value: number | undefined, pick: (rules: R) => IntegerRule | NotSupported | undefined): void {
    const rule = pick(this.rules);
    if (value === undefined || rule === undefined) return;
    if (rule !== NOT_SUPPORTED && allowsInteger(rule, value)) return;
    const elsewhere = this.otherVersions((rules) => {
      const other = pick(rules);
      return other !== undefined && other !== NOT_SUPPORTED && allowsInteger(other, value);
    });
    if (rule === NOT_SUPPORTED) this.findings.invalid(path, `is not supported by ${this.subject}${elsewhere}`);
    else this.findings.invalid(path, `${value} is not supported by ${this.subject}; allowed: ${describeIntegerRule(rule)}${elsewhere}`);
  }

  /** Refuses optional features (catalog `features`) this model version does not take. */
  features(params: object, pick: (rules: R) => readonly F[] | undefined): void {
    const taken = pick(this.rules);
    if (taken === undefined) return;
    for (const [feature, { field, offValues, label }] of featureEntries(this.catalog)) {
      if (taken.includes(feature)) continue;
      for (const [path, value] of valuesAt(params, field)) {
        if (value === "" || (Array.isArray(value) && value.length === 0)) continue;
        if (offValues?.includes(value as string | number | boolean)) continue;
        const takers = modelsWhere(this.catalog, (rules) => pick(rules)?.includes(feature) ?? false);
        this.findings.invalid(path, `(${label}) is not supported by ${this.subject}; supported by: ${takers.join("; ")}`);
      }
    }
  }

  /** " (Vidu q2 would take it)": other versions whose documented rules take the value. */
  private otherVersions(test: (rules: R) => boolean): string {
    if (this.version === undefined) return "";
    const entry = this.catalog.models[this.model];
    if (!entry) return "";
    const versions = resolvedVersions(this.catalog, entry)
      .filter(([version, rules]) => version !== this.version && test(rules))
      .map(([version]) => version);
    return versions.length > 0 ? ` (${this.model} ${versions.join(", ")} would take it)` : "";
  }
}

/**
 * Checks a request against the catalog entry of its model version. A documented rule that the
 * request breaks is refused; an inferred one is sent to Tencent with a warning (see RuleStrength).
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
  type RuleSources,
} from "../../catalog";
import type { Path } from "../field-names";
import type { Findings } from "../issues";
import { valuesAt } from "./values";

/** Options that change how strictly the catalog is applied. */
export interface CatalogOptions {
  /** Let models and versions the catalog does not list through, skipping their per-model rules. */
  readonly allowUnlistedModels: boolean;
  /** Refuse a version the catalog does not list of a model it knows (by default it is sent with a warning). */
  readonly refuseUnlistedVersions?: boolean;
}

/** The code of a warning that a rule the catalog only infers was broken. */
export const INFERRED_RULE_WARNING = "InferredRule";
/** The code of a warning that an old model name was sent under the name Tencent documents now. */
export const RENAMED_MODEL_WARNING = "RenamedModel";
/** The code of a warning that a version the catalog does not list was sent. */
export const UNLISTED_VERSION_WARNING = "UnlistedModelVersion";

/**
 * Finds the model version a request names and returns a checker for its rules, or undefined when
 * there is nothing to check against (no model, unlisted and allowed, or refused). Names are matched
 * ignoring case; the checker's `model` and `version` are Tencent's spelling.
 */
export function checkModelChoice<R extends object, F extends string>(
  findings: Findings,
  catalog: ActionCatalog<R, F>,
  modelName: string | undefined,
  modelVersion: string | undefined,
  options: CatalogOptions,
): ModelCheck<R, F> | undefined {
  if (modelName === undefined) return undefined;
  const renamedTo = renamedModel(catalog, modelName);
  if (renamedTo !== undefined) {
    findings.warn(
      ["ModelName"],
      RENAMED_MODEL_WARNING,
      `${findings.key(["ModelName"])} ${modelName} is now called ${renamedTo} by Tencent; it was sent as ${renamedTo}`,
    );
    modelName = renamedTo;
  }
  const found = lookupModel(catalog, modelName, modelVersion);
  if (found.found) return new ModelCheck(findings, catalog, found.model, found.version, found.rules, found.sources);
  if (options.allowUnlistedModels) return undefined;
  if (found.unknown === "model") {
    // A typo is likelier than a model Tencent added since the catalog was written.
    const retired = retiredModel(catalog, modelName);
    const why = retired ? `is no longer a model of ${catalog.action}: ${retired}` : `is not a known model of ${catalog.action}`;
    findings.add(["ModelName"], "InvalidParameterValue.ModelName", `${findings.key(["ModelName"])} ${modelName} ${why}; known models: ${found.knownModels.join(", ")}`);
    return undefined;
  }
  const known = `known versions: ${found.knownVersions.join(", ")}`;
  if (options.refuseUnlistedVersions) {
    findings.add(["ModelVersion"], "InvalidParameterValue.ModelVersion", `${findings.key(["ModelVersion"])} ${String(modelVersion)} is not a known version of ${found.model}; ${known}`);
    return undefined;
  }
  // Tencent adds versions often (15 in 25 days of SDK releases): a new one is sent, checked by the
  // rules every version of the model shares.
  findings.warn(
    ["ModelVersion"],
    UNLISTED_VERSION_WARNING,
    `${findings.key(["ModelVersion"])} ${String(modelVersion)} is not a version of ${found.model} this service knows (${known}); it was sent to Tencent as given, checked only by the rules every ${found.model} version shares`,
  );
  return new ModelCheck(findings, catalog, found.model, modelVersion, found.rules, found.sources, false);
}

/** Why Tencent no longer lists a model (ignoring case), if the catalog knows it as retired. */
function retiredModel<R extends object, F extends string>(catalog: ActionCatalog<R, F>, modelName: string): string | undefined {
  const lower = modelName.toLowerCase();
  const name = Object.keys(catalog.retired ?? {}).find((retired) => retired.toLowerCase() === lower);
  return name === undefined ? undefined : catalog.retired?.[name];
}

/** The name Tencent documents now for an old model name (ignoring case), if the catalog knows it as renamed. */
function renamedModel<R extends object, F extends string>(catalog: ActionCatalog<R, F>, modelName: string): string | undefined {
  if (!catalog.renamed || Object.hasOwn(catalog.models, modelName)) return undefined;
  const lower = modelName.toLowerCase();
  const old = Object.keys(catalog.renamed).find((name) => name.toLowerCase() === lower);
  return old === undefined ? undefined : catalog.renamed[old];
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

type StringRuleKey<R> = { [K in keyof R]-?: NonNullable<R[K]> extends AllowedValues ? K : never }[keyof R];
type IntegerRuleKey<R> = { [K in keyof R]-?: NonNullable<R[K]> extends IntegerRule | NotSupported ? K : never }[keyof R];

/** The rules of one model version, with checks that report against them. */
export class ModelCheck<R extends object, F extends string> {
  constructor(
    private readonly findings: Findings,
    private readonly catalog: ActionCatalog<R, F>,
    readonly model: string,
    readonly version: string | undefined,
    readonly rules: R,
    readonly sources: RuleSources<R>,
    /** False for a version the catalog does not list (sent as the client spelled it). */
    readonly listedVersion = true,
  ) {}

  /** "Hailuo 02", or "Kling" when the request names no version. */
  get subject(): string {
    return this.version === undefined ? this.model : `${this.model} ${this.version}`;
  }

  /** Writes Tencent's spelling of the model (and of a listed version) into the params. */
  canonicalize(params: { ModelName?: string | undefined; ModelVersion?: string | undefined }): void {
    params.ModelName = this.model;
    if (this.version !== undefined && this.listedVersion) params.ModelVersion = this.version;
  }

  /**
   * Reports that the request breaks rule `key`: refused when the rule is documented, a warning
   * (the request is still sent) when it is only inferred. `detail` reads after the field's name.
   */
  report(key: keyof R, path: Path, detail: string): void {
    const source = this.sources[key];
    if (source?.strength === "inferred") {
      this.findings.warn(path, INFERRED_RULE_WARNING, `${this.findings.key(path)} ${detail}; sent anyway, because this rule is only inferred (${source.source})`);
    } else {
      this.findings.invalid(path, detail);
    }
  }

  /**
   * Checks a string value against the allowed values of rule `key`, ignoring case; returns the
   * catalog's spelling (Tencent's), or the value as given when it is refused or not checked.
   */
  value(path: Path, value: string | undefined, key: StringRuleKey<R>): string | undefined {
    const allowed = this.rules[key] as AllowedValues | undefined;
    if (value === undefined || allowed === undefined) return value;
    const lower = value.toLowerCase();
    const same = (candidate: string) => candidate.toLowerCase() === lower;
    const match = allowed === NOT_SUPPORTED ? undefined : allowed.find(same);
    if (match !== undefined) return match;
    const elsewhere = this.otherVersions((rules) => {
      const other = rules[key] as AllowedValues | undefined;
      return other !== undefined && other !== NOT_SUPPORTED && other.some(same);
    });
    if (allowed === NOT_SUPPORTED) this.report(key, path, `is not supported by ${this.subject}${elsewhere}`);
    else this.report(key, path, `${value} is not supported by ${this.subject}; allowed: ${allowed.join(", ")}${elsewhere}`);
    return value;
  }

  /** Checks an integer against the rule `key`. */
  integer(path: Path, value: number | undefined, key: IntegerRuleKey<R>): void {
    const rule = this.rules[key] as IntegerRule | NotSupported | undefined;
    if (value === undefined || rule === undefined) return;
    if (rule !== NOT_SUPPORTED && allowsInteger(rule, value)) return;
    const elsewhere = this.otherVersions((rules) => {
      const other = rules[key] as IntegerRule | NotSupported | undefined;
      return other !== undefined && other !== NOT_SUPPORTED && allowsInteger(other, value);
    });
    if (rule === NOT_SUPPORTED) this.report(key, path, `is not supported by ${this.subject}${elsewhere}`);
    else this.report(key, path, `${value} is not supported by ${this.subject}; allowed: ${describeIntegerRule(rule)}${elsewhere}`);
  }

  /** Refuses (or, where the catalog only infers who takes them, warns about) optional features this model version does not take. */
  features(params: object, pick: (rules: R) => readonly F[] | undefined): void {
    const taken = pick(this.rules);
    if (taken === undefined) return;
    for (const [feature, spec] of featureEntries(this.catalog)) {
      if (taken.includes(feature)) continue;
      for (const [path, value] of valuesAt(params, spec.field)) {
        if (value === "" || (Array.isArray(value) && value.length === 0)) continue;
        if (spec.offValues?.includes(value as string | number | boolean)) continue;
        const takers = modelsWhere(this.catalog, (rules) => pick(rules)?.includes(feature) ?? false);
        const detail = `(${spec.label}) is not supported by ${this.subject}; supported by: ${takers.join("; ")}`;
        if (spec.inferred) {
          this.findings.warn(path, INFERRED_RULE_WARNING, `${this.findings.key(path)} ${detail}; sent anyway, because this rule is only inferred (${spec.source})`);
        } else {
          this.findings.invalid(path, detail);
        }
      }
    }
  }

  /** " (Vidu q2 would take it)": other versions whose rules take the value. */
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

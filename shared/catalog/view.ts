/**
 * The catalog as data for clients (`GET /v1/models`): every action, model and version with each
 * resolved rule, its strength and its source, read from the same catalog that validates requests.
 */
import { resolvedVersions } from "./lookup";
import { SDK_VERSION } from "./sources";
import type { ActionCatalog, RuleSource } from "./types";

/** One rule of one model version, as clients read it. */
export interface RuleView {
  readonly value: unknown;
  /** "documented" refuses a request that breaks it; "inferred" sends it with a warning. */
  readonly strength: RuleSource["strength"];
  readonly source: string;
}

/** One action's catalog, as clients read it. */
export interface ActionView {
  readonly action: string;
  readonly route: string;
  readonly models: ReadonlyArray<{
    readonly name: string;
    readonly source: string;
    readonly versions: ReadonlyArray<{ readonly version: string; readonly rules: Readonly<Record<string, RuleView>> }>;
  }>;
  readonly features: Readonly<Record<string, { readonly field: string; readonly source: string; readonly strength: RuleSource["strength"] }>>;
  readonly renamed: Readonly<Record<string, string>>;
  readonly retired: Readonly<Record<string, string>>;
}

/** The whole catalog view: which SDK release the documented rules follow, and each action. */
export interface CatalogView {
  readonly sdkVersion: string;
  readonly actions: readonly ActionView[];
}

/** Builds the catalog view of the given actions (route -> catalog). */
export function catalogView(actions: ReadonlyArray<{ route: string; catalog: ActionCatalog<object, string> }>): CatalogView {
  return {
    sdkVersion: SDK_VERSION,
    actions: actions.map(({ route, catalog }) => ({
      action: catalog.action,
      route,
      models: Object.entries(catalog.models).map(([name, entry]) => ({
        name,
        source: entry.source,
        versions: resolvedVersions(catalog, entry).map(([version, rules, sources]) => ({
          version,
          rules: Object.fromEntries(
            Object.entries(rules).map(([key, value]) => {
              const source = (sources as Record<string, RuleSource | undefined>)[key] ?? { strength: "documented" as const, source: entry.source };
              return [key, { value, strength: source.strength, source: source.source }];
            }),
          ),
        })),
      })),
      features: Object.fromEntries(
        Object.entries(catalog.features).map(([name, spec]) => {
          const feature = spec as { field: string; source: string; inferred?: boolean };
          return [name, { field: feature.field, source: feature.source, strength: feature.inferred ? ("inferred" as const) : ("documented" as const) }];
        }),
      ),
      renamed: catalog.renamed ?? {},
      retired: catalog.retired ?? {},
    })),
  };
}

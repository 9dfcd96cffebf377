/**
 * Stands in for `tslib` (1.13) inside function bundles, with the only helpers the bundled SDK
 * files call; scripts/build.ts fails the build if a bundled SDK file calls another one. The real
 * package cannot be tree-shaken when required (and also writes every helper onto `global`).
 * Same code as tslib 1.13's helpers of these names.
 */

type Module = Record<string, unknown> & { __esModule?: boolean };

/** The helpers this file provides, checked against the SDK's calls at build time. */
export const TSLIB_HELPERS = ["__importDefault", "__importStar", "__exportStar", "__createBinding"] as const;

export function __createBinding(o: Module, m: Module, k: string, k2?: string): void {
  o[k2 === undefined ? k : k2] = m[k];
}

export function __exportStar(m: Module, exports: Module): void {
  for (const p in m) if (p !== "default" && !Object.prototype.hasOwnProperty.call(exports, p)) exports[p] = m[p];
}

export function __importStar(mod: Module | null | undefined): Module {
  if (mod && mod.__esModule) return mod;
  const result: Module = {};
  if (mod != null) for (const k in mod) if (Object.hasOwnProperty.call(mod, k)) result[k] = mod[k];
  result.default = mod;
  return result;
}

export function __importDefault(mod: Module | null | undefined): Module {
  return mod && mod.__esModule ? mod : { default: mod };
}

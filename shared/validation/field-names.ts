/**
 * Field names: clients may send Tencent's PascalCase, snake_case or camelCase. Keys are
 * matched per object against the schema's keys by their normalised form (lower case, no
 * underscores), and issues are reported back in the spelling the client used.
 */
import type { z } from "zod";

/** A path into a request, in canonical (PascalCase) keys and array indices. */
export type Path = ReadonlyArray<string | number>;

/** The key structure of a schema, read from zod so names come from one place. */
export type KeyShape =
  | { readonly kind: "object"; readonly keys: ReadonlyMap<string, { readonly key: string; readonly shape: KeyShape }> }
  | { readonly kind: "array"; readonly element: KeyShape }
  | { readonly kind: "value" };

type Style = "pascal" | "camel" | "snake";

/** The form two spellings of one field share: "EnableBGM", "enable_bgm" and "enableBgm" all give "enablebgm". */
export function normalizeKey(key: string): string {
  const cached = normalizedKeys.get(key);
  if (cached !== undefined) return cached;
  const normalized = key.toLowerCase().replaceAll("_", "");
  // Clients send the same few dozen keys on every request; anything else is computed each time.
  if (normalizedKeys.size < NORMALIZED_KEYS_MAX && key.length <= 64) normalizedKeys.set(key, normalized);
  return normalized;
}

const NORMALIZED_KEYS_MAX = 2048;
const normalizedKeys = new Map<string, string>();

/** Tencent's PascalCase key in snake_case, keeping acronyms whole ("EnableBGM" gives "enable_bgm"). */
export function toSnakeCase(key: string): string {
  return key
    .replace(/([a-z0-9])([A-Z])/g, "$1_$2")
    .replace(/([A-Z]+)([A-Z][a-z])/g, "$1_$2")
    .toLowerCase();
}

function spell(key: string, style: Style): string {
  if (style === "snake") return toSnakeCase(key);
  if (style === "camel") return key.charAt(0).toLowerCase() + key.slice(1);
  return key;
}

function styleOf(keys: readonly string[]): Style | undefined {
  if (keys.some((key) => key.includes("_"))) return "snake";
  if (keys.some((key) => /^[a-z]/.test(key))) return "camel";
  if (keys.some((key) => /^[A-Z]/.test(key))) return "pascal";
  return undefined;
}

const shapes = new WeakMap<z.ZodType, KeyShape>();

/** Reads the key structure of a zod schema (objects, arrays, and the wrappers around them); throws on keys that collide once normalised. */
export function keyShapeOf(schema: z.ZodType): KeyShape {
  const cached = shapes.get(schema);
  if (cached) return cached;
  const shape = readShape(schema);
  shapes.set(schema, shape);
  return shape;
}

interface ZodDefLike {
  readonly type: string;
  readonly shape?: Record<string, z.ZodType>;
  readonly element?: z.ZodType;
  readonly innerType?: z.ZodType;
  readonly in?: z.ZodType;
  readonly out?: z.ZodType;
}

function defOf(schema: z.ZodType): ZodDefLike {
  return (schema as unknown as { _zod: { def: ZodDefLike } })._zod.def;
}

function readShape(schema: z.ZodType): KeyShape {
  const def = defOf(schema);
  switch (def.type) {
    case "object": {
      const keys = new Map<string, { key: string; shape: KeyShape }>();
      for (const [key, child] of Object.entries(def.shape ?? {})) {
        const clash = keys.get(normalizeKey(key));
        // Two keys one client spelling could mean would make renaming ambiguous: a schema bug.
        if (clash) throw new Error(`Schema keys ${clash.key} and ${key} are the same field once normalised`);
        keys.set(normalizeKey(key), { key, shape: keyShapeOf(child) });
      }
      return { kind: "object", keys };
    }
    case "array":
      return def.element ? { kind: "array", element: keyShapeOf(def.element) } : { kind: "value" };
    case "optional":
    case "nullable":
    case "default":
    case "prefault":
    case "readonly":
    case "nonoptional":
      return def.innerType ? keyShapeOf(def.innerType) : { kind: "value" };
    case "pipe": {
      // A coercion pipe takes its input shape from `in`; fall back to `out` for preprocessors.
      const input = def.in ? keyShapeOf(def.in) : { kind: "value" as const };
      return input.kind !== "value" || !def.out ? input : keyShapeOf(def.out);
    }
    default:
      return { kind: "value" };
  }
}

/** A key the client sent that the schema does not know, or sent twice. */
export interface KeyProblem {
  readonly field: string;
  readonly kind: "unknown" | "duplicate" | "refused";
  /** For duplicates, the spelling seen first; for refusals, the reason. */
  readonly detail: string;
}

/** The outcome of renaming a body's keys to Tencent's spelling. */
export interface NormalizedBody {
  /** The body with canonical keys; unknown and repeated keys dropped. */
  readonly value: Record<string, unknown>;
  readonly problems: readonly KeyProblem[];
  readonly spelling: ClientSpelling;
}

/**
 * Renames every key of a body to the schema's canonical spelling. `refused` maps normalised
 * top-level keys to the reason they are refused. How the client spelled each key is not recorded
 * here: ClientSpelling reads it back from the body, and only when a problem is reported.
 */
export function normalizeBody(
  body: Record<string, unknown>,
  shape: KeyShape,
  refused: ReadonlyMap<string, string>,
): NormalizedBody {
  const problems: KeyProblem[] = [];

  const walk = (value: unknown, node: KeyShape, clientPath: string, topLevel: boolean): unknown => {
    if (node.kind === "array" && Array.isArray(value)) {
      return value.map((item, index) => walk(item, node.element, `${clientPath}[${index}]`, false));
    }
    if (node.kind !== "object" || !isPlainObject(value)) return value;
    const renamed: Record<string, unknown> = {};
    for (const clientKey in value) {
      if (!Object.prototype.hasOwnProperty.call(value, clientKey)) continue;
      const normalized = normalizeKey(clientKey);
      const refusal = topLevel ? refused.get(normalized) : undefined;
      if (refusal !== undefined) {
        problems.push({ field: fieldName(clientPath, clientKey), kind: "refused", detail: refusal });
        continue;
      }
      const known = node.keys.get(normalized);
      if (!known) {
        problems.push({ field: fieldName(clientPath, clientKey), kind: "unknown", detail: "" });
        continue;
      }
      if (Object.prototype.hasOwnProperty.call(renamed, known.key)) {
        problems.push({ field: fieldName(clientPath, clientKey), kind: "duplicate", detail: firstSpelling(value, normalized, topLevel ? refused : undefined) ?? known.key });
        continue;
      }
      const child = value[clientKey];
      // Only objects and arrays below need the client's path (for their own problems).
      renamed[known.key] = typeof child === "object" && child !== null ? walk(child, known.shape, fieldName(clientPath, clientKey), false) : child;
    }
    return renamed;
  };

  const value = walk(body, shape, "", true) as Record<string, unknown>;
  return { value, problems, spelling: new ClientSpelling(body, shape, refused) };
}

/**
 * The first key of a client object that normalises to `normalized` and was not refused: the
 * spelling normalizeBody kept for that field (later ones are duplicates).
 */
function firstSpelling(object: Record<string, unknown>, normalized: string, refused: ReadonlyMap<string, string> | undefined): string | undefined {
  for (const clientKey in object) {
    if (!Object.prototype.hasOwnProperty.call(object, clientKey)) continue;
    const candidate = normalizeKey(clientKey);
    if (candidate === normalized && !refused?.has(candidate)) return clientKey;
  }
  return undefined;
}

/** A key's full name as the client spelled it; built only when needed (a problem, or an object below). */
function fieldName(clientPath: string, clientKey: string): string {
  return clientPath ? `${clientPath}.${clientKey}` : clientKey;
}

/**
 * Renders canonical paths in the client's spelling: "output_config.aspect_ratio", "file_infos[1].url".
 * Reads the spelling from the body the client sent, along the schema's key shape: a key the client
 * sent is written as sent; one it did not (a missing required field) in the style of the object
 * around it (snake_case, camelCase or PascalCase), or of the nearest object above that has one.
 */
export class ClientSpelling {
  constructor(
    private readonly body: Record<string, unknown>,
    private readonly shape: KeyShape,
    private readonly refused: ReadonlyMap<string, string>,
  ) {}

  /** The full field name, e.g. "output_config.aspect_ratio". */
  field(path: Path): string {
    return this.pieces(path).join("").replace(/^\./, "");
  }

  /** The field's own key with any indices after it, e.g. "aspect_ratio" or "file_infos[1]". */
  key(path: Path): string {
    const pieces = this.pieces(path);
    let start = pieces.length - 1;
    while (start > 0 && pieces[start]?.startsWith("[")) start -= 1;
    return pieces.slice(Math.max(start, 0)).join("").replace(/^\./, "");
  }

  /** A canonical key as this client would spell it at the top level of the body. */
  topLevel(key: string): string {
    return this.field([key]);
  }

  private pieces(path: Path): string[] {
    const pieces: string[] = [];
    let current: unknown = this.body;
    let node: KeyShape | undefined = this.shape;
    let style: Style = styleOf(Object.keys(this.body)) ?? "pascal";
    let topLevel = true;
    for (const segment of path) {
      if (typeof segment === "number") {
        pieces.push(`[${segment}]`);
        const inArray: boolean = node?.kind === "array" && Array.isArray(current);
        current = inArray ? (current as unknown[])[segment] : undefined;
        node = inArray && node?.kind === "array" ? node.element : undefined;
        topLevel = false;
        continue;
      }
      // Only objects the schema renames have a spelling of their own, as in normalizeBody.
      const renamed = node?.kind === "object" && isPlainObject(current) ? current : undefined;
      let clientKey: string | undefined;
      if (renamed) {
        style = styleOf(Object.keys(renamed)) ?? style;
        clientKey = firstSpelling(renamed, normalizeKey(segment), topLevel ? this.refused : undefined);
      }
      pieces.push(`.${clientKey ?? spell(segment, style)}`);
      current = renamed && clientKey !== undefined ? renamed[clientKey] : undefined;
      node = node?.kind === "object" ? node.keys.get(normalizeKey(segment))?.shape : undefined;
      topLevel = false;
    }
    return pieces;
  }
}

/** Whether a value is a JSON object (not an array, not null). */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

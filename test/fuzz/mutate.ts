/**
 * Generic JSON mutation for the fuzzer: a seed value plus a list of mutations (plain data, so
 * fast-check can shrink a failing case to the fewest, simplest mutations) gives a mutated copy.
 * Keys are written with defineProperty, so `__proto__` becomes an own key, as JSON.parse makes it.
 */

import fc from "fast-check";
import { toSnakeCase } from "../../shared/validation";

/** A JSON value. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** How a key is re-spelled. */
export type KeyStyle = "snake" | "camel" | "pascal" | "upper" | "lower" | "kebab" | "double-underscore" | "padded" | "kelvin" | "fullwidth";

/** One mutation; `at` picks the node it applies to (modulo the candidates, so any number works). */
export type Mutation =
  | { op: "drop"; at: number }
  | { op: "duplicate"; at: number; style: KeyStyle; value?: Json }
  | { op: "rename"; at: number; style: KeyStyle }
  | { op: "retype"; at: number; value: Json }
  | { op: "huge"; at: number; length: number; char: string }
  | { op: "text"; at: number; text: string }
  | { op: "nest"; at: number; depth: number; asArray: boolean }
  | { op: "proto"; at: number; key: "__proto__" | "constructor" | "prototype"; value: Json }
  | { op: "restyle"; at: number; style: KeyStyle }
  | { op: "unknown-key"; at: number; key: string; value: Json };

/** Defines an own, enumerable key (a plain assignment of `__proto__` would set the prototype instead). */
export function setOwn(target: Record<string, Json>, key: string, value: Json): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

function isObject(value: unknown): value is Record<string, Json> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** A deep copy that keeps own `__proto__` keys (JSON.parse creates them as own properties). */
export function cloneJson<T>(value: T): T {
  return value === undefined ? value : (JSON.parse(JSON.stringify(value)) as T);
}

/** Re-spells one key. */
export function respell(key: string, style: KeyStyle): string {
  const pascal = key.includes("_") ? key.split("_").map((part) => part.charAt(0).toUpperCase() + part.slice(1)).join("") : key.charAt(0).toUpperCase() + key.slice(1);
  switch (style) {
    case "snake":
      return toSnakeCase(pascal);
    case "camel":
      return pascal.charAt(0).toLowerCase() + pascal.slice(1);
    case "pascal":
      return pascal;
    case "upper":
      return key.toUpperCase();
    case "lower":
      return key.toLowerCase();
    case "kebab":
      return toSnakeCase(pascal).replaceAll("_", "-");
    case "double-underscore":
      return toSnakeCase(pascal).replaceAll("_", "__");
    case "padded":
      return ` ${key}`;
    case "kelvin":
      // U+212A KELVIN SIGN lower-cases to "k"; U+0130 to "i̇": spellings a normaliser may fold.
      return key.replace(/k/i, "\u212a").replace(/i/, "\u0130");
    case "fullwidth":
      return [...key].map((c) => (c >= "!" && c <= "~" ? String.fromCharCode(c.charCodeAt(0) + 0xfee0) : c)).join("");
  }
}

interface Slot {
  /** The object or array holding the value; undefined for the root. */
  parent?: Record<string, Json> | Json[];
  key?: string | number;
  value: Json;
}

const MAX_SLOTS = 400;

/** Every value in the tree (breadth first, bounded), with where it sits. */
function slots(root: Json): Slot[] {
  const out: Slot[] = [{ value: root }];
  for (let i = 0; i < out.length && out.length < MAX_SLOTS; i++) {
    const { value } = out[i] as Slot;
    if (Array.isArray(value)) value.forEach((item, index) => out.push({ parent: value, key: index, value: item }));
    else if (isObject(value)) for (const [key, item] of Object.entries(value)) out.push({ parent: value, key, value: item });
  }
  return out.slice(0, MAX_SLOTS);
}

function pick<T>(items: readonly T[], at: number): T | undefined {
  return items.length === 0 ? undefined : items[Math.abs(at) % items.length];
}

/** Rebuilds an object with its keys in the same order, some renamed or added. */
function rebuild(source: Record<string, Json>, entries: Array<[string, Json]>): void {
  for (const key of Object.keys(source)) delete source[key];
  for (const [key, value] of entries) setOwn(source, key, value);
}

function replace(root: Json, slot: Slot, value: Json): Json {
  if (!slot.parent) return value;
  if (Array.isArray(slot.parent)) slot.parent[slot.key as number] = value;
  else setOwn(slot.parent, slot.key as string, value);
  return root;
}

function restyleDeep(value: Json, style: KeyStyle, deep: boolean): void {
  if (Array.isArray(value)) {
    if (deep) value.forEach((item) => restyleDeep(item, style, deep));
    return;
  }
  if (!isObject(value)) return;
  const entries = Object.entries(value).map(([key, item]): [string, Json] => [respell(key, style), item]);
  rebuild(value, entries);
  if (deep) for (const item of Object.values(value)) restyleDeep(item, style, deep);
}

/**
 * Applies one mutation to `root` (mutated in place where possible); returns the new root. Values
 * from the mutation are copied in: fast-check hands out the same constant objects to many cases.
 */
export function applyMutation(root: Json, mutation: Mutation): Json {
  const all = slots(root);
  const members = all.filter((slot): slot is Slot & { parent: Record<string, Json>; key: string } => isObject(slot.parent));
  const objects = all.filter((slot) => isObject(slot.value));
  switch (mutation.op) {
    case "drop": {
      const slot = pick(all.filter((s) => s.parent), mutation.at);
      if (!slot?.parent) return root;
      if (Array.isArray(slot.parent)) slot.parent.splice(slot.key as number, 1);
      else delete slot.parent[slot.key as string];
      return root;
    }
    case "duplicate": {
      const slot = pick(members, mutation.at);
      if (!slot) return root;
      setOwn(slot.parent, respell(slot.key, mutation.style), cloneJson(mutation.value === undefined ? slot.value : mutation.value));
      return root;
    }
    case "rename": {
      const slot = pick(members, mutation.at);
      if (!slot) return root;
      const renamed = respell(slot.key, mutation.style);
      rebuild(slot.parent, Object.entries(slot.parent).map(([key, value]): [string, Json] => [key === slot.key ? renamed : key, value]));
      return root;
    }
    case "retype": {
      const slot = pick(all, mutation.at);
      return slot ? replace(root, slot, cloneJson(mutation.value)) : root;
    }
    case "huge": {
      const strings = all.filter((s) => typeof s.value === "string");
      const slot = pick(strings.length > 0 ? strings : all, mutation.at);
      return slot ? replace(root, slot, (mutation.char || "x").repeat(mutation.length)) : root;
    }
    case "text": {
      const slot = pick(all, mutation.at);
      return slot ? replace(root, slot, mutation.text) : root;
    }
    case "nest": {
      const slot = pick(all, mutation.at);
      if (!slot) return root;
      if (mutation.depth > SHALLOW) return replace(root, slot, deepMarker(slot.value, mutation.depth, mutation.asArray));
      let nested: Json = slot.value;
      for (let i = 0; i < mutation.depth; i++) nested = mutation.asArray ? [nested] : { v: nested };
      return replace(root, slot, nested);
    }
    case "proto": {
      const slot = pick(objects, mutation.at);
      if (!slot || !isObject(slot.value)) return root;
      setOwn(slot.value, mutation.key, cloneJson(mutation.value));
      return root;
    }
    case "restyle": {
      const slot = pick(objects, mutation.at);
      if (slot) restyleDeep(slot.value, mutation.style, mutation.at % 2 === 0);
      return root;
    }
    case "unknown-key": {
      const slot = pick(objects, mutation.at);
      if (!slot || !isObject(slot.value)) return root;
      setOwn(slot.value, mutation.key, cloneJson(mutation.value));
      return root;
    }
  }
}

/**
 * Nesting deeper than this is kept as a marker string until the value becomes JSON text: the
 * fuzzer's own JSON.stringify (deep inside fast-check's stack) would overflow on it.
 */
const SHALLOW = 100;
const DEEP_MARKER = "\u0000deep:";

function deepMarker(inner: Json, depth: number, asArray: boolean): string {
  return `${DEEP_MARKER}${depth}:${asArray ? 1 : 0}:${JSON.stringify(inner)}`;
}

const DEEP_LITERAL = /"\\u0000deep:(\d+):([01]):((?:[^"\\]|\\.)*)"/;

/** JSON text of a mutated value, with deep-nesting markers expanded into real nesting. */
export function toJsonText(value: unknown): string {
  let text = JSON.stringify(value) ?? "";
  for (let match = DEEP_LITERAL.exec(text); match; match = DEEP_LITERAL.exec(text)) {
    const marker = JSON.parse(`"${match[0].slice(1, -1)}"`) as string;
    const [, depthText = "0", array = "0"] = match;
    const inner = marker.slice(DEEP_MARKER.length + depthText.length + 3);
    const depth = Number(depthText);
    const nested = array === "1" ? `${"[".repeat(depth)}${inner}${"]".repeat(depth)}` : `${'{"v":'.repeat(depth)}${inner}${"}".repeat(depth)}`;
    text = text.slice(0, match.index) + nested + text.slice(match.index + match[0].length);
  }
  return text;
}

/** The value itself, or (when it holds deep-nesting markers) a parsed copy with them expanded. */
export function materialize<T>(value: T): T {
  if (value === undefined || !(JSON.stringify(value) ?? "").includes("\\u0000deep:")) return value;
  return JSON.parse(toJsonText(value)) as T;
}

/** Applies mutations in order to a copy of `seed`. */
export function mutate(seed: Json, mutations: readonly Mutation[]): Json {
  let value = cloneJson(seed);
  for (const mutation of mutations) value = applyMutation(value, mutation);
  return value;
}

/** Strings that have broken parsers before: numeric look-alikes, unicode edge cases, markup. */
export const NASTY_STRINGS: readonly string[] = [
  "", " ", "\t", "\n", "\u0000", "\u0000abc", "\ufeff", "\u202e", "\u200b", "\ud800", "\udfff", "😀", "👨‍👩‍👧", "𝕏",
  "ı", "İ", "ß", "\u212a", "水墨", "٣", "１０", "e\u0301",
  "10", "-10", "+5", " 5", "5 ", "5.0", "1e3", "0x10", "0b1", "0o7", "NaN", "Infinity", "-Infinity", "-0", "99999999999999999999", "9007199254740993", "1e309",
  "true", "false", "null", "undefined", "[]", "{}", "{\"a\":1}",
  "__proto__", "constructor", "prototype", "toString", "hasOwnProperty", "valueOf", "isPrototypeOf", "__defineGetter__",
  "<script>alert(1)</script>", "' OR 1=1 --", "${7*7}", "{{7*7}}", "%s%n", "%", "%zz", "%00", "../../etc/passwd", "\\\\server\\share",
  "auto", "16:9", "0:0", "9999999:1", "1080P", "1080p", "Enabled", "enabled", "ENABLED", "Url", "File", "Base64", "data:image/png;base64,AAAA",
  "https://", "http://x", "https://example.com/a.mp4", "HTTPS://EXAMPLE.COM/A.PNG", "https://example.com/\u0000", "https://a b/c", "ftp://x/y", "javascript:alert(1)",
];

const keyStyle: fc.Arbitrary<KeyStyle> = fc.constantFrom("snake", "camel", "pascal", "upper", "lower", "kebab", "double-underscore", "padded", "kelvin", "fullwidth");

/** Strings of every kind: ASCII, full unicode (lone surrogates too), graphemes, and the nasty list. */
export const anyString: fc.Arbitrary<string> = fc.oneof(
  { arbitrary: fc.constantFrom(...NASTY_STRINGS), weight: 4 },
  { arbitrary: fc.string({ maxLength: 40 }), weight: 2 },
  { arbitrary: fc.string({ unit: "binary", maxLength: 40 }), weight: 2 },
  { arbitrary: fc.string({ unit: "grapheme", maxLength: 20 }), weight: 1 },
);

/** Any JSON value, small, with the numbers JSON can carry (no NaN: JSON has none). */
export const junkValue: fc.Arbitrary<Json> = fc.oneof(
  { arbitrary: fc.constantFrom<Json>(null, true, false, 0, -1, 1.5, 1e21, -1e-7, 2 ** 53 + 2, Number.MAX_VALUE, [], {}), weight: 4 },
  { arbitrary: fc.integer().map((n): Json => n), weight: 2 },
  { arbitrary: fc.double({ noNaN: true, noDefaultInfinity: true }).map((n): Json => n), weight: 1 },
  { arbitrary: anyString.map((s): Json => s), weight: 4 },
  { arbitrary: fc.jsonValue({ maxDepth: 3 }).map((v) => v as Json), weight: 2 },
);

/** One mutation of a JSON tree. */
export const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ op: fc.constant("drop" as const), at: fc.nat() }),
  fc.record({ op: fc.constant("duplicate" as const), at: fc.nat(), style: keyStyle, value: fc.option(junkValue, { nil: undefined }) }).map(({ value, ...rest }) => (value === undefined ? rest : { ...rest, value })),
  fc.record({ op: fc.constant("rename" as const), at: fc.nat(), style: keyStyle }),
  fc.record({ op: fc.constant("retype" as const), at: fc.nat(), value: junkValue }),
  fc.record({ op: fc.constant("huge" as const), at: fc.nat(), length: fc.constantFrom(256, 1001, 4097, 65_536, 1_000_001), char: fc.constantFrom("x", "界", "😀", "\\", "\"", "%") }),
  fc.record({ op: fc.constant("text" as const), at: fc.nat(), text: anyString }),
  fc.record({ op: fc.constant("nest" as const), at: fc.nat(), depth: fc.constantFrom(1, 2, 10, 100, 5_000), asArray: fc.boolean() }),
  fc.record({ op: fc.constant("proto" as const), at: fc.nat(), key: fc.constantFrom("__proto__" as const, "constructor" as const, "prototype" as const), value: fc.oneof(junkValue, fc.constant<Json>({ polluted: true, isAdmin: true, SubAppId: 1 })) }),
  fc.record({ op: fc.constant("restyle" as const), at: fc.nat(), style: keyStyle }),
  fc.record({ op: fc.constant("unknown-key" as const), at: fc.nat(), key: anyString, value: junkValue }),
);

/** Zero to `max` mutations; zero often, so unmutated seeds (the valid path) are covered too. */
export function mutationsArb(max = 5): fc.Arbitrary<Mutation[]> {
  return fc.oneof({ arbitrary: fc.constant<Mutation[]>([]), weight: 1 }, { arbitrary: fc.array(mutationArb, { minLength: 1, maxLength: max }), weight: 3 });
}

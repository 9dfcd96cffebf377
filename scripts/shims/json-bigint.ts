/**
 * Stands in for `json-bigint` inside function bundles. The Tencent SDK creates
 * `JSONbig({ useNativeBigInt: true })` and only ever calls its `stringify`, twice per call: once to
 * write the request body and once to hash it for the TC3 signature. Its parser (and the BigNumber it
 * may build) is not bundled: the SDK parses answers with `res.json()`.
 *
 * `stringify` is V8's JSON.stringify unless the value holds a BigInt or a BigNumber, which only
 * json-bigint can write as a bare number; those values go to json-bigint's own stringify, unchanged.
 * json-bigint's is a JavaScript port of json2.js: on a create's params it allocated about 14 KB per
 * call (the two stringifies), a tenth of everything a create allocates. The texts differ only in
 * escaping, never in the value they encode: json2 also writes U+007F-U+009F, U+00AD, U+200C-U+200F,
 * U+2028-U+202F, U+2060-U+206F, U+FEFF and a few others as \u escapes, and writes lone surrogates
 * raw (which UTF-8 then turns into U+FFFD), where V8 writes them as \u escapes. Both calls go through
 * this one function, so the body sent and the body signed are still the same bytes.
 */
type Stringify = (value: unknown, replacer?: unknown, space?: unknown) => string | undefined;

const BIG_DEPTH_MAX = 64;

/**
 * Whether json-bigint would write something here that JSON.stringify cannot: a BigInt, or a
 * BigNumber (recognised by its mark, as bignumber.js does). Allocation-free; below BIG_DEPTH_MAX
 * levels (where a cycle would loop) the answer is no, and JSON.stringify reports the cycle.
 */
function holdsBig(value: unknown, depth: number): boolean {
  if (typeof value === "bigint") return true;
  if (typeof value !== "object" || value === null) return false;
  if ((value as { _isBigNumber?: unknown })._isBigNumber === true) return true;
  if (depth >= BIG_DEPTH_MAX) return false;
  for (const key in value) {
    if (Object.prototype.hasOwnProperty.call(value, key) && holdsBig((value as Record<string, unknown>)[key], depth + 1)) return true;
  }
  return false;
}

function stringify(value: unknown, replacer?: unknown, space?: unknown): string | undefined {
  if (!holdsBig(value, 0)) {
    try {
      return JSON.stringify(value, replacer as Parameters<typeof JSON.stringify>[1], space as string | number | undefined);
    } catch (error) {
      // A BigInt that only a toJSON() or a replacer produced, or one below BIG_DEPTH_MAX.
      if (!(error instanceof TypeError && error.message.includes("BigInt"))) throw error;
    }
  }
  // Loaded on first use: the SDK's own calls never carry one.
  const json2 = require("json-bigint/lib/stringify.js") as { stringify: Stringify };
  return json2.stringify(value, replacer, space);
}

function parse(): never {
  throw new Error("json-bigint's parse is not bundled (see scripts/build.ts); the Tencent SDK only stringifies with it");
}

/** json-bigint's factory: `JSONbig(options)` gives `{ parse, stringify }`. */
export default function JSONbig(_options?: unknown): { parse: typeof parse; stringify: Stringify } {
  return { parse, stringify };
}

/**
 * Stands in for `json-bigint` inside function bundles. The Tencent SDK creates
 * `JSONbig({ useNativeBigInt: true })` and only ever calls its `stringify`, to write and sign
 * request bodies: that is json-bigint's own stringify, unchanged. Its parser (and the BigNumber
 * it may build) is not bundled: the SDK parses answers with `res.json()`.
 */
type Stringify = (value: unknown, replacer?: unknown, space?: unknown) => string;

const { stringify } = require("json-bigint/lib/stringify.js") as { stringify: Stringify };

function parse(): never {
  throw new Error("json-bigint's parse is not bundled (see scripts/build.ts); the Tencent SDK only stringifies with it");
}

/** json-bigint's factory: `JSONbig(options)` gives `{ parse, stringify }`. */
export default function JSONbig(_options?: unknown): { parse: typeof parse; stringify: Stringify } {
  return { parse, stringify };
}

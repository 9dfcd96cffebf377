"use strict";
/**
 * Stands in for `bignumber.js` inside function bundles, where only json-bigint requires it. The
 * Tencent SDK uses json-bigint with `useNativeBigInt: true`, so parsing never builds a BigNumber and
 * stringify only asks whether a value is one. Nothing in a bundle creates one, but a BigNumber made
 * elsewhere is still recognised by its `_isBigNumber` mark, as bignumber.js itself does.
 * CommonJS on purpose: json-bigint uses the module itself as the class (`value instanceof BigNumber`).
 */
function BigNumber() {
  throw new Error("BigNumber is not bundled (see scripts/build.ts): this bundle parses big integers as native BigInt");
}
BigNumber.isBigNumber = function isBigNumber(value) {
  return value instanceof BigNumber || Boolean(value && value._isBigNumber === true);
};
module.exports = BigNumber;

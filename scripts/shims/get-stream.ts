/**
 * Stands in for `get-stream` inside function bundles. The Tencent SDK reads a request parameter
 * that is a stream into a Buffer with it; this bundle's parameters come from JSON and are never
 * streams (the SDK checks with is-stream, which stays). Reaching it fails loudly.
 */
export default {
  buffer(): never {
    throw new Error("stream request parameters are not supported in this bundle (see scripts/build.ts)");
  },
};

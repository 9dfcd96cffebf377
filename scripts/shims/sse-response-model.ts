/**
 * Stands in for the Tencent SDK's `sse_response_model` inside function bundles. The SDK wraps an
 * answer in it only when Tencent streams one (text/event-stream), which none of the actions this
 * bundle calls does; the real module brings readline with it. Such an answer fails loudly.
 */
export class SSEResponseModel {
  constructor() {
    throw new Error("a streamed (text/event-stream) answer is not supported in this bundle (see scripts/build.ts)");
  }
}

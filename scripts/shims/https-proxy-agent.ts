/**
 * Stands in for `https-proxy-agent` inside function bundles: the Tencent SDK requires it when its
 * fetch module loads, but constructs one only when a proxy is configured (`proxy` or `http_proxy`).
 * The real package (with agent-base) is still bundled and is loaded on that first construction.
 */
import type { Agent } from "node:http";

type ProxyAgentClass = new (proxy: unknown) => Agent;

/** Builds the real https-proxy-agent, loading it now (resolved where the SDK would resolve it). */
export default function LazyHttpsProxyAgent(proxy: unknown): Agent {
  const HttpsProxyAgent = require("https-proxy-agent") as ProxyAgentClass;
  return new HttpsProxyAgent(proxy);
}

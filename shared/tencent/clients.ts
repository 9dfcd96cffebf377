/**
 * Tencent SDK clients for VOD and MPS, built from the configuration.
 * Only the two service clients are imported, by deep path, so a function bundle never carries
 * the whole SDK. They are loaded on first use, not at import: a cold instance answers requests
 * refused before Tencent (401, 400) without loading the SDK and Node's HTTP stack, and the first
 * upstream call loads them once for the life of the instance.
 */

import type { Agent as HttpAgent } from "node:http";
import { ConfigError, type Config } from "../config";

type VodClientModule = typeof import("tencentcloud-sdk-nodejs/tencentcloud/services/vod/v20180717/vod_client");
type MpsClientModule = typeof import("tencentcloud-sdk-nodejs/tencentcloud/services/mps/v20190612/mps_client");

// require() with literal paths: esbuild still bundles the modules, and evaluates them when called.
const loadSdkClient = {
  vod: () => (require("tencentcloud-sdk-nodejs/tencentcloud/services/vod/v20180717/vod_client") as VodClientModule).Client,
  mps: () => (require("tencentcloud-sdk-nodejs/tencentcloud/services/mps/v20190612/mps_client") as MpsClientModule).Client,
};

export type TencentService = "vod" | "mps";

/** The one method of an SDK client the bundle uses: a signed API 3.0 call. */
export interface TencentApi {
  request(action: string, params: unknown, options?: { signal?: AbortSignal }): Promise<Record<string, unknown>>;
}

export interface TencentClients {
  vod: TencentApi;
  mps: TencentApi;
}

const VERSIONS: Record<TencentService, string> = { vod: "2018-07-17", mps: "2019-06-12" };

/**
 * How to reach one service. A Tencent host (`vod.…`, `mps.…`) is used as is. Any other base URL
 * (the local stand-in) keeps Tencent's host name in the request, because the SDK derives the
 * signature's service and Host from it, and only the TCP connection goes to the given address.
 */
export function endpointProfile(service: TencentService, base: URL): { protocol: string; endpoint: string; agent?: HttpAgent } {
  const protocol = `${base.protocol}//`;
  if (base.hostname.startsWith(`${service}.`)) {
    return { protocol, endpoint: base.host };
  }
  if (base.protocol !== "http:") {
    throw new ConfigError(
      service === "vod" ? "AIGC_VOD_ENDPOINT" : "AIGC_MPS_ENDPOINT",
      `must be a ${service}.* Tencent host, or a plain http:// address of a local stand-in`,
    );
  }
  const port = Number(base.port || 80);
  const host = base.hostname.replace(/^\[|\]$/g, "");
  const { Agent } = require("node:http") as typeof import("node:http");
  const { connect } = require("node:net") as typeof import("node:net");
  const agent = new Agent({ keepAlive: true });
  // Node's typings declare createConnection's overloads narrowly; the runtime contract is (options, callback) => Socket.
  (agent as unknown as { createConnection: () => ReturnType<typeof connect> }).createConnection = () => connect({ host, port });
  return { protocol, endpoint: `${service}.tencentcloudapi.com`, agent };
}

function createClient(service: TencentService, config: Config): TencentApi {
  const credentials = config.credentials;
  if (!credentials) {
    throw new ConfigError(
      "TENCENTCLOUD_SECRETID",
      "and TENCENTCLOUD_SECRETKEY are not set: give the function a role (SCF then sets them) or set them for local use",
    );
  }
  const base = service === "vod" ? config.vodEndpoint : config.mpsEndpoint;
  const { protocol, endpoint, agent } = endpointProfile(service, base);
  const clientConfig = {
    credential: { secretId: credentials.secretId, secretKey: credentials.secretKey, ...(credentials.token ? { token: credentials.token } : {}) },
    region: config.region,
    profile: { httpProfile: { protocol, endpoint, reqTimeout: Math.ceil(config.upstreamAttemptTimeoutMs / 1000) + 1, ...(agent ? { agent } : {}) } },
  };
  const Client = loadSdkClient[service]();
  const client = new Client(clientConfig);
  if (client.apiVersion !== VERSIONS[service]) {
    // Guards against an SDK upgrade silently moving us to another API version.
    throw new Error(`tencentcloud-sdk-nodejs ${service} client speaks ${client.apiVersion}, expected ${VERSIONS[service]}`);
  }
  return {
    request: (action, params, options) => client.request(action, params, options ?? {}) as Promise<Record<string, unknown>>,
  };
}

const cache = new WeakMap<Config, TencentClients>();

/** The clients for a configuration, each created on first use and reused by warm invocations. */
export function tencentClients(config: Config): TencentClients {
  const cached = cache.get(config);
  if (cached) return cached;
  const created: Partial<TencentClients> = {};
  const clients: TencentClients = {
    get vod() {
      return (created.vod ??= createClient("vod", config));
    },
    get mps() {
      return (created.mps ??= createClient("mps", config));
    },
  };
  cache.set(config, clients);
  return clients;
}

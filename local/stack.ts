/**
 * The whole bundle running locally: the Tencent stand-in, the function handlers, and the API
 * Gateway in front of them. `npm start` and the end-to-end tests both use this.
 */

import { resolve } from "node:path";
import { DEV_SECRET_ID, DEV_SECRET_KEY } from "./dev-credentials";
import { readApiRoutes, startGateway, type RunningGateway, type ScfHandler } from "./gateway";
import { startTencentStandIn } from "./tencent/server";

/** The bearer token the local stack accepts when AIGC_API_TOKENS is not set. */
export const LOCAL_DEV_TOKEN = "local-dev-token";
/** The VOD application id used against the stand-in when AIGC_VOD_SUBAPPID is not set. */
export const LOCAL_SUBAPPID = "251007502";

export interface LocalStackOptions {
  /** "local" runs against the stand-in; "tencent" against the real APIs with real credentials. */
  target: "local" | "tencent";
  port?: number;
  standInPort?: number;
  handlers: Record<string, ScfHandler>;
  /** The process environment the handlers read their configuration from (mutated for local use). */
  env: NodeJS.ProcessEnv;
  serverlessYml?: string;
  log?: (line: Record<string, unknown>) => void;
}

export interface LocalStack {
  gateway: RunningGateway;
  standIn?: Awaited<ReturnType<typeof startTencentStandIn>>;
  token?: string;
  close(): Promise<void>;
}

/**
 * Prepares the environment for the chosen target and starts the stack. Against the stand-in the
 * development credentials, SubAppId and token are filled in; against Tencent nothing is invented.
 */
export async function startLocalStack(options: LocalStackOptions): Promise<LocalStack> {
  const env = options.env;
  let standIn: LocalStack["standIn"];
  if (options.target === "local") {
    standIn = await startTencentStandIn({ port: options.standInPort ?? 0, ...(options.log ? { log: options.log } : {}) });
    env.AIGC_VOD_ENDPOINT = standIn.url;
    env.AIGC_MPS_ENDPOINT = standIn.url;
    env.TENCENTCLOUD_SECRETID = DEV_SECRET_ID;
    env.TENCENTCLOUD_SECRETKEY = DEV_SECRET_KEY;
    delete env.TENCENTCLOUD_SESSIONTOKEN;
    env.AIGC_VOD_SUBAPPID ||= LOCAL_SUBAPPID;
    env.AIGC_API_TOKENS ||= LOCAL_DEV_TOKEN;
  } else {
    const missing = ["TENCENTCLOUD_SECRETID", "TENCENTCLOUD_SECRETKEY", "AIGC_VOD_SUBAPPID", "AIGC_API_TOKENS"].filter((name) => !env[name]);
    if (missing.length > 0) {
      throw new Error(`AIGC_TARGET=tencent needs ${missing.join(", ")}; real calls cost money, so nothing is defaulted`);
    }
  }
  const routes = readApiRoutes(options.serverlessYml ?? resolve(__dirname, "..", "serverless.yml"));
  const gateway = await startGateway({
    routes,
    handlers: options.handlers,
    port: options.port ?? 0,
    ...(options.log ? { log: options.log } : {}),
  });
  const token = env.AIGC_API_TOKENS === LOCAL_DEV_TOKEN ? LOCAL_DEV_TOKEN : undefined;
  return {
    gateway,
    ...(standIn ? { standIn } : {}),
    ...(token ? { token } : {}),
    close: async () => {
      await gateway.close();
      await standIn?.close();
    },
  };
}

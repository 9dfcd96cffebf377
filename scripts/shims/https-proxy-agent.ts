/**
 * Stands in for `https-proxy-agent` (5.x) inside function bundles. The Tencent SDK makes one only
 * when a proxy is configured (`httpProfile.proxy` or `http_proxy`), for a call without an agent of
 * its own; the real package and agent-base cost 7 KiB of every bundle for that.
 *
 * What it does is what https-proxy-agent does: the request's connection is a tunnel opened with
 * `CONNECT host:port` through the proxy (http:// or https://, with Basic credentials from the URL),
 * upgraded to TLS when the endpoint is https. It is built for the target on first use: the SDK
 * passes it to fetch, and scripts/shims/node-fetch.ts calls an agent that is a function with the
 * request's URL, as node-fetch does. One difference: when the proxy refuses the CONNECT (say 407),
 * the call fails with that status in its message, where https-proxy-agent handed the proxy's
 * answer over as if it were Tencent's; either way the failure is not retried without a SessionId.
 */

import type { Agent, ClientRequest, IncomingMessage } from "node:http";
import type { Socket } from "node:net";

type Connect = (options: Record<string, unknown>, done: (error: Error | null, socket?: Socket) => void) => void;

function tunnelAgent(proxy: URL, secureEndpoint: boolean): Agent {
  const http = require("node:http") as typeof import("node:http");
  const https = require("node:https") as typeof import("node:https");
  const agent = secureEndpoint ? new https.Agent({ keepAlive: false }) : new http.Agent({ keepAlive: false });
  const connect: Connect = (options, done) => {
    const host = String(options.host);
    const port = Number(options.port) || (secureEndpoint ? 443 : 80);
    const credentials = proxy.username ? `${decodeURIComponent(proxy.username)}:${decodeURIComponent(proxy.password)}` : undefined;
    const request: ClientRequest = (proxy.protocol === "https:" ? https : http).request({
      host: proxy.hostname.replace(/^\[|\]$/g, ""),
      port: Number(proxy.port) || (proxy.protocol === "https:" ? 443 : 80),
      method: "CONNECT",
      path: `${host}:${port}`,
      agent: false,
      headers: {
        host: port === (secureEndpoint ? 443 : 80) ? host : `${host}:${port}`,
        connection: "close",
        ...(credentials ? { "proxy-authorization": `Basic ${Buffer.from(credentials).toString("base64")}` } : {}),
      },
    });
    request.once("connect", (response: IncomingMessage, socket: Socket) => {
      if (response.statusCode !== 200) {
        socket.destroy();
        done(new Error(`the proxy answered ${response.statusCode} to CONNECT ${host}:${port}`));
        return;
      }
      if (!secureEndpoint) return done(null, socket);
      const tls = require("node:tls") as typeof import("node:tls");
      const servername = typeof options.servername === "string" && options.servername ? options.servername : host;
      done(null, tls.connect({ socket, servername, ...(options.rejectUnauthorized === false ? { rejectUnauthorized: false } : {}), ...(options.ca ? { ca: options.ca as string } : {}) }));
    });
    request.once("error", (error) => done(error));
    request.end();
  };
  // Node's agents accept a createConnection that answers through its callback.
  (agent as unknown as { createConnection: Connect }).createConnection = connect;
  return agent;
}

/**
 * `new HttpsProxyAgent(proxy)` as the SDK writes it: gives the function fetch calls with the
 * request's URL, which returns the tunnelling agent for that URL's protocol.
 */
export default function HttpsProxyAgent(proxy: string | URL): (url: URL) => Agent {
  const proxyUrl = new URL(String(proxy));
  const agents = new Map<boolean, Agent>();
  return (url: URL) => {
    const secure = url.protocol === "https:";
    let agent = agents.get(secure);
    if (!agent) agents.set(secure, (agent = tunnelAgent(proxyUrl, secure)));
    return agent;
  };
}

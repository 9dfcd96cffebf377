/**
 * One HTTP exchange of the COS client, on node:http/https with keep-alive agents.
 *
 * Not the global fetch: on Node 20, fetch (undici) leaves far more resident memory behind per
 * request. A bare loop of 4,000 PUTs, 16 at a time, to a local server ends at 137 MiB RSS with fetch
 * and 59 MiB with node:http; a tracker tick over 1,000 due tasks (about 4,000 ledger requests) went
 * from 44 to 152 MiB, over the 128 MB a tick may use (`npm run bench -- --section tracker-scale`).
 * What COS needs is small (a request, a buffer or a stream of known length, an abort signal, the
 * answer's stream), Node has it built in, and a client library (got, axios) would add its weight to
 * every function's bundle.
 */

import type { Agent, IncomingMessage, request as RequestFunction } from "node:http";
import type { Readable as ReadableType } from "node:stream";

const readable = () => (require("node:stream") as typeof import("node:stream")).Readable as typeof ReadableType;

/**
 * node:http and node:https (with TLS), loaded on the first COS request rather than at import: a
 * cold create instance answers a 401 or a 400 without them, and COS is what needs them.
 */
let transports: { http: { request: typeof RequestFunction; agent: Agent }; https: { request: typeof RequestFunction; agent: Agent } } | undefined;

function transport(secure: boolean): { request: typeof RequestFunction; agent: Agent } {
  if (!transports) {
    const http = require("node:http") as typeof import("node:http");
    const https = require("node:https") as typeof import("node:https");
    transports = {
      http: { request: http.request, agent: new http.Agent({ keepAlive: true }) },
      https: { request: https.request as typeof RequestFunction, agent: new https.Agent({ keepAlive: true }) },
    };
  }
  return secure ? transports.https : transports.http;
}

export interface HttpExchange {
  method: string;
  headers: Record<string, string>;
  body?: Buffer | ReadableStream<Uint8Array>;
  signal: AbortSignal;
}

export interface HttpAnswer {
  status: number;
  headers: Headers;
  /** The answer's body, unread. */
  body: IncomingMessage;
}

/** Sends one request and resolves once the answer's headers are in; rejects on a transport failure or the signal. */
export function exchange(url: string, init: HttpExchange): Promise<HttpAnswer> {
  const target = new URL(url);
  const secure = target.protocol === "https:";
  const headers: Record<string, string> = { ...init.headers };
  // node:http would send a buffer chunked without it, and COS wants the length of what it stores.
  if (Buffer.isBuffer(init.body)) headers["content-length"] = String(init.body.length);
  return new Promise<HttpAnswer>((resolve, reject) => {
    if (init.signal.aborted) {
      reject(init.signal.reason);
      return;
    }
    const { request: send, agent } = transport(secure);
    const request = send(target, { method: init.method, headers, agent }, (message) => {
      init.signal.removeEventListener("abort", onAbort);
      // A signal fired later (the caller's timeout over a streamed body) stops the body too.
      init.signal.addEventListener("abort", () => message.destroy(init.signal.reason as Error), { once: true });
      resolve({ status: message.statusCode ?? 0, headers: headersOf(message), body: message });
    });
    const onAbort = () => request.destroy(init.signal.reason as Error);
    init.signal.addEventListener("abort", onAbort, { once: true });
    request.on("error", (error) => {
      init.signal.removeEventListener("abort", onAbort);
      reject(error);
    });
    if (init.body === undefined) request.end();
    else if (Buffer.isBuffer(init.body)) request.end(init.body);
    else {
      const source = readable().fromWeb(init.body as import("node:stream/web").ReadableStream<Uint8Array>);
      source.on("error", (error) => request.destroy(error));
      // A request that fails (refused, aborted) stops reading the caller's stream too.
      request.once("error", () => source.destroy());
      source.pipe(request);
    }
  });
}

/** Reads an answer's whole body. */
export function readBody(message: IncomingMessage): Promise<Buffer> {
  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    message.on("data", (chunk: Buffer) => chunks.push(chunk));
    message.on("error", reject);
    message.on("end", () => resolve(Buffer.concat(chunks)));
  });
}

/** The answer's body as a web stream (what CosObjectStream hands out). */
export function webStream(message: IncomingMessage): ReadableStream<Uint8Array> {
  return readable().toWeb(message) as unknown as ReadableStream<Uint8Array>;
}

function headersOf(message: IncomingMessage): Headers {
  const headers = new Headers();
  const raw = message.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) headers.append(raw[i] as string, raw[i + 1] as string);
  return headers;
}

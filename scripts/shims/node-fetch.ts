/**
 * Stands in for `node-fetch` inside function bundles, where only the Tencent SDK imports it
 * (`tencentcloud/common/http/fetch.js`). node-fetch 2 pulls in whatwg-url and tr46 (a 254 KiB
 * Unicode table) to parse URLs that Node parses itself. This is the part of node-fetch the SDK
 * uses, on node:http/https `request`, which (unlike the global fetch) honours `agent`: the local
 * stand-in's agent keeps Tencent's Host header while connecting to 127.0.0.1.
 *
 * What callers can observe is node-fetch 2.7's, because shared/tencent/call.ts classifies failures
 * by it: the same error messages, `type`, `code` and `name` (FetchError, AbortError); `timeout`
 * covers the answer's headers and then, again, its body; an abort rejects the call or errors the
 * body; no agent means Node's global agent; gzip/deflate/br answers are decoded. Not supported,
 * because the SDK never asks for them: redirects (a 3xx is returned as is) and `size` limits.
 */

import type { Agent, IncomingMessage, OutgoingHttpHeaders } from "node:http";
import { PassThrough, Readable } from "node:stream";

export interface FetchOptions {
  method?: string;
  headers?: Record<string, string | number | undefined>;
  body?: string | Buffer | Readable | null;
  /** Milliseconds for the headers, then again for the body; 0 or absent means none. */
  timeout?: number;
  agent?: Agent | ((url: URL) => Agent);
  signal?: AbortSignal | null;
  /** Decode gzip/deflate/br answers (node-fetch's default: true). */
  compress?: boolean;
}

/** node-fetch's FetchError: `type` says what failed; system errors carry their `code` and `errno`. */
export class FetchError extends Error {
  override name = "FetchError";
  code?: string;
  errno?: string;
  constructor(
    message: string,
    readonly type: string,
    systemError?: NodeJS.ErrnoException,
  ) {
    super(message);
    if (systemError) this.code = this.errno = systemError.code;
  }
}

/** node-fetch's AbortError, raised when the caller's signal fires. */
export class AbortError extends Error {
  override name = "AbortError";
  readonly type = "aborted";
}

const USER_ABORTED = "The user aborted a request.";

/** The response headers, looked up case-insensitively as a fetch `Headers` is. */
export class ResponseHeaders {
  constructor(private readonly raw: IncomingMessage["headers"]) {}

  get(name: string): string | null {
    const value = this.raw[name.toLowerCase()];
    if (value === undefined) return null;
    return Array.isArray(value) ? value.join(", ") : value;
  }

  has(name: string): boolean {
    return this.raw[name.toLowerCase()] !== undefined;
  }
}

/** The part of node-fetch's Response the SDK reads: status, headers, json(), text() and the body stream. */
export class Response {
  readonly status: number;
  readonly statusText: string;
  readonly headers: ResponseHeaders;
  private consumed = false;

  constructor(
    readonly url: string,
    message: IncomingMessage,
    readonly body: Readable,
    private readonly timeout: number,
  ) {
    this.status = message.statusCode ?? 0;
    this.statusText = message.statusMessage ?? "";
    this.headers = new ResponseHeaders(message.headers);
  }

  get ok(): boolean {
    return this.status >= 200 && this.status < 300;
  }

  get bodyUsed(): boolean {
    return this.consumed;
  }

  /** The whole body, under the same `timeout` the headers had. */
  async buffer(): Promise<Buffer> {
    if (this.consumed) throw new TypeError(`body used already for: ${this.url}`);
    this.consumed = true;
    const body = this.body;
    return new Promise<Buffer>((resolve, reject) => {
      const chunks: Buffer[] = [];
      let timer: NodeJS.Timeout | undefined;
      if (this.timeout) {
        timer = setTimeout(() => {
          reject(new FetchError(`Response timeout while trying to fetch ${this.url} (over ${this.timeout}ms)`, "body-timeout"));
          body.destroy();
        }, this.timeout);
      }
      body.on("data", (chunk: Buffer) => chunks.push(chunk));
      body.on("error", (error: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        reject(error.name === "AbortError" ? error : new FetchError(`Invalid response body while trying to fetch ${this.url}: ${error.message}`, "system", error));
      });
      body.on("end", () => {
        clearTimeout(timer);
        resolve(Buffer.concat(chunks));
      });
    });
  }

  async text(): Promise<string> {
    return (await this.buffer()).toString();
  }

  async json(): Promise<any> {
    const text = await this.text();
    try {
      return JSON.parse(text);
    } catch (error) {
      throw new FetchError(`invalid json response body at ${this.url} reason: ${(error as Error).message}`, "invalid-json");
    }
  }
}

function decoded(message: IncomingMessage, method: string, compress: boolean): Readable {
  const body = message.pipe(new PassThrough());
  const coding = message.headers["content-encoding"];
  if (!compress || method === "HEAD" || coding === undefined || message.statusCode === 204 || message.statusCode === 304) return body;
  // Loaded here: Tencent answers uncompressed. Z_SYNC_FLUSH, as node-fetch and curl do, tolerates slightly truncated compressed answers.
  const zlib = require("node:zlib") as typeof import("node:zlib");
  const lenient = { flush: zlib.constants.Z_SYNC_FLUSH, finishFlush: zlib.constants.Z_SYNC_FLUSH };
  if (coding === "gzip" || coding === "x-gzip") return body.pipe(zlib.createGunzip(lenient));
  if (coding === "deflate" || coding === "x-deflate") return body.pipe(zlib.createUnzip(lenient));
  if (coding === "br") return body.pipe(zlib.createBrotliDecompress());
  return body;
}

/** Whether a header name is `lower` in any case (lengths first: most names are not the one asked about). */
function sameName(name: string, lower: string): boolean {
  return name.length === lower.length && name.toLowerCase() === lower;
}

function requestHeaders(options: FetchOptions, bodyBytes: number | undefined, method: string): OutgoingHttpHeaders {
  const headers: OutgoingHttpHeaders = {};
  let accept = false;
  let userAgent = false;
  let acceptEncoding = false;
  const given = options.headers ?? {};
  for (const name in given) {
    const value = given[name];
    if (value === undefined || !Object.prototype.hasOwnProperty.call(given, name)) continue;
    headers[name] = String(value);
    accept ||= sameName(name, "accept");
    userAgent ||= sameName(name, "user-agent");
    acceptEncoding ||= sameName(name, "accept-encoding");
  }
  if (!accept) headers["Accept"] = "*/*";
  if (bodyBytes !== undefined) headers["Content-Length"] = String(bodyBytes);
  else if (options.body == null && /^(POST|PUT)$/i.test(method)) headers["Content-Length"] = "0";
  if (!userAgent) headers["User-Agent"] = "node-fetch/1.0 (+https://github.com/bitinn/node-fetch)";
  if (options.compress !== false && !acceptEncoding) headers["Accept-Encoding"] = "gzip,deflate";
  return headers;
}

/** node:http request options for a URL, as urlToHttpOptions gives them. */
interface Target {
  protocol: "http:" | "https:";
  hostname: string;
  port?: number;
  path: string;
  auth?: string;
}

/**
 * Parsed request targets, by URL. The SDK asks for the same one or two endpoint URLs on every call;
 * parsing each afresh was a URL object and its options per request. Bounded, for callers that vary.
 */
const targets = new Map<string, Target>();
const TARGETS_MAX = 64;

function targetOf(url: string): Target {
  const cached = targets.get(url);
  if (cached) return cached;
  const parsed = new URL(url);
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") throw new TypeError("Only HTTP(S) protocols are supported");
  const target: Target = {
    protocol: parsed.protocol,
    // node:http wants an IPv6 literal without its brackets, as urlToHttpOptions gives it.
    hostname: parsed.hostname.startsWith("[") ? parsed.hostname.slice(1, -1) : parsed.hostname,
    ...(parsed.port ? { port: Number(parsed.port) } : {}),
    path: `${parsed.pathname}${parsed.search}`,
  };
  if (parsed.username || parsed.password) {
    // Never cached: it would keep the credentials.
    return { ...target, auth: `${decodeURIComponent(parsed.username)}:${decodeURIComponent(parsed.password)}` };
  }
  if (targets.size < TARGETS_MAX) targets.set(url, target);
  return target;
}

/** Sends one request the way node-fetch 2 does and resolves with its Response once the headers arrive. */
export default function fetch(url: string, options: FetchOptions = {}): Promise<Response> {
  return new Promise<Response>((resolve, reject) => {
    const target = targetOf(url);
    const method = (options.method ?? "GET").toUpperCase();
    const { body, signal } = options;
    const bodyBytes = typeof body === "string" ? Buffer.byteLength(body) : Buffer.isBuffer(body) ? body.length : undefined;
    const timeout = options.timeout ?? 0;
    let response: Response | undefined;

    const abort = () => {
      const error = new AbortError(USER_ABORTED);
      reject(error);
      if (body instanceof Readable) body.destroy(error);
      response?.body.destroy(error);
    };
    if (signal?.aborted) {
      abort();
      return;
    }

    const agent = typeof options.agent === "function" ? options.agent(new URL(url)) : options.agent;
    // Each module is loaded on first use: the local stand-in is plain http, Tencent https.
    const send = target.protocol === "https:" ? (require("node:https") as typeof import("node:https")).request : (require("node:http") as typeof import("node:http")).request;
    const req = send({
      ...target,
      method,
      headers: requestHeaders(options, bodyBytes, method),
      ...(agent ? { agent } : {}),
    });
    let timer: NodeJS.Timeout | undefined;
    const finalize = () => {
      req.destroy();
      signal?.removeEventListener("abort", abortAndFinalize);
      clearTimeout(timer);
    };
    function abortAndFinalize() {
      abort();
      finalize();
    }
    signal?.addEventListener("abort", abortAndFinalize);

    if (timeout) {
      req.once("socket", () => {
        timer = setTimeout(() => {
          reject(new FetchError(`network timeout at: ${url}`, "request-timeout"));
          finalize();
        }, timeout);
      });
    }

    req.on("error", (error: NodeJS.ErrnoException) => {
      reject(new FetchError(`request to ${url} failed, reason: ${error.message}`, "system", error));
      response?.body.destroy(error);
      finalize();
    });

    req.on("response", (message) => {
      clearTimeout(timer);
      message.once("end", () => signal?.removeEventListener("abort", abortAndFinalize));
      // A chunked answer whose connection closes before its last chunk fails instead of ending short
      // (node-fetch's fixResponseChunkedTransferBadEnding; other cut answers wait for the timeout, as there).
      const chunked = message.headers["transfer-encoding"] === "chunked" && !message.headers["content-length"];
      message.once("close", () => {
        if (chunked && !message.complete && !signal?.aborted) {
          const error: NodeJS.ErrnoException = new Error("Premature close");
          error.code = "ERR_STREAM_PREMATURE_CLOSE";
          response?.body.destroy(error);
        }
      });
      response = new Response(url, message, decoded(message, method, options.compress !== false), timeout);
      resolve(response);
    });

    if (body instanceof Readable) body.pipe(req);
    else req.end(body ?? undefined);
  });
}

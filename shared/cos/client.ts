/**
 * A small COS XML API client: the handful of object calls the functions need, on node:http(s)
 * (./http: not the global fetch, see there) and the pure signer in shared/signing/cos.ts.
 *
 * Why not cos-nodejs-sdk-v5: it would be bundled into every function that touches COS, and it
 * brings its request-era HTTP stack (request, xml2js, ...) for a surface of hundreds of calls,
 * while we need put/get/head/delete/list and presigned GET URLs. Here every request is signed by
 * code we test against Tencent's published vectors, and the same code talks to the local stand-in.
 *
 * Addressing: production requests are virtual-hosted (`https://<bucket>.cos.<region>.myqcloud.com
 * /<key>`); with `endpoint` (the local stand-in) they are path-style (`<endpoint>/<bucket>/<key>`).
 * Either way the signature covers the pathname `/<decoded key>` and the host actually sent, like
 * the official SDKs' ForcePathStyle.
 */
import { createHash } from "node:crypto";
import type { IncomingMessage } from "node:http";
import { cosEncode, cosObjectUrl, presignCosUrl, signCosRequest } from "../signing/cos";
import { CosError, cosErrorFromResponse, cosErrorFromTransport, xmlText } from "./errors";
import { exchange, readBody, webStream } from "./http";

export { CosError } from "./errors";

/** A bucket by its full name (with the appid, e.g. "aigc-1250000000") and its region. */
export interface CosBucketRef {
  bucket: string;
  region: string;
}

export interface CosClientOptions {
  credentials: { secretId: string; secretKey: string; token?: string };
  /** Base URL of a local stand-in (an origin, e.g. http://127.0.0.1:9100); requests then go path-style. */
  endpoint?: URL;
  /** Clock in unix ms, for signatures. */
  now?: () => number;
  /** Limit of one attempt, until the whole answer is read (until the headers, for getObjectStream). */
  timeoutMs?: number;
}

export interface PutObjectOptions {
  contentType?: string;
  /** Sent as `x-cos-meta-<name>`; names are HTTP tokens, values printable ASCII (encode anything else). */
  metadata?: Record<string, string>;
  /** Sends `x-cos-forbid-overwrite: true`: an existing key is left alone and the answer is `{ created: false }`. */
  forbidOverwrite?: boolean;
  /** Required with a stream body, because COS needs Content-Length on PUT Object. */
  contentLength?: number;
}

export type PutObjectResult = { created: true; etag: string } | { created: false };

export interface CosObjectHead {
  contentType?: string;
  /** As COS sends it: the quoted MD5 hex for a simple upload. */
  etag: string;
  size: number;
  /** `x-cos-meta-*` headers without the prefix; names lower-cased (HTTP headers have no case). */
  metadata: Record<string, string>;
  /** HTTP date. */
  lastModified?: string;
}

export interface CosObject extends CosObjectHead {
  body: Buffer;
}

export interface CosObjectStream {
  body: ReadableStream<Uint8Array>;
  contentType?: string;
  size: number;
  etag: string;
}

export interface CosListedObject {
  key: string;
  size: number;
  etag: string;
  /** ISO 8601. */
  lastModified: string;
}

export interface CosListResult {
  objects: CosListedObject[];
  /** With a delimiter: the key prefixes up to the delimiter that group the keys not listed one by one. */
  commonPrefixes: string[];
  /** Pass as `marker` to read the next page; set whenever `truncated`. */
  nextMarker?: string;
  truncated: boolean;
}

type Method = "GET" | "HEAD" | "PUT" | "DELETE";

interface CosRequest {
  method: Method;
  ref: CosBucketRef;
  /** Undefined for a request to the bucket itself (list). */
  key?: string;
  params?: Record<string, string>;
  /** Lower-case names; every one is signed. */
  headers?: Record<string, string>;
  body?: Buffer | ReadableStream<Uint8Array>;
  /** Safe to repeat after a failure whose outcome is unknown. */
  idempotent: boolean;
  /** Statuses that are answers, not failures (404 for reads, 409 for forbid-overwrite). */
  expected?: (status: number) => boolean;
  /** Leave the body unread and stop the timer once the headers are in. */
  stream?: boolean;
}

interface CosAnswer {
  status: number;
  headers: Headers;
  /** Read unless the request was a stream. */
  body: Buffer;
  /** A stream request's body, unread. */
  stream?: IncomingMessage;
  /** True when an earlier attempt of the same call failed in a way that may have applied it. */
  afterUncertainAttempt: boolean;
}

const MAX_ATTEMPTS = 3;
const BACKOFF_BASE_MS = 100;
const BACKOFF_CAP_MS = 1_000;
const DEFAULT_TIMEOUT_MS = 10_000;
/** Signatures start this early so a verifier whose clock is behind ours still accepts them. */
const CLOCK_SKEW_ALLOWANCE_S = 60;
/** Lifetime of a request signature; the request itself is bounded by timeoutMs. */
const REQUEST_SIGNATURE_LIFETIME_S = 900;
const BUCKET_NAME = /^[a-z0-9][a-z0-9-]*-\d+$/;
const REGION_NAME = /^[a-z]+(-[a-z0-9]+)+$/;
const HTTP_TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;

/** A COS client for object calls and presigned URLs; see the file comment for addressing. */
export class CosClient {
  private readonly credentials: CosClientOptions["credentials"];
  private readonly endpointOrigin: string | undefined;
  private readonly now: () => number;
  private readonly timeoutMs: number;

  constructor(options: CosClientOptions) {
    if (options.endpoint && options.endpoint.pathname !== "/") {
      throw new TypeError(`CosClient endpoint must be an origin such as http://127.0.0.1:9100, got ${options.endpoint.href}`);
    }
    this.credentials = options.credentials;
    this.endpointOrigin = options.endpoint?.origin;
    this.now = options.now ?? Date.now;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  }

  /** The unsigned URL of an object (its key percent-encoded). */
  objectUrl(ref: CosBucketRef, key: string): string {
    checkRef(ref);
    checkKey(key);
    return cosObjectUrl(this.bucketOrigin(ref), key);
  }

  /** A presigned GET URL valid for `expiresInSeconds`, with x-cos-security-token under temporary credentials. */
  presignGetUrl(ref: CosBucketRef, key: string, expiresInSeconds: number): string {
    checkRef(ref);
    checkKey(key);
    if (!Number.isInteger(expiresInSeconds) || expiresInSeconds <= 0) {
      throw new TypeError(`expiresInSeconds must be a positive integer, got ${expiresInSeconds}`);
    }
    const nowSeconds = Math.floor(this.now() / 1000);
    const signerOrigin = this.endpointOrigin ?? virtualHostOrigin(ref);
    // The signer takes the pathname from the URL; path-style URLs sign `/<key>` without the bucket
    // segment, so the bucket is put into the path after signing.
    const signed = presignCosUrl({
      secretId: this.credentials.secretId,
      secretKey: this.credentials.secretKey,
      ...(this.credentials.token !== undefined ? { securityToken: this.credentials.token } : {}),
      url: cosObjectUrl(signerOrigin, key),
      now: nowSeconds - CLOCK_SKEW_ALLOWANCE_S,
      expiresInSeconds: expiresInSeconds + CLOCK_SKEW_ALLOWANCE_S,
    });
    return this.endpointOrigin === undefined ? signed : `${this.bucketOrigin(ref)}${signed.slice(signerOrigin.length)}`;
  }

  /** PUT Object; with forbidOverwrite, `{ created: false }` when the key already exists. */
  async putObject(
    ref: CosBucketRef,
    key: string,
    body: Buffer | string | ReadableStream<Uint8Array>,
    options: PutObjectOptions = {},
  ): Promise<PutObjectResult> {
    const payload = typeof body === "string" ? Buffer.from(body, "utf8") : body;
    const streamed = !Buffer.isBuffer(payload);
    if (streamed && options.contentLength === undefined) {
      throw new TypeError("putObject with a stream body needs options.contentLength: COS requires Content-Length on PUT Object");
    }
    const headers: Record<string, string> = {
      "content-type": options.contentType ?? "application/octet-stream",
      ...metadataHeaders(options.metadata ?? {}),
    };
    if (streamed) headers["content-length"] = String(options.contentLength);
    if (options.forbidOverwrite) headers["x-cos-forbid-overwrite"] = "true";

    const answer = await this.send({
      method: "PUT",
      ref,
      key,
      headers,
      body: payload,
      // A stream cannot be replayed, so only a buffered body is sent twice.
      idempotent: !streamed,
      // COS answers 409 FileAlreadyExists to a forbid-overwrite PUT of an existing key; any 409 is
      // taken as that, since a simple PUT to an unversioned bucket has no other documented conflict.
      expected: (status) => options.forbidOverwrite === true && status === 409,
    });
    if (answer.status !== 409) return { created: true, etag: answer.headers.get("etag") ?? "" };
    if (answer.afterUncertainAttempt && Buffer.isBuffer(payload)) {
      // An earlier attempt may have written the object and lost its answer; if the stored object is
      // byte for byte ours, that attempt was the one that created it.
      const head = await this.headObject(ref, key);
      if (head && head.etag.replace(/"/g, "") === createHash("md5").update(payload).digest("hex")) {
        return { created: true, etag: head.etag };
      }
    }
    return { created: false };
  }

  /** GET Object, read into memory; undefined when the key does not exist. */
  async getObject(ref: CosBucketRef, key: string): Promise<CosObject | undefined> {
    const answer = await this.send({ method: "GET", ref, key, idempotent: true, expected: (status) => status === 404 });
    if (answer.status === 404) return absentKey(answer, `GET ${ref.bucket}/${key}`);
    return { ...headFrom(answer.headers, answer.body.length), body: answer.body };
  }

  /** GET Object as a stream (for large objects); undefined when the key does not exist. */
  async getObjectStream(ref: CosBucketRef, key: string): Promise<CosObjectStream | undefined> {
    const answer = await this.send({ method: "GET", ref, key, idempotent: true, expected: (status) => status === 404, stream: true });
    if (answer.status === 404) {
      const text = answer.stream ? await readBody(answer.stream) : answer.body;
      return absentKey({ ...answer, body: text }, `GET ${ref.bucket}/${key}`);
    }
    const head = headFrom(answer.headers, 0);
    return {
      body: answer.stream ? webStream(answer.stream) : new ReadableStream<Uint8Array>({ start: (controller) => controller.close() }),
      ...(head.contentType !== undefined ? { contentType: head.contentType } : {}),
      size: head.size,
      etag: head.etag,
    };
  }

  /** HEAD Object; undefined when the key does not exist. */
  async headObject(ref: CosBucketRef, key: string): Promise<CosObjectHead | undefined> {
    const answer = await this.send({ method: "HEAD", ref, key, idempotent: true, expected: (status) => status === 404 });
    // A HEAD answer has no body, so a missing bucket cannot be told from a missing key here.
    if (answer.status === 404) return undefined;
    return headFrom(answer.headers, 0);
  }

  /** DELETE Object; deleting a key that does not exist succeeds, as in COS. */
  async deleteObject(ref: CosBucketRef, key: string): Promise<void> {
    const answer = await this.send({ method: "DELETE", ref, key, idempotent: true, expected: (status) => status === 404 });
    if (answer.status === 404) absentKey(answer, `DELETE ${ref.bucket}/${key}`);
  }

  /** GET Bucket (list objects), one page of at most `maxKeys` (COS caps it at 1000). */
  async listObjects(ref: CosBucketRef, options: { prefix?: string; marker?: string; maxKeys?: number; delimiter?: string } = {}): Promise<CosListResult> {
    const params: Record<string, string> = {};
    if (options.prefix !== undefined) params["prefix"] = options.prefix;
    if (options.delimiter !== undefined) params["delimiter"] = options.delimiter;
    if (options.marker !== undefined) params["marker"] = options.marker;
    if (options.maxKeys !== undefined) params["max-keys"] = String(options.maxKeys);
    const answer = await this.send({ method: "GET", ref, params, idempotent: true });
    return parseListBucketResult(answer.body.toString("utf8"));
  }

  private bucketOrigin(ref: CosBucketRef): string {
    return this.endpointOrigin === undefined ? virtualHostOrigin(ref) : `${this.endpointOrigin}/${ref.bucket}`;
  }

  private async send(request: CosRequest): Promise<CosAnswer> {
    checkRef(request.ref);
    if (request.key !== undefined) checkKey(request.key);
    const what = `${request.method} ${request.ref.bucket}/${request.key ?? ""}`;
    let afterUncertainAttempt = false;
    for (let attempt = 1; ; attempt++) {
      let failure: CosError;
      try {
        const answer = await this.attempt(request, what);
        return { ...answer, afterUncertainAttempt };
      } catch (error) {
        if (!(error instanceof CosError)) throw error;
        failure = error;
      }
      if (!request.idempotent || !failure.retryable || attempt >= MAX_ATTEMPTS) throw failure;
      // 429 is refused before anything happens; a 5xx or a lost answer may have applied the call.
      if (failure.status !== 429) afterUncertainAttempt = true;
      await sleep(Math.random() * Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** attempt));
    }
  }

  private async attempt(request: CosRequest, what: string): Promise<Omit<CosAnswer, "afterUncertainAttempt">> {
    const query = Object.entries(request.params ?? {})
      .map(([name, value]) => `${cosEncode(name)}=${cosEncode(value)}`)
      .join("&");
    const base = request.key === undefined ? `${this.bucketOrigin(request.ref)}/` : cosObjectUrl(this.bucketOrigin(request.ref), request.key);
    const url = query === "" ? base : `${base}?${query}`;
    const headers: Record<string, string> = { ...(request.headers ?? {}) };
    const nowSeconds = Math.floor(this.now() / 1000);
    const { authorization } = signCosRequest({
      secretId: this.credentials.secretId,
      secretKey: this.credentials.secretKey,
      method: request.method,
      pathname: `/${request.key ?? ""}`,
      params: request.params ?? {},
      headers: { ...headers, host: new URL(url).host },
      keyTime: { start: nowSeconds - CLOCK_SKEW_ALLOWANCE_S, end: nowSeconds + REQUEST_SIGNATURE_LIFETIME_S },
    });
    headers["authorization"] = authorization;
    // COS does not sign the token; it travels beside the signature.
    if (this.credentials.token !== undefined) headers["x-cos-security-token"] = this.credentials.token;

    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, this.timeoutMs);
    try {
      const response = await exchange(url, {
        method: request.method,
        headers,
        ...(request.body !== undefined ? { body: typeof request.body === "string" ? Buffer.from(request.body, "utf8") : request.body } : {}),
        signal: controller.signal,
      });
      const ok = (response.status >= 200 && response.status < 300) || (request.expected?.(response.status) ?? false);
      if (ok && request.stream) {
        clearTimeout(timer);
        return { status: response.status, headers: response.headers, body: Buffer.alloc(0), stream: response.body };
      }
      const body = await readBody(response.body);
      if (!ok) throw cosErrorFromResponse(what, response.status, body.toString("utf8"), response.headers.get("x-cos-request-id") ?? undefined);
      return { status: response.status, headers: response.headers, body };
    } catch (error) {
      if (error instanceof CosError) throw error;
      throw cosErrorFromTransport(what, error, timedOut);
    } finally {
      clearTimeout(timer);
    }
  }
}

function virtualHostOrigin(ref: CosBucketRef): string {
  return `https://${ref.bucket}.cos.${ref.region}.myqcloud.com`;
}

function checkRef(ref: CosBucketRef): void {
  // Both end up in a host name; anything else would address another host.
  if (!BUCKET_NAME.test(ref.bucket)) throw new TypeError(`COS bucket must be a full name with its appid such as aigc-1250000000, got "${ref.bucket}"`);
  if (!REGION_NAME.test(ref.region)) throw new TypeError(`COS region must look like ap-guangzhou, got "${ref.region}"`);
}

function checkKey(key: string): void {
  if (key === "" || key.startsWith("/")) throw new TypeError(`COS object key must be non-empty and not start with '/', got "${key}"`);
  // The URL parser resolves "." and ".." segments (even percent-encoded), so such a request
  // would reach another key.
  if (key.split("/").some((segment) => segment === "." || segment === "..")) {
    throw new TypeError(`COS object key must not have "." or ".." path segments, got "${key}"`);
  }
}

function metadataHeaders(metadata: Record<string, string>): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(metadata)) {
    // Header values are bytes: a non-ASCII value would be mangled or refused on the way.
    if (!HTTP_TOKEN.test(name)) throw new TypeError(`COS metadata name must be an HTTP token, got "${name}"`);
    if (!PRINTABLE_ASCII.test(value)) throw new TypeError(`COS metadata value of "${name}" must be printable ASCII; percent-encode it first`);
    headers[`x-cos-meta-${name.toLowerCase()}`] = value;
  }
  return headers;
}

function headFrom(headers: Headers, bodyLength: number): CosObjectHead {
  const metadata: Record<string, string> = {};
  headers.forEach((value, name) => {
    if (name.startsWith("x-cos-meta-")) metadata[name.slice("x-cos-meta-".length)] = value;
  });
  const contentType = headers.get("content-type");
  const lastModified = headers.get("last-modified");
  const length = headers.get("content-length");
  return {
    ...(contentType !== null ? { contentType } : {}),
    etag: headers.get("etag") ?? "",
    size: length !== null && /^\d+$/.test(length) ? Number(length) : bodyLength,
    metadata,
    ...(lastModified !== null ? { lastModified } : {}),
  };
}

/** A 404 that means "no such key" is an answer; any other (no such bucket) is a misconfiguration. */
function absentKey(answer: Pick<CosAnswer, "status" | "headers" | "body">, what: string): undefined {
  const text = answer.body.toString("utf8");
  const code = xmlText(text, "Code");
  if (code === undefined || code === "NoSuchKey") return undefined;
  throw cosErrorFromResponse(what, answer.status, text, answer.headers.get("x-cos-request-id") ?? undefined);
}

function parseListBucketResult(xml: string): CosListResult {
  const objects: CosListedObject[] = [];
  for (const match of xml.matchAll(/<Contents>([\s\S]*?)<\/Contents>/g)) {
    const entry = match[1] ?? "";
    objects.push({
      key: xmlText(entry, "Key") ?? "",
      size: Number(xmlText(entry, "Size") ?? 0),
      etag: xmlText(entry, "ETag") ?? "",
      lastModified: xmlText(entry, "LastModified") ?? "",
    });
  }
  const commonPrefixes = [...xml.matchAll(/<CommonPrefixes>([\s\S]*?)<\/CommonPrefixes>/g)].map((match) => xmlText(match[1] ?? "", "Prefix") ?? "");
  const truncated = xmlText(xml, "IsTruncated") === "true";
  // COS sends NextMarker on a truncated page; the last key is the documented fallback.
  const nextMarker = truncated ? xmlText(xml, "NextMarker") || objects[objects.length - 1]?.key : undefined;
  return { objects, commonPrefixes, truncated, ...(nextMarker !== undefined ? { nextMarker } : {}) };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

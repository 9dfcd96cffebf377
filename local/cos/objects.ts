// The COS stand-in's object and bucket routes: PUT (simple and copy), GET/HEAD with Range,
// DELETE, DELETE Multiple Objects and GET Bucket (list, with a delimiter).
import { createHash } from "node:crypto";
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from "node:http";
import { pipeline } from "node:stream/promises";
import type { ObjectCreatedEventName } from "./events";
import { commonHeaders, drain, headerText, readSmallBody, safeDecode, sendEmpty, sendXml, type RequestContext } from "./http";
import type { MultipartStore } from "./multipart-store";
import type { ObjectAttributes, ObjectStore, StoredObject } from "./store";
import { CosApiError, copyResultXml, deleteResultXml, listBucketXml, type ListPage } from "./xml";
import { parseDeleteRequest } from "./xml-requests";

/** What the routes need from the stand-in that runs them. */
export interface CosRouteDeps {
  store: ObjectStore;
  uploads: MultipartStore;
  /** The one region served. */
  region: string;
  clock: () => number;
  bucketExists(bucket: string): boolean;
  /** Queues the trigger deliveries of an object creation, to start once the answer is out. */
  fireObjectCreated(eventName: ObjectCreatedEventName, object: StoredObject, contentType: string, req: IncomingMessage, res: ServerResponse): void;
}

/** Standard headers COS keeps with an object and answers on HEAD and GET. */
const STORED_HEADERS = ["cache-control", "content-disposition", "content-encoding", "content-language", "expires"];
/** Presigned GET parameters that override answer headers. */
const RESPONSE_OVERRIDES: ReadonlyArray<[param: string, header: string]> = [
  ["response-content-type", "content-type"],
  ["response-content-language", "content-language"],
  ["response-expires", "expires"],
  ["response-cache-control", "cache-control"],
  ["response-content-disposition", "content-disposition"],
  ["response-content-encoding", "content-encoding"],
];
const MAX_KEYS_LIMIT = 1000;
/** COS's limits for DELETE Multiple Objects: 1,000 keys, and a body of a few hundred KB at most. */
const DELETE_MAX_KEYS = 1000;
const XML_BODY_LIMIT = 2 * 1024 * 1024;

/** PUT Object, or PUT Object - Copy when x-cos-copy-source is set. */
export async function serveObjectWrite(deps: CosRouteDeps, req: IncomingMessage, res: ServerResponse, bucket: string, key: string, context: RequestContext): Promise<void> {
  const forbidOverwrite = headerText(req.headers, "x-cos-forbid-overwrite")?.toLowerCase() === "true";
  const write = { forbidOverwrite, nowMs: deps.clock(), requestId: context.requestId };
  const copySource = headerText(req.headers, "x-cos-copy-source");
  if (copySource === undefined) {
    const contentMd5 = headerText(req.headers, "content-md5");
    const outcome = await deps.store.put(bucket, key, req, attributesFrom(req.headers), { ...write, ...(contentMd5 !== undefined ? { contentMd5 } : {}) });
    if (outcome.outcome === "bad-digest") throw badDigest();
    if (outcome.outcome !== "created") throw alreadyExists();
    sendEmpty(res, 200, context, { etag: outcome.object.etag });
    deps.fireObjectCreated("cos:ObjectCreated:Put", outcome.object, headerText(req.headers, "content-type") ?? "", req, res);
    return;
  }

  const source = parseCopySource(copySource);
  if (!deps.bucketExists(source.bucket)) throw new CosApiError(404, "NoSuchBucket", "The specified source bucket does not exist.");
  const directive = headerText(req.headers, "x-cos-metadata-directive") ?? "Copy";
  if (directive !== "Copy" && directive !== "Replaced") {
    throw new CosApiError(400, "InvalidArgument", "x-cos-metadata-directive must be Copy or Replaced.");
  }
  await drain(req);
  const outcome = await deps.store.copy(source, bucket, key, directive === "Replaced" ? attributesFrom(req.headers) : undefined, write);
  if (outcome.outcome === "no-such-source") throw new CosApiError(404, "NoSuchKey", "The specified copy source does not exist.");
  if (outcome.outcome !== "created") throw alreadyExists();
  sendXml(res, 200, context, copyResultXml(outcome.object), { etag: outcome.object.etag });
  deps.fireObjectCreated("cos:ObjectCreated:Copy", outcome.object, headerText(req.headers, "content-type") ?? "", req, res);
}

/** GET and HEAD Object: the body (or a `Range` of it, 206) with the metadata set on upload. */
export async function serveObjectRead(deps: CosRouteDeps, req: IncomingMessage, res: ServerResponse, bucket: string, key: string, params: Record<string, string>, context: RequestContext): Promise<void> {
  const opened = await deps.store.openForRead(bucket, key);
  if (!opened) throw new CosApiError(404, "NoSuchKey", "The specified key does not exist.");
  const { object, file } = opened;
  try {
    const range = parseRange(headerText(req.headers, "range"), object.size);
    if (range === "unsatisfiable") {
      throw new CosApiError(416, "InvalidRange", "The requested range is not satisfiable.", { "content-range": `bytes */${object.size}` });
    }
    const headers: Record<string, string> = {
      "content-type": object.contentType,
      "content-length": String(range ? range.end - range.start + 1 : object.size),
      "accept-ranges": "bytes",
      etag: object.etag,
      "last-modified": new Date(object.lastModified).toUTCString(),
      ...(object.headers ?? {}),
      ...(range ? { "content-range": `bytes ${range.start}-${range.end}/${object.size}` } : {}),
    };
    for (const [name, value] of Object.entries(object.metadata)) headers[`x-cos-meta-${name}`] = value;
    for (const [param, header] of RESPONSE_OVERRIDES) {
      if (params[param] !== undefined) headers[header] = params[param];
    }
    const status = range ? 206 : 200;
    context.logAnswer(status);
    res.writeHead(status, { ...commonHeaders(context), ...headers });
    if (req.method === "HEAD" || object.size === 0) {
      res.end();
      return;
    }
    await pipeline(file.createReadStream({ autoClose: false, ...(range ? { start: range.start, end: range.end } : {}) }), res);
  } finally {
    await file.close();
  }
}

/**
 * The byte range a `Range` header asks for, as COS reads it: one `bytes=` range (first-last,
 * first-, or -suffix length); anything else is ignored (the whole object, 200), and a range
 * starting past the end cannot be satisfied (416).
 */
export function parseRange(header: string | undefined, size: number): { start: number; end: number } | "unsatisfiable" | undefined {
  const match = header === undefined ? null : /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!match || (match[1] === "" && match[2] === "")) return undefined;
  const [first, last] = [match[1] ?? "", match[2] ?? ""];
  if (first === "") {
    const suffix = Number(last);
    return suffix === 0 || size === 0 ? "unsatisfiable" : { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(first);
  if (last !== "" && Number(last) < start) return undefined;
  if (start >= size) return "unsatisfiable";
  return { start, end: last === "" ? size - 1 : Math.min(Number(last), size - 1) };
}

/** DELETE Object: 204 whether or not the key existed. */
export async function serveObjectDelete(deps: CosRouteDeps, req: IncomingMessage, res: ServerResponse, bucket: string, key: string, context: RequestContext): Promise<void> {
  await drain(req);
  await deps.store.delete(bucket, key);
  sendEmpty(res, 204, context);
}

/** POST /?delete (DELETE Multiple Objects): every key is deleted, a missing one too, as COS does. */
export async function serveDeleteMultiple(deps: CosRouteDeps, req: IncomingMessage, res: ServerResponse, bucket: string, context: RequestContext): Promise<void> {
  const body = await readSmallBody(req, XML_BODY_LIMIT);
  const contentMd5 = headerText(req.headers, "content-md5");
  if (contentMd5 !== undefined && contentMd5 !== createHash("md5").update(body).digest("base64")) throw badDigest();
  const { quiet, keys } = parseDeleteRequest(body);
  if (keys.length > DELETE_MAX_KEYS) throw new CosApiError(400, "MalformedXML", `At most ${DELETE_MAX_KEYS} objects can be deleted in one request.`);
  for (const key of keys) await deps.store.delete(bucket, key);
  sendXml(res, 200, context, deleteResultXml(quiet ? [] : keys, []));
}

/** GET Bucket (List Objects): prefix, marker, max-keys, delimiter (CommonPrefixes) and encoding-type. */
export async function serveList(deps: CosRouteDeps, res: ServerResponse, bucket: string, params: Record<string, string>, context: RequestContext): Promise<void> {
  const window = { ...(params["prefix"] ? { prefix: params["prefix"] } : {}), ...(params["marker"] ? { marker: params["marker"] } : {}), ...(params["delimiter"] ? { delimiter: params["delimiter"] } : {}), maxKeys: readLimit(params, "max-keys", MAX_KEYS_LIMIT) };
  sendXml(res, 200, context, listBucketXml(listPage(bucket, await deps.store.list(bucket, window), params)));
}

/** One page of a listing from every object of the bucket, ordered by key bytes. */
export function listPage(bucket: string, objects: StoredObject[], params: Record<string, string>): ListPage {
  const prefix = params["prefix"] ?? "";
  const marker = params["marker"] ?? "";
  const delimiter = params["delimiter"];
  const encodingType = readEncodingType(params);
  const maxKeys = readLimit(params, "max-keys", MAX_KEYS_LIMIT);
  const entries = groupByDelimiter(objects.map((object) => ({ key: object.key, item: object })), prefix, marker, delimiter);
  const page = entries.slice(0, maxKeys);
  const truncated = entries.length > page.length;
  const last = page[page.length - 1];
  return {
    bucket,
    prefix,
    marker,
    maxKeys,
    ...(delimiter !== undefined ? { delimiter } : {}),
    ...(encodingType ? { encodingType } : {}),
    objects: page.flatMap((entry) => ("item" in entry ? [entry.item] : [])),
    commonPrefixes: page.flatMap((entry) => ("prefix" in entry ? [entry.prefix] : [])),
    truncated,
    ...(truncated && last ? { nextMarker: "item" in last ? last.key : last.prefix } : {}),
  };
}

/**
 * Keys after `marker` under `prefix`, with every run of keys that share `prefix` + text up to the
 * next `delimiter` folded into one common prefix (a common prefix the marker already reached is
 * left out). An empty or absent delimiter folds nothing. `items` must be ordered by key bytes.
 */
export function groupByDelimiter<T>(items: Array<{ key: string; item: T }>, prefix: string, marker: string, delimiter: string | undefined): Array<{ key: string; item: T } | { prefix: string }> {
  const markerBytes = Buffer.from(marker, "utf8");
  const after = (text: string) => Buffer.compare(Buffer.from(text, "utf8"), markerBytes) > 0;
  const entries: Array<{ key: string; item: T } | { prefix: string }> = [];
  let lastPrefix: string | undefined;
  for (const entry of items) {
    if (!entry.key.startsWith(prefix) || !after(entry.key)) continue;
    const cut = delimiter ? entry.key.indexOf(delimiter, prefix.length) : -1;
    if (cut < 0) {
      entries.push(entry);
      continue;
    }
    const common = entry.key.slice(0, cut + (delimiter ?? "").length);
    if (common === lastPrefix || !after(common)) continue;
    lastPrefix = common;
    entries.push({ prefix: common });
  }
  return entries;
}

/** `encoding-type`: only `url` exists. */
export function readEncodingType(params: Record<string, string>): "url" | undefined {
  const value = params["encoding-type"];
  if (value === undefined || value === "") return undefined;
  if (value !== "url") throw new CosApiError(400, "InvalidArgument", "encoding-type can only be url.");
  return "url";
}

/** A list size parameter (max-keys, max-uploads, max-parts): 0..1000, default 1000. */
export function readLimit(params: Record<string, string>, name: string, limit: number): number {
  const text = params[name] ?? String(limit);
  if (!/^\d+$/.test(text)) throw new CosApiError(400, "InvalidArgument", `${name} must be an integer from 0 to ${limit}.`);
  return Math.min(Number(text), limit);
}

/** Content-Type, x-cos-meta-* and the standard headers of an upload, as the object keeps them. */
export function attributesFrom(headers: IncomingHttpHeaders): ObjectAttributes {
  const metadata: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (name.startsWith("x-cos-meta-") && value !== undefined) metadata[name.slice("x-cos-meta-".length)] = Array.isArray(value) ? value.join(",") : value;
  }
  const stored: Record<string, string> = {};
  for (const name of STORED_HEADERS) {
    const value = headerText(headers, name);
    if (value) stored[name] = value;
  }
  // The SDK's multipart initiation sends an empty Content-Type when it has none.
  return { contentType: headerText(headers, "content-type") || "application/octet-stream", metadata, ...(Object.keys(stored).length > 0 ? { headers: stored } : {}) };
}

/** 400 BadDigest: the body does not match its Content-MD5. */
export function badDigest(): CosApiError {
  return new CosApiError(400, "BadDigest", "The Content-MD5 you specified did not match what was received.");
}

/** 409 FileAlreadyExists: x-cos-forbid-overwrite and the key exists. */
export function alreadyExists(): CosApiError {
  return new CosApiError(409, "FileAlreadyExists", "The object already exists and x-cos-forbid-overwrite is true.");
}

function parseCopySource(value: string): { bucket: string; key: string } {
  // COS documents `<bucket>.cos.<region>.myqcloud.com/<encoded key>`; `/<bucket>/<key>` is taken too.
  const target = value.replace(/^https?:\/\//, "").split("?", 1)[0] ?? "";
  const hosted = /^([a-z0-9][a-z0-9-]*-\d+)\.cos\.[a-z0-9-]+\.myqcloud\.com\/(.+)$/.exec(target);
  const pathStyle = /^\/?([a-z0-9][a-z0-9-]*-\d+)\/(.+)$/.exec(target);
  const match = hosted ?? pathStyle;
  const key = match?.[2] === undefined ? undefined : safeDecode(match[2]);
  if (!match?.[1] || key === undefined) {
    throw new CosApiError(400, "InvalidArgument", "x-cos-copy-source must be <bucket>.cos.<region>.myqcloud.com/<url-encoded key>.");
  }
  return { bucket: match[1], key };
}

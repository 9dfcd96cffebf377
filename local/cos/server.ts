// A local stand-in for COS's XML API: objects on disk, real COS signatures checked, COS's error
// XML, and the SCF COS trigger played asynchronously after each object creation.
//
// Addressing: a Host of `<bucket>.cos.<region>.myqcloud.com` is virtual-hosted as in production
// (the key is the whole path); any other Host is path-style, `/<bucket>/<key>`. Either way the
// signature is checked over `/<key>`, like the official SDKs' ForcePathStyle.
//
// Buckets: with `buckets` set, only those exist (anything else is NoSuchBucket); without it every
// well-formed full name (`<name>-<appid>`) exists and starts out empty. The stand-in serves one
// region; a virtual-hosted request naming another region finds no bucket.
import { randomBytes, timingSafeEqual } from "node:crypto";
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { pipeline } from "node:stream/promises";
import { verifyCosAuthorization, type CosFailure } from "../../shared/signing/cos";
import { DEV_SECRET_ID, DEV_SECRET_KEY } from "../dev-credentials";
import { DeliveryQueue, type CosDelivery, type Invoke } from "./deliveries";
import { buildCosEvent, triggerMatches, type CosTrigger, type ObjectCreatedEventName } from "./events";
import { CosFaultQueue, faultCode, type CosFault } from "./faults";
import { BUCKET_NAME, ObjectStore, type ObjectAttributes, type StoredObject } from "./store";
import { CosApiError, copyResultXml, errorXml, listBucketXml } from "./xml";

export type { CosDelivery, DeliveryAttempt } from "./deliveries";
export type { CosEvent, CosEventRecord, CosTrigger } from "./events";
export type { CosFault } from "./faults";

export interface CosStandInCredential {
  secretId: string;
  secretKey: string;
  /** When set, the pair is a temporary credential and x-cos-security-token must carry this token. */
  token?: string;
}

export interface CosStandInOptions {
  /** Where objects live, e.g. `.local-data/cos`; a new stand-in over the same directory sees the same objects. */
  dataDir: string;
  /** 0 (the default) picks a free port. */
  port?: number;
  host?: string;
  /** The one region served; default ap-guangzhou. */
  region?: string;
  /** Full bucket names that exist; default: every well-formed name. */
  buckets?: string[];
  /** Default: the dev credentials of local/dev-credentials.ts. */
  credentials?: CosStandInCredential[];
  triggers?: CosTrigger[];
  /** Runs a function for a trigger; a rejection counts as a failed invocation. Required with triggers. */
  invoke?: Invoke;
  /** Retries of a failed invocation, as SCF does for async invocations; default 2. */
  retries?: number;
  /** Delay before each retry; default 1000 ms (SCF waits about a minute). */
  retryDelayMs?: number;
  /** Delivers each event this many extra times, to test at-least-once handling; default 0. */
  duplicateDeliveries?: number;
  /** `cosBucket.region` and `eventQueue` as Tencent's samples show them ("gz") or the full region; default short. */
  eventRegionFormat?: "short" | "full";
  /** Clock in unix ms (signature times, Last-Modified, event times). */
  now?: () => number;
  /** Receives one object per request (as its answer goes out) and per delivery attempt; never a signature or token. */
  log?: (line: Record<string, unknown>) => void;
}

/** An object as the stand-in holds it. */
export type CosStandInObject = Omit<StoredObject, "dataFile" | "requestId">;

export interface CosStandIn {
  /** http://host:port, the `endpoint` for CosClient (path-style). */
  url: string;
  port: number;
  close(): Promise<void>;
  /** Every event delivery and its attempts, oldest first. */
  deliveries(): CosDelivery[];
  objects(bucket?: string): CosStandInObject[];
  /** Resolves once every pending delivery, retries included, has finished. */
  flushDeliveries(): Promise<void>;
  /** Deletes every object and forgets every delivery (cancelling pending retries) and every pending fault. */
  reset(): void;
  /** Makes the next matching request(s) fail; see local/cos/faults.ts. */
  injectFault(fault: CosFault): void;
  clearFaults(): void;
}

interface RequestContext {
  requestId: string;
  /** Writes the request's log line; called as the answer's head goes out, so the line exists before the client has it. */
  logAnswer: (status: number) => void;
  method: string;
  addressing?: "virtual-hosted" | "path-style";
  bucket?: string;
  region?: string;
  key?: string;
  secretId?: string;
  code?: string;
}

const VIRTUAL_HOST = /^([a-z0-9][a-z0-9-]*-\d+)\.cos\.([a-z0-9-]+)\.myqcloud\.com(?::\d+)?$/;
const REGION = /^[a-z]+(-[a-z0-9]+)+$/;
/** Sub-resources and list options COS has that the stand-in does not play. */
const UNSUPPORTED_PARAMS = new Set([
  "acl", "cors", "delete", "domain", "encoding-type", "delimiter", "inventory", "lifecycle", "logging", "notification",
  "partNumber", "policy", "referer", "replication", "restore", "select", "tagging", "uploadId", "uploads", "versionId",
  "versioning", "versions", "website", "append", "position",
]);
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

/** Starts the COS stand-in; resolves once it listens. */
export async function startCosStandIn(options: CosStandInOptions): Promise<CosStandIn> {
  const region = options.region ?? "ap-guangzhou";
  if (!REGION.test(region)) throw new Error(`region must look like ap-guangzhou, got "${region}"`);
  const triggers = options.triggers ?? [];
  if (triggers.length > 0 && options.invoke === undefined) throw new Error("startCosStandIn: triggers need an invoke function");
  for (const bucket of options.buckets ?? []) {
    if (!BUCKET_NAME.test(bucket)) throw new Error(`bucket "${bucket}" is not a full COS bucket name such as aigc-1250000000`);
  }
  const allowedBuckets = options.buckets ? new Set(options.buckets) : undefined;
  const credentials = new Map(
    (options.credentials ?? [{ secretId: DEV_SECRET_ID, secretKey: DEV_SECRET_KEY }]).map((credential) => [credential.secretId, credential]),
  );
  const clock = options.now ?? Date.now;
  const log = options.log ?? (() => {});
  const duplicates = options.duplicateDeliveries ?? 0;
  const eventRegionFormat = options.eventRegionFormat ?? "short";
  const store = new ObjectStore(options.dataDir);
  const faults = new CosFaultQueue();
  const queue = new DeliveryQueue({
    invoke: options.invoke ?? (async () => undefined),
    retries: options.retries ?? 2,
    retryDelayMs: options.retryDelayMs ?? 1_000,
    now: clock,
    log,
  });

  function bucketExists(bucket: string): boolean {
    return BUCKET_NAME.test(bucket) && (allowedBuckets === undefined || allowedBuckets.has(bucket));
  }

  function authenticate(req: IncomingMessage, objectPath: string, query: string, context: RequestContext): void {
    const verification = verifyCosAuthorization({
      method: req.method ?? "",
      url: query === "" ? objectPath : `${objectPath}?${query}`,
      headers: req.headers,
      lookupSecretKey: (secretId) => credentials.get(secretId)?.secretKey,
      now: Math.floor(clock() / 1000),
    });
    if (!verification.ok) {
      if (verification.secretId !== undefined) context.secretId = verification.secretId;
      throw authenticationError(verification.reason);
    }
    context.secretId = verification.secretId;
    const expectedToken = credentials.get(verification.secretId)?.token;
    if (expectedToken !== undefined && !sameText(expectedToken, verification.securityToken ?? "")) {
      throw new CosApiError(403, "AccessDenied", "The x-cos-security-token is missing or does not belong to this SecretId.");
    }
  }

  /** Queues the trigger deliveries of an object creation, to start once the answer is out. */
  function fireObjectCreated(eventName: ObjectCreatedEventName, object: StoredObject, req: IncomingMessage, res: ServerResponse): void {
    const matching = triggers.filter((trigger) => triggerMatches(trigger, object.bucket, eventName, object.key));
    if (matching.length === 0) return;
    const answered = new Promise<void>((resolve) => {
      res.once("finish", () => resolve());
      res.once("close", () => resolve());
    });
    const creation = {
      bucket: object.bucket,
      region,
      key: object.key,
      size: object.size,
      eventName,
      requestId: object.requestId,
      contentType: headerText(req.headers, "content-type") ?? "",
      metadata: object.metadata,
      sourceIp: (req.socket.remoteAddress ?? "").replace(/^::ffff:/, ""),
      eventTime: Math.floor(clock() / 1000),
    };
    for (const trigger of matching) {
      const event = buildCosEvent(creation, trigger.functionName, eventRegionFormat);
      for (let copy = 0; copy <= duplicates; copy++) {
        queue.enqueue({ functionName: trigger.functionName, bucket: object.bucket, key: object.key, eventName, copy, event }, answered);
      }
    }
  }

  async function serveObjectWrite(req: IncomingMessage, res: ServerResponse, bucket: string, key: string, context: RequestContext): Promise<void> {
    const forbidOverwrite = headerText(req.headers, "x-cos-forbid-overwrite")?.toLowerCase() === "true";
    const write = { forbidOverwrite, nowMs: clock(), requestId: context.requestId };
    const copySource = headerText(req.headers, "x-cos-copy-source");
    if (copySource === undefined) {
      const contentMd5 = headerText(req.headers, "content-md5");
      const outcome = await store.put(bucket, key, req, attributesFrom(req.headers), { ...write, ...(contentMd5 !== undefined ? { contentMd5 } : {}) });
      if (outcome.outcome === "bad-digest") throw new CosApiError(400, "BadDigest", "The Content-MD5 you specified did not match what was received.");
      if (outcome.outcome !== "created") throw alreadyExists();
      sendEmpty(res, 200, context, { etag: outcome.object.etag });
      fireObjectCreated("cos:ObjectCreated:Put", outcome.object, req, res);
      return;
    }

    const source = parseCopySource(copySource);
    if (!bucketExists(source.bucket)) throw new CosApiError(404, "NoSuchBucket", "The specified source bucket does not exist.");
    const directive = headerText(req.headers, "x-cos-metadata-directive") ?? "Copy";
    if (directive !== "Copy" && directive !== "Replaced") {
      throw new CosApiError(400, "InvalidArgument", "x-cos-metadata-directive must be Copy or Replaced.");
    }
    await drain(req);
    const outcome = await store.copy(source, bucket, key, directive === "Replaced" ? attributesFrom(req.headers) : undefined, write);
    if (outcome.outcome === "no-such-source") throw new CosApiError(404, "NoSuchKey", "The specified copy source does not exist.");
    if (outcome.outcome !== "created") throw alreadyExists();
    sendXml(res, 200, context, copyResultXml(outcome.object), { etag: outcome.object.etag });
    fireObjectCreated("cos:ObjectCreated:Copy", outcome.object, req, res);
  }

  async function serveObjectRead(req: IncomingMessage, res: ServerResponse, bucket: string, key: string, params: Record<string, string>, context: RequestContext): Promise<void> {
    const opened = await store.openForRead(bucket, key);
    if (!opened) throw new CosApiError(404, "NoSuchKey", "The specified key does not exist.");
    const { object, file } = opened;
    try {
      const headers: Record<string, string> = {
        "content-type": object.contentType,
        "content-length": String(object.size),
        etag: object.etag,
        "last-modified": new Date(object.lastModified).toUTCString(),
      };
      for (const [name, value] of Object.entries(object.metadata)) headers[`x-cos-meta-${name}`] = value;
      for (const [param, header] of RESPONSE_OVERRIDES) {
        if (params[param] !== undefined) headers[header] = params[param];
      }
      context.logAnswer(200);
      res.writeHead(200, { ...commonHeaders(context), ...headers });
      if (req.method === "HEAD") {
        res.end();
        return;
      }
      await pipeline(file.createReadStream({ autoClose: false }), res);
    } finally {
      await file.close();
    }
  }

  async function serveList(res: ServerResponse, bucket: string, params: Record<string, string>, context: RequestContext): Promise<void> {
    const prefix = params["prefix"] ?? "";
    const marker = params["marker"] ?? "";
    const maxKeysText = params["max-keys"] ?? String(MAX_KEYS_LIMIT);
    if (!/^\d+$/.test(maxKeysText)) throw new CosApiError(400, "InvalidArgument", "max-keys must be an integer from 0 to 1000.");
    const maxKeys = Math.min(Number(maxKeysText), MAX_KEYS_LIMIT);
    const markerBytes = Buffer.from(marker, "utf8");
    const matching = (await store.list(bucket)).filter(
      (object) => object.key.startsWith(prefix) && Buffer.compare(Buffer.from(object.key, "utf8"), markerBytes) > 0,
    );
    const objects = matching.slice(0, maxKeys);
    const truncated = matching.length > objects.length;
    const last = objects[objects.length - 1];
    sendXml(
      res,
      200,
      context,
      listBucketXml({ bucket, prefix, marker, maxKeys, objects, truncated, ...(truncated && last ? { nextMarker: last.key } : {}) }),
    );
  }

  async function serve(req: IncomingMessage, res: ServerResponse, context: RequestContext): Promise<void> {
    const method = req.method ?? "";
    if (!["GET", "HEAD", "PUT", "DELETE", "POST"].includes(method)) throw new CosApiError(405, "MethodNotAllowed", `The method ${method} is not allowed.`);
    const target = req.url ?? "/";
    const q = target.indexOf("?");
    const path = q < 0 ? target : target.slice(0, q);
    const query = q < 0 ? "" : target.slice(q + 1);
    const params = parseQuery(query);

    const host = (headerText(req.headers, "host") ?? "").toLowerCase();
    const virtual = VIRTUAL_HOST.exec(host);
    let bucket: string;
    let objectPath: string;
    if (virtual) {
      context.addressing = "virtual-hosted";
      bucket = virtual[1] ?? "";
      context.region = virtual[2] ?? "";
      objectPath = path;
    } else {
      context.addressing = "path-style";
      const rest = path.slice(1);
      const slash = rest.indexOf("/");
      bucket = safeDecode(slash < 0 ? rest : rest.slice(0, slash)) ?? "";
      context.region = region;
      objectPath = slash < 0 ? "/" : rest.slice(slash);
    }
    if (bucket === "") throw new CosApiError(501, "NotImplemented", "The stand-in does not serve GET Service; name a bucket.");
    context.bucket = bucket;
    const key = safeDecode(objectPath.slice(1));
    if (key === undefined) throw new CosApiError(400, "InvalidURI", "The object key is not validly percent-encoded.");
    context.key = key;
    if (!bucketExists(bucket) || context.region !== region) throw new CosApiError(404, "NoSuchBucket", "The specified bucket does not exist.");
    const fault = faults.take(method, key);
    if (fault?.kind === "status") throw new CosApiError(fault.status, faultCode(fault.status), "Injected by the stand-in.");
    if (fault?.kind === "reset") {
      // After the first body bytes when there is a body, so the client is cut off mid-upload.
      if (Number(headerText(req.headers, "content-length") ?? "0") > 0 || headerText(req.headers, "transfer-encoding") !== undefined) {
        req.once("data", () => req.socket.destroy());
      } else {
        req.socket.destroy();
      }
      return;
    }

    authenticate(req, objectPath, query, context);
    const unsupported = Object.keys(params).find((name) => UNSUPPORTED_PARAMS.has(name));
    if (unsupported !== undefined) throw new CosApiError(501, "NotImplemented", `The stand-in does not implement the "${unsupported}" parameter.`);
    if (method === "POST") throw new CosApiError(501, "NotImplemented", "The stand-in does not implement POST requests.");

    if (key === "") {
      if (method === "GET") return serveList(res, bucket, params, context);
      if (method === "HEAD") return sendEmpty(res, 200, context);
      throw new CosApiError(501, "NotImplemented", `The stand-in does not implement ${method} Bucket; buckets exist without being created.`);
    }
    switch (method) {
      case "GET":
      case "HEAD":
        return serveObjectRead(req, res, bucket, key, params, context);
      case "PUT":
        return serveObjectWrite(req, res, bucket, key, context);
      case "DELETE":
        await drain(req);
        await store.delete(bucket, key);
        return sendEmpty(res, 204, context);
    }
  }

  const server = createServer((req, res) => {
    const startedAt = performance.now();
    let logged = false;
    const context: RequestContext = {
      requestId: newRequestId(),
      method: req.method ?? "",
      logAnswer: (status) => {
        if (logged) return;
        logged = true;
        log({
          at: new Date(clock()).toISOString(),
          requestId: context.requestId,
          method: context.method,
          ...(context.addressing ? { addressing: context.addressing } : {}),
          ...(context.bucket !== undefined ? { bucket: context.bucket } : {}),
          ...(context.key !== undefined ? { key: context.key } : {}),
          status,
          ...(context.code ? { code: context.code } : {}),
          ...(context.secretId !== undefined ? { secretId: maskSecretId(context.secretId) } : {}),
          ms: Math.round(performance.now() - startedAt),
        });
      },
    };
    // A client that went away before any answer still gets its line.
    res.once("close", () => context.logAnswer(res.headersSent ? res.statusCode : 0));
    serve(req, res, context).catch(async (error: unknown) => {
      const apiError =
        error instanceof CosApiError ? error : new CosApiError(500, "InternalError", "The stand-in failed; see its log.");
      if (!(error instanceof CosApiError)) log({ at: new Date(clock()).toISOString(), requestId: context.requestId, internalError: String(error) });
      if (res.headersSent || res.destroyed) {
        res.destroy();
        return;
      }
      // An unread upload would make the client see a reset instead of this answer.
      await drain(req).catch(() => undefined);
      context.code = apiError.code;
      const resource = `${context.bucket ?? ""}.cos.${context.region ?? region}.myqcloud.com/${context.key ?? ""}`;
      if (req.method === "HEAD") return sendEmpty(res, apiError.status, context);
      sendXml(res, apiError.status, context, errorXml(apiError, resource, context.requestId, newRequestId()));
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, options.host ?? "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const urlHost = address.family === "IPv6" ? `[${address.address}]` : address.address;

  let closing: Promise<void> | undefined;
  return {
    url: `http://${urlHost}:${address.port}`,
    port: address.port,
    close: () =>
      (closing ??= new Promise<void>((resolve, reject) => {
        queue.cancelPending();
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      })),
    deliveries: () => queue.list(),
    objects: (bucket) => store.listSync(bucket).map(({ dataFile: _dataFile, requestId: _requestId, ...object }) => object),
    flushDeliveries: () => queue.flush(),
    reset: () => {
      queue.reset();
      store.clearSync();
      faults.clear();
    },
    injectFault: (fault) => faults.inject(fault),
    clearFaults: () => faults.clear(),
  };
}

function authenticationError(reason: CosFailure): CosApiError {
  switch (reason) {
    case "missing-authorization":
      return new CosApiError(403, "AccessDenied", "Access Denied: the request carries no signature.");
    case "malformed-authorization":
      return new CosApiError(403, "AccessDenied", "The Authorization is malformed.");
    case "not-yet-valid":
      return new CosApiError(403, "RequestTimeTooSkewed", "The q-sign-time of the request starts in the future.");
    case "expired":
      return new CosApiError(403, "AccessDenied", "Request has expired");
    case "unknown-secret-id":
      return new CosApiError(403, "InvalidAccessKeyId", "The SecretId you provided does not exist.");
    case "signed-value-missing":
    case "signature-mismatch":
      return new CosApiError(403, "SignatureDoesNotMatch", "The Signature you specified is invalid.");
  }
}

function alreadyExists(): CosApiError {
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

function attributesFrom(headers: IncomingHttpHeaders): ObjectAttributes {
  const metadata: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (name.startsWith("x-cos-meta-") && value !== undefined) metadata[name.slice("x-cos-meta-".length)] = Array.isArray(value) ? value.join(",") : value;
  }
  return { contentType: headerText(headers, "content-type") ?? "application/octet-stream", metadata };
}

function commonHeaders(context: RequestContext): Record<string, string> {
  return { server: "tencent-cos", "x-cos-request-id": context.requestId };
}

function sendEmpty(res: ServerResponse, status: number, context: RequestContext, headers: Record<string, string> = {}): void {
  context.logAnswer(status);
  res.writeHead(status, { ...commonHeaders(context), "content-length": "0", ...headers }).end();
}

function sendXml(res: ServerResponse, status: number, context: RequestContext, xml: string, headers: Record<string, string> = {}): void {
  context.logAnswer(status);
  res
    .writeHead(status, { ...commonHeaders(context), "content-type": "application/xml", "content-length": String(Buffer.byteLength(xml)), ...headers })
    .end(xml);
}

async function drain(req: IncomingMessage): Promise<void> {
  if (req.readableEnded) return;
  for await (const _chunk of req) {
    // discarded
  }
}

function parseQuery(query: string): Record<string, string> {
  // Not URLSearchParams: it turns '+' into a space.
  const params: Record<string, string> = {};
  for (const pair of query.split("&")) {
    if (pair === "") continue;
    const eq = pair.indexOf("=");
    const name = safeDecode(eq < 0 ? pair : pair.slice(0, eq));
    const value = eq < 0 ? "" : safeDecode(pair.slice(eq + 1));
    if (name !== undefined && value !== undefined) params[name] = value;
  }
  return params;
}

function safeDecode(value: string): string | undefined {
  try {
    return decodeURIComponent(value);
  } catch {
    return undefined;
  }
}

function headerText(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value.join(",") : value;
}

function newRequestId(): string {
  // Shaped like COS's: base64 of underscore-joined hex fields.
  return Buffer.from(`${Date.now().toString(16)}_${randomBytes(4).toString("hex")}_${randomBytes(2).toString("hex")}_${randomBytes(3).toString("hex")}`).toString("base64");
}

function sameText(expected: string, actual: string): boolean {
  const a = Buffer.from(expected, "utf8");
  const b = Buffer.from(actual, "utf8");
  return a.length === b.length && timingSafeEqual(a, b);
}

function maskSecretId(secretId: string): string {
  return secretId.length > 8 ? `${secretId.slice(0, 8)}...` : "...";
}

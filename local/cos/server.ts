// A local stand-in for COS's XML API: objects on disk, real COS signatures checked, COS's error
// XML, and the SCF COS trigger played asynchronously after each object creation.
//
// Addressing: a Host of `<bucket>.cos.<region>.myqcloud.com` is virtual-hosted as in production
// (the key is the whole path); any other Host is path-style, `/<bucket>/<key>`. A virtual-hosted
// request is signed over its path, `/<key>`. A path-style one may be signed over `/<key>` (our own
// CosClient) or over the path it sends, `/<bucket>/<key>`: cos-nodejs-sdk-v5 with ForcePathStyle
// signs the pathname it sends; both are accepted.
//
// Buckets: with `buckets` set, only those exist (anything else is NoSuchBucket); without it every
// well-formed full name (`<name>-<appid>`) exists and starts out empty. The stand-in serves one
// region; a virtual-hosted request naming another region finds no bucket.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { verifyCosAuthorization, type CosFailure, type CosVerification } from "../../shared/signing/cos";
import { DEV_SECRET_ID, DEV_SECRET_KEY } from "../dev-credentials";
import { DeliveryQueue, type CosDelivery, type Invoke } from "./deliveries";
import { buildCosEvent, triggerMatches, type CosTrigger, type ObjectCreatedEventName } from "./events";
import { CosFaultQueue, faultCode, type CosFault } from "./faults";
import { drain, headerText, maskSecretId, newRequestId, parseQuery, safeDecode, sameText, sendEmpty, sendXml, type RequestContext } from "./http";
import { serveAbort, serveComplete, serveInitiate, serveListParts, serveListUploads, serveUploadPart } from "./multipart";
import { MultipartStore } from "./multipart-store";
import { serveDeleteMultiple, serveList, serveObjectDelete, serveObjectRead, serveObjectWrite, type CosRouteDeps } from "./objects";
import { BUCKET_NAME, ObjectStore, type StoredObject } from "./store";
import { CosApiError, errorXml } from "./xml";

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
  /** Keeps each bucket's keys sorted in memory (see ObjectStore): only when this process alone writes dataDir. */
  keyIndex?: boolean;
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
  /** Writes objects straight into a bucket's directory (ObjectStore.seedSync): the bench's bulk path. */
  seedSync(bucket: string, objects: ReadonlyArray<{ key: string; body: string }>): void;
}

const VIRTUAL_HOST = /^([a-z0-9][a-z0-9-]*-\d+)\.cos\.([a-z0-9-]+)\.myqcloud\.com(?::\d+)?$/;
const REGION = /^[a-z]+(-[a-z0-9]+)+$/;
/** Sub-resources COS has that the stand-in does not play. */
const UNSUPPORTED_PARAMS = new Set([
  "acl", "cors", "domain", "inventory", "lifecycle", "logging", "notification", "policy", "referer", "replication",
  "restore", "select", "tagging", "versionId", "versioning", "versions", "website", "append", "position",
]);

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
  const store = new ObjectStore(options.dataDir, { keyIndex: options.keyIndex ?? false });
  const uploads = new MultipartStore(options.dataDir);
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

  /**
   * Checks the request's signature over each path it may have been signed over, in order; a
   * signature that matches none is refused with the reason the first path gave.
   */
  function authenticate(req: IncomingMessage, signedPaths: string[], query: string, context: RequestContext): void {
    let verification: CosVerification | undefined;
    for (const signedPath of signedPaths) {
      const attempt = verifyCosAuthorization({
        method: req.method ?? "",
        url: query === "" ? signedPath : `${signedPath}?${query}`,
        headers: req.headers,
        lookupSecretKey: (secretId) => credentials.get(secretId)?.secretKey,
        now: Math.floor(clock() / 1000),
      });
      verification ??= attempt;
      if (attempt.ok) {
        verification = attempt;
        break;
      }
      if (attempt.reason !== "signature-mismatch") break;
    }
    if (!verification) throw authenticationError("missing-authorization");
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

  function fireObjectCreated(eventName: ObjectCreatedEventName, object: StoredObject, contentType: string, req: IncomingMessage, res: ServerResponse): void {
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
      contentType,
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

  const deps: CosRouteDeps = { store, uploads, region, clock, bucketExists, fireObjectCreated };

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

    authenticate(req, context.addressing === "path-style" ? [objectPath, path] : [objectPath], query, context);
    const unsupported = Object.keys(params).find((name) => UNSUPPORTED_PARAMS.has(name));
    if (unsupported !== undefined) throw new CosApiError(501, "NotImplemented", `The stand-in does not implement the "${unsupported}" parameter.`);
    return route(req, res, method, bucket, key, params, context);
  }

  /** Picks the operation from the method, whether a key is named, and the sub-resource parameters. */
  async function route(req: IncomingMessage, res: ServerResponse, method: string, bucket: string, key: string, params: Record<string, string>, context: RequestContext): Promise<void> {
    if (key === "") {
      if (method === "GET" && "uploads" in params) return serveListUploads(deps, res, bucket, params, context);
      if (method === "GET") return serveList(deps, res, bucket, params, context);
      if (method === "HEAD") return sendEmpty(res, 200, context);
      if (method === "POST" && "delete" in params) return serveDeleteMultiple(deps, req, res, bucket, context);
      throw new CosApiError(501, "NotImplemented", `The stand-in does not implement ${method} Bucket; buckets exist without being created.`);
    }
    if (method === "POST" && "uploads" in params) return serveInitiate(deps, req, res, bucket, key, context);
    if ("uploadId" in params) {
      if (method === "PUT") return serveUploadPart(deps, req, res, bucket, key, params, context);
      if (method === "GET") return serveListParts(deps, res, bucket, key, params, context);
      if (method === "POST") return serveComplete(deps, req, res, bucket, key, params, context);
      if (method === "DELETE") return serveAbort(deps, req, res, bucket, key, params, context);
    }
    if ("partNumber" in params || "uploads" in params) throw new CosApiError(400, "InvalidRequest", "partNumber and uploads go with a multipart upload's uploadId or its initiation.");
    switch (method) {
      case "GET":
      case "HEAD":
        return serveObjectRead(deps, req, res, bucket, key, params, context);
      case "PUT":
        return serveObjectWrite(deps, req, res, bucket, key, context);
      case "DELETE":
        return serveObjectDelete(deps, req, res, bucket, key, context);
      default:
        throw new CosApiError(501, "NotImplemented", "The stand-in does not implement POST Object (form uploads).");
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
      if (req.method === "HEAD") return sendEmpty(res, apiError.status, context, { ...apiError.headers });
      sendXml(res, apiError.status, context, errorXml(apiError, resource, context.requestId, newRequestId()), { ...apiError.headers });
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
    seedSync: (bucket, objects) => store.seedSync(bucket, objects),
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


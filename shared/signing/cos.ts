// COS request signature (q-sign-algorithm=sha1), for presigned object URLs and, later, a
// local COS stand-in. Pure: the caller supplies key times and "now".
import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import type { LowerCaseHeaders } from "./tc3";

export interface CosKeyTime {
  /** Unix seconds. */
  start: number;
  end: number;
}

export interface CosSignInput {
  secretId: string;
  secretKey: string;
  method: string;
  /** Decoded object path with its leading slash, e.g. "/exampleobject(腾讯云)". */
  pathname: string;
  /** URL parameters to sign, decoded. */
  params?: Record<string, string>;
  /** Headers to sign, decoded. */
  headers?: Record<string, string>;
  keyTime: CosKeyTime;
}

export interface CosSignature {
  /** `q-sign-algorithm=sha1&q-ak=...&q-signature=...`, the Authorization header value. */
  authorization: string;
  signKey: string;
  httpString: string;
  httpStringSha1: string;
  stringToSign: string;
  signature: string;
  headerList: string;
  urlParamList: string;
}

/** Signs a COS request and returns every intermediate value. */
export function signCosRequest(input: CosSignInput): CosSignature {
  const keyTime = `${input.keyTime.start};${input.keyTime.end}`;
  const signKey = hmacSha1Hex(input.secretKey, keyTime);
  const params = canonicalizePairs(input.params ?? {});
  const headers = canonicalizePairs(input.headers ?? {});
  const httpString = `${input.method.toLowerCase()}\n${input.pathname}\n${params.joined}\n${headers.joined}\n`;
  const httpStringSha1 = createHash("sha1").update(httpString, "utf8").digest("hex");
  const stringToSign = `sha1\n${keyTime}\n${httpStringSha1}\n`;
  const signature = hmacSha1Hex(signKey, stringToSign);
  const authorization = [
    "q-sign-algorithm=sha1",
    `q-ak=${input.secretId}`,
    `q-sign-time=${keyTime}`,
    `q-key-time=${keyTime}`,
    `q-header-list=${headers.names}`,
    `q-url-param-list=${params.names}`,
    `q-signature=${signature}`,
  ].join("&");
  return {
    authorization,
    signKey,
    httpString,
    httpStringSha1,
    stringToSign,
    signature,
    headerList: headers.names,
    urlParamList: params.names,
  };
}

/** Percent-encodes like COS: everything but RFC 3986 unreserved characters. */
export function cosEncode(value: string): string {
  // encodeURIComponent leaves !'()* alone; COS signs them encoded.
  return encodeURIComponent(value).replace(/[!'()*]/g, (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** URL of an object from its bucket origin and its decoded key, each path segment encoded. */
export function cosObjectUrl(origin: string, key: string): string {
  const path = key.replace(/^\/+/, "").split("/").map(cosEncode).join("/");
  return `${origin.replace(/\/+$/, "")}/${path}`;
}

export interface CosPresignInput {
  secretId: string;
  secretKey: string;
  /** Temporary credential token; sent as x-cos-security-token, which COS does not sign. */
  securityToken?: string;
  /** Object URL with a percent-encoded path (see cosObjectUrl); any query it has is signed. */
  url: string;
  method?: string;
  /** Unix seconds. */
  now: number;
  expiresInSeconds: number;
  /** Extra URL parameters to sign and append, decoded. */
  params?: Record<string, string>;
}

/** Presigns an object URL; the host header is signed so the URL works for that bucket only. */
export function presignCosUrl(input: CosPresignInput): string {
  const { origin, host } = new URL(input.url);
  // The path is taken verbatim: URL parsing would resolve "." and ".." segments, which are
  // ordinary characters of a COS key.
  const { path, query: existingQuery } = splitTarget(input.url);
  const pathname = safeDecode(path);
  if (pathname === undefined) throw new URIError(`presignCosUrl needs a percent-encoded path (see cosObjectUrl), got ${path}`);
  const params: Record<string, string> = { ...parseQuery(existingQuery), ...(input.params ?? {}) };
  const signed = signCosRequest({
    secretId: input.secretId,
    secretKey: input.secretKey,
    method: input.method ?? "GET",
    pathname,
    params,
    headers: { host },
    keyTime: { start: input.now, end: input.now + input.expiresInSeconds },
  });
  const query = Object.entries(params).map(([key, value]) => `${cosEncode(key)}=${cosEncode(value)}`);
  // q-* values are encoded too, so a non-ASCII name in q-url-param-list survives one decode.
  for (const pair of signed.authorization.split("&")) {
    const eq = pair.indexOf("=");
    query.push(`${pair.slice(0, eq)}=${cosEncode(pair.slice(eq + 1))}`);
  }
  if (input.securityToken !== undefined) query.push(`x-cos-security-token=${cosEncode(input.securityToken)}`);
  return `${origin}${path}?${query.join("&")}`;
}

export interface CosVerifyInput {
  method: string;
  /** Request target as received (`/key?query`) or an absolute URL; the path percent-encoded. */
  url: string;
  /** Lower-case header names (node's IncomingHttpHeaders). */
  headers: LowerCaseHeaders;
  lookupSecretKey: (secretId: string) => string | undefined;
  /** Unix seconds. */
  now: number;
}

export type CosFailure =
  | "missing-authorization"
  | "malformed-authorization"
  | "not-yet-valid"
  | "expired"
  | "unknown-secret-id"
  | "signed-value-missing"
  | "signature-mismatch";

export type CosVerification =
  | { ok: true; secretId: string; keyTime: CosKeyTime; securityToken?: string }
  | { ok: false; reason: CosFailure; secretId?: string };

/** Checks a COS signature from the Authorization header or the presigned URL's q-* query. */
export function verifyCosAuthorization(input: CosVerifyInput): CosVerification {
  const { path, query } = splitTarget(input.url);
  const queryParams = parseQuery(query);
  const header = firstValue(input.headers["authorization"]);
  let fields: Map<string, string>;
  if (header !== undefined && header !== "") {
    fields = parseAuthorizationFields(header);
  } else if (queryParams["q-sign-algorithm"] !== undefined) {
    fields = new Map(Object.entries(queryParams).filter(([key]) => key.startsWith("q-")));
  } else {
    return { ok: false, reason: "missing-authorization" };
  }

  const secretId = fields.get("q-ak");
  const keyTimeText = fields.get("q-key-time");
  const signature = fields.get("q-signature");
  const headerList = fields.get("q-header-list");
  const paramList = fields.get("q-url-param-list");
  if (
    fields.get("q-sign-algorithm") !== "sha1" ||
    !secretId ||
    !keyTimeText ||
    !signature ||
    !/^[0-9a-f]{40}$/.test(signature) ||
    headerList === undefined ||
    paramList === undefined
  ) {
    return { ok: false, reason: "malformed-authorization", ...(secretId ? { secretId } : {}) };
  }
  const failed = (reason: CosFailure): CosVerification => ({ ok: false, reason, secretId });
  const keyTimeMatch = /^(\d+);(\d+)$/.exec(keyTimeText);
  if (!keyTimeMatch) return failed("malformed-authorization");
  const keyTime = { start: Number(keyTimeMatch[1]), end: Number(keyTimeMatch[2]) };
  if (input.now < keyTime.start) return failed("not-yet-valid");
  if (input.now > keyTime.end) return failed("expired");

  const secretKey = input.lookupSecretKey(secretId);
  if (secretKey === undefined) return failed("unknown-secret-id");

  const lowerQuery = new Map(Object.entries(queryParams).map(([key, value]) => [key.toLowerCase(), value]));
  const params = pickListed(paramList, (name) => lowerQuery.get(name));
  const headers = pickListed(headerList, (name) => firstValue(input.headers[name]));
  if (!params || !headers) return failed("signed-value-missing");
  const pathname = safeDecode(path);
  if (pathname === undefined) return failed("malformed-authorization");

  const expected = signCosRequest({ secretId, secretKey, method: input.method, pathname, params, headers, keyTime });
  const a = Buffer.from(expected.signature, "utf8");
  const b = Buffer.from(signature, "utf8");
  if (a.length !== b.length || !timingSafeEqual(a, b)) return failed("signature-mismatch");
  const securityToken = firstValue(input.headers["x-cos-security-token"]) ?? queryParams["x-cos-security-token"];
  return { ok: true, secretId, keyTime, ...(securityToken !== undefined ? { securityToken } : {}) };
}

function canonicalizePairs(pairs: Record<string, string>): { joined: string; names: string } {
  const entries = Object.entries(pairs)
    .map(([key, value]) => [cosEncode(key.toLowerCase()), cosEncode(value)] as const)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return {
    joined: entries.map(([key, value]) => `${key}=${value}`).join("&"),
    names: entries.map(([key]) => key).join(";"),
  };
}

function pickListed(list: string, read: (name: string) => string | undefined): Record<string, string> | undefined {
  const picked: Record<string, string> = {};
  for (const encodedName of list.split(";").filter((name) => name !== "")) {
    const name = safeDecode(encodedName)?.toLowerCase();
    const value = name === undefined ? undefined : read(name);
    if (name === undefined || value === undefined) return undefined;
    picked[name] = value;
  }
  return picked;
}

function parseAuthorizationFields(header: string): Map<string, string> {
  // Header values are sent raw (q-sign-time holds a ';'), so they are not decoded here.
  const fields = new Map<string, string>();
  for (const pair of header.trim().split("&")) {
    const eq = pair.indexOf("=");
    if (eq > 0) fields.set(pair.slice(0, eq), pair.slice(eq + 1));
  }
  return fields;
}

function parseQuery(query: string): Record<string, string> {
  // Not URLSearchParams: it turns '+' into a space, and COS keys may contain a literal '+'.
  const params: Record<string, string> = {};
  for (const pair of query.split("&")) {
    if (pair === "") continue;
    const eq = pair.indexOf("=");
    const key = safeDecode(eq < 0 ? pair : pair.slice(0, eq));
    const value = eq < 0 ? "" : safeDecode(pair.slice(eq + 1));
    if (key !== undefined && value !== undefined) params[key] = value;
  }
  return params;
}

function splitTarget(target: string): { path: string; query: string } {
  const withoutOrigin = target.replace(/^[a-z][a-z0-9+.-]*:\/\/[^/?#]*/i, "");
  const withoutFragment = withoutOrigin.split("#", 1)[0] ?? "";
  const q = withoutFragment.indexOf("?");
  const path = q < 0 ? withoutFragment : withoutFragment.slice(0, q);
  return { path: path === "" ? "/" : path, query: q < 0 ? "" : withoutFragment.slice(q + 1) };
}

function safeDecode(value: string): string | undefined {
  try {
    return decodeURIComponent(value);
  } catch {
    return undefined;
  }
}

function firstValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function hmacSha1Hex(key: string, data: string): string {
  return createHmac("sha1", key).update(data, "utf8").digest("hex");
}

// TC3-HMAC-SHA256, the request signature of Tencent Cloud API 3.0.
// Pure: no network and no clock; the caller supplies the timestamp, so the same code signs
// for the product, verifies in the local stand-in, and reproduces Tencent's published vector.
import { createHash, createHmac, timingSafeEqual } from "node:crypto";

/** Name of the algorithm, first word of the Authorization header. */
export const TC3_ALGORITHM = "TC3-HMAC-SHA256";

/** Tencent refuses a request whose X-TC-Timestamp is further than this from its clock. */
export const TC3_MAX_CLOCK_SKEW_SECONDS = 300;

export interface Tc3SignInput {
  secretId: string;
  secretKey: string;
  /** First label of the API host, e.g. "vod"; it is part of the credential scope. */
  service: string;
  /** Host name without port, as the SDK signs it. */
  host: string;
  /** Unix seconds; also sent as X-TC-Timestamp. */
  timestamp: number;
  /** Exact body bytes that go on the wire. */
  payload: string | Buffer;
  method?: string;
  path?: string;
  query?: string;
  contentType?: string;
  /** Lower-case header name to value; replaces the default {content-type, host}. */
  signedHeaders?: Record<string, string>;
}

export interface Tc3Signature {
  authorization: string;
  signature: string;
  hashedPayload: string;
  canonicalRequest: string;
  hashedCanonicalRequest: string;
  stringToSign: string;
  credentialScope: string;
}

export interface Tc3Authorization {
  secretId: string;
  /** UTC date of the credential scope, yyyy-mm-dd. */
  date: string;
  service: string;
  signedHeaders: string[];
  signature: string;
}

/** Signs one API 3.0 request with TC3-HMAC-SHA256 and returns every intermediate value. */
export function signTc3(input: Tc3SignInput): Tc3Signature {
  const method = (input.method ?? "POST").toUpperCase();
  const headers = input.signedHeaders ?? {
    "content-type": input.contentType ?? "application/json",
    host: input.host,
  };
  const { canonicalHeaders, signedHeaderNames } = canonicalizeHeaders(headers);
  const hashedPayload = sha256Hex(input.payload);
  const canonicalRequest = [
    method,
    input.path ?? "/",
    input.query ?? "",
    canonicalHeaders,
    signedHeaderNames,
    hashedPayload,
  ].join("\n");
  const hashedCanonicalRequest = sha256Hex(canonicalRequest);
  const date = tc3Date(input.timestamp);
  const credentialScope = `${date}/${input.service}/tc3_request`;
  const stringToSign = [TC3_ALGORITHM, String(input.timestamp), credentialScope, hashedCanonicalRequest].join("\n");
  const signingKey = deriveSigningKey(input.secretKey, date, input.service);
  const signature = createHmac("sha256", signingKey).update(stringToSign, "utf8").digest("hex");
  const authorization =
    `${TC3_ALGORITHM} Credential=${input.secretId}/${credentialScope}, ` +
    `SignedHeaders=${signedHeaderNames}, Signature=${signature}`;
  return { authorization, signature, hashedPayload, canonicalRequest, hashedCanonicalRequest, stringToSign, credentialScope };
}

const AUTHORIZATION_PATTERN =
  /^TC3-HMAC-SHA256\s+Credential=([^/,\s]+)\/(\d{4}-\d{2}-\d{2})\/([a-z0-9-]+)\/tc3_request\s*,\s*SignedHeaders=([a-z0-9;-]+)\s*,\s*Signature=([0-9a-f]{64})$/;

/** Reads the parts of a TC3 Authorization header; null when it is not one. */
export function parseTc3Authorization(header: string): Tc3Authorization | null {
  const match = AUTHORIZATION_PATTERN.exec(header.trim());
  if (!match) return null;
  const [, secretId, date, service, signedHeaders, signature] = match;
  if (!secretId || !date || !service || !signedHeaders || !signature) return null;
  const names = signedHeaders.split(";");
  if (names.some((name) => name === "")) return null;
  return { secretId, date, service, signedHeaders: names, signature };
}

/** Node's IncomingHttpHeaders shape: lower-case names. */
export type LowerCaseHeaders = Record<string, string | string[] | undefined>;

export interface Tc3VerifyInput {
  method: string;
  path: string;
  query?: string;
  headers: LowerCaseHeaders;
  body: Buffer | string;
  /** Secret key of a SecretId, or undefined when the SecretId is unknown. */
  lookupSecretKey: (secretId: string) => string | undefined;
  /** Service the request was addressed to (first label of Host); the scope must name it. */
  expectedService?: string;
  /** Verifier's clock in unix seconds; when given, the timestamp window is enforced. */
  nowSeconds?: number;
  maxSkewSeconds?: number;
}

export type Tc3Failure =
  | "missing-authorization"
  | "malformed-authorization"
  | "malformed-timestamp"
  | "expired"
  | "unknown-secret-id"
  | "service-mismatch"
  | "required-header-unsigned"
  | "signature-mismatch";

export type Tc3Verification =
  | { ok: true; secretId: string; service: string; timestamp: number }
  | { ok: false; reason: Tc3Failure; secretId?: string };

// Tencent requires at least these two in SignedHeaders; without host a signature could be
// replayed against another product.
const REQUIRED_SIGNED_HEADERS = ["content-type", "host"];

/** Recomputes a request's TC3 signature and compares it in constant time. */
export function verifyTc3(input: Tc3VerifyInput): Tc3Verification {
  const header = headerValue(input.headers, "authorization");
  if (header === undefined || header === "") return { ok: false, reason: "missing-authorization" };
  const auth = parseTc3Authorization(header);
  if (!auth) return { ok: false, reason: "malformed-authorization" };
  const failed = (reason: Tc3Failure): Tc3Verification => ({ ok: false, reason, secretId: auth.secretId });

  const timestampText = headerValue(input.headers, "x-tc-timestamp") ?? "";
  if (!/^\d{1,12}$/.test(timestampText)) return failed("malformed-timestamp");
  const timestamp = Number(timestampText);
  if (input.nowSeconds !== undefined) {
    const maxSkew = input.maxSkewSeconds ?? TC3_MAX_CLOCK_SKEW_SECONDS;
    if (Math.abs(input.nowSeconds - timestamp) > maxSkew) return failed("expired");
  }

  const secretKey = input.lookupSecretKey(auth.secretId);
  if (secretKey === undefined) return failed("unknown-secret-id");
  if (input.expectedService !== undefined && auth.service !== input.expectedService) return failed("service-mismatch");
  if (!REQUIRED_SIGNED_HEADERS.every((name) => auth.signedHeaders.includes(name))) {
    return failed("required-header-unsigned");
  }

  const signedHeaders: Record<string, string> = {};
  for (const name of auth.signedHeaders) {
    const value = headerValue(input.headers, name) ?? "";
    // The SDK signs the host name without port, while its Host header carries the port
    // whenever the endpoint has one.
    signedHeaders[name] = name === "host" ? stripPort(value) : value;
  }
  const expected = signTc3({
    secretId: auth.secretId,
    secretKey,
    service: auth.service,
    host: "",
    timestamp,
    payload: input.body,
    method: input.method,
    path: input.path,
    query: input.query ?? "",
    signedHeaders,
  });
  // A scope date other than the timestamp's own day is as wrong as a bad signature.
  if (expected.credentialScope !== `${auth.date}/${auth.service}/tc3_request`) return failed("signature-mismatch");
  if (!hexEquals(expected.signature, auth.signature)) return failed("signature-mismatch");
  return { ok: true, secretId: auth.secretId, service: auth.service, timestamp };
}

/** UTC calendar date of a unix timestamp, as TC3 puts it in the credential scope. */
export function tc3Date(timestampSeconds: number): string {
  return new Date(timestampSeconds * 1000).toISOString().slice(0, 10);
}

function canonicalizeHeaders(headers: Record<string, string>): { canonicalHeaders: string; signedHeaderNames: string } {
  // TC3 lower-cases and trims names and values, then sorts by name.
  const entries = Object.entries(headers)
    .map(([name, value]) => [name.trim().toLowerCase(), value.trim().toLowerCase()] as const)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return {
    canonicalHeaders: entries.map(([name, value]) => `${name}:${value}\n`).join(""),
    signedHeaderNames: entries.map(([name]) => name).join(";"),
  };
}

function deriveSigningKey(secretKey: string, date: string, service: string): Buffer {
  const secretDate = hmacSha256(`TC3${secretKey}`, date);
  const secretService = hmacSha256(secretDate, service);
  return hmacSha256(secretService, "tc3_request");
}

function hmacSha256(key: string | Buffer, data: string): Buffer {
  return createHmac("sha256", key).update(data, "utf8").digest();
}

function sha256Hex(data: string | Buffer): string {
  return createHash("sha256").update(data).digest("hex");
}

function headerValue(headers: LowerCaseHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value.join(",") : value;
}

function stripPort(host: string): string {
  // Bracketed IPv6 literals keep their colons.
  return host.replace(/:\d+$/, "");
}

function hexEquals(a: string, b: string): boolean {
  const left = Buffer.from(a, "utf8");
  const right = Buffer.from(b, "utf8");
  return left.length === right.length && timingSafeEqual(left, right);
}

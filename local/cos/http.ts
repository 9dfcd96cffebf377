// HTTP plumbing the COS stand-in's routes share: the per-request context, COS's answer headers,
// reading request bodies and query strings the way COS reads them.
import { randomBytes, timingSafeEqual } from "node:crypto";
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from "node:http";
import { CosApiError } from "./xml";

/** What one request has revealed so far, for its log line and its error answer. */
export interface RequestContext {
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

/** Headers COS puts on every answer. */
export function commonHeaders(context: RequestContext): Record<string, string> {
  return { server: "tencent-cos", "x-cos-request-id": context.requestId };
}

/** Answers with no body. */
export function sendEmpty(res: ServerResponse, status: number, context: RequestContext, headers: Record<string, string> = {}): void {
  context.logAnswer(status);
  res.writeHead(status, { ...commonHeaders(context), "content-length": "0", ...headers }).end();
}

/** Answers with an XML document. */
export function sendXml(res: ServerResponse, status: number, context: RequestContext, xml: string, headers: Record<string, string> = {}): void {
  context.logAnswer(status);
  res
    .writeHead(status, { ...commonHeaders(context), "content-type": "application/xml", "content-length": String(Buffer.byteLength(xml)), ...headers })
    .end(xml);
}

/** Reads and discards what is left of a request body. */
export async function drain(req: IncomingMessage): Promise<void> {
  if (req.readableEnded) return;
  for await (const _chunk of req) {
    // discarded
  }
}

/** Reads a small request body (an XML document), refusing one over `limit` bytes as COS does. */
export async function readSmallBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) {
      await drain(req);
      throw new CosApiError(400, "EntityTooLarge", `The request body is over ${limit} bytes.`);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/** Splits a query string into decoded parameters; a name without `=` has the value "". */
export function parseQuery(query: string): Record<string, string> {
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

/** decodeURIComponent, or undefined for a malformed escape. */
export function safeDecode(value: string): string | undefined {
  try {
    return decodeURIComponent(value);
  } catch {
    return undefined;
  }
}

/** One header as text (repeated headers joined by commas). */
export function headerText(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value.join(",") : value;
}

/** A request id shaped like COS's: base64 of underscore-joined hex fields. */
export function newRequestId(): string {
  return Buffer.from(`${Date.now().toString(16)}_${randomBytes(4).toString("hex")}_${randomBytes(2).toString("hex")}_${randomBytes(3).toString("hex")}`).toString("base64");
}

/** Compares two secrets in constant time. */
export function sameText(expected: string, actual: string): boolean {
  const a = Buffer.from(expected, "utf8");
  const b = Buffer.from(actual, "utf8");
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The first characters of a SecretId, enough to tell credentials apart in a log. */
export function maskSecretId(secretId: string): string {
  return secretId.length > 8 ? `${secretId.slice(0, 8)}...` : "...";
}

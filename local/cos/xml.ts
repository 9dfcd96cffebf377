// The XML documents the COS stand-in answers with, in COS's element names.
import type { StoredObject } from "./store";

/** A COS error answer: status, `<Code>` and `<Message>`. */
export class CosApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** `<Error>` as COS sends it. */
export function errorXml(error: CosApiError, resource: string, requestId: string, traceId: string): string {
  return xmlDocument(
    `<Error><Code>${escapeXml(error.code)}</Code><Message>${escapeXml(error.message)}</Message>` +
      `<Resource>${escapeXml(resource)}</Resource><RequestId>${escapeXml(requestId)}</RequestId>` +
      `<TraceId>${escapeXml(traceId)}</TraceId></Error>`,
  );
}

export interface ListPage {
  bucket: string;
  prefix: string;
  marker: string;
  maxKeys: number;
  objects: StoredObject[];
  truncated: boolean;
  nextMarker?: string;
}

/** `<ListBucketResult>` (GET Bucket). */
export function listBucketXml(page: ListPage): string {
  const appid = /-(\d+)$/.exec(page.bucket)?.[1] ?? "";
  const contents = page.objects
    .map(
      (object) =>
        `<Contents><Key>${escapeXml(object.key)}</Key><LastModified>${object.lastModified}</LastModified>` +
        `<ETag>${escapeXml(object.etag)}</ETag><Size>${object.size}</Size>` +
        `<Owner><ID>${appid}</ID><DisplayName>${appid}</DisplayName></Owner><StorageClass>STANDARD</StorageClass></Contents>`,
    )
    .join("");
  return xmlDocument(
    `<ListBucketResult><Name>${escapeXml(page.bucket)}</Name><Prefix>${escapeXml(page.prefix)}</Prefix>` +
      `<Marker>${escapeXml(page.marker)}</Marker><MaxKeys>${page.maxKeys}</MaxKeys><IsTruncated>${page.truncated}</IsTruncated>` +
      (page.nextMarker !== undefined ? `<NextMarker>${escapeXml(page.nextMarker)}</NextMarker>` : "") +
      `${contents}</ListBucketResult>`,
  );
}

/** `<CopyObjectResult>` (PUT Object - Copy). */
export function copyResultXml(object: StoredObject): string {
  return xmlDocument(`<CopyObjectResult><ETag>${escapeXml(object.etag)}</ETag><LastModified>${object.lastModified}</LastModified></CopyObjectResult>`);
}

function xmlDocument(body: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n${body}`;
}

function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&apos;" })[ch] ?? ch);
}

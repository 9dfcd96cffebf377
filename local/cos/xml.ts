// The XML documents the COS stand-in answers with, in COS's element names.
import type { StoredObject } from "./store";

/** A COS error answer: status, `<Code>` and `<Message>`, and any header it needs (416's Content-Range). */
export class CosApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
    this.name = "CosApiError";
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
  /** Present when the request named one (even empty, as the Python SDK sends it). */
  delimiter?: string;
  /** `url`: keys and prefixes percent-encoded, as `encoding-type=url` asks. */
  encodingType?: "url";
  objects: StoredObject[];
  commonPrefixes: string[];
  truncated: boolean;
  nextMarker?: string;
}

/** `<ListBucketResult>` (GET Bucket). */
export function listBucketXml(page: ListPage): string {
  const text = textEncoder(page.encodingType);
  const owner = ownerXml(page.bucket);
  const contents = page.objects
    .map(
      (object) =>
        `<Contents><Key>${text(object.key)}</Key><LastModified>${object.lastModified}</LastModified>` +
        `<ETag>${escapeXml(object.etag)}</ETag><Size>${object.size}</Size>` +
        `<Owner>${owner}</Owner><StorageClass>STANDARD</StorageClass></Contents>`,
    )
    .join("");
  return xmlDocument(
    `<ListBucketResult><Name>${escapeXml(page.bucket)}</Name>` +
      (page.encodingType ? `<EncodingType>${page.encodingType}</EncodingType>` : "") +
      `<Prefix>${text(page.prefix)}</Prefix><Marker>${text(page.marker)}</Marker><MaxKeys>${page.maxKeys}</MaxKeys>` +
      (page.delimiter !== undefined ? `<Delimiter>${text(page.delimiter)}</Delimiter>` : "") +
      `<IsTruncated>${page.truncated}</IsTruncated>` +
      (page.nextMarker !== undefined ? `<NextMarker>${text(page.nextMarker)}</NextMarker>` : "") +
      page.commonPrefixes.map((prefix) => `<CommonPrefixes><Prefix>${text(prefix)}</Prefix></CommonPrefixes>`).join("") +
      `${contents}</ListBucketResult>`,
  );
}

/** `<DeleteResult>` (DELETE Multiple Objects): in quiet mode only the errors. */
export function deleteResultXml(deleted: string[], errors: Array<{ key: string; code: string; message: string }>): string {
  return xmlDocument(
    "<DeleteResult>" +
      deleted.map((key) => `<Deleted><Key>${escapeXml(key)}</Key></Deleted>`).join("") +
      errors.map((e) => `<Error><Key>${escapeXml(e.key)}</Key><Code>${escapeXml(e.code)}</Code><Message>${escapeXml(e.message)}</Message></Error>`).join("") +
      "</DeleteResult>",
  );
}

/** `<Owner>`/`<Initiator>` content: the bucket's appid as the root account, as COS shows it. */
export function ownerXml(bucket: string): string {
  const appid = /-(\d+)$/.exec(bucket)?.[1] ?? "";
  return `<ID>${appid}</ID><DisplayName>${appid}</DisplayName>`;
}

/** Escapes text for XML, percent-encoding it first under `encoding-type=url`. */
export function textEncoder(encodingType: "url" | undefined): (text: string) => string {
  return encodingType === "url" ? (text) => escapeXml(encodeURIComponent(text)) : escapeXml;
}

/** `<CopyObjectResult>` (PUT Object - Copy). */
export function copyResultXml(object: StoredObject): string {
  return xmlDocument(`<CopyObjectResult><ETag>${escapeXml(object.etag)}</ETag><LastModified>${object.lastModified}</LastModified></CopyObjectResult>`);
}

/** An XML document with COS's declaration. */
export function xmlDocument(body: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n${body}`;
}

/** Escapes the five XML special characters. */
export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&apos;" })[ch] ?? ch);
}

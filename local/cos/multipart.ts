// The COS stand-in's multipart upload routes, what the official SDKs' uploadFile uses for any file
// over 1 MB: List Multipart Uploads (GET /?uploads, which uploadFile asks first to resume an
// upload), Initiate (POST /<key>?uploads), Upload Part (PUT ?partNumber&uploadId), List Parts
// (GET ?uploadId), Complete (POST ?uploadId, firing cos:ObjectCreated:CompleteMultipartUpload)
// and Abort (DELETE ?uploadId).
import { createHash } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { drain, headerText, readSmallBody, sendEmpty, sendXml, type RequestContext } from "./http";
import { multipartEtag, type MultipartUpload } from "./multipart-store";
import { alreadyExists, attributesFrom, badDigest, groupByDelimiter, readEncodingType, readLimit, type CosRouteDeps } from "./objects";
import { CosApiError, escapeXml, ownerXml, textEncoder, xmlDocument } from "./xml";
import { parseCompleteMultipartUpload } from "./xml-requests";

/** COS's limits: part numbers 1..10000, every part but the last at least 1 MB, lists of at most 1000. */
const MAX_PART_NUMBER = 10_000;
const MIN_PART_SIZE = 1024 * 1024;
const LIST_LIMIT = 1000;
/** A Complete body naming 10,000 parts is under 1 MB. */
const COMPLETE_BODY_LIMIT = 2 * 1024 * 1024;

/** POST /<key>?uploads: starts an upload with the Content-Type, metadata and headers the object will have. */
export async function serveInitiate(deps: CosRouteDeps, req: IncomingMessage, res: ServerResponse, bucket: string, key: string, context: RequestContext): Promise<void> {
  await drain(req);
  const upload = await deps.uploads.initiate(bucket, key, attributesFrom(req.headers), deps.clock());
  sendXml(
    res,
    200,
    context,
    xmlDocument(
      `<InitiateMultipartUploadResult><Bucket>${escapeXml(bucket)}</Bucket><Key>${escapeXml(key)}</Key>` +
        `<UploadId>${upload.uploadId}</UploadId></InitiateMultipartUploadResult>`,
    ),
  );
}

/** PUT /<key>?partNumber=N&uploadId=ID: stores one part and answers its ETag. */
export async function serveUploadPart(deps: CosRouteDeps, req: IncomingMessage, res: ServerResponse, bucket: string, key: string, params: Record<string, string>, context: RequestContext): Promise<void> {
  if (headerText(req.headers, "x-cos-copy-source") !== undefined) throw new CosApiError(501, "NotImplemented", "The stand-in does not implement Upload Part - Copy.");
  const partNumber = params["partNumber"] ?? "";
  if (!/^\d+$/.test(partNumber) || Number(partNumber) < 1 || Number(partNumber) > MAX_PART_NUMBER) {
    throw new CosApiError(400, "InvalidArgument", `partNumber must be an integer from 1 to ${MAX_PART_NUMBER}.`);
  }
  const upload = await findUpload(deps, bucket, key, params);
  const contentMd5 = headerText(req.headers, "content-md5");
  const part = await deps.uploads.putPart(upload, Number(partNumber), req, deps.clock(), contentMd5);
  if (part === "bad-digest") throw badDigest();
  sendEmpty(res, 200, context, { etag: part.etag });
}

/** GET /<key>?uploadId=ID: the parts uploaded so far, a page at a time. */
export async function serveListParts(deps: CosRouteDeps, res: ServerResponse, bucket: string, key: string, params: Record<string, string>, context: RequestContext): Promise<void> {
  const upload = await findUpload(deps, bucket, key, params);
  const text = textEncoder(readEncodingType(params));
  const maxParts = readLimit(params, "max-parts", LIST_LIMIT);
  const markerText = params["part-number-marker"] ?? "0";
  if (!/^\d+$/.test(markerText)) throw new CosApiError(400, "InvalidArgument", "part-number-marker must be an integer.");
  const remaining = (await deps.uploads.parts(upload)).filter((part) => part.partNumber > Number(markerText));
  const page = remaining.slice(0, maxParts);
  const truncated = remaining.length > page.length;
  const owner = ownerXml(bucket);
  sendXml(
    res,
    200,
    context,
    xmlDocument(
      `<ListPartsResult><Bucket>${escapeXml(bucket)}</Bucket><Key>${text(key)}</Key><UploadId>${upload.uploadId}</UploadId>` +
        `<Initiator>${owner}</Initiator><Owner>${owner}</Owner><StorageClass>STANDARD</StorageClass>` +
        `<PartNumberMarker>${Number(markerText)}</PartNumberMarker><MaxParts>${maxParts}</MaxParts><IsTruncated>${truncated}</IsTruncated>` +
        (truncated ? `<NextPartNumberMarker>${page[page.length - 1]?.partNumber ?? 0}</NextPartNumberMarker>` : "") +
        page
          .map((part) => `<Part><PartNumber>${part.partNumber}</PartNumber><LastModified>${part.lastModified}</LastModified><ETag>${escapeXml(part.etag)}</ETag><Size>${part.size}</Size></Part>`)
          .join("") +
        "</ListPartsResult>",
    ),
  );
}

/** POST /<key>?uploadId=ID: joins the named parts into the object and fires the COS trigger. */
export async function serveComplete(deps: CosRouteDeps, req: IncomingMessage, res: ServerResponse, bucket: string, key: string, params: Record<string, string>, context: RequestContext): Promise<void> {
  const upload = await findUpload(deps, bucket, key, params);
  const body = await readSmallBody(req, COMPLETE_BODY_LIMIT);
  const contentMd5 = headerText(req.headers, "content-md5");
  if (contentMd5 !== undefined && contentMd5 !== createHash("md5").update(body).digest("base64")) throw badDigest();
  const named = parseCompleteMultipartUpload(body);
  const uploaded = new Map((await deps.uploads.parts(upload)).map((part) => [part.partNumber, part]));
  if (named.some((entry, index) => index > 0 && entry.partNumber <= (named[index - 1]?.partNumber ?? 0))) {
    throw new CosApiError(400, "InvalidPartOrder", "The list of parts was not in ascending order.");
  }
  const parts = named.map((entry, index) => {
    const part = uploaded.get(entry.partNumber);
    if (!part || normalizeEtag(part.etag) !== normalizeEtag(entry.etag)) {
      throw new CosApiError(400, "InvalidPart", `Part ${entry.partNumber} was not uploaded, or its ETag does not match.`);
    }
    if (index < named.length - 1 && part.size < MIN_PART_SIZE) {
      throw new CosApiError(400, "EntityTooSmall", `Part ${entry.partNumber} is smaller than the 1 MB every part but the last must have.`);
    }
    return part;
  });
  const forbidOverwrite = headerText(req.headers, "x-cos-forbid-overwrite")?.toLowerCase() === "true";
  const outcome = await deps.store.assemble(
    bucket,
    key,
    parts.map((part) => deps.uploads.partPath(upload, part)),
    upload.attributes,
    { forbidOverwrite, nowMs: deps.clock(), requestId: context.requestId, etag: multipartEtag(parts) },
  );
  if (outcome.outcome !== "created") throw alreadyExists();
  await deps.uploads.remove(upload);
  const location = `${bucket}.cos.${deps.region}.myqcloud.com/${key}`;
  sendXml(
    res,
    200,
    context,
    xmlDocument(
      `<CompleteMultipartUploadResult><Location>${escapeXml(location)}</Location><Bucket>${escapeXml(bucket)}</Bucket>` +
        `<Key>${escapeXml(key)}</Key><ETag>${escapeXml(outcome.object.etag)}</ETag></CompleteMultipartUploadResult>`,
    ),
  );
  // The event's Content-Type is the object's: the Complete request's own is application/xml.
  deps.fireObjectCreated("cos:ObjectCreated:CompleteMultipartUpload", outcome.object, upload.attributes.contentType, req, res);
}

/** DELETE /<key>?uploadId=ID: drops the upload and its parts. */
export async function serveAbort(deps: CosRouteDeps, req: IncomingMessage, res: ServerResponse, bucket: string, key: string, params: Record<string, string>, context: RequestContext): Promise<void> {
  await drain(req);
  await deps.uploads.remove(await findUpload(deps, bucket, key, params));
  sendEmpty(res, 204, context);
}

/** GET /?uploads: uploads in progress, by key then initiation, with prefix, delimiter and markers. */
export async function serveListUploads(deps: CosRouteDeps, res: ServerResponse, bucket: string, params: Record<string, string>, context: RequestContext): Promise<void> {
  const prefix = params["prefix"] ?? "";
  const delimiter = params["delimiter"];
  const keyMarker = params["key-marker"] ?? "";
  const uploadIdMarker = params["upload-id-marker"] ?? "";
  const encodingType = readEncodingType(params);
  const text = textEncoder(encodingType);
  const maxUploads = readLimit(params, "max-uploads", LIST_LIMIT);
  const all = await deps.uploads.list(bucket);
  // upload-id-marker counts only with a key-marker: the rest of that key's uploads come first.
  const sameKeyRest = keyMarker !== "" && uploadIdMarker !== "" ? all.filter((u) => u.key === keyMarker && u.uploadId > uploadIdMarker) : [];
  const entries = [
    ...sameKeyRest.map((upload) => ({ key: upload.key, item: upload })),
    ...groupByDelimiter(all.map((upload) => ({ key: upload.key, item: upload })), prefix, keyMarker, delimiter),
  ];
  const page = entries.slice(0, maxUploads);
  const truncated = entries.length > page.length;
  const last = page[page.length - 1];
  const owner = ownerXml(bucket);
  const uploadXml = (upload: MultipartUpload) =>
    `<Upload><Key>${text(upload.key)}</Key><UploadId>${upload.uploadId}</UploadId><StorageClass>STANDARD</StorageClass>` +
    `<Initiator>${owner}</Initiator><Owner>${owner}</Owner><Initiated>${upload.initiated}</Initiated></Upload>`;
  sendXml(
    res,
    200,
    context,
    xmlDocument(
      `<ListMultipartUploadsResult><Bucket>${escapeXml(bucket)}</Bucket>` +
        (encodingType ? `<EncodingType>${encodingType}</EncodingType>` : "") +
        `<KeyMarker>${text(keyMarker)}</KeyMarker><UploadIdMarker>${escapeXml(uploadIdMarker)}</UploadIdMarker>` +
        (truncated && last ? `<NextKeyMarker>${text("item" in last ? last.key : last.prefix)}</NextKeyMarker>` : "") +
        (truncated && last && "item" in last ? `<NextUploadIdMarker>${last.item.uploadId}</NextUploadIdMarker>` : "") +
        `<MaxUploads>${maxUploads}</MaxUploads><IsTruncated>${truncated}</IsTruncated><Prefix>${text(prefix)}</Prefix>` +
        (delimiter !== undefined ? `<Delimiter>${text(delimiter)}</Delimiter>` : "") +
        page.map((entry) => ("item" in entry ? uploadXml(entry.item) : `<CommonPrefixes><Prefix>${text(entry.prefix)}</Prefix></CommonPrefixes>`)).join("") +
        "</ListMultipartUploadsResult>",
    ),
  );
}

async function findUpload(deps: CosRouteDeps, bucket: string, key: string, params: Record<string, string>): Promise<MultipartUpload> {
  const upload = await deps.uploads.get(bucket, key, params["uploadId"] ?? "");
  if (!upload) throw new CosApiError(404, "NoSuchUpload", "The specified multipart upload does not exist.");
  return upload;
}

function normalizeEtag(etag: string): string {
  return etag.replace(/"/g, "").toLowerCase();
}

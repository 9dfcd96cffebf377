// The XML bodies COS clients send (Complete Multipart Upload, DELETE Multiple Objects), read with
// fast-xml-parser. Values stay text: an ETag or a key of digits must not become a number.
import { XMLParser, XMLValidator } from "fast-xml-parser";
import { CosApiError } from "./xml";

const REPEATED = new Set(["CompleteMultipartUpload.Part", "Delete.Object"]);
const parser = new XMLParser({
  parseTagValue: false,
  parseAttributeValue: false,
  ignoreAttributes: true,
  trimValues: false,
  isArray: (_name, jpath) => REPEATED.has(String(jpath)),
});

/** One part named in a Complete Multipart Upload body. */
export interface CompletedPart {
  partNumber: number;
  etag: string;
}

/** The parts of `<CompleteMultipartUpload>`, in the order given. */
export function parseCompleteMultipartUpload(body: Buffer): CompletedPart[] {
  const doc = parse(body) as { CompleteMultipartUpload?: { Part?: Array<{ PartNumber?: unknown; ETag?: unknown }> } | string };
  const root = doc.CompleteMultipartUpload;
  const parts = typeof root === "object" ? (root.Part ?? []) : undefined;
  if (parts === undefined || parts.length === 0) throw malformed("CompleteMultipartUpload needs at least one Part.");
  return parts.map((part) => {
    const number = typeof part.PartNumber === "string" ? part.PartNumber.trim() : "";
    if (!/^\d+$/.test(number) || typeof part.ETag !== "string") throw malformed("Each Part needs a PartNumber and an ETag.");
    return { partNumber: Number(number), etag: part.ETag.trim() };
  });
}

/** The keys and quiet flag of `<Delete>`. */
export function parseDeleteRequest(body: Buffer): { quiet: boolean; keys: string[] } {
  const doc = parse(body) as { Delete?: { Quiet?: unknown; Object?: Array<{ Key?: unknown }> } | string };
  const root = doc.Delete;
  const objects = typeof root === "object" ? (root.Object ?? []) : undefined;
  if (objects === undefined || objects.length === 0) throw malformed("Delete needs at least one Object.");
  const keys = objects.map((object) => {
    if (typeof object.Key !== "string" || object.Key === "") throw malformed("Each Object needs a Key.");
    return object.Key;
  });
  const quiet = typeof root === "object" && typeof root.Quiet === "string" && root.Quiet.trim().toLowerCase() === "true";
  return { quiet, keys };
}

function parse(body: Buffer): unknown {
  const text = body.toString("utf8");
  if (XMLValidator.validate(text) !== true) throw malformed("The XML you provided was not well-formed.");
  return parser.parse(text);
}

function malformed(message: string): CosApiError {
  return new CosApiError(400, "MalformedXML", message);
}

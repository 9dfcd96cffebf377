// Multipart uploads of the COS stand-in on disk, so an upload survives a restart as it does on COS:
// `<dataDir>/<bucket>/.multipart/<uploadId>/` holds `upload.json` (key, time, the attributes given
// at initiation) and, per part, `part-<n>.json` naming its data file. The object store lists only
// `*.json` files at the bucket directory's top level, so none of this shows up as an object, and
// removing a bucket's directory (reset) removes its uploads too.
import { createHash, randomBytes, randomUUID } from "node:crypto";
import { mkdir, readdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { Readable } from "node:stream";
import { BUCKET_NAME, writeStreamChecked, type ObjectAttributes } from "./store";

/** An initiated, not yet completed or aborted, multipart upload. */
export interface MultipartUpload {
  bucket: string;
  key: string;
  uploadId: string;
  /** ISO 8601. */
  initiated: string;
  attributes: ObjectAttributes;
}

/** One uploaded part. */
export interface UploadedPart {
  partNumber: number;
  /** Quoted MD5 hex of the part, as UploadPart answers it. */
  etag: string;
  size: number;
  /** ISO 8601. */
  lastModified: string;
  dataFile: string;
}

/** COS's upload ids: unix seconds, then hex. Anything else is refused before it names a directory. */
const UPLOAD_ID = /^\d{10}[0-9a-f]{32,64}$/;

/** Multipart uploads of all buckets under one data directory. */
export class MultipartStore {
  constructor(private readonly dataDir: string) {}

  /** Starts an upload (Initiate Multipart Upload). */
  async initiate(bucket: string, key: string, attributes: ObjectAttributes, nowMs: number): Promise<MultipartUpload> {
    const uploadId = `${Math.floor(nowMs / 1000)}${randomBytes(24).toString("hex")}`;
    const upload: MultipartUpload = { bucket, key, uploadId, initiated: new Date(nowMs).toISOString(), attributes };
    await mkdir(this.uploadDir(bucket, uploadId), { recursive: true });
    await writeAtomically(join(this.uploadDir(bucket, uploadId), "upload.json"), JSON.stringify(upload));
    return upload;
  }

  /** The upload, if it exists and belongs to `key`. */
  async get(bucket: string, key: string, uploadId: string): Promise<MultipartUpload | undefined> {
    if (!UPLOAD_ID.test(uploadId)) return undefined;
    const upload = await readJson<MultipartUpload>(join(this.uploadDir(bucket, uploadId), "upload.json"));
    return upload?.key === key ? upload : undefined;
  }

  /** Every upload of a bucket, ordered by key bytes, then by upload id (which starts with the time it began). */
  async list(bucket: string): Promise<MultipartUpload[]> {
    const uploads: MultipartUpload[] = [];
    for (const uploadId of await readdirOrEmpty(this.rootDir(bucket))) {
      if (!UPLOAD_ID.test(uploadId)) continue;
      const upload = await readJson<MultipartUpload>(join(this.uploadDir(bucket, uploadId), "upload.json"));
      if (upload) uploads.push(upload);
    }
    return uploads.sort((a, b) => Buffer.compare(Buffer.from(a.key), Buffer.from(b.key)) || (a.uploadId < b.uploadId ? -1 : a.uploadId > b.uploadId ? 1 : 0));
  }

  /** Stores a part (Upload Part); a part number uploaded again replaces the earlier part. */
  async putPart(upload: MultipartUpload, partNumber: number, source: Readable, nowMs: number, contentMd5?: string): Promise<UploadedPart | "bad-digest"> {
    const dir = this.uploadDir(upload.bucket, upload.uploadId);
    const dataFile = `part-${partNumber}.${randomUUID()}.data`;
    const written = await writeStreamChecked(source, join(dir, dataFile), contentMd5);
    if (written === "bad-digest") return "bad-digest";
    const { digest, size } = written;
    const part: UploadedPart = { partNumber, etag: `"${digest.toString("hex")}"`, size, lastModified: new Date(nowMs).toISOString(), dataFile };
    const previous = await readJson<UploadedPart>(join(dir, `part-${partNumber}.json`));
    await writeAtomically(join(dir, `part-${partNumber}.json`), JSON.stringify(part));
    if (previous) await rm(join(dir, previous.dataFile), { force: true });
    return part;
  }

  /** The upload's parts, by part number. */
  async parts(upload: MultipartUpload): Promise<UploadedPart[]> {
    const dir = this.uploadDir(upload.bucket, upload.uploadId);
    const parts: UploadedPart[] = [];
    for (const name of await readdirOrEmpty(dir)) {
      if (!/^part-\d+\.json$/.test(name)) continue;
      const part = await readJson<UploadedPart>(join(dir, name));
      if (part) parts.push(part);
    }
    return parts.sort((a, b) => a.partNumber - b.partNumber);
  }

  /** Where a part's bytes are. */
  partPath(upload: MultipartUpload, part: UploadedPart): string {
    return join(this.uploadDir(upload.bucket, upload.uploadId), part.dataFile);
  }

  /** Forgets an upload and its parts (after Complete, or on Abort). */
  async remove(upload: MultipartUpload): Promise<void> {
    await rm(this.uploadDir(upload.bucket, upload.uploadId), { recursive: true, force: true });
  }

  private rootDir(bucket: string): string {
    if (!BUCKET_NAME.test(bucket)) throw new Error(`not a bucket name: ${bucket}`);
    return join(this.dataDir, bucket, ".multipart");
  }

  private uploadDir(bucket: string, uploadId: string): string {
    if (!UPLOAD_ID.test(uploadId)) throw new Error(`not an upload id: ${uploadId}`);
    return join(this.rootDir(bucket), uploadId);
  }
}

/** COS's ETag of a completed multipart upload: MD5 of the parts' binary MD5s, then `-<part count>`. */
export function multipartEtag(parts: ReadonlyArray<{ etag: string }>): string {
  const md5 = createHash("md5");
  for (const part of parts) md5.update(Buffer.from(part.etag.replace(/"/g, ""), "hex"));
  return `"${md5.digest("hex")}-${parts.length}"`;
}

async function writeAtomically(path: string, text: string): Promise<void> {
  const temporary = `${path}.${randomUUID()}.tmp`;
  await writeFile(temporary, text);
  await rename(temporary, path);
}

async function readJson<T>(path: string): Promise<T | undefined> {
  try {
    return JSON.parse(await readFile(path, "utf8")) as T;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
}

async function readdirOrEmpty(dir: string): Promise<string[]> {
  try {
    return await readdir(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw error;
  }
}

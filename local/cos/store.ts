// The COS stand-in's objects on disk, so they outlive the process: one directory per bucket,
// one JSON sidecar per object (named by the SHA-256 of its key, because keys may hold any
// character and be longer than a file name) pointing at a data file with the bytes.
// A write lands in a fresh data file and then swaps the sidecar by rename, so a reader sees the
// old object or the new one, never a mix.
// With `keyIndex`, a bucket's keys are also kept sorted in memory once first listed, so a listing
// costs what COS's does (a seek to the marker) instead of a read of every sidecar: the bench's
// 100,000-task ledgers need it. It assumes this process is the directory's only writer, so it is
// off by default (npm start and the tests may run two stand-ins over one directory).
import { createHash, randomUUID } from "node:crypto";
import { createReadStream, createWriteStream, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { mkdir, open, readdir, readFile, rename, rm, writeFile, type FileHandle } from "node:fs/promises";
import { join } from "node:path";
import type { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";

/** What the stand-in knows about one object. */
export interface StoredObject {
  bucket: string;
  key: string;
  size: number;
  /** Quoted MD5 hex, as COS answers for a simple upload. */
  etag: string;
  contentType: string;
  /** `x-cos-meta-*` without the prefix, names lower-cased. */
  metadata: Record<string, string>;
  /** Standard headers set on upload (see ObjectAttributes). */
  headers?: Record<string, string>;
  /** ISO 8601. */
  lastModified: string;
  /** x-cos-request-id of the request that wrote it. */
  requestId: string;
  /** Data file name inside the bucket directory. */
  dataFile: string;
}

export interface ObjectAttributes {
  contentType: string;
  metadata: Record<string, string>;
  /** Standard headers set on upload and answered by HEAD and GET (Cache-Control, Content-Disposition, ...), names lower-cased. */
  headers?: Record<string, string>;
}

export type WriteOutcome =
  | { outcome: "created"; object: StoredObject }
  | { outcome: "exists" }
  | { outcome: "bad-digest" }
  | { outcome: "no-such-source" };

export interface WriteOptions {
  forbidOverwrite: boolean;
  nowMs: number;
  requestId: string;
}

/** Full bucket names (`<name>-<appid>`) are the only directory names the store creates or removes. */
export const BUCKET_NAME = /^([a-z0-9][a-z0-9-]*)-(\d+)$/;

/** Which part of a bucket a listing needs (see ObjectStore.list). */
export interface ListWindow {
  prefix?: string;
  marker?: string;
  delimiter?: string;
  maxKeys?: number;
}

/** One key of the in-memory index, with its UTF-8 bytes (COS orders keys by them). */
interface IndexedObject {
  bytes: Buffer;
  object: StoredObject;
}

/** Objects of all buckets under one data directory. */
export class ObjectStore {
  private readonly locks = new Map<string, Promise<unknown>>();
  /** Per bucket, every object sorted by key bytes (only with keyIndex, once the bucket was listed). */
  private readonly index = new Map<string, IndexedObject[]>();

  constructor(
    private readonly dataDir: string,
    private readonly options: { keyIndex?: boolean } = {},
  ) {
    mkdirSync(dataDir, { recursive: true });
  }

  /** Where `bytes` is, or would be inserted, in a bucket's index. */
  private static lowerBound(entries: readonly IndexedObject[], bytes: Buffer): number {
    let low = 0;
    let high = entries.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (Buffer.compare((entries[mid] as IndexedObject).bytes, bytes) < 0) low = mid + 1;
      else high = mid;
    }
    return low;
  }

  private indexed(bucket: string, object: StoredObject | undefined, key: string): void {
    const entries = this.index.get(bucket);
    if (!entries) return;
    const bytes = Buffer.from(key, "utf8");
    const at = ObjectStore.lowerBound(entries, bytes);
    const present = at < entries.length && Buffer.compare((entries[at] as IndexedObject).bytes, bytes) === 0;
    if (object) entries.splice(at, present ? 1 : 0, { bytes, object });
    else if (present) entries.splice(at, 1);
  }

  /**
   * Writes objects straight into a bucket's directory, synchronously (the bench seeds 100,000-task
   * ledgers this way instead of through HTTP). Keys must not exist yet.
   */
  seedSync(bucket: string, objects: ReadonlyArray<{ key: string; body: string; contentType?: string }>, nowMs = Date.now()): void {
    const dir = this.bucketDir(bucket);
    mkdirSync(dir, { recursive: true });
    // Indexed as written: reading the sidecars back on the first listing would take longer than the writes.
    if (this.options.keyIndex && !this.index.has(bucket)) {
      this.index.set(bucket, this.listSync(bucket).map((object) => ({ bytes: Buffer.from(object.key, "utf8"), object })));
    }
    const lastModified = new Date(nowMs).toISOString();
    const added: IndexedObject[] = [];
    for (const { key, body, contentType } of objects) {
      const hash = keyHash(key);
      const dataFile = `${hash}.seed.data`;
      writeFileSync(join(dir, dataFile), body);
      const object: StoredObject = {
        bucket,
        key,
        size: Buffer.byteLength(body),
        etag: `"${createHash("md5").update(body).digest("hex")}"`,
        contentType: contentType ?? (body ? "application/json" : "text/plain"),
        metadata: {},
        lastModified,
        requestId: "seed",
        dataFile,
      };
      writeFileSync(join(dir, `${hash}.json`), JSON.stringify(object));
      added.push({ bytes: Buffer.from(key, "utf8"), object });
    }
    const entries = this.index.get(bucket);
    if (entries) {
      for (const entry of added) entries.push(entry);
      entries.sort((a, b) => Buffer.compare(a.bytes, b.bytes));
    }
  }

  /** The object's record, or undefined when the key does not exist. */
  async head(bucket: string, key: string): Promise<StoredObject | undefined> {
    try {
      return JSON.parse(await readFile(this.sidecarPath(bucket, key), "utf8")) as StoredObject;
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  /** The object's record and an open handle on its bytes, or undefined when the key does not exist. */
  async openForRead(bucket: string, key: string): Promise<{ object: StoredObject; file: FileHandle } | undefined> {
    // A concurrent overwrite may delete the data file between reading the sidecar and opening it;
    // the sidecar read again then names the new one.
    for (let attempt = 0; attempt < 3; attempt++) {
      const object = await this.head(bucket, key);
      if (!object) return undefined;
      try {
        return { object, file: await open(join(this.bucketDir(bucket), object.dataFile), "r") };
      } catch (error) {
        if (!isNotFound(error)) throw error;
      }
    }
    return undefined;
  }

  /** Stores a body streamed from `source`; `contentMd5` (base64) is checked when given. */
  async put(bucket: string, key: string, source: Readable, attributes: ObjectAttributes, options: WriteOptions & { contentMd5?: string }): Promise<WriteOutcome> {
    const dir = this.bucketDir(bucket);
    await mkdir(dir, { recursive: true });
    // The upload is streamed before taking the key's lock, so a slow client holds up nobody.
    const dataFile = `${keyHash(key)}.${randomUUID()}.data`;
    const dataPath = join(dir, dataFile);
    const written = await writeStreamChecked(source, dataPath, options.contentMd5);
    if (written === "bad-digest") return { outcome: "bad-digest" };
    const { digest, size } = written;
    const object: StoredObject = {
      bucket,
      key,
      size,
      etag: `"${digest.toString("hex")}"`,
      ...attributes,
      lastModified: new Date(options.nowMs).toISOString(),
      requestId: options.requestId,
      dataFile,
    };
    return this.commit(object, options.forbidOverwrite);
  }

  /**
   * Stores an object made of `partPaths` joined in order (Complete Multipart Upload), with the
   * ETag the caller computed (COS's is derived from the parts', not from the whole body).
   */
  async assemble(bucket: string, key: string, partPaths: string[], attributes: ObjectAttributes, options: WriteOptions & { etag: string }): Promise<WriteOutcome> {
    const dir = this.bucketDir(bucket);
    await mkdir(dir, { recursive: true });
    const dataFile = `${keyHash(key)}.${randomUUID()}.data`;
    const dataPath = join(dir, dataFile);
    let size = 0;
    try {
      const out = createWriteStream(dataPath);
      await pipeline(async function* () {
        for (const path of partPaths) {
          for await (const chunk of createReadStream(path) as AsyncIterable<Buffer>) {
            size += chunk.length;
            yield chunk;
          }
        }
      }, out);
    } catch (error) {
      await rm(dataPath, { force: true });
      throw error;
    }
    const object: StoredObject = {
      bucket,
      key,
      size,
      etag: options.etag,
      ...attributes,
      lastModified: new Date(options.nowMs).toISOString(),
      requestId: options.requestId,
      dataFile,
    };
    return this.commit(object, options.forbidOverwrite);
  }

  /** Copies an object (PUT Object - Copy); `attributes` replace the source's when given. */
  async copy(
    source: { bucket: string; key: string },
    bucket: string,
    key: string,
    attributes: ObjectAttributes | undefined,
    options: WriteOptions,
  ): Promise<WriteOutcome> {
    const opened = await this.openForRead(source.bucket, source.key);
    if (!opened) return { outcome: "no-such-source" };
    const dir = this.bucketDir(bucket);
    await mkdir(dir, { recursive: true });
    const dataFile = `${keyHash(key)}.${randomUUID()}.data`;
    try {
      await pipeline(opened.file.createReadStream({ autoClose: false }), createWriteStream(join(dir, dataFile)));
    } finally {
      await opened.file.close();
    }
    const object: StoredObject = {
      bucket,
      key,
      size: opened.object.size,
      etag: opened.object.etag,
      ...(attributes ?? { contentType: opened.object.contentType, metadata: opened.object.metadata, ...(opened.object.headers ? { headers: opened.object.headers } : {}) }),
      lastModified: new Date(options.nowMs).toISOString(),
      requestId: options.requestId,
      dataFile,
    };
    return this.commit(object, options.forbidOverwrite);
  }

  /** Deletes an object; a missing key is not an error (COS answers 204 either way). */
  async delete(bucket: string, key: string): Promise<void> {
    await this.withKeyLock(bucket, key, async () => {
      const existing = await this.head(bucket, key);
      await rm(this.sidecarPath(bucket, key), { force: true });
      if (existing) await rm(join(this.bucketDir(bucket), existing.dataFile), { force: true });
      this.indexed(bucket, undefined, key);
    });
  }

  /**
   * Every object of a bucket, ordered by the UTF-8 bytes of its key as COS lists them. With the key
   * index and no delimiter, only the objects `window` can answer with: from the marker (or prefix)
   * on, under the prefix, one more than maxKeys (so the caller can tell the listing is truncated).
   */
  async list(bucket: string, window: ListWindow = {}): Promise<StoredObject[]> {
    if (!this.options.keyIndex) return this.readAll(bucket);
    let entries = this.index.get(bucket);
    if (!entries) {
      entries = (await this.readAll(bucket)).map((object) => ({ bytes: Buffer.from(object.key, "utf8"), object }));
      this.index.set(bucket, entries);
    }
    if (window.delimiter) return entries.map((entry) => entry.object);
    const prefix = window.prefix ?? "";
    const prefixBytes = Buffer.from(prefix, "utf8");
    let at = ObjectStore.lowerBound(entries, prefixBytes);
    if (window.marker) {
      const markerBytes = Buffer.from(window.marker, "utf8");
      at = Math.max(at, ObjectStore.lowerBound(entries, markerBytes));
      if (at < entries.length && Buffer.compare((entries[at] as IndexedObject).bytes, markerBytes) === 0) at++;
    }
    const limit = (window.maxKeys ?? 1000) + 1;
    const out: StoredObject[] = [];
    for (; at < entries.length && out.length < limit; at++) {
      const entry = entries[at] as IndexedObject;
      if (!entry.object.key.startsWith(prefix)) break;
      out.push(entry.object);
    }
    return out;
  }

  private async readAll(bucket: string): Promise<StoredObject[]> {
    let names: string[];
    try {
      names = await readdir(this.bucketDir(bucket));
    } catch (error) {
      if (isNotFound(error)) return [];
      throw error;
    }
    const objects: StoredObject[] = [];
    for (const name of names.filter((n) => n.endsWith(".json"))) {
      try {
        objects.push(JSON.parse(await readFile(join(this.bucketDir(bucket), name), "utf8")) as StoredObject);
      } catch (error) {
        if (!isNotFound(error)) throw error;
      }
    }
    return objects.sort(byKeyBytes);
  }

  /** Every object, of one bucket or of all (synchronous: a test helper). */
  listSync(bucket?: string): StoredObject[] {
    const buckets = bucket !== undefined ? [bucket] : this.bucketDirsSync();
    const objects: StoredObject[] = [];
    for (const name of buckets) {
      let files: string[];
      try {
        files = readdirSync(this.bucketDir(name));
      } catch (error) {
        if (isNotFound(error)) continue;
        throw error;
      }
      for (const file of files.filter((f) => f.endsWith(".json"))) {
        objects.push(JSON.parse(readFileSync(join(this.bucketDir(name), file), "utf8")) as StoredObject);
      }
    }
    return objects.sort((a, b) => (a.bucket === b.bucket ? byKeyBytes(a, b) : a.bucket < b.bucket ? -1 : 1));
  }

  /** Removes every bucket directory (and nothing else in the data directory). */
  clearSync(): void {
    for (const name of this.bucketDirsSync()) rmSync(this.bucketDir(name), { recursive: true, force: true });
    this.index.clear();
  }

  private async commit(object: StoredObject, forbidOverwrite: boolean): Promise<WriteOutcome> {
    const dir = this.bucketDir(object.bucket);
    return this.withKeyLock(object.bucket, object.key, async (): Promise<WriteOutcome> => {
      // Checked under the key's lock, so of two racing forbid-overwrite writes exactly one wins.
      const previous = await this.head(object.bucket, object.key);
      if (previous && forbidOverwrite) {
        await rm(join(dir, object.dataFile), { force: true });
        return { outcome: "exists" };
      }
      const sidecar = this.sidecarPath(object.bucket, object.key);
      const temporary = `${sidecar}.${randomUUID()}.tmp`;
      await writeFile(temporary, JSON.stringify(object, null, 2));
      await rename(temporary, sidecar);
      if (previous && previous.dataFile !== object.dataFile) await rm(join(dir, previous.dataFile), { force: true });
      this.indexed(object.bucket, object, object.key);
      return { outcome: "created", object };
    });
  }

  private async withKeyLock<T>(bucket: string, key: string, work: () => Promise<T>): Promise<T> {
    const lockKey = `${bucket}\n${key}`;
    const previous = this.locks.get(lockKey) ?? Promise.resolve();
    const run = previous.then(work, work);
    const settled = run.then(
      () => undefined,
      () => undefined,
    );
    this.locks.set(lockKey, settled);
    try {
      return await run;
    } finally {
      if (this.locks.get(lockKey) === settled) this.locks.delete(lockKey);
    }
  }

  private bucketDirsSync(): string[] {
    return readdirSync(this.dataDir, { withFileTypes: true })
      .filter((entry) => entry.isDirectory() && BUCKET_NAME.test(entry.name))
      .map((entry) => entry.name);
  }

  private bucketDir(bucket: string): string {
    if (!BUCKET_NAME.test(bucket)) throw new Error(`not a bucket name: ${bucket}`);
    return join(this.dataDir, bucket);
  }

  private sidecarPath(bucket: string, key: string): string {
    return join(this.bucketDir(bucket), `${keyHash(key)}.json`);
  }
}

function keyHash(key: string): string {
  return createHash("sha256").update(key, "utf8").digest("hex");
}

function byKeyBytes(a: StoredObject, b: StoredObject): number {
  return Buffer.compare(Buffer.from(a.key, "utf8"), Buffer.from(b.key, "utf8"));
}

function isNotFound(error: unknown): boolean {
  return (error as NodeJS.ErrnoException | undefined)?.code === "ENOENT";
}

/**
 * Streams `source` into `path`, computing its MD5 and size on the way. A failed stream (a client
 * that went away mid-upload) or a Content-MD5 that does not match leaves no file behind.
 */
export async function writeStreamChecked(source: Readable, path: string, contentMd5?: string): Promise<{ digest: Buffer; size: number } | "bad-digest"> {
  const md5 = createHash("md5");
  let size = 0;
  try {
    await pipeline(
      source,
      async function* (chunks: AsyncIterable<Buffer>) {
        for await (const chunk of chunks) {
          md5.update(chunk);
          size += chunk.length;
          yield chunk;
        }
      },
      createWriteStream(path),
    );
  } catch (error) {
    await rm(path, { force: true });
    throw error;
  }
  const digest = md5.digest();
  if (contentMd5 !== undefined && contentMd5 !== digest.toString("base64")) {
    await rm(path, { force: true });
    return "bad-digest";
  }
  return { digest, size };
}

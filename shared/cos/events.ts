/**
 * SCF's COS trigger event: its shape, and the upload each record describes.
 * Records are parsed one by one, so a malformed record never sinks the others.
 */

import { z } from "zod";

// Field shapes as seen in real deliveries: older ones carry a short region ("gz") and a numeric
// eventTime, newer ones add cosRegion, ETag and the storage class; eventName may contain spaces.
function buildCosRecordSchema() {
  return z.object({
    cos: z.object({
      cosSchemaVersion: z.string().optional(),
      cosObject: z.object({
        url: z.string().optional(),
        meta: z.record(z.string(), z.union([z.string(), z.number()])).optional(),
        vid: z.string().optional(),
        key: z.string().min(1),
        size: z.union([z.number(), z.string().regex(/^\d+$/)]).optional(),
      }),
      cosBucket: z.object({
        name: z.string().min(1),
        appid: z.union([z.string(), z.number()]),
        region: z.string().optional(),
        cosRegion: z.string().optional(),
      }),
      cosNotificationId: z.string().optional(),
    }),
    event: z.object({
      eventName: z.string(),
      eventTime: z.union([z.number(), z.string()]).optional(),
      eventSource: z.string().optional(),
      reqid: z.union([z.number(), z.string()]).optional(),
    }),
  });
}

/** Built on the first COS event: the function's API Gateway requests never need it. */
let cosRecordSchema: ReturnType<typeof buildCosRecordSchema> | undefined;

/** One object upload (or other COS change) as a COS event record describes it. */
export interface CosObjectEvent {
  /** e.g. `cos:ObjectCreated:Put`, spaces removed. */
  eventName: string;
  /** Full bucket name with appid, e.g. `aigc-1250000000`. */
  bucket: string;
  appId: string;
  /** Full region (ap-guangzhou) when the record says it; records with only a short code leave it out. */
  region?: string;
  /** The object key, decoded, without the `/<appid>/<bucket>/` prefix. */
  key: string;
  size?: number;
  contentType?: string;
  etag?: string;
  cosRequestId?: string;
  eventTime?: string;
  /** User metadata (`x-cos-meta-*`), keys lower-cased and without the prefix. */
  userMetadata: Record<string, string>;
}

export type ParsedRecord = { ok: true; object: CosObjectEvent } | { ok: false; reason: string };

/** True when an event looks like SCF's COS trigger event (records are checked one by one later). */
export function isCosEvent(event: unknown): event is { Records: unknown[] } {
  if (!event || typeof event !== "object") return false;
  const records = (event as { Records?: unknown }).Records;
  return Array.isArray(records) && records.some((r) => !!r && typeof r === "object" && "cos" in r);
}

/** A full COS region (ap-guangzhou); anything else in a record is ignored, as it would address another host. */
const FULL_REGION = /^[a-z]+(-[a-z0-9]+)+$/;

function regionOf(bucket: { region?: string | undefined; cosRegion?: string | undefined }, url: string | undefined): string | undefined {
  if (bucket.cosRegion && FULL_REGION.test(bucket.cosRegion)) return bucket.cosRegion;
  const fromHost = url ? /\.cos\.([a-z0-9-]+)\.myqcloud\.com$/i.exec(safeHost(url) ?? "")?.[1] : undefined;
  if (fromHost && FULL_REGION.test(fromHost)) return fromHost;
  return bucket.region && FULL_REGION.test(bucket.region) ? bucket.region : undefined;
}

function safeHost(url: string): string | undefined {
  try {
    return new URL(url).hostname;
  } catch {
    return undefined;
  }
}

function keyFromUrl(url: string | undefined): string | undefined {
  if (!url) return undefined;
  try {
    // The path of an object URL is the percent-encoded key; `+` in a path is a literal plus.
    return decodeURIComponent(new URL(url).pathname.slice(1));
  } catch {
    return undefined;
  }
}

/**
 * The object key. `cosObject.key` is `/<appid>/<bucket short name>/<key>` and was seen NOT
 * percent-encoded while `url` was; the URL settles the rare delivery whose key is encoded too.
 */
function objectKey(rawKey: string, appId: string, shortName: string, url: string | undefined): string {
  // `name` may be the full bucket name (parseCosRecord accepts both); the key then still names the
  // bucket either way, and an unstripped prefix would put the upload outside the input prefix.
  const names = shortName.endsWith(`-${appId}`) ? [shortName, shortName.slice(0, -`-${appId}`.length)] : [shortName];
  const prefix = names.map((name) => `/${appId}/${name}/`).find((candidate) => rawKey.startsWith(candidate));
  const key = prefix ? rawKey.slice(prefix.length) : rawKey.replace(/^\/+/, "");
  const fromUrl = keyFromUrl(url);
  if (fromUrl === undefined || fromUrl === key) return key;
  try {
    if (decodeURIComponent(key) === fromUrl) return fromUrl;
  } catch {
    // A literal '%' that is not an escape: the key is already decoded.
  }
  return key;
}

function eventTimeOf(value: number | string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value === "number" || /^\d+$/.test(value)) {
    const date = new Date(Number(value) * 1000);
    // Out of Date's range (e.g. 1e20): toISOString would throw and sink the whole event.
    return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
  }
  const parsed = Date.parse(value);
  return Number.isNaN(parsed) ? undefined : new Date(parsed).toISOString();
}

/** Parses one record of a COS event. */
export function parseCosRecord(record: unknown): ParsedRecord {
  cosRecordSchema ??= buildCosRecordSchema();
  const parsed = cosRecordSchema.safeParse(record);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    return { ok: false, reason: `not a COS record: ${first ? `${first.path.join(".")} ${first.message}` : "invalid"}` };
  }
  const { cos, event } = parsed.data;
  const appId = String(cos.cosBucket.appid);
  const shortName = cos.cosBucket.name;
  const meta: Record<string, string> = {};
  for (const [name, value] of Object.entries(cos.cosObject.meta ?? {})) meta[name.toLowerCase()] = String(value);
  const userMetadata: Record<string, string> = {};
  for (const [name, value] of Object.entries(meta)) {
    if (name.startsWith("x-cos-meta-")) userMetadata[name.slice("x-cos-meta-".length)] = value;
  }
  const region = regionOf(cos.cosBucket, cos.cosObject.url);
  const eventTime = eventTimeOf(event.eventTime);
  const size = cos.cosObject.size === undefined ? undefined : Number(cos.cosObject.size);
  return {
    ok: true,
    object: {
      eventName: event.eventName.replace(/\s+/g, ""),
      bucket: shortName.endsWith(`-${appId}`) ? shortName : `${shortName}-${appId}`,
      appId,
      ...(region ? { region } : {}),
      key: objectKey(cos.cosObject.key, appId, shortName, cos.cosObject.url),
      ...(size === undefined ? {} : { size }),
      ...(meta["content-type"] ? { contentType: meta["content-type"] } : {}),
      ...(meta.etag ? { etag: meta.etag.replace(/"/g, "") } : {}),
      ...(meta["x-cos-request-id"] ? { cosRequestId: meta["x-cos-request-id"] } : {}),
      ...(eventTime ? { eventTime } : {}),
      userMetadata,
    },
  };
}

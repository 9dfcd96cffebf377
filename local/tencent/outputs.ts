// The files finished tasks produce: small real media from local/assets, served by the stand-in
// itself behind expiring, signed URLs, as Tencent serves results from its CDN. The URL carries
// `t` (expiry, hex unix seconds, as in VOD's hotlink protection) and `sign` (an HMAC under a
// secret of this stand-in instance), so an expired or edited URL is refused with 403 without
// any Tencent authentication.
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";

/** Where the asset files live; local/ code runs from source, never bundled. */
const ASSETS_DIR = join(__dirname, "..", "assets");

/** URL path under which output files are served. */
export const FILES_PREFIX = "/__standin/files/";

export type AssetName = "video" | "png" | "jpeg";

export interface Asset {
  file: string;
  contentType: string;
  /** Tencent's FileType / Container word for it. */
  fileType: string;
  width: number;
  height: number;
  /** Seconds; 0 for images. */
  duration: number;
  fps?: number;
  codec?: string;
}

// Facts about the committed files (ffprobe), see local/assets/README.md.
export const ASSETS: Record<AssetName, Asset> = {
  video: { file: "aigc-video.mp4", contentType: "video/mp4", fileType: "mp4", width: 128, height: 72, duration: 2, fps: 12, codec: "h264" },
  png: { file: "aigc-image.png", contentType: "image/png", fileType: "png", width: 128, height: 128, duration: 0 },
  jpeg: { file: "aigc-image.jpg", contentType: "image/jpeg", fileType: "jpg", width: 128, height: 128, duration: 0 },
};

const contents = new Map<AssetName, Buffer>();

/** The bytes of an asset, read once. */
export function assetBytes(name: AssetName): Buffer {
  let bytes = contents.get(name);
  if (!bytes) {
    bytes = readFileSync(join(ASSETS_DIR, ASSETS[name].file));
    contents.set(name, bytes);
  }
  return bytes;
}

export interface OutputFile {
  token: string;
  /** Last path segment of the URL, e.g. `<TaskId>.mp4`. */
  name: string;
  asset: AssetName;
}

export type FileLookup =
  | { status: 200; file: OutputFile; expiresAtMs: number }
  | { status: 403 | 404; reason: string };

/** Output files by token, and the signing of their URLs. */
export class OutputFiles {
  private readonly files = new Map<string, OutputFile>();

  /**
   * `durable`: the secret outlives this instance (npm start keeps it in its data folder), so a
   * correctly signed URL of an earlier run is served too, its asset read from the file name's
   * extension; tasks are not kept across restarts, but the URLs recorded in the ledger are.
   */
  constructor(
    private readonly secret: Buffer = randomBytes(32),
    private readonly durable = false,
  ) {}

  /** Registers a new output file and returns it. */
  add(asset: AssetName, name: string): OutputFile {
    const file = { token: randomBytes(12).toString("hex"), name, asset };
    this.files.set(file.token, file);
    return file;
  }

  /** Path and query of a URL for `file` that stops working at `expiresAtMs` (server clock). */
  signedPath(file: OutputFile, expiresAtMs: number): string {
    const t = Math.floor(expiresAtMs / 1000).toString(16);
    return `${FILES_PREFIX}${file.token}/${encodeURIComponent(file.name)}?t=${t}&sign=${this.sign(file.token, file.name, t)}`;
  }

  /** Checks a request for `FILES_PREFIX<token>/<name>?t=..&sign=..` at `nowMs`. */
  lookup(path: string, query: string, nowMs: number): FileLookup {
    const [token = "", encodedName = "", ...rest] = path.slice(FILES_PREFIX.length).split("/");
    const params = new URLSearchParams(query);
    const t = params.get("t") ?? "";
    const sign = params.get("sign") ?? "";
    let name: string;
    try {
      name = decodeURIComponent(encodedName);
    } catch {
      return { status: 403, reason: "malformed file name" };
    }
    if (rest.length > 0 || !/^[0-9a-f]{1,12}$/.test(t) || !sameHex(this.sign(token, name, t), sign)) {
      return { status: 403, reason: "bad signature" };
    }
    const expiresAtMs = parseInt(t, 16) * 1000;
    if (nowMs >= expiresAtMs) return { status: 403, reason: "expired" };
    const file = this.files.get(token) ?? (this.durable ? fileOfEarlierRun(token, name) : undefined);
    if (!file || file.name !== name) return { status: 404, reason: "no such file" };
    return { status: 200, file, expiresAtMs };
  }

  /** Forgets every file; URLs already handed out then answer 404. */
  reset(): void {
    this.files.clear();
  }

  private sign(token: string, name: string, t: string): string {
    return createHmac("sha256", this.secret).update(`${token}\n${name}\n${t}`).digest("hex");
  }
}

/** A file signed by an earlier run with the same secret: the asset its extension names. */
function fileOfEarlierRun(token: string, name: string): OutputFile | undefined {
  const extension = name.slice(name.lastIndexOf(".") + 1);
  const asset = (Object.keys(ASSETS) as AssetName[]).find((candidate) => ASSETS[candidate].fileType === extension);
  return asset ? { token, name, asset } : undefined;
}

function sameHex(expected: string, actual: string): boolean {
  const a = Buffer.from(expected, "utf8");
  const b = Buffer.from(actual, "utf8");
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Where a client may ask us to POST its task's webhook. The bundle runs on the public internet with
 * cloud credentials at hand (Tencent's metadata service is 169.254.0.23), so a CallbackUrl must never
 * make us call a private, loopback or link-local target: that is server-side request forgery.
 *
 * Two gates, both needed:
 * - `checkCallbackUrl`, synchronous, at create time and again before each delivery: the URL's shape
 *   and a host that is a literal address or a local-only name. WHATWG URL parsing has already turned
 *   `2130706433`, `0x7f.1`, `0177.0.0.1` into `127.0.0.1` and `[::ffff:127.0.0.1]` into
 *   `[::ffff:7f00:1]`, so the address check sees the canonical form.
 * - `createGuardedLookup`, at connection time: a DNS name is resolved once, every answer is checked,
 *   and the socket connects to the address that was checked. Checking a name first and letting the
 *   HTTP client resolve it again would leave a DNS-rebinding gap.
 *
 * Node skips `lookup` for a literal IP, which is why the literal check runs before every delivery.
 * `allowPrivate` (AIGC_ALLOW_PRIVATE_CALLBACKS, local development, where the receiver is on this
 * machine) lets plain http and loopback (127.0.0.0/8, ::1, localhost) through, and nothing else:
 * link-local (169.254.0.0/16 with the metadata services, fe80::/10), private and every other
 * non-public address stay refused, locally as deployed.
 */

import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from "node:dns";
import type { LookupFunction } from "node:net";

/** Longest CallbackUrl we accept; longer ones are abuse or a mistake, and they fill logs. */
export const MAX_CALLBACK_URL_LENGTH = 2048;

/** A connection refused because the target is not a public address. */
export class CallbackTargetRefused extends Error {
  override name = "CallbackTargetRefused";
  readonly code = "ERR_CALLBACK_TARGET_REFUSED";
  constructor(message: string) {
    super(message);
  }
}

export type CallbackUrlCheck = { ok: true; url: URL } | { ok: false; reason: string };

/** Checks a client's CallbackUrl before anything is created or sent (shape, scheme, literal host). */
export function checkCallbackUrl(raw: string, options: { allowPrivate: boolean }): CallbackUrlCheck {
  if (typeof raw !== "string" || raw.length === 0) return { ok: false, reason: "CallbackUrl must be a non-empty string" };
  if (raw.length > MAX_CALLBACK_URL_LENGTH) return { ok: false, reason: `CallbackUrl is longer than ${MAX_CALLBACK_URL_LENGTH} characters` };
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { ok: false, reason: "CallbackUrl must be an absolute URL" };
  }
  // Normalization can grow a URL (percent-encoding), and the normalized form is what gets stored and sent.
  if (url.href.length > MAX_CALLBACK_URL_LENGTH) return { ok: false, reason: `CallbackUrl is longer than ${MAX_CALLBACK_URL_LENGTH} characters` };
  const schemes = options.allowPrivate ? ["https:", "http:"] : ["https:"];
  if (!schemes.includes(url.protocol)) {
    return { ok: false, reason: options.allowPrivate ? "CallbackUrl must use https or http" : "CallbackUrl must use https" };
  }
  // Credentials in a URL end up in logs and ledgers; receivers authenticate us by the signature instead.
  if (url.username !== "" || url.password !== "") return { ok: false, reason: "CallbackUrl must not contain credentials" };
  if (url.hostname === "") return { ok: false, reason: "CallbackUrl must name a host" };

  const host = bareHost(url.hostname);
  if (isIP(host) !== 0) {
    if (isPublicAddress(host) || (options.allowPrivate && isLoopbackAddress(host))) return { ok: true, url };
    return {
      ok: false,
      reason: options.allowPrivate
        ? "CallbackUrl must not point to a private or link-local address (local development allows loopback only: 127.0.0.0/8, ::1)"
        : "CallbackUrl must not point to a private, loopback or link-local address",
    };
  }
  if (isLocalName(host) && !options.allowPrivate) return { ok: false, reason: "CallbackUrl must not point to localhost" };
  return { ok: true, url };
}

/**
 * node:net's isIP, with node:net loaded on first use: only requests that give a CallbackUrl need it,
 * and loading it (with the stream and socket internals it brings) costs every cold start ~2 ms otherwise.
 */
function isIP(input: string): number {
  return (require("node:net") as typeof import("node:net")).isIP(input);
}

/** True when `ip` (an IPv4 or IPv6 literal) is a globally routable unicast address. */
export function isPublicAddress(ip: string): boolean {
  const address = bareHost(ip).replace(/%.*$/, "");
  const family = isIP(address);
  if (family === 4) return isPublicIPv4(ipv4ToNumber(address));
  if (family === 6) {
    const groups = ipv6Groups(address);
    return groups !== undefined && isPublicIPv6(groups);
  }
  return false;
}

/** True when `ip` is a loopback address: 127.0.0.0/8, ::1, or 127.0.0.0/8 mapped into IPv6 (::ffff:127.x.y.z). */
export function isLoopbackAddress(ip: string): boolean {
  const address = bareHost(ip).replace(/%.*$/, "");
  const family = isIP(address);
  if (family === 4) return address.startsWith("127.");
  if (family !== 6) return false;
  const groups = ipv6Groups(address);
  if (groups === undefined || groups.slice(0, 5).some((group) => group !== 0)) return false;
  const [g5, g6] = [groups[5], groups[6] ?? 0];
  return (g5 === 0 && g6 === 0 && groups[7] === 1) || (g5 === 0xffff && g6 >> 8 === 127);
}

/**
 * A `lookup` for node:http/https `request` that resolves with `dns.lookup` and fails the connection
 * when any answer is not public (nor loopback, with allowPrivate), so the address connected to is
 * the address checked.
 */
export function createGuardedLookup(options: { allowPrivate: boolean; resolve?: typeof dnsLookup }): LookupFunction {
  const resolve = options.resolve ?? dnsLookup;
  return (hostname: string, lookupOptions: LookupOptions, callback) => {
    // Always ask for every address: one private answer among public ones is how rebinding hides.
    resolve(hostname, { ...lookupOptions, all: true }, (error: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => {
      if (error) return callback(error, "", undefined);
      const first = addresses[0];
      if (!first) return callback(Object.assign(new Error(`no address found for ${hostname}`), { code: "ENOTFOUND" }), "", undefined);
      const refused = addresses.find((answer) => !isPublicAddress(answer.address) && !(options.allowPrivate && isLoopbackAddress(answer.address)));
      if (refused) {
        const allowed = options.allowPrivate ? "a public or loopback address" : "a public address";
        return callback(new CallbackTargetRefused(`${hostname} resolves to ${refused.address}, which is not ${allowed}`), "", undefined);
      }
      // Node 20's happy-eyeballs connect asks for all addresses; Node 18's default connect asks for one.
      if (lookupOptions.all) return callback(null, addresses);
      return callback(null, first.address, first.family);
    });
  };
}

function bareHost(host: string): string {
  return host.startsWith("[") && host.endsWith("]") ? host.slice(1, -1) : host;
}

function isLocalName(host: string): boolean {
  const name = host.toLowerCase().replace(/\.$/, "");
  // RFC 6761: localhost and every name under it resolve to loopback, often without asking DNS.
  return name === "localhost" || name.endsWith(".localhost");
}

function ipv4ToNumber(address: string): number {
  return address.split(".").reduce((value, octet) => value * 256 + Number(octet), 0);
}

/** IPv4 blocks that are not public (IANA special-purpose registry), each with why it is refused. */
const NON_PUBLIC_IPV4: ReadonlyArray<readonly [base: string, prefix: number, why: string]> = [
  ["0.0.0.0", 8, "this network; 0.0.0.0 reaches the local host"],
  ["10.0.0.0", 8, "private (RFC 1918)"],
  ["100.64.0.0", 10, "carrier-grade NAT, provider-internal"],
  ["127.0.0.0", 8, "loopback"],
  ["169.254.0.0", 16, "link-local, where cloud metadata services live"],
  ["172.16.0.0", 12, "private (RFC 1918)"],
  ["192.0.0.0", 24, "IETF protocol assignments"],
  ["192.0.2.0", 24, "documentation"],
  ["192.88.99.0", 24, "6to4 relay anycast (deprecated)"],
  ["192.168.0.0", 16, "private (RFC 1918)"],
  ["198.18.0.0", 15, "benchmarking"],
  ["198.51.100.0", 24, "documentation"],
  ["203.0.113.0", 24, "documentation"],
  ["224.0.0.0", 4, "multicast"],
  ["240.0.0.0", 4, "reserved, and 255.255.255.255 broadcast"],
];

const NON_PUBLIC_IPV4_RANGES = NON_PUBLIC_IPV4.map(([base, prefix]) => {
  const size = 2 ** (32 - prefix);
  const start = ipv4ToNumber(base);
  return { start, end: start + size - 1 };
});

function isPublicIPv4(value: number): boolean {
  return !NON_PUBLIC_IPV4_RANGES.some((range) => value >= range.start && value <= range.end);
}

/** The eight 16-bit groups of a valid IPv6 literal (an embedded dotted IPv4 tail included). */
function ipv6Groups(address: string): number[] | undefined {
  let text = address.toLowerCase();
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted?.[1]) {
    const value = ipv4ToNumber(dotted[1]);
    text = `${text.slice(0, -dotted[1].length)}${Math.floor(value / 65536).toString(16)}:${(value % 65536).toString(16)}`;
  }
  const halves = text.split("::");
  const parse = (part: string | undefined) => (part ? part.split(":").map((group) => Number.parseInt(group, 16)) : []);
  const head = parse(halves[0]);
  const tail = parse(halves[1]);
  const groups = halves.length === 2 ? [...head, ...new Array<number>(8 - head.length - tail.length).fill(0), ...tail] : head;
  return groups.length === 8 && groups.every((group) => Number.isInteger(group) && group >= 0 && group <= 0xffff) ? groups : undefined;
}

function isPublicIPv6(groups: number[]): boolean {
  const [g0 = 0, g1 = 0, g2 = 0, g3 = 0, g4 = 0, g5 = 0, g6 = 0, g7 = 0] = groups;
  const embeddedIPv4 = g6 * 65536 + g7;
  // ::ffff:a.b.c.d reaches the IPv4 address a.b.c.d on a dual-stack socket.
  if (g0 === 0 && g1 === 0 && g2 === 0 && g3 === 0 && g4 === 0 && g5 === 0xffff) return isPublicIPv4(embeddedIPv4);
  // 64:ff9b::/96 (NAT64) reaches the embedded IPv4 address through the provider's translator.
  if (g0 === 0x64 && g1 === 0xff9b && g2 === 0 && g3 === 0 && g4 === 0 && g5 === 0) return isPublicIPv4(embeddedIPv4);
  // Only 2000::/3 is global unicast: this refuses ::, ::1, fc00::/7, fe80::/10, fec0::/10, ff00::/8 and the rest.
  if ((g0 & 0xe000) !== 0x2000) return false;
  if (g0 === 0x2001 && g1 < 0x0200) return false; // 2001::/23 IETF protocol assignments (Teredo among them)
  if (g0 === 0x2001 && g1 === 0x0db8) return false; // documentation
  if (g0 === 0x2002) return false; // 6to4 embeds an IPv4 address that may be private
  if (g0 === 0x3fff && g1 < 0x1000) return false; // 3fff::/20 documentation
  return true;
}

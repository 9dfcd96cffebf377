import type { LookupAddress } from "node:dns";
import type { LookupFunction } from "node:net";
import { describe, expect, it } from "vitest";
import { CallbackTargetRefused, checkCallbackUrl, createGuardedLookup, isPublicAddress, MAX_CALLBACK_URL_LENGTH } from "../../shared/http/callback-url";

const PUBLIC_ONLY = { allowPrivate: false };
const LOCAL_DEV = { allowPrivate: true };

function reason(raw: string, options = PUBLIC_ONLY): string | undefined {
  const result = checkCallbackUrl(raw, options);
  return result.ok ? undefined : result.reason;
}

/** Runs a lookup function the way node:net does and reports what it answered. */
function lookupWith(lookup: LookupFunction, hostname: string, all: boolean): Promise<{ error: Error | null; address: string | LookupAddress[]; family?: number }> {
  return new Promise((resolve) => {
    lookup(hostname, { all }, (error, address, family) => resolve({ error, address, ...(family !== undefined ? { family } : {}) }));
  });
}

/** A resolver that answers every name with the given addresses, as dns.lookup with all: true would. */
function resolverAnswering(...addresses: string[]) {
  return ((_hostname: string, _options: unknown, callback: (error: NodeJS.ErrnoException | null, answers: LookupAddress[]) => void) => {
    callback(null, addresses.map((address) => ({ address, family: address.includes(":") ? 6 : 4 })));
  }) as never;
}

describe("checkCallbackUrl", () => {
  it("accepts a public https URL and returns it parsed", () => {
    const result = checkCallbackUrl("https://hooks.example.com/aigc?source=tencent", PUBLIC_ONLY);
    expect(result.ok && result.url.href).toBe("https://hooks.example.com/aigc?source=tencent");
  });

  it("accepts a public IPv4 literal", () => {
    expect(reason("https://8.8.8.8/hook")).toBeUndefined();
  });

  it("accepts a public IPv6 literal", () => {
    expect(reason("https://[2606:4700:4700::1111]/hook")).toBeUndefined();
  });

  it("refuses a relative URL", () => {
    expect(reason("/hooks/aigc")).toMatch(/absolute/);
  });

  it("refuses text that is not a URL", () => {
    expect(reason("not a url")).toMatch(/absolute/);
  });

  it("refuses an empty string", () => {
    expect(reason("")).toMatch(/non-empty/);
  });

  it("refuses plain http in production", () => {
    expect(reason("http://hooks.example.com/aigc")).toMatch(/https/);
  });

  it.each(["ftp://hooks.example.com/x", "file:///etc/passwd", "javascript:alert(1)", "gopher://hooks.example.com/", "ws://hooks.example.com/"])(
    "refuses the scheme of %s",
    (raw) => {
      expect(reason(raw, LOCAL_DEV)).toMatch(/https or http/);
    },
  );

  it("refuses a user name and password in the URL", () => {
    expect(reason("https://user:pass@hooks.example.com/")).toMatch(/credentials/);
  });

  it("refuses a user name alone in the URL", () => {
    expect(reason("https://token@hooks.example.com/")).toMatch(/credentials/);
  });

  it(`accepts a URL of exactly ${MAX_CALLBACK_URL_LENGTH} characters`, () => {
    const base = "https://hooks.example.com/";
    expect(reason(base + "a".repeat(MAX_CALLBACK_URL_LENGTH - base.length))).toBeUndefined();
  });

  it(`refuses a URL longer than ${MAX_CALLBACK_URL_LENGTH} characters`, () => {
    const base = "https://hooks.example.com/";
    expect(reason(base + "a".repeat(MAX_CALLBACK_URL_LENGTH - base.length + 1))).toMatch(/longer than 2048/);
  });

  it("refuses a URL that only grows past the limit once normalized", () => {
    expect(reason(`https://hooks.example.com/${" ".repeat(1000)}x`)).toMatch(/longer than 2048/);
  });

  it.each([
    ["loopback", "https://127.0.0.1/"],
    ["loopback anywhere in 127/8", "https://127.255.10.1/"],
    ["loopback as one decimal number", "https://2130706433/"],
    ["loopback in hex shorthand", "https://0x7f.1/"],
    ["loopback in octal", "https://0177.0.0.1/"],
    ["loopback shorthand", "https://127.1/"],
    ["loopback with a trailing dot", "https://127.0.0.1./"],
    ["the unspecified address", "https://0.0.0.0/"],
    ["the unspecified address written 0", "https://0/"],
    ["private 10/8", "https://10.1.2.3/"],
    ["private 172.16/12", "https://172.31.255.255/"],
    ["private 192.168/16", "https://192.168.1.1/"],
    ["carrier-grade NAT", "https://100.64.0.1/"],
    ["link-local cloud metadata", "https://169.254.169.254/latest/meta-data/"],
    ["Tencent's metadata service", "https://169.254.0.23/meta-data/"],
    ["multicast", "https://224.0.0.1/"],
    ["broadcast", "https://255.255.255.255/"],
    ["documentation TEST-NET-3", "https://203.0.113.10/"],
    ["IPv6 loopback", "https://[::1]/"],
    ["IPv6 unspecified", "https://[::]/"],
    ["IPv4-mapped loopback", "https://[::ffff:127.0.0.1]/"],
    ["IPv4-mapped loopback in hex", "https://[::ffff:7f00:1]/"],
    ["IPv4-mapped loopback written in full", "https://[0:0:0:0:0:ffff:127.0.0.1]/"],
    ["IPv4-mapped metadata", "https://[::ffff:169.254.169.254]/"],
    ["NAT64 of a private address", "https://[64:ff9b::10.0.0.1]/"],
    ["IPv6 unique-local", "https://[fd12:3456:789a::1]/"],
    ["IPv6 unique-local fc00::/7 low half", "https://[fc00::1]/"],
    ["IPv6 link-local", "https://[fe80::1]/"],
    ["IPv6 multicast", "https://[ff02::1]/"],
    ["IPv6 documentation", "https://[2001:db8::1]/"],
    ["6to4, which embeds an IPv4 address", "https://[2002:7f00:1::]/"],
  ])("refuses %s (%s)", (_what, raw) => {
    expect(reason(raw)).toMatch(/private, loopback or link-local/);
  });

  it.each(["https://localhost/", "https://LOCALHOST:8443/", "https://localhost./", "https://api.localhost/", "https://a.b.localhost/"])("refuses the local-only name in %s", (raw) => {
    expect(reason(raw)).toMatch(/localhost/);
  });

  it("accepts a name that merely contains localhost", () => {
    expect(reason("https://localhost.example.com/")).toBeUndefined();
  });

  it("accepts http to 127.0.0.1 in local development", () => {
    expect(reason("http://127.0.0.1:3000/hook", LOCAL_DEV)).toBeUndefined();
  });

  it("accepts localhost in local development", () => {
    expect(reason("http://localhost:3000/hook", LOCAL_DEV)).toBeUndefined();
  });

  it("still refuses credentials in local development", () => {
    expect(reason("http://u:p@127.0.0.1:3000/", LOCAL_DEV)).toMatch(/credentials/);
  });

  it("accepts the IPv6 loopback ::1 in local development", () => {
    expect(reason("http://[::1]:3000/hook", LOCAL_DEV)).toBeUndefined();
  });

  it("accepts anywhere in 127.0.0.0/8 in local development", () => {
    expect(reason("http://127.8.9.10:3000/hook", LOCAL_DEV)).toBeUndefined();
  });

  it.each(["169.254.169.254", "169.254.0.23", "[fe80::1]", "[::ffff:169.254.169.254]"])("refuses the link-local %s in local development too", (host) => {
    expect(reason(`http://${host}/latest/meta-data/`, LOCAL_DEV)).toMatch(/loopback/);
  });

  it.each(["10.0.0.1", "192.168.1.1", "[fc00::1]", "0.0.0.0"])("refuses the non-loopback private %s in local development", (host) => {
    expect(reason(`http://${host}/hook`, LOCAL_DEV)).toMatch(/loopback/);
  });
});

describe("isPublicAddress", () => {
  it.each(["8.8.8.8", "1.1.1.1", "43.135.0.1", "100.63.255.255", "100.128.0.0", "172.15.255.255", "172.32.0.0", "2606:4700:4700::1111", "2402:4e00::", "::ffff:8.8.8.8", "64:ff9b::808:808"])(
    "calls %s public",
    (ip) => {
      expect(isPublicAddress(ip)).toBe(true);
    },
  );

  it.each(["127.0.0.1", "0.0.0.0", "10.0.0.1", "172.16.0.1", "192.168.0.1", "100.64.0.1", "100.127.255.255", "169.254.0.23", "198.18.0.1", "240.0.0.1", "::1", "::", "::ffff:10.0.0.1", "::ffff:7f00:1", "::127.0.0.1", "fc00::1", "fe80::1%eth0", "fec0::1", "ff02::1", "2001::1", "2001:db8::1", "100::1", "64:ff9b:1::1"])(
    "calls %s not public",
    (ip) => {
      expect(isPublicAddress(ip)).toBe(false);
    },
  );

  it("accepts a bracketed IPv6 literal as a URL writes it", () => {
    expect(isPublicAddress("[::1]")).toBe(false);
  });

  it("calls a host name not public, since it is not an address at all", () => {
    expect(isPublicAddress("example.com")).toBe(false);
  });
});

describe("createGuardedLookup", () => {
  it("fails the connection when a real DNS name resolves to loopback", async () => {
    const answer = await lookupWith(createGuardedLookup(PUBLIC_ONLY), "localhost", false);
    expect(answer.error).toBeInstanceOf(CallbackTargetRefused);
    expect(answer.error?.message).toMatch(/localhost resolves to .* not a public address/);
  });

  it("fails the connection when any one of several answers is private", async () => {
    const lookup = createGuardedLookup({ allowPrivate: false, resolve: resolverAnswering("93.184.216.34", "10.0.0.7") });
    const answer = await lookupWith(lookup, "rebind.example.com", true);
    expect(answer.error).toBeInstanceOf(CallbackTargetRefused);
  });

  it("answers every public address when node:net asks for all of them", async () => {
    const lookup = createGuardedLookup({ allowPrivate: false, resolve: resolverAnswering("93.184.216.34", "2606:2800:220:1:248:1893:25c8:1946") });
    const answer = await lookupWith(lookup, "hooks.example.com", true);
    expect(answer).toEqual({ error: null, address: [{ address: "93.184.216.34", family: 4 }, { address: "2606:2800:220:1:248:1893:25c8:1946", family: 6 }] });
  });

  it("answers the first public address when node:net asks for one", async () => {
    const lookup = createGuardedLookup({ allowPrivate: false, resolve: resolverAnswering("93.184.216.34", "2606:2800:220:1:248:1893:25c8:1946") });
    const answer = await lookupWith(lookup, "hooks.example.com", false);
    expect(answer).toEqual({ error: null, address: "93.184.216.34", family: 4 });
  });

  it("lets a loopback answer through in local development", async () => {
    const answer = await lookupWith(createGuardedLookup(LOCAL_DEV), "localhost", false);
    expect(answer.error).toBeNull();
    expect(isPublicAddress(answer.address as string)).toBe(false);
  });

  it("fails the connection in local development when a name resolves to a link-local address", async () => {
    const lookup = createGuardedLookup({ allowPrivate: true, resolve: resolverAnswering("169.254.169.254") });
    const answer = await lookupWith(lookup, "metadata.example.com", false);
    expect(answer.error).toBeInstanceOf(CallbackTargetRefused);
  });

  it("fails the connection in local development when a name resolves to a private, non-loopback address", async () => {
    const lookup = createGuardedLookup({ allowPrivate: true, resolve: resolverAnswering("127.0.0.1", "192.168.0.5") });
    const answer = await lookupWith(lookup, "mixed.example.com", true);
    expect(answer.error).toBeInstanceOf(CallbackTargetRefused);
  });

  it("passes a resolver failure through unchanged", async () => {
    const failing = ((_h: string, _o: unknown, callback: (error: NodeJS.ErrnoException) => void) => {
      callback(Object.assign(new Error("getaddrinfo ENOTFOUND nowhere.invalid"), { code: "ENOTFOUND" }));
    }) as never;
    const answer = await lookupWith(createGuardedLookup({ allowPrivate: false, resolve: failing }), "nowhere.invalid", false);
    expect((answer.error as NodeJS.ErrnoException).code).toBe("ENOTFOUND");
  });
});

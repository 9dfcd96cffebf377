/**
 * fast-check arbitraries for every trigger of the bundle: API Gateway events for the four create
 * routes and the two query routes, SCF COS events for redraw on upload, and SCF timer events.
 * Each case starts from a real fixture (test/events/) or a seed body (test/events/bodies/, the
 * catalog) and is mutated; each carries labels saying what the spec (README) lets us predict about
 * its answer, which the invariants (invariants.ts) check.
 */

import { readFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { integerValues, mpsImageCatalog, mpsVideoCatalog, resolvedVersions, vodImageCatalog, vodVideoCatalog, type ActionCatalog, type IntegerRule } from "../../shared/catalog";
import type { TaskKind } from "../../shared/validation";
import { FUZZ_BUCKET, FUZZ_TOKENS } from "./harness";
import { anyString, cloneJson, junkValue, materialize, mutate, mutationArb, mutationsArb, setOwn, toJsonText, type Json, type Mutation } from "./mutate";

const eventsDir = join(__dirname, "..", "events");

/** A fresh copy of a fixture under test/events/. */
export function fixture<T = Json>(name: string): T {
  return JSON.parse(readFileSync(join(eventsDir, name), "utf8")) as T;
}

/* ------------------------------------------------------------------------------------------ */
/* Labels                                                                                      */

/** What the Authorization header should do: `either` where the spec does not say (odd spacing, two headers). */
export interface AuthLabel {
  expect: "valid" | "invalid" | "either";
  /** Which configured token a valid header carries. */
  tokenIndex?: 0 | 1;
}

/** Whether the request addresses the target's route: `exact` (method and path), `miss` (certainly not), or `either`. */
export type RouteLabel = "exact" | "miss" | "either";

/** One API Gateway case. */
export interface HttpCase {
  event: unknown;
  auth: AuthLabel;
  route: RouteLabel;
  /** What the generator did, for reading a counterexample. */
  note: string;
}

/** One query case: which answer the spec demands for the TaskId it asks about. */
export interface QueryCase extends HttpCase {
  /** `must` = the caller's own task on its route, with valid auth and exact route: 200; `never`: not 200. */
  found: "must" | "never" | "either";
}

/* ------------------------------------------------------------------------------------------ */
/* Bodies                                                                                      */

/** The route, seed files and action of each create kind. */
export const CREATE_ROUTES: Readonly<Record<TaskKind, { path: string; seeds: readonly string[] }>> = {
  "vod-video": { path: "/tencent-vod/v1/aigc-video", seeds: ["vod-video.seed.json", "vod-video.seed.snake.json"] },
  "vod-image": { path: "/tencent-vod/v1/aigc-image", seeds: ["vod-image.seed.json", "vod-image.seed.snake.json"] },
  "vod-redraw": { path: "/tencent-vod/v1/aigc-video-redraw", seeds: ["vod-redraw.seed.json", "vod-redraw.seed.snake.json"] },
  "mps-video": { path: "/tencent-mps/v1/aigc-video", seeds: ["mps-video.seed.json", "mps-video.seed.snake.json"] },
  "mps-image": { path: "/tencent-mps/v1/aigc-image", seeds: ["mps-image.seed.json", "mps-image.seed.snake.json"] },
};

function valueOf(rule: unknown): fc.Arbitrary<Json> | undefined {
  if (Array.isArray(rule) && rule.length > 0) return fc.constantFrom(...(rule as string[]));
  if (rule && typeof rule === "object" && ("values" in rule || "min" in rule)) {
    const values = integerValues(rule as IntegerRule);
    return values.length > 0 ? fc.constantFrom(...values) : undefined;
  }
  return undefined;
}

/** Optional fields from a model's rules: each rule with values gives a field that may be set. */
function optionalFields(fields: Array<[string, unknown]>): fc.Arbitrary<Record<string, Json>> {
  const parts: Record<string, fc.Arbitrary<Json>> = {};
  for (const [name, rule] of fields) {
    const arb = valueOf(rule);
    if (arb) parts[name] = arb;
  }
  return fc.record(parts, { requiredKeys: [] }) as fc.Arbitrary<Record<string, Json>>;
}

function modelsOf<R extends object, F extends string>(catalog: ActionCatalog<R, F>): Array<{ model: string; version: string; rules: R }> {
  return Object.entries(catalog.models).flatMap(([model, entry]) => resolvedVersions(catalog, entry).map(([version, rules]) => ({ model, version, rules })));
}

const prompt = fc.oneof(fc.constantFrom("generate a car", "一只橙猫", "a red kite over the sea"), fc.string({ minLength: 1, maxLength: 60 }));

/** Names a lookup by plain object key would find on Object.prototype, and near misses of listed ones. */
const TRICKY_NAMES = ["constructor", "valueOf", "toString", "__proto__", "hasOwnProperty", "isPrototypeOf", "gv", "GV ", " GV", "3.1-FAST", "3.1 ", ""];

/**
 * Bodies built from the model catalog: a listed model and version with values its rules allow, and
 * now and then an unlisted, tricky model or version name (which must never reach Tencent).
 */
export function catalogBody(kind: TaskKind): fc.Arbitrary<Json> {
  const listed = listedCatalogBody(kind);
  if (kind === "vod-redraw") return listed;
  return fc.oneof(
    { arbitrary: listed, weight: 19 },
    {
      arbitrary: fc.tuple(listed, fc.constantFrom("ModelName", "ModelVersion"), fc.constantFrom(...TRICKY_NAMES)).map(([body, field, name]) => {
        const tricky = cloneJson(body) as Record<string, Json>;
        setOwn(tricky, field, name);
        return tricky as Json;
      }),
      weight: 1,
    },
  );
}

function listedCatalogBody(kind: TaskKind): fc.Arbitrary<Json> {
  switch (kind) {
    case "vod-video":
      return fc.constantFrom(...modelsOf(vodVideoCatalog)).chain(({ model, version, rules }) =>
        fc.record({ prompt, output: optionalFields([["Duration", rules.durations], ["Resolution", rules.resolutions], ["AspectRatio", rules.aspectRatios]]) }).map(
          ({ prompt: text, output }): Json => ({ ModelName: model, ModelVersion: version, Prompt: text, ...(Object.keys(output).length > 0 ? { OutputConfig: output } : {}) }),
        ),
      );
    case "vod-image":
      return fc.constantFrom(...modelsOf(vodImageCatalog)).chain(({ model, version, rules }) =>
        fc.record({ prompt, output: optionalFields([["Resolution", rules.resolutions], ["AspectRatio", rules.aspectRatios], ["OutputImageCount", rules.outputImageCount]]) }).map(
          ({ prompt: text, output }): Json => ({ ModelName: model, ModelVersion: version, Prompt: text, ...(Object.keys(output).length > 0 ? { OutputConfig: output } : {}) }),
        ),
      );
    case "mps-video":
      return fc.constantFrom(...modelsOf(mpsVideoCatalog)).chain(({ model, version, rules }) =>
        fc.record({ prompt, top: optionalFields([["Duration", rules.durations]]), extra: optionalFields([["Resolution", rules.resolutions], ["AspectRatio", rules.aspectRatios]]) }).map(
          ({ prompt: text, top, extra }): Json => ({ ModelName: model, ModelVersion: version, Prompt: text, ...top, ...(Object.keys(extra).length > 0 ? { ExtraParameters: extra } : {}) }),
        ),
      );
    case "mps-image":
      return fc.constantFrom(...modelsOf(mpsImageCatalog)).chain(({ model, version, rules }) =>
        fc.record({ prompt, extra: optionalFields([["Resolution", rules.resolutions], ["AspectRatio", rules.aspectRatios]]) }).map(
          ({ prompt: text, extra }): Json => ({ ModelName: model, ModelVersion: version, Prompt: text, ...(Object.keys(extra).length > 0 ? { ExtraParameters: extra } : {}) }),
        ),
      );
    case "vod-redraw":
      return fc
        .record({
          file: fc.oneof(
            fc.constantFrom("clip.mp4", "a b.mov", "视频.mp4").map((name): Json => ({ Type: "Url", Url: `https://media-1250000000.cos.ap-guangzhou.myqcloud.com/in/${encodeURIComponent(name)}` })),
            fc.stringMatching(/^[0-9]{6,19}$/).map((id): Json => ({ Type: "File", FileId: id })),
          ),
          style: fc.option(fc.constantFrom("watercolor", "水墨", "x".repeat(50)), { nil: undefined }),
        })
        .map(({ file, style }): Json => ({ FileInfo: file, ...(style ? { TaskInfo: { Style: style } } : {}) }));
  }
}

/** Fields every VOD create takes, in plausible and implausible values. */
const commonExtras: fc.Arbitrary<Record<string, Json>> = fc.record(
  {
    SessionId: fc.oneof(fc.uuid().map((u) => `s-${u}`), fc.constantFrom("", "x".repeat(50), "x".repeat(51))),
    TasksPriority: fc.oneof(fc.integer({ min: -10, max: 10 }), fc.constantFrom<Json>("10", "-10", "11", 10.5, "1e1")),
    SessionContext: fc.oneof(fc.string({ maxLength: 20 }), fc.constant("c".repeat(1001))),
    ExtInfo: fc.string({ maxLength: 20 }),
  },
  { requiredKeys: [] },
) as fc.Arbitrary<Record<string, Json>>;

/** CallbackUrl values: public https (accepted), and every SSRF and shape trick the guard must refuse. */
export const callbackUrlValue: fc.Arbitrary<Json> = fc.oneof(
  { arbitrary: fc.constantFrom("https://hooks.example.com/aigc", "https://203.0.113.10/hook?x=1"), weight: 3 },
  {
    arbitrary: fc.constantFrom<Json>(
      "http://hooks.example.com/aigc", "https://127.0.0.1/", "https://localhost/", "https://[::1]/", "https://169.254.0.23/", "https://10.0.0.1/",
      "https://192.168.1.1/", "https://0x7f.1/", "https://2130706433/", "https://0177.0.0.1/", "https://[::ffff:127.0.0.1]/", "https://metadata.tencentyun.com/",
      "https://user:pass@hooks.example.com/", "ftp://hooks.example.com/", "javascript:alert(1)", "", "/relative", `https://hooks.example.com/${"a".repeat(2100)}`,
      123, null, true, ["https://hooks.example.com/"], { Url: "https://hooks.example.com/" },
    ),
    weight: 4,
  },
  { arbitrary: anyString.map((s): Json => s), weight: 1 },
);

/** Extras every VOD create accepts, in valid values only (clean cases should reach Tencent). */
const validExtras: fc.Arbitrary<Record<string, Json>> = fc.record(
  { SessionId: fc.uuid().map((u) => `s-${u}`), TasksPriority: fc.oneof(fc.integer({ min: -10, max: 10 }), fc.constant<Json>("10")), SessionContext: fc.string({ maxLength: 20 }), ExtInfo: fc.string({ maxLength: 20 }) },
  { requiredKeys: [] },
) as fc.Arbitrary<Record<string, Json>>;

/**
 * A body for a create kind: a seed (file or catalog), extras, maybe a CallbackUrl, then mutations.
 * `clean` bodies keep to valid extras and a public CallbackUrl and take at most one mutation, so
 * that a good share of cases passes validation and exercises the path to Tencent and the ledger.
 */
export function createBody(kind: TaskKind, options: { clean?: boolean } = {}): fc.Arbitrary<{ body: Json; mutations: Mutation[] }> {
  const seedFiles = CREATE_ROUTES[kind].seeds.map((file) => fixture<Json>(join("bodies", file)));
  const seed = fc.oneof({ arbitrary: fc.constantFrom(...seedFiles), weight: 2 }, { arbitrary: catalogBody(kind), weight: 3 });
  const callbackKey = fc.constantFrom("CallbackUrl", "callback_url", "callbackUrl", "CALLBACKURL", "callback__url");
  const clean = options.clean === true;
  // MPS takes none of the VOD extras (SessionId is refused there with a reason of its own).
  const extras = (kind === "mps-video" || kind === "mps-image") && clean ? fc.constant(undefined) : fc.option(clean ? validExtras : commonExtras, { nil: undefined, freq: 3 });
  const callback = clean
    ? fc.option(fc.record({ keys: callbackKey.map((key) => [key]), value: fc.constantFrom<Json>("https://hooks.example.com/aigc", "https://203.0.113.10/hook?x=1") }), { nil: undefined, freq: 4 })
    : fc.option(fc.record({ keys: fc.array(callbackKey, { minLength: 1, maxLength: 2 }), value: callbackUrlValue }), { nil: undefined, freq: 4 });
  const mutations = clean ? fc.oneof({ arbitrary: fc.constant<Mutation[]>([]), weight: 3 }, { arbitrary: fc.array(mutationArb, { maxLength: 1 }), weight: 1 }) : mutationsArb();
  return fc.record({ seed, extras, callback, mutations }).map(({ seed: base, extras: extra, callback: hook, mutations: list }) => {
    const body = cloneJson(base) as Record<string, Json>;
    for (const [key, value] of Object.entries(extra ?? {})) setOwn(body, key, value);
    for (const key of hook?.keys ?? []) setOwn(body, key, cloneJson(hook?.value ?? null));
    return { body: mutate(body, list), mutations: list };
  });
}

/* ------------------------------------------------------------------------------------------ */
/* Headers                                                                                     */

/** An Authorization header variant with what the spec says it should do. */
interface AuthVariant {
  value?: unknown;
  name: string;
  label: AuthLabel;
}

const authName = fc.constantFrom("authorization", "Authorization", "AUTHORIZATION");

/** Authorization headers: the valid forms, and missing, garbled, oversized and near-miss ones. */
export const authorization: fc.Arbitrary<AuthVariant> = fc.oneof(
  { arbitrary: fc.record({ index: fc.constantFrom<0 | 1>(0, 1), scheme: fc.constantFrom("Bearer", "bearer", "BEARER"), name: authName }).map(({ index, scheme, name }): AuthVariant => ({ name, value: `${scheme} ${FUZZ_TOKENS[index]}`, label: { expect: "valid", tokenIndex: index } })), weight: 40 },
  {
    arbitrary: fc.record({ index: fc.constantFrom<0 | 1>(0, 1), form: fc.constantFrom("Bearer  %T", "Bearer %T ", "Bearer %T\t", "Bearer\t%T"), name: authName }).map(
      ({ index, form, name }): AuthVariant => ({ name, value: form.replace("%T", FUZZ_TOKENS[index]), label: { expect: "either", tokenIndex: index } }),
    ),
    weight: 1,
  },
  {
    // Near misses that must all fail, several carrying the real token in the wrong form.
    arbitrary: fc.record({
      form: fc.constantFrom("%T", "Basic %T", "Token %T", "Bearer", "Bearer ", "", " ", "Bearer %Tx", "Bearer x%T", "Bearer %T,Bearer %T", "Bearer %T %T", "Bearer \"%T\"", "Bearer %T\u0000", "Bearer\u00a0%T", "Bearer %U", "Bearer sha256:%H", "Bearer %T%T"),
      index: fc.constantFrom<0 | 1>(0, 1),
      name: authName,
    }).map(({ form, index, name }): AuthVariant => ({
      name,
      value: form.replaceAll("%T", FUZZ_TOKENS[index]).replace("%U", FUZZ_TOKENS[index].toUpperCase()).replace("%H", "0".repeat(64)),
      label: { expect: "invalid" },
    })),
    weight: 4,
  },
  { arbitrary: fc.record({ junk: anyString, name: authName }).map(({ junk, name }): AuthVariant => ({ name, value: `Bearer ${junk}`, label: { expect: "invalid" } })), weight: 2 },
  { arbitrary: fc.constantFrom(1024, 16_384, 1_000_000).map((n): AuthVariant => ({ name: "authorization", value: `Bearer ${"A".repeat(n)}`, label: { expect: "invalid" } })), weight: 1 },
  { arbitrary: fc.constant<AuthVariant>({ name: "authorization", label: { expect: "invalid" } }), weight: 2 },
  { arbitrary: fc.constantFrom<unknown>(123, null, true, {}).map((value): AuthVariant => ({ name: "authorization", value, label: { expect: "invalid" } })), weight: 1 },
  // Multi-value headers: the first value counts; an empty list is no header at all.
  { arbitrary: fc.constantFrom<0 | 1>(0, 1).map((index): AuthVariant => ({ name: "authorization", value: [`Bearer ${FUZZ_TOKENS[index]}`, "junk"], label: { expect: "either", tokenIndex: index } })), weight: 1 },
  { arbitrary: fc.constant<AuthVariant>({ name: "authorization", value: [], label: { expect: "invalid" } }), weight: 1 },
);

/** Content-Type values: JSON ones, others, garbage, and none. */
export const contentType: fc.Arbitrary<unknown> = fc.oneof(
  { arbitrary: fc.constantFrom("application/json", "application/json; charset=utf-8", "APPLICATION/JSON", "application/problem+json", "application/vnd.api+json"), weight: 8 },
  { arbitrary: fc.constant(undefined), weight: 3 },
  {
    arbitrary: fc.constantFrom<unknown>(
      "text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/jsonp", "application/json-seq", "application/xml", "", "json", ";", "application/json\u0000",
      `application/json; ${"x".repeat(10_000)}`, 42, ["application/json", "text/plain"],
    ),
    weight: 2,
  },
  { arbitrary: anyString, weight: 1 },
);

/** Idempotency-Key values: usually none; valid keys; and every way to get it wrong. */
export const idempotencyKey: fc.Arbitrary<unknown> = fc.oneof(
  { arbitrary: fc.constant(undefined), weight: 10 },
  { arbitrary: fc.stringMatching(/^[\x21-\x7e]{1,40}$/), weight: 2 },
  { arbitrary: fc.constantFrom("k1", "k2", "same-key"), weight: 2 },
  { arbitrary: fc.constantFrom<unknown>("", " ", "a b", "k".repeat(255), "k".repeat(256), "ключ", "\u0000", "k\n", 7, ["k1", "k2"]), weight: 2 },
  { arbitrary: anyString, weight: 1 },
);

/** Extra headers: junk names and values, repeated names in other cases, odd value types. */
const extraHeaders: fc.Arbitrary<Array<[string, unknown]>> = fc.array(
  fc.tuple(
    fc.oneof(fc.constantFrom("x-forwarded-for", "cookie", "x-scf-request-id", "content-length", "Content-Type", "host", "__proto__", "constructor"), fc.string({ minLength: 1, maxLength: 20 })),
    fc.oneof(anyString.map((s): unknown => s), fc.constantFrom<unknown>(undefined, null, 1, ["a", "b"], { a: 1 })),
  ),
  { maxLength: 3 },
);

/* ------------------------------------------------------------------------------------------ */
/* API Gateway events                                                                          */

/** A raw body: JSON text of a value, or text that is not (quite) JSON, or too large. */
type RawBody = { kind: "json"; value: Json } | { kind: "text"; text: string } | { kind: "none"; value: unknown };

function rawBody(json: fc.Arbitrary<Json>): fc.Arbitrary<RawBody> {
  return fc.oneof(
    { arbitrary: json.map((value): RawBody => ({ kind: "json", value })), weight: 30 },
    { arbitrary: fc.tuple(json, fc.nat()).map(([value, cut]): RawBody => { const text = toJsonText(value); return { kind: "text", text: text.slice(0, cut % Math.max(text.length, 1)) }; }), weight: 2 },
    { arbitrary: json.map((value): RawBody => ({ kind: "text", text: `\ufeff${toJsonText(value)}` })), weight: 1 },
    { arbitrary: json.map((value): RawBody => ({ kind: "text", text: `${toJsonText(value)}}` })), weight: 1 },
    { arbitrary: fc.jsonValue({ maxDepth: 2 }).map((value): RawBody => ({ kind: "json", value: value as Json })), weight: 2 },
    { arbitrary: anyString.map((text): RawBody => ({ kind: "text", text })), weight: 2 },
    { arbitrary: fc.constantFrom("", "   ", "null", "[]", "{}", "\"str\"", "1e999", "{\"a\":1,\"a\":2}", "{'ModelName':'GV'}", "ModelName=GV&Prompt=x", "[".repeat(100_000) + "]".repeat(100_000), "{\"__proto__\":{\"polluted\":1}}").map((text): RawBody => ({ kind: "text", text })), weight: 2 },
    // Over 10 MB: API Gateway would stop it, but the function must still answer 413 itself.
    { arbitrary: fc.constantFrom(10 * 1024 * 1024 + 1).map((n): RawBody => ({ kind: "text", text: `{"Prompt":"${"p".repeat(n)}"}` })), weight: 1 },
    { arbitrary: fc.constantFrom<unknown>(null, undefined).map((value): RawBody => ({ kind: "none", value })), weight: 1 },
  );
}

/** How the body travels: as text, base64 (maybe broken), or with an odd isBase64Encoded. */
type Encoding = "plain" | "base64" | "base64-broken" | "flag-string" | "bytes-latin1";
const encoding: fc.Arbitrary<Encoding> = fc.oneof(
  { arbitrary: fc.constant<Encoding>("plain"), weight: 12 },
  { arbitrary: fc.constant<Encoding>("base64"), weight: 3 },
  { arbitrary: fc.constantFrom<Encoding>("base64-broken", "flag-string", "bytes-latin1"), weight: 1 },
);

function encodeBody(body: RawBody, how: Encoding): { body: unknown; isBase64Encoded: unknown } {
  if (body.kind === "none") return { body: body.value, isBase64Encoded: false };
  const text = body.kind === "json" ? toJsonText(body.value) : body.text;
  switch (how) {
    case "plain":
      return { body: text, isBase64Encoded: false };
    case "base64":
      return { body: Buffer.from(text, "utf8").toString("base64"), isBase64Encoded: true };
    case "base64-broken":
      return { body: `${Buffer.from(text, "utf8").toString("base64").slice(1)}!*`, isBase64Encoded: true };
    case "flag-string":
      return { body: text, isBase64Encoded: "false" };
    case "bytes-latin1":
      // Invalid UTF-8 on the wire: a body of raw latin1 bytes.
      return { body: Buffer.from(`{"Prompt":"caf\u00e9 ${text.slice(0, 20)}"}`, "latin1").toString("base64"), isBase64Encoded: true };
  }
}

/** API Gateway's queryString: values may be a string, an array of them, or `true` (a bare key). */
const queryString: fc.Arbitrary<unknown> = fc.oneof(
  { arbitrary: fc.constant({}), weight: 6 },
  { arbitrary: fc.dictionary(fc.string({ maxLength: 8 }), fc.oneof(anyString, fc.array(anyString, { maxLength: 3 }), fc.constant(true)) as fc.Arbitrary<unknown>, { maxKeys: 4 }), weight: 3 },
  { arbitrary: fc.constantFrom<unknown>(null, "a=1", [], { __proto__: null, token: "x" }, { "q-signature": "abc" }), weight: 1 },
);

interface EventParts {
  base: "apigw" | "web";
  method: string;
  path: string;
  auth: AuthVariant;
  contentType: unknown;
  idempotencyKey: unknown;
  extra: Array<[string, unknown]>;
  body: { body: unknown; isBase64Encoded: unknown };
  queryString: unknown;
  pathParameters: unknown;
  requestId: unknown;
}

/** Builds an API Gateway event from the real fixture (or the web-function one) and the parts. */
export function buildApiEvent(parts: EventParts): Record<string, Json> {
  const event = fixture<Record<string, any>>(parts.base === "web" ? "apigw-web-function.json" : "apigw-create-video.json");
  const headers: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(event.headers as Record<string, unknown>)) {
    if (!["authorization", "content-type", "content-length"].includes(name)) headers[name] = value;
  }
  if (parts.auth.value !== undefined) headers[parts.auth.name] = parts.auth.value;
  if (parts.contentType !== undefined) headers["content-type"] = parts.contentType;
  if (parts.idempotencyKey !== undefined) headers["idempotency-key"] = parts.idempotencyKey;
  if (typeof parts.body.body === "string") headers["content-length"] = String(Buffer.byteLength(parts.body.body));
  for (const [name, value] of parts.extra) {
    // Never replace the generated Authorization: its label would no longer hold.
    if (name.toLowerCase() === "authorization") continue;
    setOwn(headers as Record<string, Json>, name, value as Json);
  }
  event.headers = headers;
  event.httpMethod = parts.method;
  event.path = parts.path;
  if (parts.base === "apigw") {
    event.requestContext.httpMethod = parts.method;
    event.requestContext.path = parts.path;
  }
  if (parts.requestId !== undefined) event.requestContext.requestId = parts.requestId;
  event.body = parts.body.body;
  event.isBase64Encoded = parts.body.isBase64Encoded;
  event.queryString = parts.queryString;
  event.pathParameters = parts.pathParameters;
  return event as Record<string, Json>;
}

/** Whole events that are not API Gateway events, or are broken in their envelope. */
export function malformedEnvelope(path: string): fc.Arbitrary<{ event: unknown; note: string }> {
  const base = () => fixture<Record<string, any>>("apigw-create-video.json");
  const broken: Array<[string, (e: Record<string, any>) => unknown]> = [
    ["httpMethod empty and no requestContext.httpMethod", (e) => { e.httpMethod = ""; delete e.requestContext.httpMethod; return e; }],
    ["httpMethod empty", (e) => { e.httpMethod = ""; return e; }],
    ["requestContext.httpMethod a number", (e) => { e.httpMethod = ""; e.requestContext.httpMethod = 5; return e; }],
    ["body a number", (e) => { e.body = 123; return e; }],
    ["body an object", (e) => { e.body = { ModelName: "GV" }; return e; }],
    ["body an array", (e) => { e.body = [123, 34]; return e; }],
    ["body true", (e) => { e.body = true; return e; }],
    ["body base64 flag with a number body", (e) => { e.body = 7; e.isBase64Encoded = true; return e; }],
    ["headers a string", (e) => { e.headers = "authorization: Bearer x"; return e; }],
    ["headers an array", (e) => { e.headers = [["authorization", "Bearer x"]]; return e; }],
    ["headers null", (e) => { e.headers = null; return e; }],
    ["requestId a number", (e) => { e.requestContext.requestId = 42; return e; }],
    ["requestId an object", (e) => { e.requestContext.requestId = { id: 1 }; return e; }],
    ["requestId empty", (e) => { e.requestContext.requestId = ""; return e; }],
    ["requestContext an array", (e) => { e.requestContext = []; return e; }],
    ["requestContext a string", (e) => { e.requestContext = "ctx"; return e; }],
    ["path a number", (e) => { e.path = 1; return e; }],
    ["path empty", (e) => { e.path = ""; return e; }],
    ["sourceIp an object", (e) => { e.requestContext.sourceIp = { ip: "1.2.3.4" }; return e; }],
    ["queryString a string", (e) => { e.queryString = "a=1&b"; return e; }],
  ];
  const whole: unknown[] = [null, undefined, 0, 1, "", "event", true, [], [{}], {}, { Records: [] }, { Type: "Timer" }, { httpMethod: "POST" }, { httpMethod: "POST", path }, { httpMethod: "POST", path, requestContext: null }];
  return fc.oneof(
    fc.constantFrom(...broken).map(([note, make]) => {
      const event = base();
      event.path = path;
      event.requestContext.path = path;
      return { event: make(event), note: `malformed envelope: ${note}` };
    }),
    fc.constantFrom(...whole).map((event) => ({ event, note: "not an API Gateway event" })),
  );
}

const methodsOther = fc.constantFrom("GET", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD", "TRACE", "CONNECT", "FOO", "P0ST", " POST");

/** Events for one create route: mostly aimed at it, some at nearby routes, some broken. */
export function createRouteCase(kind: TaskKind): fc.Arbitrary<HttpCase> {
  const path = CREATE_ROUTES[kind].path;
  const pathArb: fc.Arbitrary<{ path: string; exact: boolean | undefined }> = fc.oneof(
    { arbitrary: fc.constant({ path, exact: true }), weight: 20 },
    { arbitrary: fc.constantFrom(`${path}/`, `${path}//`).map((p) => ({ path: p, exact: undefined })), weight: 1 },
    {
      arbitrary: fc
        .constantFrom(`${path}/x`, path.toUpperCase(), `${path}.json`, `/${path}`, "/", "", `${path}%2F`, `${path}?x=1`, "/tencent-vod/v1/query/abc", "/openapi.json", "/docs", ...Object.values(CREATE_ROUTES).map((r) => r.path).filter((p) => p !== path))
        .map((p) => ({ path: p, exact: false })),
      weight: 2,
    },
  );
  const methodArb: fc.Arbitrary<{ method: string; exact: boolean | undefined }> = fc.oneof(
    { arbitrary: fc.constant({ method: "POST", exact: true }), weight: 20 },
    { arbitrary: fc.constantFrom("post", "Post").map((m) => ({ method: m, exact: undefined })), weight: 1 },
    { arbitrary: methodsOther.map((m) => ({ method: m, exact: false })), weight: 2 },
  );
  const wellFormed = fc
    .record({
      base: fc.constantFrom<"apigw" | "web">("apigw", "apigw", "apigw", "web"),
      method: methodArb,
      path: pathArb,
      auth: authorization,
      contentType,
      idempotencyKey,
      extra: extraHeaders,
      body: createBody(kind),
      raw: fc.nat(),
      encoding,
      queryString,
      pathParameters: fc.oneof(fc.constant<unknown>({}), fc.constantFrom<unknown>(null, { TaskId: "../x" }, "x")),
      requestId: fc.oneof({ arbitrary: fc.constant<unknown>(undefined), weight: 9 }, { arbitrary: fc.uuid().map((u): unknown => u), weight: 1 }),
    })
    .chain((parts) => rawBody(fc.constant(parts.body.body)).map((raw) => ({ parts, raw })))
    .map(({ parts, raw }): HttpCase => {
      const route: RouteLabel = parts.method.exact === false || parts.path.exact === false ? "miss" : parts.method.exact && parts.path.exact ? "exact" : "either";
      const event = buildApiEvent({ ...parts, method: parts.method.method, path: parts.path.path, body: encodeBody(raw, parts.encoding) });
      return { event, auth: parts.auth.label, route, note: `${parts.method.method} ${parts.path.path}; ${raw.kind} body, ${parts.encoding}; ${parts.body.mutations.length} mutation(s)` };
    });
  // Clean cases: the valid path (auth, route, JSON), with valid or replayed Idempotency-Keys.
  const clean = fc
    .record({
      base: fc.constantFrom<"apigw" | "web">("apigw", "web"),
      auth: authorization.filter((a) => a.label.expect === "valid"),
      contentType: fc.constantFrom(undefined, "application/json", "application/json; charset=utf-8"),
      idempotencyKey: fc.oneof({ arbitrary: fc.constant(undefined), weight: 4 }, { arbitrary: fc.constantFrom("k1", "k2", "same-key"), weight: 1 }, { arbitrary: fc.stringMatching(/^[\x21-\x7e]{1,40}$/), weight: 1 }),
      body: createBody(kind, { clean: true }),
      encoding: fc.constantFrom<Encoding>("plain", "plain", "plain", "base64"),
    })
    .map((parts): HttpCase => {
      const event = buildApiEvent({ ...parts, method: "POST", path, extra: [], body: encodeBody({ kind: "json", value: parts.body.body }, parts.encoding), queryString: {}, pathParameters: {}, requestId: undefined });
      return { event, auth: parts.auth.label, route: "exact", note: `clean POST ${path}; ${parts.body.mutations.length} mutation(s)` };
    });
  // Valid bodies just under Tencent's 10 MB: what we send adds SubAppId and SessionId to them.
  const padField = kind === "mps-video" || kind === "mps-image" ? "NegativePrompt" : "ExtInfo";
  const nearLimit = fc.record({ body: catalogBody(kind), slack: fc.constantFrom(0, 1, 16, 40, 64, 100, 1000), auth: authorization.filter((a) => a.label.expect === "valid") }).map(({ body, slack, auth }): HttpCase => {
    const base = cloneJson(body) as Record<string, Json>;
    setOwn(base, padField, "");
    const padding = Math.max(0, 10 * 1024 * 1024 - slack - Buffer.byteLength(JSON.stringify(base)));
    setOwn(base, padField, "p".repeat(padding));
    const event = buildApiEvent({ base: "apigw", method: "POST", path, auth, contentType: "application/json", idempotencyKey: undefined, extra: [], body: encodeBody({ kind: "json", value: base }, "plain"), queryString: {}, pathParameters: {}, requestId: undefined });
    return { event, auth: auth.label, route: "exact", note: `POST ${path}; body ${slack} byte(s) under 10 MB` };
  });
  // Bodies whose answer could grow with them: huge echoed values, thousands of bad keys or items.
  const amplifying = fc
    .record({
      body: catalogBody(kind),
      shape: fc.constantFrom("huge-value", "many-keys", "many-nested-keys", "many-items"),
      size: fc.constantFrom(1_000, 20_000, 100_000),
      field: fc.constantFrom("ModelName", "ModelVersion", "Prompt", "SessionId", "FileInfo", "OutputConfig"),
      char: fc.constantFrom("x", "\\", "\u0001", "界"),
      auth: authorization.filter((a) => a.label.expect === "valid"),
    })
    .map(({ body, shape, size, field, char, auth }): HttpCase => {
      const base = cloneJson(body) as Record<string, Json>;
      if (shape === "huge-value") setOwn(base, field, char.repeat(Math.min(size * 10, 4_000_000)));
      if (shape === "many-keys") for (let i = 0; i < size; i++) setOwn(base, `k${i}`, 0);
      if (shape === "many-nested-keys") {
        const nested: Record<string, Json> = {};
        for (let i = 0; i < size; i++) setOwn(nested, `${char}${i}`, 0);
        setOwn(base, "OutputConfig", nested);
      }
      if (shape === "many-items") setOwn(base, kind === "mps-video" || kind === "mps-image" ? "ImageInfos" : "FileInfos", Array.from({ length: Math.min(size, 100_000) }, () => ({ Bad: 1 })));
      const event = buildApiEvent({ base: "apigw", method: "POST", path, auth, contentType: "application/json", idempotencyKey: undefined, extra: [], body: encodeBody({ kind: "json", value: base }, "plain"), queryString: {}, pathParameters: {}, requestId: undefined });
      return { event, auth: auth.label, route: "exact", note: `POST ${path}; ${shape} x ${size}${shape === "huge-value" ? ` in ${field}` : ""}` };
    });
  return fc.oneof(
    { arbitrary: wellFormed, weight: 160 },
    { arbitrary: clean, weight: 80 },
    { arbitrary: malformedEnvelope(path).map(({ event, note }): HttpCase => ({ event, note, auth: { expect: "either" }, route: "either" })), weight: 10 },
    { arbitrary: nearLimit, weight: 1 },
    { arbitrary: amplifying, weight: 2 },
  );
}

/* ------------------------------------------------------------------------------------------ */
/* Query events                                                                                */

/** A task created before the query targets run: who owns it (-1: an upload, no token) and its service. */
export interface SeededTask {
  taskId: string;
  service: "vod" | "mps";
  owner: -1 | 0 | 1;
}

/** The query route templates, by service. */
export const QUERY_PATHS = { vod: "/tencent-vod/v1/query/", mps: "/tencent-mps/v1/query/" } as const;

/** A TaskId segment: a seeded id (as is, or percent-encoded), a changed one, or junk. */
function taskIdSegment(tasks: readonly SeededTask[]): fc.Arbitrary<{ segment: string; task?: SeededTask }> {
  const seeded = fc.constantFrom(...tasks);
  const changed = (id: string, how: number): string => {
    const variants = [`${id}x`, `0${id}`, id.slice(0, -1) || "0", `${id.slice(0, -1)}${id.endsWith("a") ? "b" : "a"}`, `${id}.`, `${id}-`, id.toLowerCase() === id ? `${id}A` : id.toLowerCase(), `${id}%20`, `${id}%00`];
    return variants[how % variants.length] ?? `${id}x`;
  };
  return fc.oneof(
    { arbitrary: seeded.map((task) => ({ segment: task.taskId, task })), weight: 8 },
    { arbitrary: seeded.map((task) => ({ segment: [...Buffer.from(task.taskId)].map((b) => `%${b.toString(16).padStart(2, "0").toUpperCase()}`).join(""), task })), weight: 1 },
    { arbitrary: fc.tuple(seeded, fc.nat()).map(([task, how]) => ({ segment: changed(task.taskId, how) })), weight: 3 },
    {
      arbitrary: fc
        .oneof(
          fc.constantFrom("", ".", "..", "%2E%2E", "%2F", "a%2Fb", "%", "%zz", "%00", "__proto__", "constructor", "toString", "hasOwnProperty", "open", "tasks", "x".repeat(128), "x".repeat(129), "x".repeat(10_000), "a b", "a\tb", "251007502-AigcVideo-", "-x", "_x"),
          anyString.map((s) => encodeKeyPath(s)),
          anyString,
          fc.stringMatching(/^[A-Za-z0-9._-]{1,140}$/),
        )
        .map((segment) => ({ segment })),
      weight: 4,
    },
  );
}

/** Events for one query route: a TaskId path on it (or the other one), auth variants, junk. */
export function queryRouteCase(service: "vod" | "mps", tasks: readonly SeededTask[]): fc.Arbitrary<QueryCase> {
  const other = service === "vod" ? "mps" : "vod";
  const wellFormed = fc
    .record({
      base: fc.constantFrom<"apigw" | "web">("apigw", "apigw", "web"),
      routeService: fc.oneof({ arbitrary: fc.constant(service), weight: 6 }, { arbitrary: fc.constant(other), weight: 1 }),
      shape: fc.oneof(
        { arbitrary: fc.constant<"exact">("exact"), weight: 16 },
        { arbitrary: fc.constantFrom<"slash" | "double" | "extra" | "upper" | "docs">("slash", "double", "extra", "upper", "docs"), weight: 2 },
      ),
      method: fc.oneof({ arbitrary: fc.constant({ method: "GET", exact: true as boolean | undefined }), weight: 16 }, { arbitrary: fc.constant({ method: "get", exact: undefined }), weight: 1 }, { arbitrary: methodsOther.filter((m) => m !== "GET").map((m) => ({ method: m, exact: false as boolean | undefined })), weight: 2 }),
      id: taskIdSegment(tasks),
      auth: authorization,
      contentType: fc.oneof(fc.constant(undefined), contentType),
      extra: extraHeaders,
      body: fc.oneof({ arbitrary: fc.constant<RawBody>({ kind: "none", value: null }), weight: 6 }, { arbitrary: rawBody(junkValue), weight: 1 }),
      queryString,
      docs: fc.constantFrom(
        "/openapi.json", "/docs", "/docs/", "/tencent-vod/v1/openapi.json", "/", "/docs/assets/docs-init.js", "/docs/assets/swagger-ui.css", "/docs/assets/",
        "/docs/assets/..%2F..%2Fopenapi.json", "/docs/assets/%2e%2e", "/docs/assets/..", "/docs/assets/constructor", "/docs/assets/__proto__", "/docs/assets/x/y",
        "/docs/assets/swagger-ui.css%00", "/docs/assets/SWAGGER-UI.CSS", "/docs/assets/%252e%252e%252fpackage.json", "/docs/index.html", "/openapi.json/",
      ),
    })
    .map((parts): QueryCase => {
      const prefix = QUERY_PATHS[parts.routeService];
      const paths = {
        exact: `${prefix}${parts.id.segment}`,
        slash: `${prefix}${parts.id.segment}/`,
        double: `${prefix.slice(0, -1)}//${parts.id.segment}`,
        extra: `${prefix}${parts.id.segment}/more`,
        upper: `${prefix.toUpperCase()}${parts.id.segment}`,
        docs: parts.docs,
      };
      const path = paths[parts.shape];
      // A segment holding '/' (or empty) is not one TaskId segment: no prediction then.
      const oneSegment = parts.id.segment !== "" && !parts.id.segment.includes("/");
      const pathExact = parts.shape === "exact" && oneSegment ? true : parts.shape === "extra" || parts.shape === "upper" ? false : undefined;
      const route: RouteLabel = parts.method.exact === false || pathExact === false ? "miss" : parts.method.exact && pathExact ? "exact" : "either";
      const task = parts.id.task;
      // The token the header carries: if it is accepted at all, it is accepted as this caller.
      const caller = parts.auth.label.tokenIndex;
      let found: QueryCase["found"] = "either";
      if (!task && oneSegment && parts.shape === "exact") found = "never";
      if (task && (task.owner !== caller || task.service !== parts.routeService)) found = "never";
      if (task && route === "exact" && parts.auth.label.expect === "valid" && task.owner === caller && task.service === parts.routeService) found = "must";
      if (parts.auth.label.expect === "invalid" || route === "miss") found = "never";
      // Other paths of the function (an API description, docs) may be public: no prediction.
      if (parts.shape === "docs") found = "either";
      const event = buildApiEvent({
        base: parts.base,
        method: parts.method.method,
        path,
        auth: parts.auth,
        contentType: parts.contentType,
        idempotencyKey: undefined,
        extra: parts.extra,
        body: encodeBody(parts.body, "plain"),
        queryString: parts.queryString,
        pathParameters: { TaskId: parts.id.segment },
        requestId: undefined,
      });
      return { event, auth: parts.auth.label, route, found, note: `${parts.method.method} ${path.slice(0, 200)} (${task ? `task of ${task.owner} on ${task.service}` : "no seeded task"})` };
    });
  return fc.oneof(
    { arbitrary: wellFormed, weight: 24 },
    { arbitrary: malformedEnvelope(`${QUERY_PATHS[service]}x`).map(({ event, note }): QueryCase => ({ event, note, auth: { expect: "either" }, route: "either", found: "either" })), weight: 1 },
  );
}

/* ------------------------------------------------------------------------------------------ */
/* COS events                                                                                  */

/** What a record may do: `eligible` must create (or find) a task, `ineligible` must not, `unknown` may. */
export type RecordLabel = "eligible" | "ineligible" | "unknown";

/** One COS event case: the event, and per record what the spec says it may do. */
export interface CosCase {
  event: unknown;
  /** One label per element of Records (when Records is an array). */
  records: RecordLabel[];
  /** The decoded object key each record names (undefined where it names none). */
  keys: Array<string | undefined>;
  note: string;
}

const VIDEO_SUFFIXES = [".mp4", ".mov", ".m4v", ".avi", ".mkv", ".flv", ".webm", ".ts", ".mpg", ".mpeg", ".3gp", ".wmv"];
const APPID = FUZZ_BUCKET.slice(FUZZ_BUCKET.lastIndexOf("-") + 1);
const SHORT_NAME = FUZZ_BUCKET.slice(0, FUZZ_BUCKET.lastIndexOf("-"));
const TWO_GB = 2 * 1024 * 1024 * 1024;

/** A field variant and whether it stops the record from creating a task (undefined: the spec does not say). */
type Variant<T> = { value: T; blocks: boolean | undefined };

function variants<T>(ok: readonly T[], blocking: readonly T[], unknown: readonly T[] = []): fc.Arbitrary<Variant<T>> {
  const arbs: Array<{ arbitrary: fc.Arbitrary<Variant<T>>; weight: number }> = [{ arbitrary: fc.constantFrom(...ok).map((value) => ({ value, blocks: false })), weight: 6 }];
  if (blocking.length > 0) arbs.push({ arbitrary: fc.constantFrom(...blocking).map((value) => ({ value, blocks: true })), weight: 2 });
  if (unknown.length > 0) arbs.push({ arbitrary: fc.constantFrom(...unknown).map((value) => ({ value, blocks: undefined })), weight: 1 });
  return fc.oneof(...arbs);
}

const keyPrefix = variants(["in/"], ["out/", "other/", "", "IN/", "inx/", "/in/", "out/in/"], ["in//", "in/./"]);
const keyMiddle = fc.oneof(
  { arbitrary: fc.stringMatching(/^[a-z0-9]{1,12}$/), weight: 4 },
  { arbitrary: fc.constantFrom("my clip", "视频/测试 片段", "a+b", "100%", "%41", "a#b", "a?b", "a&b=c", "😀", "dir/sub/clip", "a\u0000b", "\u202eevil", "x".repeat(900)), weight: 2 },
  { arbitrary: fc.string({ unit: "grapheme", minLength: 1, maxLength: 12 }).filter((s) => !s.includes("/")), weight: 1 },
);
const keySuffix = variants([...VIDEO_SUFFIXES, ".MP4", ".Mov"], [], [".txt", ".jpg", "", ".mp4.txt", "/"]);
const contentTypeMeta = variants<string | undefined>(["video/mp4", "VIDEO/QUICKTIME", undefined, "", "application/octet-stream"], [], ["image/png", "text/plain"]);
const sizeVariant = variants<unknown>([1_048_576, 0, "2048", TWO_GB, undefined], [TWO_GB + 1, "2147483649", 1e15, null, "1e3", "-1", "x", {}], [-1, 1.5]);
const eventNameVariant = variants<unknown>(
  ["cos:ObjectCreated:Put", "cos:ObjectCreated:Post", "cos:ObjectCreated:Copy", "cos:ObjectCreated:CompleteMultipartUpload", "cos: ObjectCreated:Put", "cos:ObjectCreated:*"],
  ["cos:ObjectRemoved:Delete", "cos:ObjectRemoved:DeleteMarkerCreated", "", "ObjectCreated:Put", "cos:ObjectRestore:Post", 1, null],
  ["cos:objectcreated:put", "COS:ObjectCreated:Put"],
);
const bucketVariant = variants<{ name: unknown; appid: unknown }>(
  [{ name: SHORT_NAME, appid: APPID }, { name: SHORT_NAME, appid: Number(APPID) }, { name: FUZZ_BUCKET, appid: APPID }],
  [{ name: "other-media", appid: APPID }, { name: SHORT_NAME, appid: "1250000001" }, { name: "", appid: APPID }, { name: 5, appid: APPID }, { name: SHORT_NAME, appid: null }],
);
const regionVariant = variants<{ region?: unknown; cosRegion?: unknown }>(
  [{ region: "gz", cosRegion: "ap-guangzhou" }, { region: "gz" }, { region: "ap-guangzhou" }, {}],
  [{ region: 5 }, { cosRegion: ["ap-guangzhou"] }],
  [{ cosRegion: "ap-shanghai" }, { cosRegion: "x-Y Z" }, { cosRegion: "ap-guangzhou/../x" }, { cosRegion: "ap-guangzhou.evil.com" }, { region: "a-" }, { cosRegion: "-" }],
);
const eventTimeVariant = variants<unknown>([1763714400, "1763714400", "2025-11-21T08:40:00Z", undefined], [null, {}], ["yesterday", -1, 1e20, "9".repeat(30)]);
const styleVariant = variants<string | undefined>([undefined, "watercolor", "%E6%B0%B4%E5%A2%A8"], ["x".repeat(51)], ["%E6%B0", "%", "a%zz"]);
const urlVariant = variants<"encoded" | "raw" | "none" | "other-host" | "junk" | "double-encoded">(["encoded", "none"], [], ["raw", "other-host", "junk", "double-encoded"]);

/** Percent-encodes each path segment of a key, as COS writes `cosObject.url`. */
function encodeKeyPath(key: string): string {
  return key
    .split("/")
    .map((segment) => {
      try {
        return encodeURIComponent(segment);
      } catch {
        // A lone surrogate cannot be encoded; COS could not have stored that key anyway.
        return segment;
      }
    })
    .join("/");
}

interface RecordParts {
  prefix: Variant<string>;
  middle: string;
  suffix: Variant<string>;
  contentType: Variant<string | undefined>;
  size: Variant<unknown>;
  eventName: Variant<unknown>;
  bucket: Variant<{ name: unknown; appid: unknown }>;
  region: Variant<{ region?: unknown; cosRegion?: unknown }>;
  eventTime: Variant<unknown>;
  style: Variant<string | undefined>;
  url: Variant<"encoded" | "raw" | "none" | "other-host" | "junk" | "double-encoded">;
  requestId: string;
  mutations: Mutation[];
}

function buildCosRecord(parts: RecordParts): { record: Json; label: RecordLabel; key: string } {
  const record = fixture<{ Records: Array<Record<string, any>> }>("cos-put-single.json").Records[0] as Record<string, any>;
  const key = `${parts.prefix.value}${parts.middle}${parts.suffix.value}`;
  const object = record.cos.cosObject;
  object.key = `/${APPID}/${SHORT_NAME}/${key}`;
  const host = `http://${FUZZ_BUCKET}.cos.ap-guangzhou.myqcloud.com/`;
  const urls = { encoded: host + encodeKeyPath(key), raw: host + key, none: undefined, "other-host": `http://evil.example.com/${encodeKeyPath(key)}`, junk: "::not a url::", "double-encoded": host + encodeKeyPath(encodeKeyPath(key)) };
  if (urls[parts.url.value] === undefined) delete object.url;
  else object.url = urls[parts.url.value];
  object.meta["x-cos-request-id"] = parts.requestId;
  if (parts.contentType.value === undefined) delete object.meta["Content-Type"];
  else object.meta["Content-Type"] = parts.contentType.value;
  if (parts.style.value === undefined) delete object.meta["x-cos-meta-redraw-style"];
  else object.meta["x-cos-meta-redraw-style"] = parts.style.value;
  if (parts.size.value === undefined) delete object.size;
  else object.size = parts.size.value;
  record.cos.cosBucket = { name: parts.bucket.value.name, appid: parts.bucket.value.appid, ...parts.region.value };
  record.event.eventName = parts.eventName.value;
  if (parts.eventTime.value === undefined) delete record.event.eventTime;
  else record.event.eventTime = parts.eventTime.value;

  // The spec (README, "Redraw on upload"): created objects under the input prefix, not under the
  // output prefix, that are videos (suffix or Content-Type) of at most 2 GB, in the watched bucket.
  const lower = key.toLowerCase();
  const video = VIDEO_SUFFIXES.some((suffix) => lower.endsWith(suffix)) || /^video\//i.test(parts.contentType.value ?? "");
  const dotSegments = key.split("/").some((segment) => segment === "." || segment === "..");
  const variantsUsed: Array<Variant<unknown>> = [parts.prefix, parts.suffix, parts.contentType, parts.size, parts.eventName, parts.bucket, parts.region, parts.eventTime, parts.style, parts.url];
  const blocks = variantsUsed.map((v) => v.blocks);
  if (!video || key.endsWith("/") || dotSegments) blocks.push(true);
  // Keys no upload can have (lone surrogates, NUL, over COS's 850-byte limit), or that need decoding choices.
  const oddKey = /[\ud800-\udfff\u0000%]/.test(key) || Buffer.byteLength(key) > 850;
  // A mutation can as well undo what blocked the record (drop an oversized `size`): no prediction then.
  const label: RecordLabel =
    parts.mutations.length > 0 ? "unknown" : blocks.includes(true) ? "ineligible" : blocks.includes(undefined) || oddKey ? "unknown" : "eligible";
  return { record: materialize(mutate(record as Json, parts.mutations)), label, key };
}

const cosRecord: fc.Arbitrary<{ record: Json; label: RecordLabel; key: string | undefined }> = fc.oneof(
  {
    arbitrary: fc
      .record({
        prefix: keyPrefix,
        middle: keyMiddle,
        suffix: keySuffix,
        contentType: contentTypeMeta,
        size: sizeVariant,
        eventName: eventNameVariant,
        bucket: bucketVariant,
        region: regionVariant,
        eventTime: eventTimeVariant,
        style: styleVariant,
        url: urlVariant,
        requestId: fc.stringMatching(/^[A-Za-z0-9+/=]{8,24}$/),
        mutations: fc.oneof({ arbitrary: fc.constant<Mutation[]>([]), weight: 3 }, { arbitrary: mutationsArb(3), weight: 1 }),
      })
      .map(buildCosRecord),
    weight: 12,
  },
  {
    // Records that are not records at all.
    arbitrary: fc.constantFrom<Json>(null, 0, "record", [], {}, { cos: null }, { cos: {} }, { event: {} }, { cos: { cosObject: {} }, event: { eventName: "cos:ObjectCreated:Put" } }).map((record) => ({ record, label: "ineligible" as const, key: undefined })),
    weight: 1,
  },
  {
    // The other fixtures as they are.
    arbitrary: fc.constantFrom("cos-non-video.json", "cos-output-prefix.json", "cos-remove.json", "cos-too-large.json").map((name) => ({ record: (fixture<{ Records: Json[] }>(name).Records[0] ?? null) as Json, label: "ineligible" as const, key: undefined })),
    weight: 1,
  },
);

/** COS trigger events: a few records (sometimes many, sometimes repeated), or broken envelopes. */
export const cosEventCase: fc.Arbitrary<CosCase> = fc.oneof(
  {
    arbitrary: fc
      .record({
        records: fc.oneof({ arbitrary: fc.array(cosRecord, { minLength: 1, maxLength: 4 }), weight: 10 }, { arbitrary: fc.array(cosRecord, { minLength: 20, maxLength: 60 }), weight: 1 }),
        repeat: fc.boolean(),
        extra: fc.option(fc.dictionary(fc.string({ maxLength: 8 }), junkValue, { maxKeys: 2 }), { nil: undefined, freq: 5 }),
      })
      .map(({ records, repeat, extra }): CosCase => {
        // A repeated record is SCF delivering the same upload twice in one event.
        const list = repeat && records[0] ? [...records, records[0]] : records;
        const event: Record<string, Json> = { Records: list.map((r) => r.record) };
        for (const [key, value] of Object.entries(extra ?? {})) if (key !== "Records") setOwn(event, key, value);
        return { event, records: list.map((r) => r.label), keys: list.map((r) => r.key), note: `${list.length} record(s): ${list.map((r) => r.label).join(", ")}` };
      }),
    weight: 20,
  },
  {
    arbitrary: fc.constantFrom<unknown>({ Records: [] }, { Records: "x" }, { Records: {} }, { Records: null }, { records: [{ cos: {} }] }, { Records: [null, 1] }, { Records: [{ cos: 1 }] }, { Records: [{ cos: {}, event: null }] }).map(
      (event): CosCase => {
        const records = (event as { Records?: unknown }).Records;
        const count = Array.isArray(records) ? records.length : 0;
        return { event, records: Array.from({ length: count }, () => "ineligible" as const), keys: Array.from({ length: count }, () => undefined), note: "broken COS envelope" };
      },
    ),
    weight: 1,
  },
);

/* ------------------------------------------------------------------------------------------ */
/* Timer events                                                                                */

/** One timer case: `valid` is SCF's documented timer shape (must run a tick), `malformed` must not. */
export interface TimerCase {
  event: unknown;
  label: "valid" | "malformed" | "unknown";
  note: string;
}

/** Timer events from the fixture: field variants, then generic mutations; plus whole non-timer events. */
export const timerEventCase: fc.Arbitrary<TimerCase> = fc.oneof(
  {
    arbitrary: fc
      .record({
        type: variants<unknown>(["Timer"], ["timer", "TIMER", "Cron", "", 1, null, undefined]),
        triggerName: variants<unknown>(["task-tracker-every-minute", "", "名字", "x".repeat(10_000)], [undefined, 1, null, ["a"]]),
        time: variants<unknown>(["2026-11-21T08:41:00Z", "", "not a time", "2026-13-45T99:99:99Z"], [undefined, 1_763_714_400, null]),
        message: variants<unknown>([undefined, "", "hello", "m".repeat(4096)], [1, {}, null], ["m".repeat(4097)]),
        extra: fc.option(fc.dictionary(anyString, junkValue, { maxKeys: 3 }), { nil: undefined, freq: 4 }),
        mutations: fc.oneof({ arbitrary: fc.constant<Mutation[]>([]), weight: 3 }, { arbitrary: mutationsArb(3), weight: 1 }),
      })
      .map(({ type, triggerName, time, message, extra, mutations }): TimerCase => {
        const event: Record<string, Json> = {};
        for (const [key, variant] of [["Type", type], ["TriggerName", triggerName], ["Time", time], ["Message", message]] as const) {
          if (variant.value !== undefined) setOwn(event, key, variant.value as Json);
        }
        for (const [key, value] of Object.entries(extra ?? {})) if (!["Type", "TriggerName", "Time", "Message"].includes(key)) setOwn(event, key, value);
        const blocks = [type, triggerName, time, message].map((v) => v.blocks);
        // A mutation can as well repair the event (drop a bad Message): no prediction then.
        const label: TimerCase["label"] = mutations.length > 0 ? "unknown" : blocks.includes(true) ? "malformed" : blocks.includes(undefined) ? "unknown" : "valid";
        return { event: materialize(mutate(event, mutations)), label, note: `timer event, ${mutations.length} mutation(s)` };
      }),
    weight: 12,
  },
  { arbitrary: fc.constantFrom<unknown>(null, undefined, 0, "Timer", [], [{ Type: "Timer" }], {}, { Records: [] }, fixture("apigw-create-video.json"), fixture("cos-put-single.json")).map((event): TimerCase => ({ event, label: "malformed", note: "not a timer event" })), weight: 1 },
);

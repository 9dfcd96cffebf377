/**
 * The validation of one create action: a body goes through three steps. Its keys are matched to
 * Tencent's spelling (PascalCase, snake_case and camelCase are accepted), the action's zod schema
 * checks types, lengths and enums, and the catalog-driven rules check what depends on the model
 * and on other fields. Issues name fields the way the client spelled them.
 *
 * Each function bundle imports only its own action (validation/actions/<kind>.ts), and builds that
 * action's schema on the first request that needs it: building zod schemas is most of what loading
 * validation costs, and a request refused before validation (no token, wrong method) never pays it.
 */
import type { z } from "zod";
import { REQUEST_BODY_MAX_BYTES } from "../catalog";
import { isPlainObject, keyShapeOf, normalizeBody, normalizeKey } from "./field-names";
import { Findings, INVALID_PARAMETER, UNKNOWN_PARAMETER, type FieldIssue } from "./issues";
import type { CatalogOptions } from "./rules/model-check";

/** The five create actions this product serves. */
export type TaskKind = "vod-video" | "vod-image" | "vod-redraw" | "mps-video" | "mps-image";

/**
 * Either Tencent-ready params (with warnings: rules only inferred that the request breaks, an
 * unlisted version, a renamed model), or every issue found (never a partial success).
 */
export type ValidationResult = { ok: true; params: Record<string, unknown>; warnings: FieldIssue[] } | { ok: false; issues: FieldIssue[] };

/** How strictly the catalog is applied (AIGC_ALLOW_UNLISTED_MODELS, AIGC_REFUSE_UNLISTED_VERSIONS). */
export type ValidationOptions = Partial<CatalogOptions>;

/** Most bytes the deployment adds to validated params: `,"SubAppId":<16 digits>` and `,"SessionId":"<50 chars>"`. */
const ADDED_PARAMS_MAX_BYTES = 128;

export interface CreateAction<S extends z.ZodType = z.ZodType> {
  readonly kind: TaskKind;
  /** How issues name the action ("VOD CreateAigcVideoTask"). */
  readonly tencentAction: string;
  /** The body schema, built on the first call and the same object afterwards. */
  readonly schema: () => S;
  /** Top-level fields refused with a reason of their own, by normalised key. */
  readonly refused: ReadonlyMap<string, string>;
  readonly check: (params: z.output<S>, findings: Findings, options: CatalogOptions) => void;
}

/** Defines an action whose schema is built once, when first asked for. */
export function defineCreateAction<S extends z.ZodType>(definition: {
  kind: TaskKind;
  tencentAction: string;
  buildSchema: () => S;
  refused: ReadonlyMap<string, string>;
  check: CreateAction<S>["check"];
}): CreateAction<S> {
  let built: S | undefined;
  const { buildSchema, ...rest } = definition;
  return {
    ...rest,
    schema: () => {
      built ??= buildSchema();
      return built;
    },
  };
}

/** SubAppId comes from the deployment's configuration, never from a client. */
export const VOD_REFUSED: ReadonlyMap<string, string> = new Map([
  [normalizeKey("SubAppId"), "is set from this deployment's configuration; remove it from the body"],
]);

export const MPS_REFUSED: ReadonlyMap<string, string> = new Map([
  [normalizeKey("SubAppId"), "does not apply to MPS tasks; remove it from the body"],
  [normalizeKey("SessionId"), "is not a parameter of MPS's create actions; send an Idempotency-Key header to make retries safe"],
]);

/** Validates a create-task body for one action; on success returns Tencent's PascalCase params (without SubAppId). */
export function validateWith(
  action: CreateAction,
  body: unknown,
  options: ValidationOptions = {},
): ValidationResult {
  if (!isPlainObject(body)) {
    return { ok: false, issues: [{ field: "body", code: INVALID_PARAMETER, message: "the request body must be a JSON object" }] };
  }
  const schema = action.schema() as z.ZodType<Record<string, unknown>>;
  const normalized = normalizeBody(body, keyShapeOf(schema), action.refused);
  const findings = new Findings(normalized.spelling);
  for (const problem of normalized.problems) {
    const issue = (code: string, message: string) => findings.issues.push({ field: problem.field, code, message });
    if (problem.kind === "refused") issue(UNKNOWN_PARAMETER, `${problem.field} ${problem.detail}`);
    else if (problem.kind === "duplicate") issue(INVALID_PARAMETER, `${problem.field} repeats ${problem.detail}; send each field once`);
    else issue(UNKNOWN_PARAMETER, `${problem.field} is not a parameter of ${action.tencentAction}`);
  }

  // Relay clients send "" for fields they leave unset, and Tencent reads "" as unset.
  dropEmptyStrings(normalized.value);
  // reportInput lets issues tell a missing field from one of the wrong type (null included).
  const parsed = schema.safeParse(normalized.value, { reportInput: true });
  if (!parsed.success) {
    for (const zodIssue of parsed.error.issues) findings.fromZod(zodIssue);
    return { ok: false, issues: findings.issues };
  }
  const params = parsed.data;
  action.check(params, findings, { allowUnlistedModels: options.allowUnlistedModels ?? false, refuseUnlistedVersions: options.refuseUnlistedVersions ?? false });

  // Room is kept for what is added before sending (SubAppId, our SessionId): without it a body just
  // under the limit passed here and was refused by Tencent instead.
  const bytes = Buffer.byteLength(JSON.stringify(params)) + ADDED_PARAMS_MAX_BYTES;
  if (bytes > REQUEST_BODY_MAX_BYTES) {
    findings.issues.push({
      field: "body",
      code: "RequestSizeLimitExceeded",
      message: `the request to Tencent would be ${bytes} bytes; Tencent takes at most ${REQUEST_BODY_MAX_BYTES}`,
    });
  }
  return findings.issues.length > 0 ? { ok: false, issues: findings.issues } : { ok: true, params, warnings: findings.warnings };
}

/**
 * Removes every object property whose value is "" (at any depth, inside arrays too): an empty
 * string is an absent field. A required field so emptied is reported as missing.
 */
function dropEmptyStrings(value: unknown): void {
  if (Array.isArray(value)) {
    for (const item of value) dropEmptyStrings(item);
  } else if (isPlainObject(value)) {
    for (const key of Object.keys(value)) {
      if (value[key] === "") delete value[key];
      else dropEmptyStrings(value[key]);
    }
  }
}

/**
 * Validation of create-task bodies, before anything reaches Tencent (every call costs money).
 *
 * A body goes through three steps: its keys are matched to Tencent's spelling (PascalCase,
 * snake_case and camelCase are accepted), the action's zod schema checks types, lengths
 * and enums, and the catalog-driven rules check what depends on the model and on other
 * fields. Issues name fields the way the client spelled them.
 */
import type { z } from "zod";
import { REQUEST_BODY_MAX_BYTES } from "../catalog";
import { isPlainObject, keyShapeOf, normalizeBody, normalizeKey } from "./field-names";
import { Findings, INVALID_PARAMETER, UNKNOWN_PARAMETER, type FieldIssue } from "./issues";
import type { CatalogOptions } from "./rules/model-check";
import { checkMpsVideoRequest } from "./rules/mps-video";
import { checkVodImageRequest } from "./rules/vod-image";
import { checkVodRedrawRequest } from "./rules/vod-redraw";
import { checkVodVideoRequest } from "./rules/vod-video";
import { mpsVideoRequestSchema } from "./schemas/mps-video";
import { vodImageRequestSchema } from "./schemas/vod-image";
import { vodRedrawRequestSchema } from "./schemas/vod-redraw";
import { vodVideoRequestSchema } from "./schemas/vod-video";

export type { FieldIssue } from "./issues";
export { mpsVideoRequestSchema, type MpsVideoRequest } from "./schemas/mps-video";
export { vodImageRequestSchema, type VodImageRequest } from "./schemas/vod-image";
export { vodRedrawRequestSchema, type VodRedrawRequest } from "./schemas/vod-redraw";
export { vodVideoRequestSchema, type VodVideoRequest } from "./schemas/vod-video";
export { keyShapeOf, normalizeKey, toSnakeCase, type KeyShape } from "./field-names";

/** Most bytes the deployment adds to validated params: `,"SubAppId":<16 digits>` and `,"SessionId":"<50 chars>"`. */
const ADDED_PARAMS_MAX_BYTES = 128;

/** The four create actions this product serves. */
export type TaskKind = "vod-video" | "vod-image" | "vod-redraw" | "mps-video";

/** Either Tencent-ready params, or every issue found (never a partial success). */
export type ValidationResult = { ok: true; params: Record<string, unknown> } | { ok: false; issues: FieldIssue[] };

interface CreateAction<S extends z.ZodType> {
  readonly tencentAction: string;
  readonly schema: S;
  /** Top-level fields refused with a reason of their own, by normalised key. */
  readonly refused: ReadonlyMap<string, string>;
  readonly check: (params: z.output<S>, findings: Findings, options: CatalogOptions) => void;
}

function createAction<S extends z.ZodType>(action: CreateAction<S>): CreateAction<S> {
  return action;
}

const VOD_REFUSED = new Map([
  [normalizeKey("SubAppId"), "is set from this deployment's configuration; remove it from the body"],
]);

const MPS_REFUSED = new Map([
  [normalizeKey("SubAppId"), "does not apply to MPS tasks; remove it from the body"],
  [normalizeKey("SessionId"), "is not a parameter of MPS CreateAigcVideoTask; send an Idempotency-Key header to make retries safe"],
]);

const ACTIONS = {
  "vod-video": createAction({
    tencentAction: "VOD CreateAigcVideoTask",
    schema: vodVideoRequestSchema,
    refused: VOD_REFUSED,
    check: checkVodVideoRequest,
  }),
  "vod-image": createAction({
    tencentAction: "VOD CreateAigcImageTask",
    schema: vodImageRequestSchema,
    refused: VOD_REFUSED,
    check: checkVodImageRequest,
  }),
  "vod-redraw": createAction({
    tencentAction: "VOD CreateAigcVideoRedrawTask",
    schema: vodRedrawRequestSchema,
    refused: VOD_REFUSED,
    check: (params, findings) => checkVodRedrawRequest(params, findings),
  }),
  "mps-video": createAction({
    tencentAction: "MPS CreateAigcVideoTask",
    schema: mpsVideoRequestSchema,
    refused: MPS_REFUSED,
    check: checkMpsVideoRequest,
  }),
} satisfies Record<TaskKind, unknown>;

/** The request schema of each action, for the OpenAPI generator (convert with `z.toJSONSchema(schema, { io: "input" })`). */
export const requestSchemas: Record<TaskKind, z.ZodType> = {
  "vod-video": vodVideoRequestSchema,
  "vod-image": vodImageRequestSchema,
  "vod-redraw": vodRedrawRequestSchema,
  "mps-video": mpsVideoRequestSchema,
};

/** Validates a create-task body for one action; on success returns Tencent's PascalCase params (without SubAppId). */
export function validateCreateRequest(
  kind: TaskKind,
  body: unknown,
  options: { allowUnlistedModels?: boolean } = {},
): ValidationResult {
  if (!isPlainObject(body)) {
    return { ok: false, issues: [{ field: "body", code: INVALID_PARAMETER, message: "the request body must be a JSON object" }] };
  }
  const action: CreateAction<z.ZodType<Record<string, unknown>>> = ACTIONS[kind] as never;
  const normalized = normalizeBody(body, keyShapeOf(action.schema), action.refused);
  const findings = new Findings(normalized.spelling);
  for (const problem of normalized.problems) {
    const issue = (code: string, message: string) => findings.issues.push({ field: problem.field, code, message });
    if (problem.kind === "refused") issue(UNKNOWN_PARAMETER, `${problem.field} ${problem.detail}`);
    else if (problem.kind === "duplicate") issue(INVALID_PARAMETER, `${problem.field} repeats ${problem.detail}; send each field once`);
    else issue(UNKNOWN_PARAMETER, `${problem.field} is not a parameter of ${action.tencentAction}`);
  }

  // reportInput lets issues tell a missing field from one of the wrong type (null included).
  const parsed = action.schema.safeParse(normalized.value, { reportInput: true });
  if (!parsed.success) {
    for (const zodIssue of parsed.error.issues) findings.fromZod(zodIssue);
    return { ok: false, issues: findings.issues };
  }
  const params = parsed.data;
  action.check(params, findings, { allowUnlistedModels: options.allowUnlistedModels ?? false });

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
  return findings.issues.length > 0 ? { ok: false, issues: findings.issues } : { ok: true, params };
}

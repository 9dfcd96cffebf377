/**
 * Validation of create-task bodies, before anything reaches Tencent (every call costs money):
 * all five actions together, for the OpenAPI generator, the bench and the tests.
 *
 * Function code imports `./action` and its own `./actions/<kind>` instead, so that a bundle holds
 * (and builds) one action's schema, not five; a build test keeps it that way.
 */
import type { z } from "zod";
import { validateWith, type CreateAction, type TaskKind, type ValidationOptions, type ValidationResult } from "./action";
import { mpsImageAction } from "./actions/mps-image";
import { mpsVideoAction } from "./actions/mps-video";
import { vodImageAction } from "./actions/vod-image";
import { vodRedrawAction } from "./actions/vod-redraw";
import { vodVideoAction } from "./actions/vod-video";

export type { FieldIssue } from "./issues";
export type { CreateAction, TaskKind, ValidationOptions, ValidationResult } from "./action";
export type { MpsImageRequest } from "./schemas/mps-image";
export type { MpsVideoRequest } from "./schemas/mps-video";
export type { VodImageRequest } from "./schemas/vod-image";
export type { VodRedrawRequest } from "./schemas/vod-redraw";
export type { VodVideoRequest } from "./schemas/vod-video";
export { keyShapeOf, normalizeKey, toSnakeCase, type KeyShape } from "./field-names";

/** Every create action, by task kind. */
export const createActions: Readonly<Record<TaskKind, CreateAction>> = {
  "vod-video": vodVideoAction,
  "vod-image": vodImageAction,
  "vod-redraw": vodRedrawAction,
  "mps-video": mpsVideoAction,
  "mps-image": mpsImageAction,
};

/** The request schema of each action, for the OpenAPI generator (convert with `z.toJSONSchema(schema, { io: "input" })`). */
export const requestSchemas: Readonly<Record<TaskKind, z.ZodType>> = {
  "vod-video": vodVideoAction.schema(),
  "vod-image": vodImageAction.schema(),
  "vod-redraw": vodRedrawAction.schema(),
  "mps-video": mpsVideoAction.schema(),
  "mps-image": mpsImageAction.schema(),
};

/** Validates a create-task body for one action; on success returns Tencent's PascalCase params (without SubAppId). */
export function validateCreateRequest(kind: TaskKind, body: unknown, options: ValidationOptions = {}): ValidationResult {
  return validateWith(createActions[kind], body, options);
}

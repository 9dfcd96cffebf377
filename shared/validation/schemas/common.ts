/**
 * Schema pieces shared by the VOD actions.
 */
import { z } from "zod";
import {
  INPUT_REGIONS,
  MEDIA_NAME_MAX_LENGTH,
  PERSON_GENERATION_VALUES,
  SESSION_CONTEXT_MAX_LENGTH,
  SESSION_ID_MAX_LENGTH,
  STORAGE_MODES,
  TASKS_PRIORITY_MAX,
  TASKS_PRIORITY_MIN,
  type ActionCatalog,
} from "../../catalog";
import { integer, isoDateTime, nonEmpty, onOff, oneOf, text } from "../fields";

/** ModelName described from the catalog; which names are known is checked by the rules, so unlisted models can be allowed. */
export function modelNameField<R extends object, F extends string>(catalog: ActionCatalog<R, F>) {
  return nonEmpty().meta({ description: `Model name. Known: ${Object.keys(catalog.models).join(", ")}.` });
}

/** ModelVersion described from the catalog. */
export function modelVersionField<R extends object, F extends string>(catalog: ActionCatalog<R, F>) {
  const versions = Object.entries(catalog.models)
    .map(([model, entry]) => `${model}: ${Object.keys(entry.versions).join(", ")}`)
    .join("; ");
  return nonEmpty().meta({ description: `Model version. Known: ${versions}.` });
}

/** SessionId, SessionContext, TasksPriority and ExtInfo, common to the VOD create actions. */
export function vodCommonFields() {
  return {
    SessionId: text(SESSION_ID_MAX_LENGTH)
      .meta({ description: "Dedup key: a repeat within 3 days is refused by Tencent. Empty means no dedup." })
      .optional(),
    SessionContext: text(SESSION_CONTEXT_MAX_LENGTH).meta({ description: "Passed through to the completion event." }).optional(),
    TasksPriority: integer({ min: TASKS_PRIORITY_MIN, max: TASKS_PRIORITY_MAX })
      .meta({ description: "Higher runs first; absent means 0." })
      .optional(),
    ExtInfo: z.string().meta({ description: "Reserved; model-specific extras." }).optional(),
  };
}

/** Where the output file goes and how long it lives, common to the VOD output configs. */
export function vodStorageFields() {
  return {
    StorageMode: oneOf(STORAGE_MODES).optional(),
    MediaName: text(MEDIA_NAME_MAX_LENGTH).optional(),
    ClassId: integer({ min: 0 }).optional(),
    ExpireTime: isoDateTime().optional(),
  };
}

/** Person generation and compliance switches, common to VOD video and image output configs. */
export function vodGenerationSwitches() {
  return {
    PersonGeneration: oneOf(PERSON_GENERATION_VALUES).optional(),
    InputComplianceCheck: onOff().optional(),
    OutputComplianceCheck: onOff().optional(),
  };
}

/** Where input files are stored. */
export function inputRegionField() {
  return oneOf(INPUT_REGIONS).optional();
}

/**
 * Request body of VOD CreateAigcVideoRedrawTask (without SubAppId, which the deployment sets).
 */
import { z } from "zod";
import { REDRAW_FILE_INPUT_TYPES, REDRAW_STYLE_MAX_LENGTH } from "../../catalog";
import { httpUrl, nonEmpty, oneOf, text } from "../fields";
import { vodCommonFields, vodStorageFields } from "./common";

/** Builds the body schema of POST for VOD CreateAigcVideoRedrawTask; called once, on first use (validation/actions.ts). */
export function buildVodRedrawRequestSchema() {
  const fileInfo = z
    .strictObject({
      Type: oneOf(REDRAW_FILE_INPUT_TYPES).optional(),
      FileId: nonEmpty().optional(),
      Url: httpUrl().optional(),
    })
    .meta({ description: "The input video (under 90 s and 2 GB): exactly one of FileId, Url (matching Type when given)." });

  return z
    .strictObject({
      FileInfo: fileInfo,
      TaskInfo: z.strictObject({ Style: text(REDRAW_STYLE_MAX_LENGTH).optional() }).optional(),
      OutputConfig: z.strictObject(vodStorageFields()).optional(),
      ...vodCommonFields(),
    })
    .meta({ title: "CreateAigcVideoRedrawTask (VOD)" });
}

/** The validated VOD redraw body, with numbers coerced. */
export type VodRedrawRequest = z.output<ReturnType<typeof buildVodRedrawRequestSchema>>;

/**
 * Request body of VOD CreateAigcImageTask (without SubAppId, which the deployment sets).
 */
import { z } from "zod";
import { FILE_INPUT_TYPES, IMAGE_OUTPUT_FORMATS, vodImageCatalog } from "../../catalog";
import { aspectRatio, base64, httpUrl, integer, nonEmpty, onOff, oneOf } from "../fields";
import {
  inputRegionField,
  modelNameField,
  modelVersionField,
  vodCommonFields,
  vodGenerationSwitches,
  vodStorageFields,
} from "./common";

/** Builds the body schema of POST for VOD CreateAigcImageTask; called once, on first use (validation/actions.ts). */
export function buildVodImageRequestSchema() {
  const fileInfo = z
    .strictObject({
      Type: oneOf(FILE_INPUT_TYPES).optional(),
      FileId: nonEmpty().optional(),
      Url: httpUrl().optional(),
      Base64: base64().optional(),
      Text: z.string().optional(),
      ReferenceType: nonEmpty().optional(),
    })
    .meta({ description: "An input image: exactly one of FileId, Url, Base64 (matching Type when given)." });

  const outputConfig = z.strictObject({
    ...vodStorageFields(),
    Resolution: nonEmpty().meta({ description: "Allowed values depend on the model." }).optional(),
    AspectRatio: aspectRatio().meta({ description: "Allowed values depend on the model." }).optional(),
    ...vodGenerationSwitches(),
    OutputImageCount: integer({ min: 1 }).meta({ description: "Kling 1-9, OG 1-8; other models do not take it." }).optional(),
    OutputFormat: oneOf(IMAGE_OUTPUT_FORMATS).optional(),
    LogoAdd: onOff().optional(),
  });

  return z
    .strictObject({
      ModelName: modelNameField(vodImageCatalog),
      ModelVersion: modelVersionField(vodImageCatalog),
      FileInfos: z.array(fileInfo).optional(),
      Prompt: z.string().meta({ description: "Required when FileInfos is empty." }).optional(),
      NegativePrompt: z.string().optional(),
      EnhancePrompt: onOff().optional(),
      OutputConfig: outputConfig.optional(),
      InputRegion: inputRegionField(),
      SceneType: nonEmpty().optional(),
      Seed: integer().optional(),
      ...vodCommonFields(),
    })
    .meta({ title: "CreateAigcImageTask (VOD)" });
}

/** The validated VOD image body, with numbers coerced. */
export type VodImageRequest = z.output<ReturnType<typeof buildVodImageRequestSchema>>;

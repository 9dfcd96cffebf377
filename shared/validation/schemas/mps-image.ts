/**
 * Request body of MPS CreateAigcImageTask. MPS has no SubAppId and no SessionId.
 */
import { z } from "zod";
import { IMAGE_OUTPUT_FORMATS, MPS_PROMPT_MAX_LENGTH, mpsImageCatalog } from "../../catalog";
import { aspectRatio, httpUrl, integer, jsonText, nonEmpty, oneOf } from "../fields";
import { modelNameField, modelVersionField } from "./common";

/** Builds the body schema of POST for MPS CreateAigcImageTask; called once, on first use. */
export function buildMpsImageRequestSchema() {
  const imageInfo = z.strictObject({
    ImageUrl: httpUrl(),
    // Vidu q2 multi-reference passes a subject id here, so the value is not an enum.
    ReferenceType: z.string().optional(),
  });

  const extraParameters = z.strictObject({
    AspectRatio: aspectRatio().meta({ description: "Allowed values depend on the model." }).optional(),
    Resolution: nonEmpty().meta({ description: "720P, 1080P, 2K or 4K." }).optional(),
    // AigcImageExtraParam.LogoAdd: "1 adds, 0 does not; range [0, 1]".
    LogoAdd: integer({ min: 0, max: 1 }).meta({ description: "Logo watermark: 1 adds it, 0 (default) does not." }).optional(),
    OutputFormat: oneOf(IMAGE_OUTPUT_FORMATS).optional(),
  });

  const storeCosParam = z.strictObject({
    CosBucketName: nonEmpty(),
    CosBucketRegion: nonEmpty(),
    CosBucketPath: z.string().optional(),
  });

  return z
    .strictObject({
      ModelName: modelNameField(mpsImageCatalog).optional(),
      ModelVersion: modelVersionField(mpsImageCatalog).optional(),
      SceneType: nonEmpty().optional(),
      Prompt: z.string().meta({ description: `Required without reference images. Over ${MPS_PROMPT_MAX_LENGTH} characters it is sent with a warning.` }).optional(),
      NegativePrompt: z.string().optional(),
      EnhancePrompt: z.boolean().optional(),
      ImageInfos: z.array(imageInfo).optional(),
      OutputImageCount: integer({ min: 1 }).meta({ description: "How many images; 1 by default." }).optional(),
      ExtraParameters: extraParameters.optional(),
      AdditionalParameters: jsonText()
        .meta({ description: 'A JSON object serialized as a string, e.g. {"size":"1024x1024"} (Hunyuan 3.0, Qwen 0925).' })
        .optional(),
      StoreCosParam: storeCosParam.optional(),
      Operator: z.string().optional(),
    })
    .meta({ title: "CreateAigcImageTask (MPS)" });
}

/** The validated MPS image body, with numbers coerced. */
export type MpsImageRequest = z.output<ReturnType<typeof buildMpsImageRequestSchema>>;

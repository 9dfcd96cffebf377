/**
 * Request body of MPS CreateAigcVideoTask. MPS has no SubAppId and no SessionId.
 */
import { z } from "zod";
import { MPS_KEEP_ORIGINAL_SOUND_VALUES, MPS_PROMPT_MAX_LENGTH, MPS_VIDEO_REFER_TYPES, mpsVideoCatalog } from "../../catalog";
import { aspectRatio, httpUrl, integer, jsonText, nonEmpty, oneOf } from "../fields";
import { modelNameField, modelVersionField } from "./common";

/** Builds the body schema of POST for MPS CreateAigcVideoTask; called once, on first use (validation/actions.ts). */
export function buildMpsVideoRequestSchema() {
  const imageInfo = z.strictObject({
    ImageUrl: httpUrl(),
    // GV: asset or style; Vidu passes a subject id here, so the value is not an enum.
    ReferenceType: z.string().optional(),
    // Not in the SDK's AigcVideoReferenceImageInfo, but the ImageInfos doc says PixVerse
    // "needs the image name passed through the Text field in ImageInfos".
    Text: z.string().optional(),
  });

  const videoInfo = z.strictObject({
    VideoUrl: httpUrl(),
    ReferType: oneOf(MPS_VIDEO_REFER_TYPES).meta({ description: "feature = reference video; base = video to edit (default)." }).optional(),
    KeepOriginalSound: oneOf(MPS_KEEP_ORIGINAL_SOUND_VALUES).optional(),
  });

  const subjectInfo = z.strictObject({
    Id: z.string().optional(),
    Name: z.string().optional(),
    VoiceId: z.string().optional(),
    ImageUrls: z.array(httpUrl()).optional(),
    VideoUrls: z.array(httpUrl()).optional(),
  });

  const extraParameters = z.strictObject({
    Resolution: nonEmpty().meta({ description: "Allowed values depend on the model; 2K and 4K are upscaled." }).optional(),
    AspectRatio: aspectRatio().meta({ description: "Allowed values depend on the model." }).optional(),
    LogoAdd: integer().meta({ description: "Logo watermark (Hailuo, Kling, Vidu, H2)." }).optional(),
    EnableAudio: z.boolean().optional(),
    OffPeak: z.boolean().optional(),
    EnableBgm: z.boolean().optional(),
  });

  const storeCosParam = z.strictObject({
    CosBucketName: nonEmpty(),
    CosBucketRegion: nonEmpty(),
    CosBucketPath: z.string().optional(),
  });

  return z
    .strictObject({
      ModelName: modelNameField(mpsVideoCatalog).optional(),
      ModelVersion: modelVersionField(mpsVideoCatalog).optional(),
      SceneType: nonEmpty().optional(),
      Prompt: z.string().meta({ description: `Required without images, videos, subjects or SceneType. Over ${MPS_PROMPT_MAX_LENGTH} characters it is sent with a warning.` }).optional(),
      NegativePrompt: z.string().optional(),
      EnhancePrompt: z.boolean().optional(),
      ImageUrl: httpUrl().meta({ description: "First frame." }).optional(),
      LastImageUrl: httpUrl().meta({ description: "Last frame; needs ImageUrl." }).optional(),
      ImageInfos: z.array(imageInfo).optional(),
      VideoInfos: z.array(videoInfo).optional(),
      AudioInfos: z.array(z.strictObject({ AudioUrl: httpUrl() })).optional(),
      SubjectInfos: z.array(subjectInfo).optional(),
      Duration: integer({ min: 1 }).meta({ description: "Seconds; allowed values depend on the model." }).optional(),
      ExtraParameters: extraParameters.optional(),
      StoreCosParam: storeCosParam.optional(),
      AdditionalParameters: jsonText().optional(),
      Operator: z.string().optional(),
    })
    .meta({ title: "CreateAigcVideoTask (MPS)" });
}

/** The validated MPS video body, with numbers coerced. */
export type MpsVideoRequest = z.output<ReturnType<typeof buildMpsVideoRequestSchema>>;

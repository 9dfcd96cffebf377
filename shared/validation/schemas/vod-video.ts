/**
 * Request body of VOD CreateAigcVideoTask (without SubAppId, which the deployment sets).
 */
import { z } from "zod";
import {
  FILE_CATEGORIES,
  FILE_INPUT_TYPES,
  FILE_USAGES,
  SUBJECT_IMAGE_URLS_MAX,
  SUBJECT_VIDEO_URLS_MAX,
  vodVideoCatalog,
} from "../../catalog";
import { aspectRatio, base64, httpUrl, integer, nonEmpty, onOff, oneOf } from "../fields";
import {
  inputRegionField,
  modelNameField,
  modelVersionField,
  vodCommonFields,
  vodGenerationSwitches,
  vodStorageFields,
} from "./common";

/** Builds the body schema of POST for VOD CreateAigcVideoTask; called once, on first use (validation/actions.ts). */
export function buildVodVideoRequestSchema() {
  const fileInfo = z
    .strictObject({
      Type: oneOf(FILE_INPUT_TYPES).optional(),
      Category: oneOf(FILE_CATEGORIES).optional(),
      FileId: nonEmpty().optional(),
      Url: httpUrl().optional(),
      Base64: base64().optional(),
      ReferenceType: nonEmpty().optional(),
      ObjectId: z.string().optional(),
      VoiceId: z.string().optional(),
      KeepOriginalSound: onOff().optional(),
      Usage: oneOf(FILE_USAGES).meta({ description: "Default FirstFrame." }).optional(),
      Text: z.string().optional(),
    })
    .meta({ description: "An input file: exactly one of FileId, Url, Base64 (matching Type when given)." });

  const subjectInfo = z.strictObject({
    Id: z.string().optional(),
    Name: z.string().optional(),
    VoiceId: z.string().optional(),
    ImageUrls: z.array(httpUrl()).max(SUBJECT_IMAGE_URLS_MAX, { error: `can have at most ${SUBJECT_IMAGE_URLS_MAX} images` }).optional(),
    VideoUrls: z.array(httpUrl()).max(SUBJECT_VIDEO_URLS_MAX, { error: `can have at most ${SUBJECT_VIDEO_URLS_MAX} video` }).optional(),
  });

  const outputConfig = z.strictObject({
    ...vodStorageFields(),
    Duration: integer({ min: 1 }).meta({ description: "Seconds; allowed values depend on the model." }).optional(),
    Resolution: nonEmpty().meta({ description: "Allowed values depend on the model." }).optional(),
    AspectRatio: aspectRatio().meta({ description: "Allowed values depend on the model." }).optional(),
    AudioGeneration: onOff().optional(),
    ...vodGenerationSwitches(),
    EnhanceSwitch: onOff().optional(),
    OffPeak: onOff().optional(),
    FrameInterpolate: onOff().optional(),
    LogoAdd: onOff().optional(),
    EnableBGM: onOff().optional(),
  });

  return z
    .strictObject({
      ModelName: modelNameField(vodVideoCatalog),
      ModelVersion: modelVersionField(vodVideoCatalog),
      FileInfos: z.array(fileInfo).optional(),
      SubjectInfos: z.array(subjectInfo).optional(),
      LastFrameFileId: nonEmpty().optional(),
      LastFrameUrl: httpUrl().optional(),
      Prompt: z.string().meta({ description: "Required without input files, subjects, SceneType or ExtInfo." }).optional(),
      NegativePrompt: z.string().optional(),
      EnhancePrompt: onOff().optional(),
      OutputConfig: outputConfig.optional(),
      InputRegion: inputRegionField(),
      SceneType: nonEmpty().optional(),
      Procedure: z.string().optional(),
      Seed: integer().optional(),
      ...vodCommonFields(),
    })
    .meta({ title: "CreateAigcVideoTask (VOD)" });
}

/** The validated VOD video body, with numbers coerced. */
export type VodVideoRequest = z.output<ReturnType<typeof buildVodVideoRequestSchema>>;

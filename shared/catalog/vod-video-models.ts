/**
 * Models of VOD CreateAigcVideoTask (2018-07-17).
 *
 * To add a model: add an entry to `models` with its `source`, the rules all its versions
 * share in `rules`, and every version in `versions` (an empty object when the version
 * has no rules of its own). To add a version: add it to its model's `versions`.
 */
import { NOT_SUPPORTED, type ActionCatalog, type VodVideoFeature, type VodVideoRules } from "./types";
import { SDK_MPS_VIDEO, SDK_VOD_VIDEO, SEED_RELAY_VIDEO, SEED_VOD_VIDEO } from "./sources";

const KLING_LAST_FRAME_AT_1080P = { onlyAtResolution: "1080P" } as const;

// H3 rules are documented for "H3"; H3_regen and H3-Max are inferred to share them.
const HAILUO_H3: VodVideoRules = {
  durations: { min: 4, max: 15 },
  resolutions: ["768P", "1080P", "2K", "4K"],
  aspectRatios: ["21:9", "16:9", "4:3", "1:1", "3:4", "9:16"],
  // Inferred: the H3 AspectRatio note speaks of "image to video (i.e. first-and-last-frame video)".
  lastFrame: "supported",
};

const VIDU_FEATURES: readonly VodVideoFeature[] = [
  "AudioGeneration",
  "FrameInterpolate",
  "FileObjectId",
  // Documented "for Vidu-q2"; read as the Vidu family, since the field is Vidu's alone.
  "FileVoiceId",
  "SubjectVoiceId",
  "SubjectImageUrls",
];

/** VOD CreateAigcVideoTask models, versions and per-model rules. */
export const vodVideoCatalog: ActionCatalog<VodVideoRules, VodVideoFeature> = {
  action: "VOD CreateAigcVideoTask (2018-07-17)",
  defaults: {
    // "Other ModelName values are not supported" (SceneType); ReferenceType is "for GV, Kling, PixVerse".
    sceneTypes: NOT_SUPPORTED,
    referenceTypes: NOT_SUPPORTED,
    // Seed 002: "List of up to three reference images for video generation".
    maxReferenceImages: 3,
    features: [],
  },
  features: {
    AudioGeneration: { field: "OutputConfig.AudioGeneration", offValues: ["Disabled"], label: "audio generation" },
    FrameInterpolate: { field: "OutputConfig.FrameInterpolate", offValues: ["Disabled"], label: "Vidu frame interpolation" },
    FileText: { field: "FileInfos[].Text", label: "image name for multi-image subject reference" },
    FileObjectId: { field: "FileInfos[].ObjectId", label: "Vidu subject id" },
    FileVoiceId: { field: "FileInfos[].VoiceId", label: "Vidu voice id" },
    SubjectVoiceId: { field: "SubjectInfos[].VoiceId", label: "subject voice id" },
    SubjectImageUrls: { field: "SubjectInfos[].ImageUrls", label: "temporary subject images" },
    SubjectVideoUrls: { field: "SubjectInfos[].VideoUrls", label: "temporary subject videos" },
  },
  models: {
    Hailuo: {
      source: `${SDK_VOD_VIDEO}; ${SEED_RELAY_VIDEO}`,
      rules: {
        durations: { values: [6, 10] },
        resolutions: ["768P", "1080P"],
        // Inferred: VOD documents AspectRatio for H3 only, and MPS says Hailuo does not take it.
        aspectRatios: NOT_SUPPORTED,
        // Seed 002: last frame "supported for GV, Kling, and Vidu only".
        lastFrame: NOT_SUPPORTED,
      },
      versions: {
        // Inferred from MPS: "Hailuo, 02 supports first and last frames".
        "02": { lastFrame: "supported" },
        "2.3": {},
        "2.3-fast": {},
        H3: HAILUO_H3,
        H3_regen: HAILUO_H3,
        "H3-Max": HAILUO_H3,
      },
    },
    Kling: {
      source: `${SDK_VOD_VIDEO}; ${SEED_RELAY_VIDEO}`,
      rules: {
        durations: { min: 3, max: 15 },
        resolutions: ["720P", "1080P"],
        // Documented for text to video; other modes follow the input image.
        aspectRatios: ["16:9", "9:16", "1:1"],
        sceneTypes: ["motion_control", "avatar_i2v", "lip_sync"],
        // For Category Video: feature = reference video, base = video to edit.
        referenceTypes: ["feature", "base"],
        subjectKey: "Id",
        features: ["AudioGeneration"],
      },
      // Last-frame support per version and the 1.6/O1/3.0-Omni image maxima are inferred
      // from the MPS doc (same vendor models); seed 002 documents the 1080P rule for 2.1.
      versions: {
        "1.6": { lastFrame: KLING_LAST_FRAME_AT_1080P, maxReferenceImages: 4 },
        "2.0": { lastFrame: "supported" },
        "2.1": { lastFrame: KLING_LAST_FRAME_AT_1080P },
        "2.5": { lastFrame: KLING_LAST_FRAME_AT_1080P },
        "2.6": { lastFrame: KLING_LAST_FRAME_AT_1080P },
        O1: { lastFrame: "supported", maxReferenceImages: 7 },
        "3.0": { lastFrame: "supported" },
        "3.0-Omni": { lastFrame: "supported", maxReferenceImages: 7 },
        // No document says whether these take a last frame: not checked.
        "3.0-turbo": {},
        scene: {},
      },
    },
    Vidu: {
      source: `${SDK_VOD_VIDEO}; ${SEED_RELAY_VIDEO}`,
      rules: {
        durations: { min: 1, max: 10 },
        resolutions: ["720P", "1080P"],
        // "Only version q2 supports 4:3 and 3:4".
        aspectRatios: ["16:9", "9:16", "1:1"],
        sceneTypes: ["template_effect"],
        // Seed 002: "Vidu q2-pro/q2-turbo is required to set this field"; MPS adds q3-pro/q3-turbo.
        lastFrame: NOT_SUPPORTED,
        subjectKey: "Name",
        features: VIDU_FEATURES,
      },
      versions: {
        // Seed 002: "q2 supports 1-7 images"; the other 7-image versions are inferred from MPS.
        q2: { aspectRatios: ["16:9", "9:16", "4:3", "3:4", "1:1"], maxReferenceImages: 7 },
        // "Only reference-to-video viduq2-pro supports a video subject".
        "q2-pro": { lastFrame: "supported", maxReferenceImages: 7, features: [...VIDU_FEATURES, "SubjectVideoUrls"] },
        "q2-turbo": { lastFrame: "supported" },
        q3: { maxReferenceImages: 7 },
        "q3-pro": { lastFrame: "supported" },
        "q3-turbo": { lastFrame: "supported", maxReferenceImages: 7 },
        "q3-mix": { maxReferenceImages: 7 },
        "q3-drama": {},
        "q3-ad": {},
        scene: {},
        "avatar-q2-pro": {},
        "avatar-q2-turbo": {},
        "lip-sync": {},
      },
    },
    GV: {
      source: `${SDK_VOD_VIDEO}; ${SEED_VOD_VIDEO}; ${SEED_RELAY_VIDEO}`,
      rules: {
        durations: { values: [8] },
        resolutions: ["720P", "1080P"],
        aspectRatios: ["16:9", "9:16"],
        lastFrame: "supported",
        // Seed 002: "GV: multi-image mode cannot use LastFrameFileId/LastFrameUrl".
        lastFrameWithReferenceImages: false,
        // ReferenceType for GV: asset (material) or style.
        referenceTypes: ["asset", "style"],
        features: ["AudioGeneration"],
      },
      versions: { "3.1": {}, "3.1-fast": {}, "3.1-lite": {}, omni: {} },
    },
    OS: {
      source: SDK_VOD_VIDEO,
      rules: {
        durations: { values: [4, 8, 12] },
        resolutions: ["720P"],
        // Documented for text to video.
        aspectRatios: ["16:9", "9:16"],
        lastFrame: NOT_SUPPORTED,
        features: ["AudioGeneration"],
      },
      versions: { "2.0": {} },
    },
    Hunyuan: {
      source: SDK_VOD_VIDEO,
      // No duration, resolution or ratio rules are documented: not checked.
      rules: { lastFrame: NOT_SUPPORTED },
      versions: { "1.5": {}, "3d_2.0": {} },
    },
    Mingmou: {
      source: SDK_VOD_VIDEO,
      rules: { lastFrame: NOT_SUPPORTED },
      versions: { "1.0": {} },
    },
    PixVerse: {
      source: `${SDK_VOD_VIDEO}; rules marked inferred come from ${SDK_MPS_VIDEO}`,
      rules: {
        durations: { min: 1, max: 15 },
        // Tencent spells PixVerse resolutions in lower case.
        resolutions: ["540p", "720p", "1080p", "2k", "4k"],
        aspectRatios: ["16:9", "4:3", "1:1", "3:4", "9:16", "2:3", "3:2", "21:9"],
        // Inferred from MPS: "PixVerse v5.6, v6, c1 support first and last frames" and 1-7 images.
        lastFrame: "supported",
        maxReferenceImages: 7,
        // ReferenceType for PixVerse multi-image (subject) reference: subject or background.
        referenceTypes: ["subject", "background"],
        // AudioGeneration is not listed for PixVerse on VOD; inferred from MPS EnableAudio ("PixVerse, default false").
        features: ["FileText", "AudioGeneration"],
      },
      versions: { "v5.6": {}, v6: {}, c1: {} },
    },
  },
};

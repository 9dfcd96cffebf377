/**
 * Models of MPS CreateAigcVideoTask (2019-06-12), as the SDK 4.1.313 doc comments give them.
 *
 * To add a model: add an entry to `models` with its `source`, the rules all its versions share in
 * `rules`, and every version in `versions`. On MPS, ModelName and ModelVersion are optional;
 * without a version, a value passes when any version of the model takes it. inferred() rules
 * only warn.
 */
import { inferred, NOT_SUPPORTED, type ActionCatalog, type GenerationMode, type MpsVideoFeature, type MpsVideoRules } from "./types";
import { SDK_MPS_VIDEO } from "./sources";

// AigcVideoExtraParam.Resolution: "besides the resolutions a model supports, 2K and 4K can also be generated".
const ALSO_UPSCALED = ["2K", "4K"];

// AigcVideoExtraParam.AspectRatio: "Kling: only text to video", "Vidu/PixVerse/H2: only text and
// reference image to video". Outside those modes the output follows the input image; the doc does
// not say the request fails, so a ratio there is sent with a warning rather than refused.
const RATIO_MODES_NOTE = `${SDK_MPS_VIDEO} AigcVideoExtraParam.AspectRatio (in other modes the video follows the input image)`;
const TEXT_ONLY = inferred<readonly GenerationMode[]>(["text"], RATIO_MODES_NOTE);
const TEXT_AND_REFERENCE = inferred<readonly GenerationMode[]>(["text", "reference"], RATIO_MODES_NOTE);

const KLING_LAST_FRAME_AT_1080P = { onlyAtResolution: "1080P" } as const;
// EnableAudio: "Vidu: only the q3 series".
const VIDU_Q3_FEATURES: readonly MpsVideoFeature[] = ["OffPeak", "LogoAdd", "EnableAudio"];

/** MPS CreateAigcVideoTask models, versions and per-model rules. */
export const mpsVideoCatalog: ActionCatalog<MpsVideoRules, MpsVideoFeature> = {
  action: "MPS CreateAigcVideoTask (2019-06-12)",
  source: SDK_MPS_VIDEO,
  // Seed 001's example model: CreateAigcVideoTaskRequest.ModelName dropped it in SDK 4.1.236.
  retired: { GV: "Tencent removed it from MPS CreateAigcVideoTaskRequest.ModelName in SDK 4.1.236 (2026-05-26); VOD CreateAigcVideoTask still lists GV" },
  defaults: {
    // SceneType: "only some models support a scene".
    sceneTypes: NOT_SUPPORTED,
    // LastImageUrl lists the models that take it.
    lastFrame: NOT_SUPPORTED,
    // ImageInfos lists the models that take several images ("models that support multi-image input").
    maxReferenceImages: 1,
    // VideoInfos: "currently only Kling O1, Kling 3.0-Omni, Vidu q2-pro, H2 1.0 take reference videos".
    videoInputs: false,
    features: [],
  },
  features: {
    EnableAudio: { field: "ExtraParameters.EnableAudio", offValues: [false], label: "audio generation", source: `${SDK_MPS_VIDEO} AigcVideoExtraParam.EnableAudio` },
    OffPeak: { field: "ExtraParameters.OffPeak", offValues: [false], label: "off-peak generation", source: `${SDK_MPS_VIDEO} AigcVideoExtraParam.OffPeak ("only Vidu")` },
    LogoAdd: { field: "ExtraParameters.LogoAdd", offValues: [0], label: "logo watermark", source: `${SDK_MPS_VIDEO} AigcVideoExtraParam.LogoAdd` },
  },
  models: {
    Hunyuan: {
      source: SDK_MPS_VIDEO,
      // 3d_scene returns a 3D world, not a video.
      rules: { sceneTypes: ["3d_scene"] },
      versions: { "1.5": {} },
    },
    Hailuo: {
      source: SDK_MPS_VIDEO,
      rules: {
        // "Hailuo std mode supports 6 and 10 s, the others only 6"; the mode is not a request
        // field, so both are accepted.
        durations: { values: [6, 10] },
        resolutions: ["768P", "1080P", ...ALSO_UPSCALED],
        aspectRatios: NOT_SUPPORTED,
        features: ["LogoAdd"],
      },
      versions: { "02": { lastFrame: "supported" }, "2.3": {}, "2.3-fast": {} },
    },
    Kling: {
      source: SDK_MPS_VIDEO,
      rules: {
        // "Other versions support 5 and 10 s".
        durations: { values: [5, 10] },
        resolutions: ["720P", "1080P", ...ALSO_UPSCALED],
        aspectRatios: ["16:9", "9:16", "1:1"],
        aspectRatioModes: TEXT_ONLY,
        sceneTypes: ["motion_control", "avatar_i2v", "lip_sync"],
        features: ["EnableAudio", "LogoAdd"],
      },
      versions: {
        "1.6": { lastFrame: KLING_LAST_FRAME_AT_1080P, maxReferenceImages: 4 },
        "2.0": { lastFrame: "supported" },
        "2.1": { lastFrame: KLING_LAST_FRAME_AT_1080P },
        "2.5": { lastFrame: KLING_LAST_FRAME_AT_1080P },
        "2.6": { lastFrame: KLING_LAST_FRAME_AT_1080P },
        O1: {
          durations: { min: 3, max: 10 },
          lastFrame: "supported",
          maxReferenceImages: 7,
          maxReferenceImagesWithVideo: 4,
          videoInputs: true,
        },
        "3.0": { durations: { min: 3, max: 15 }, lastFrame: "supported" },
        "3.0-Omni": {
          durations: { min: 3, max: 15 },
          durationsWithVideo: { min: 3, max: 10 },
          lastFrame: "supported",
          maxReferenceImages: 7,
          maxReferenceImagesWithVideo: 4,
          videoInputs: true,
        },
      },
    },
    Vidu: {
      source: SDK_MPS_VIDEO,
      rules: {
        resolutions: ["540P", "720P", "1080P", ...ALSO_UPSCALED],
        // "Only q2 supports 4:3 and 3:4".
        aspectRatios: ["16:9", "9:16", "1:1"],
        aspectRatioModes: TEXT_AND_REFERENCE,
        sceneTypes: ["template_effect"],
        features: ["OffPeak", "LogoAdd"],
      },
      versions: {
        q2: {
          durations: { min: 1, max: 10 },
          aspectRatios: ["16:9", "9:16", "4:3", "3:4", "1:1"],
          maxReferenceImages: 7,
        },
        "q2-pro": { durations: { min: 1, max: 10 }, lastFrame: "supported", maxReferenceImages: 7, videoInputs: true },
        "q2-turbo": { durations: { min: 1, max: 10 }, lastFrame: "supported" },
        "q3-pro": { durations: { min: 3, max: 16 }, lastFrame: "supported", features: VIDU_Q3_FEATURES },
        "q3-turbo": { durations: { min: 3, max: 16 }, lastFrame: "supported", maxReferenceImages: 7, features: VIDU_Q3_FEATURES },
        q3: { durations: { min: 3, max: 16 }, maxReferenceImages: 7, features: VIDU_Q3_FEATURES },
        "q3-mix": { durations: { min: 3, max: 16 }, maxReferenceImages: 7, features: VIDU_Q3_FEATURES },
      },
    },
    PixVerse: {
      source: SDK_MPS_VIDEO,
      rules: {
        resolutions: ["540P", "720P", "1080P", ...ALSO_UPSCALED],
        // "Only v6 and c1 support 2:3, 3:2, 21:9".
        aspectRatios: ["16:9", "9:16", "4:3", "3:4", "1:1"],
        aspectRatioModes: TEXT_AND_REFERENCE,
        lastFrame: "supported",
        maxReferenceImages: 7,
        features: ["EnableAudio"],
      },
      versions: {
        "v5.6": { durations: { values: [5, 8, 10] } },
        v6: {
          durations: { min: 1, max: 15 },
          aspectRatios: ["16:9", "9:16", "4:3", "3:4", "1:1", "2:3", "3:2", "21:9"],
        },
        c1: {
          durations: { min: 1, max: 15 },
          aspectRatios: ["16:9", "9:16", "4:3", "3:4", "1:1", "2:3", "3:2", "21:9"],
        },
      },
    },
    Mingmou: {
      // ModelName lists Mingmou; ModelVersion lists no version for it, so any version is sent with a warning.
      source: SDK_MPS_VIDEO,
      // land2port = landscape to portrait.
      rules: { sceneTypes: ["land2port"] },
      versions: {},
    },
    H2: {
      source: SDK_MPS_VIDEO,
      versions: {
        "1.0": {
          durations: { min: 3, max: 15 },
          resolutions: ["720P", "1080P", ...ALSO_UPSCALED],
          aspectRatios: ["16:9", "9:16", "4:3", "3:4", "4:5", "5:4", "1:1", "21:9", "9:21"],
          aspectRatioModes: TEXT_AND_REFERENCE,
          maxReferenceImages: 9,
          maxReferenceImagesWithVideo: 5,
          videoInputs: true,
          features: ["LogoAdd"],
        },
      },
    },
  },
};


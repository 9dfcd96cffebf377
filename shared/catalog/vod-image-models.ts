/**
 * Models of VOD CreateAigcImageTask (2018-07-17).
 *
 * To add a model: add an entry to `models` with its `source`, the rules all its versions
 * share in `rules`, and every version in `versions`. Versions differ a lot here (image
 * maxima, resolutions), so most rules sit on the version.
 */
import { NOT_SUPPORTED, type ActionCatalog, type VodImageFeature, type VodImageRules } from "./types";
import { SDK_VOD_IMAGE, SEED_VOD_IMAGE } from "./sources";

const GG_RATIOS = ["1:1", "2:3", "3:2", "3:4", "4:3", "4:5", "5:4", "9:16", "16:9", "21:9"];
const GG_31_RATIOS = ["1:1", "1:4", "1:8", "2:3", "3:2", "3:4", "4:1", "4:3", "4:5", "5:4", "8:1", "9:16", "16:9", "21:9"];
const KLING_RATIOS = ["16:9", "9:16", "1:1", "4:3", "3:4", "3:2", "2:3", "21:9"];

const GG_25: VodImageRules = { resolutions: ["1K", "2K", "4K"], aspectRatios: GG_RATIOS, maxReferenceImages: 3 };
const GG_30: VodImageRules = { resolutions: ["1K", "2K", "4K"], aspectRatios: GG_RATIOS, maxReferenceImages: 14 };
const GG_31: VodImageRules = { resolutions: ["720P", "1K", "2K", "4K"], aspectRatios: GG_31_RATIOS, maxReferenceImages: 14 };

/** VOD CreateAigcImageTask models, versions and per-model rules. */
export const vodImageCatalog: ActionCatalog<VodImageRules, VodImageFeature> = {
  action: "VOD CreateAigcImageTask (2018-07-17)",
  defaults: {
    // "By default only one image can be specified" (seed 003).
    maxReferenceImages: 1,
    // "OutputImageCount: Kling 1-9, OG 1-8; other models: no effect".
    outputImageCount: NOT_SUPPORTED,
    // "ReferenceType: only when ModelName is OG".
    referenceTypes: NOT_SUPPORTED,
    // "Other ModelName values are not supported" (SceneType).
    sceneTypes: NOT_SUPPORTED,
    features: [],
  },
  features: {
    FileText: { field: "FileInfos[].Text", label: "image descriptions" },
  },
  models: {
    OG: {
      source: SDK_VOD_IMAGE,
      rules: {
        resolutions: ["1K", "2K", "4K"],
        aspectRatios: ["1:1", "3:2", "2:3", "3:4", "4:3", "16:9", "9:16", "21:9", "9:21"],
        outputImageCount: { min: 1, max: 8 },
        // mask = an image mask.
        referenceTypes: ["mask"],
      },
      versions: { image2_low: {}, image2_medium: {}, image2_high: {} },
    },
    GG: {
      source: SDK_VOD_IMAGE,
      versions: {
        "2.5": GG_25,
        "3.0": GG_30,
        "3.1": GG_31,
        // Inferred: 3.1-lite has no documented rules and is taken to share 3.1's.
        "3.1-lite": GG_31,
      },
    },
    GEM: {
      // Named only by seed 003 and the FileInfos[].Text comment ("only GEM 2.5, GEM 3.0").
      source: `${SEED_VOD_IMAGE}; ${SDK_VOD_IMAGE} (FileInfos.Text)`,
      versions: {
        // Image maxima from seed 003; resolutions and ratios inferred from GG of the same version.
        "2.5": { ...GG_25, features: ["FileText"] },
        "3.0": { ...GG_30, features: ["FileText"] },
      },
    },
    Hunyuan: {
      source: SDK_VOD_IMAGE,
      rules: { sceneTypes: ["3d_panorama"] },
      versions: {
        // "3.0: Resolution not supported, set it through ExtInfo; AspectRatio not supported".
        "3.0": { resolutions: NOT_SUPPORTED, aspectRatios: NOT_SUPPORTED, maxReferenceImages: 3 },
        "3d_2.0": {},
        "3.5-preview": {},
      },
    },
    Vidu: {
      source: SDK_VOD_IMAGE,
      versions: {
        q2: {
          resolutions: ["1080p", "2K", "4K"],
          aspectRatios: ["16:9", "9:16", "1:1", "3:4", "4:3", "21:9", "2:3", "3:2"],
          maxReferenceImages: 7,
        },
      },
    },
    Kling: {
      source: SDK_VOD_IMAGE,
      rules: { outputImageCount: { min: 1, max: 9 }, sceneTypes: ["image_expand"] },
      // Tencent spells Kling image resolutions in lower case.
      versions: {
        "2.1": { resolutions: ["1k", "2k"], aspectRatios: KLING_RATIOS, maxReferenceImages: 4 },
        "3.0": { resolutions: ["1k", "2k"], aspectRatios: KLING_RATIOS, maxReferenceImages: 1 },
        "3.0-Omni": { resolutions: ["1k", "2k", "4k"], aspectRatios: [...KLING_RATIOS, "auto"], maxReferenceImages: 10 },
        O1: { resolutions: ["1k", "2k", "4k"], aspectRatios: [...KLING_RATIOS, "auto"], maxReferenceImages: 10 },
        scene: {},
      },
    },
    Mingmou: {
      // Listed in the ModelVersion comment only ("when ModelName is Mingmou: 1.0"), not in ModelName.
      source: `${SDK_VOD_IMAGE} (ModelVersion comment only)`,
      versions: { "1.0": {} },
    },
    SI: {
      // Named only in the AigcImageOutputConfig Resolution and AspectRatio comments.
      source: `${SDK_VOD_IMAGE} (AigcImageOutputConfig comments only)`,
      // "SI: AspectRatio not supported; say the ratio in the prompt".
      rules: { aspectRatios: NOT_SUPPORTED },
      versions: {
        "4.0": { resolutions: ["1K", "2K", "4K"] },
        "4.5": { resolutions: ["2K", "4K"] },
        "5.0-lite": { resolutions: ["2K", "3K"] },
      },
    },
    Qwen: {
      // Named only in the AigcImageOutputConfig Resolution and AspectRatio comments.
      source: `${SDK_VOD_IMAGE} (AigcImageOutputConfig comments only)`,
      rules: { aspectRatios: NOT_SUPPORTED },
      versions: {
        // "Qwen 0925: Resolution not supported, set it through ExtInfo".
        "0925": { resolutions: NOT_SUPPORTED },
        "2.0": {},
      },
    },
  },
};

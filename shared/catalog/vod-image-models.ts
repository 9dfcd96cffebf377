/**
 * Models of VOD CreateAigcImageTask (2018-07-17), as the SDK 4.1.313 doc comments give them.
 *
 * To add a model: add an entry to `models` with its `source`, the rules all its versions share in
 * `rules`, and every version in `versions`. Versions differ a lot here (image maxima,
 * resolutions), so most rules sit on the version. inferred() rules only warn.
 */
import { inferred, NOT_SUPPORTED, type ActionCatalog, type Authored, type VodImageFeature, type VodImageRules } from "./types";
import { SDK_VOD_IMAGE, SEED_VOD_IMAGE } from "./sources";

const GG_RATIOS = ["1:1", "2:3", "3:2", "3:4", "4:3", "4:5", "5:4", "9:16", "16:9", "21:9"];
const GG_31_RATIOS = ["1:1", "1:4", "1:8", "2:3", "3:2", "3:4", "4:1", "4:3", "4:5", "5:4", "8:1", "9:16", "16:9", "21:9"];
const KLING_RATIOS = ["16:9", "9:16", "1:1", "4:3", "3:4", "3:2", "2:3", "21:9"];

// CreateAigcImageTaskRequest.FileInfos lists each model version's most reference images.
const GG_31: Authored<VodImageRules> = { resolutions: ["720P", "1K", "2K", "4K"], aspectRatios: GG_31_RATIOS, maxReferenceImages: 14 };
const FROM_GG_31 = `${SDK_VOD_IMAGE}, documented for GG 3.1`;

/** VOD CreateAigcImageTask models, versions and per-model rules. */
export const vodImageCatalog: ActionCatalog<VodImageRules, VodImageFeature> = {
  action: "VOD CreateAigcImageTask (2018-07-17)",
  source: SDK_VOD_IMAGE,
  // GG is GEM renamed (4.1.313 lists GG with GEM's versions; the FileInfos.Text comment still says GEM).
  renamed: { GEM: "GG" },
  retired: {
    SI: "Tencent removed it from CreateAigcImageTaskRequest.ModelName (SDK 4.1.313 lists OG, GG, Hunyuan, Vidu, Kling)",
    Qwen: "Tencent removed it from CreateAigcImageTaskRequest.ModelName (SDK 4.1.313 lists OG, GG, Hunyuan, Vidu, Kling)",
  },
  defaults: {
    // FileInfos gives the maximum of the models it lists; for the others, seed 003's "by default only one image".
    maxReferenceImages: inferred(1, `${SEED_VOD_IMAGE}: "by default only one image"`),
    // OutputImageCount: "Kling 1-9, OG 1-8; other models: no effect" - ignored by Tencent, so only warned.
    outputImageCount: inferred(NOT_SUPPORTED, `${SDK_VOD_IMAGE} OutputImageCount: "other models: no effect"`),
    // ReferenceType: "only effective when ModelName is OG" - ignored elsewhere, so only warned.
    referenceTypes: inferred(NOT_SUPPORTED, `${SDK_VOD_IMAGE} AigcImageTaskInputFileInfo.ReferenceType: "only effective for OG"`),
    // SceneType: "other ModelName values are not supported yet".
    sceneTypes: NOT_SUPPORTED,
    features: [],
  },
  features: {
    // AigcImageTaskInputFileInfo.Text: "only effective for GEM 2.5, GEM 3.0" (now GG): ignored elsewhere, so only warned.
    FileText: { field: "FileInfos[].Text", label: "image descriptions", source: `${SDK_VOD_IMAGE} AigcImageTaskInputFileInfo.Text ("only GEM 2.5, GEM 3.0")`, inferred: true },
  },
  models: {
    OG: {
      source: SDK_VOD_IMAGE,
      rules: {
        resolutions: ["1K", "2K", "4K"],
        aspectRatios: ["1:1", "3:2", "2:3", "3:4", "4:3", "16:9", "9:16", "21:9", "9:21"],
        outputImageCount: { min: 1, max: 8 },
        // mask = an image mask, given beside the image it masks: FileInfos lists no maximum for OG.
        referenceTypes: ["mask"],
        maxReferenceImages: undefined,
      },
      versions: { image2_low: {}, image2_medium: {}, image2_high: {} },
    },
    GG: {
      source: SDK_VOD_IMAGE,
      versions: {
        "2.5": { resolutions: ["1K", "2K", "4K"], aspectRatios: GG_RATIOS, maxReferenceImages: 3, features: ["FileText"] },
        "3.0": { resolutions: ["1K", "2K", "4K"], aspectRatios: GG_RATIOS, maxReferenceImages: 14, features: ["FileText"] },
        "3.1": GG_31,
        // 3.1-lite has no documented rules of its own: 3.1's, inferred.
        "3.1-lite": {
          resolutions: inferred(["720P", "1K", "2K", "4K"], FROM_GG_31),
          aspectRatios: inferred(GG_31_RATIOS, FROM_GG_31),
          maxReferenceImages: inferred(14, FROM_GG_31),
        },
      },
    },
    Hunyuan: {
      source: SDK_VOD_IMAGE,
      rules: { sceneTypes: ["3d_panorama"] },
      versions: {
        // "Hunyuan 3.0: Resolution not supported yet, set it through ExtInfo"; AspectRatio "not supported".
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
      // Listed in the ModelVersion comment ("when ModelName is Mingmou: 1.0"), not in ModelName's.
      source: `${SDK_VOD_IMAGE} (ModelVersion comment)`,
      versions: { "1.0": {} },
    },
  },
};

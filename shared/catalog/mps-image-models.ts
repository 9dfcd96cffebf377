/**
 * Models of MPS CreateAigcImageTask (2019-06-12), as the SDK 4.1.313 doc comments give them.
 *
 * To add a model: add an entry to `models` with its `source`, the rules all its versions share in
 * `rules`, and every version in `versions`. On MPS, ModelName and ModelVersion are optional;
 * without a version, a value passes when any version of the model takes it. inferred() rules only
 * warn.
 */
import { inferred, NOT_SUPPORTED, type ActionCatalog, type MpsImageRules } from "./types";
import { SDK_MPS_IMAGE } from "./sources";

// AigcImageExtraParam.AspectRatio: the same eight ratios for each Kling version it lists.
const KLING_RATIOS = ["16:9", "9:16", "1:1", "4:3", "3:4", "3:2", "2:3", "21:9"];

/** MPS CreateAigcImageTask models, versions and per-model rules. */
export const mpsImageCatalog: ActionCatalog<MpsImageRules> = {
  action: "MPS CreateAigcImageTask (2019-06-12)",
  source: SDK_MPS_IMAGE,
  defaults: {
    // ImageInfos: "one image is supported by default"; the multi-image models are listed with their maxima.
    maxReferenceImages: 1,
    // AigcImageExtraParam.Resolution: "choices: 720P, 1080P, 2K, 4K".
    resolutions: ["720P", "1080P", "2K", "4K"],
    // SceneType: "3d_panorama: panorama. Hunyuan only."
    sceneTypes: NOT_SUPPORTED,
    // AdditionalParameters documents a free size for Hunyuan 3.0 and Qwen 0925 only; for the
    // others a size is not documented either way, so it is sent with a warning.
    size: inferred(NOT_SUPPORTED, `${SDK_MPS_IMAGE} AdditionalParameters (a free size is documented for Hunyuan 3.0 and Qwen 0925 only)`),
    features: [],
  },
  features: {},
  models: {
    Hunyuan: {
      source: SDK_MPS_IMAGE,
      rules: { sceneTypes: ["3d_panorama"] },
      versions: {
        // "Hunyuan 3.0: up to 3 images"; "a free width and height, each in [512, 2048], product <= 1024x1024".
        "3.0": { maxReferenceImages: 3, size: { side: { min: 512, max: 2048 }, pixels: { max: 1024 * 1024 } } },
      },
    },
    Qwen: {
      source: SDK_MPS_IMAGE,
      versions: {
        // "Qwen 0925: a free width and height, total pixels in [512x512=261632, 2048x2048=4194304]"
        // (512x512 is 262144; the lower of the two numbers is taken, so nothing the doc allows is refused).
        "0925": { size: { pixels: { min: 261_632, max: 2048 * 2048 } } },
      },
    },
    Vidu: {
      source: SDK_MPS_IMAGE,
      versions: {
        q2: { maxReferenceImages: 7, aspectRatios: ["16:9", "9:16", "1:1", "3:4", "4:3", "21:9", "2:3", "3:2"] },
      },
    },
    Kling: {
      source: SDK_MPS_IMAGE,
      rules: { aspectRatios: KLING_RATIOS },
      versions: {
        "2.1": { maxReferenceImages: 4 },
        O1: { maxReferenceImages: 10 },
        "3.0": {},
        "3.0-Omni": { maxReferenceImages: 10 },
      },
    },
  },
};

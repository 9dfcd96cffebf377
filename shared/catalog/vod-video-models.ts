/**
 * Models of VOD CreateAigcVideoTask (2018-07-17), as the SDK 4.1.313 doc comments give them.
 *
 * To add a model: add an entry to `models` with its `source`, the rules all its versions share in
 * `rules`, and every version in `versions` (an empty object when the version has no rules of its
 * own). A rule Tencent's current doc comment states is written plainly and refuses; one taken from
 * elsewhere is wrapped in inferred(value, "where from") and only warns.
 */
import { inferred, NOT_SUPPORTED, type ActionCatalog, type Authored, type VodVideoFeature, type VodVideoRules } from "./types";
import { SDK_MPS_VIDEO, SDK_VOD_VIDEO, SEED_RELAY_VIDEO, SEED_VOD_VIDEO } from "./sources";

/**
 * AigcVideoOutputConfig.EnhanceSwitch: "when the chosen resolution is above what the model
 * generates, enhancement is on by default", so 2K and 4K are taken by every model.
 */
const ENHANCED = ["2K", "4K"];

// AigcVideoTaskInputFileInfo.FileInfos (4.1.313) no longer says which versions take a last frame
// or several reference images ("ask us, or see the vendor's documents"): those rules are read from
// MPS LastImageUrl / ImageInfos for the same vendor models, and only warn.
const LAST_FRAME_FROM_MPS = `${SDK_MPS_VIDEO} LastImageUrl (same models on MPS)`;
const IMAGES_FROM_MPS = `${SDK_MPS_VIDEO} ImageInfos (same models on MPS)`;
const KLING_LAST_FRAME_AT_1080P = inferred({ onlyAtResolution: "1080P" } as const, `${LAST_FRAME_FROM_MPS}: Kling 1.6, 2.1, 2.5, 2.6 at 1080P`);
const LAST_FRAME = inferred("supported" as const, LAST_FRAME_FROM_MPS);
const NO_LAST_FRAME = inferred(NOT_SUPPORTED, `${LAST_FRAME_FROM_MPS}: not among the models that take one`);
const SEVEN_IMAGES = inferred(7, `${IMAGES_FROM_MPS}: 1-7 images`);

// AigcVideoOutputConfig.Duration documents H3 only; H3_regen and H3-Max are taken to share it.
const HAILUO_H3: Authored<VodVideoRules> = {
  durations: { min: 4, max: 15 },
  resolutions: ["768P", "1080P", "2K", "4K"],
  // AspectRatio: "H3: text to video and reference: 21:9, 16:9, 4:3, 1:1, 3:4, 9:16".
  aspectRatios: ["21:9", "16:9", "4:3", "1:1", "3:4", "9:16"],
  // The same note speaks of "image to video (i.e. first-and-last-frame video)".
  lastFrame: inferred("supported", `${SDK_VOD_VIDEO} AspectRatio note on H3 first-and-last-frame video`),
};
const HAILUO_H3_LIKE: Authored<VodVideoRules> = {
  durations: inferred({ min: 4, max: 15 }, `${SDK_VOD_VIDEO} Duration, documented for H3`),
  resolutions: inferred(["768P", "1080P", "2K", "4K"], `${SDK_VOD_VIDEO} Resolution, documented for H3`),
  aspectRatios: inferred(["21:9", "16:9", "4:3", "1:1", "3:4", "9:16"], `${SDK_VOD_VIDEO} AspectRatio, documented for H3`),
  lastFrame: HAILUO_H3.lastFrame,
};

// The q3 series: VOD says "Vidu: 1-10" for the model; MPS Duration documents 3-16 s for q3-pro,
// q3-turbo, q3 and q3-mix, so 11-16 s is taken and anything else only warns.
const VIDU_Q3_DURATIONS = inferred({ min: 1, max: 16 }, `${SDK_MPS_VIDEO} Duration: Vidu q3 series 3-16 s`);

const VIDU_FEATURES: readonly VodVideoFeature[] = [
  "AudioGeneration",
  "FrameInterpolate",
  "FileObjectId",
  // Documented "for Vidu-q2"; taken for the Vidu family, since the field is Vidu's alone.
  "FileVoiceId",
  "SubjectVoiceId",
  "SubjectImageUrls",
];

/** VOD CreateAigcVideoTask models, versions and per-model rules. */
export const vodVideoCatalog: ActionCatalog<VodVideoRules, VodVideoFeature> = {
  action: "VOD CreateAigcVideoTask (2018-07-17)",
  source: SDK_VOD_VIDEO,
  defaults: {
    // SceneType: "other ModelName values are not supported yet".
    sceneTypes: NOT_SUPPORTED,
    // AigcVideoTaskInputFileInfo.ReferenceType: "for GV, Kling, PixVerse".
    referenceTypes: NOT_SUPPORTED,
    features: [],
  },
  features: {
    // AigcVideoOutputConfig.AudioGeneration: "supported models: GV, OS, Vidu, Jimeng, Kling".
    AudioGeneration: { field: "OutputConfig.AudioGeneration", offValues: ["Disabled"], label: "audio generation", source: `${SDK_VOD_VIDEO} AigcVideoOutputConfig.AudioGeneration` },
    FrameInterpolate: { field: "OutputConfig.FrameInterpolate", offValues: ["Disabled"], label: "Vidu frame interpolation", source: `${SDK_VOD_VIDEO} AigcVideoOutputConfig.FrameInterpolate` },
    // SubjectInfos.VideoUrls: "only reference-to-video viduq2-pro supports a video subject".
    SubjectVideoUrls: { field: "SubjectInfos[].VideoUrls", label: "temporary subject videos", source: `${SDK_VOD_VIDEO} AigcVideoTaskInputSubjectInfo.VideoUrls` },
    // The fields below are documented as only taking effect for some models ("only effective for
    // PixVerse", "only valid for Vidu", "applies to Vidu-q2"): elsewhere Tencent ignores them, so
    // they are sent with a warning rather than refused.
    FileText: { field: "FileInfos[].Text", label: "image name for multi-image subject reference", source: `${SDK_VOD_VIDEO} AigcVideoTaskInputFileInfo.Text ("only effective for PixVerse")`, inferred: true },
    FileObjectId: { field: "FileInfos[].ObjectId", label: "Vidu subject id", source: `${SDK_VOD_VIDEO} AigcVideoTaskInputFileInfo.ObjectId ("Vidu subject id")`, inferred: true },
    FileVoiceId: { field: "FileInfos[].VoiceId", label: "Vidu voice id", source: `${SDK_VOD_VIDEO} AigcVideoTaskInputFileInfo.VoiceId ("applies to Vidu-q2")`, inferred: true },
    SubjectVoiceId: { field: "SubjectInfos[].VoiceId", label: "subject voice id", source: `${SDK_VOD_VIDEO} AigcVideoTaskInputSubjectInfo.VoiceId ("only valid for Vidu")`, inferred: true },
    SubjectImageUrls: { field: "SubjectInfos[].ImageUrls", label: "temporary subject images", source: `${SDK_VOD_VIDEO} AigcVideoTaskInputSubjectInfo.ImageUrls ("only valid for Vidu")`, inferred: true },
  },
  models: {
    Hailuo: {
      source: SDK_VOD_VIDEO,
      rules: {
        durations: { values: [6, 10] },
        resolutions: ["768P", "1080P", ...ENHANCED],
        // VOD documents AspectRatio for H3 only; MPS AigcVideoExtraParam.AspectRatio: "Hailuo: not supported yet".
        aspectRatios: inferred(NOT_SUPPORTED, `${SDK_MPS_VIDEO} AspectRatio: "Hailuo: not supported"`),
        lastFrame: NO_LAST_FRAME,
      },
      versions: {
        "02": { lastFrame: inferred("supported", `${LAST_FRAME_FROM_MPS}: Hailuo 02`) },
        "2.3": {},
        "2.3-fast": {},
        H3: HAILUO_H3,
        H3_regen: HAILUO_H3_LIKE,
        "H3-Max": HAILUO_H3_LIKE,
      },
    },
    Kling: {
      source: SDK_VOD_VIDEO,
      rules: {
        durations: { min: 3, max: 15 },
        resolutions: ["720P", "1080P", ...ENHANCED],
        // Documented for text to video; other modes follow the input image.
        aspectRatios: ["16:9", "9:16", "1:1"],
        sceneTypes: ["motion_control", "avatar_i2v", "lip_sync"],
        // For Category Video: feature = reference video, base = video to edit.
        referenceTypes: ["feature", "base"],
        // AigcVideoTaskInputSubjectInfo.Id: "Kling subjects: required".
        subjectKey: "Id",
        features: ["AudioGeneration"],
      },
      versions: {
        "1.6": { lastFrame: KLING_LAST_FRAME_AT_1080P, maxReferenceImages: inferred(4, `${IMAGES_FROM_MPS}: Kling 1.6 1-4 images`) },
        "2.0": { lastFrame: LAST_FRAME },
        "2.1": { lastFrame: KLING_LAST_FRAME_AT_1080P },
        "2.5": { lastFrame: KLING_LAST_FRAME_AT_1080P },
        "2.6": { lastFrame: KLING_LAST_FRAME_AT_1080P },
        O1: { lastFrame: LAST_FRAME, maxReferenceImages: SEVEN_IMAGES },
        "3.0": { lastFrame: LAST_FRAME },
        "3.0-Omni": { lastFrame: LAST_FRAME, maxReferenceImages: SEVEN_IMAGES },
        "3.0-turbo": {},
        scene: {},
      },
    },
    Vidu: {
      source: SDK_VOD_VIDEO,
      rules: {
        durations: { min: 1, max: 10 },
        resolutions: ["720P", "1080P", ...ENHANCED],
        // "Only version q2 supports 4:3 and 3:4".
        aspectRatios: ["16:9", "9:16", "1:1"],
        sceneTypes: ["template_effect"],
        lastFrame: NO_LAST_FRAME,
        // AigcVideoTaskInputSubjectInfo.Name: "Vidu subjects: required".
        subjectKey: "Name",
        features: VIDU_FEATURES,
      },
      versions: {
        q2: { aspectRatios: ["16:9", "9:16", "4:3", "3:4", "1:1"], maxReferenceImages: SEVEN_IMAGES },
        // AigcVideoTaskInputSubjectInfo.VideoUrls: "only reference-to-video viduq2-pro takes a video subject".
        "q2-pro": { lastFrame: LAST_FRAME, maxReferenceImages: SEVEN_IMAGES, features: [...VIDU_FEATURES, "SubjectVideoUrls"] },
        "q2-turbo": { lastFrame: LAST_FRAME },
        q3: { durations: VIDU_Q3_DURATIONS, maxReferenceImages: SEVEN_IMAGES },
        "q3-pro": { durations: VIDU_Q3_DURATIONS, lastFrame: LAST_FRAME },
        "q3-turbo": { durations: VIDU_Q3_DURATIONS, lastFrame: LAST_FRAME, maxReferenceImages: SEVEN_IMAGES },
        "q3-mix": { durations: VIDU_Q3_DURATIONS, maxReferenceImages: SEVEN_IMAGES },
        "q3-drama": { durations: VIDU_Q3_DURATIONS },
        "q3-ad": { durations: VIDU_Q3_DURATIONS },
        scene: {},
        "avatar-q2-pro": {},
        "avatar-q2-turbo": {},
        "lip-sync": {},
      },
    },
    GV: {
      source: `${SDK_VOD_VIDEO}; ${SEED_VOD_VIDEO}`,
      rules: {
        durations: { values: [8] },
        resolutions: ["720P", "1080P", ...ENHANCED],
        aspectRatios: ["16:9", "9:16"],
        // Tencent's own VOD example (seed 000) is GV with LastFrameFileId.
        lastFrame: inferred("supported", SEED_VOD_VIDEO),
        lastFrameWithReferenceImages: inferred(false, `${SEED_RELAY_VIDEO}: "GV: multi-image mode cannot use LastFrameFileId/LastFrameUrl"`),
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
        resolutions: ["720P", ...ENHANCED],
        // Documented for text to video.
        aspectRatios: ["16:9", "9:16"],
        features: ["AudioGeneration"],
      },
      versions: { "2.0": {} },
    },
    Hunyuan: {
      source: SDK_VOD_VIDEO,
      // No duration, resolution, ratio or frame rules are documented: not checked.
      versions: { "1.5": {}, "3d_2.0": {} },
    },
    Mingmou: {
      source: SDK_VOD_VIDEO,
      versions: { "1.0": {} },
    },
    PixVerse: {
      source: SDK_VOD_VIDEO,
      rules: {
        durations: { min: 1, max: 15 },
        // Tencent spells PixVerse resolutions in lower case (2k and 4k are among them).
        resolutions: ["540p", "720p", "1080p", "2k", "4k"],
        aspectRatios: ["16:9", "4:3", "1:1", "3:4", "9:16", "2:3", "3:2", "21:9"],
        lastFrame: inferred("supported", `${LAST_FRAME_FROM_MPS}: PixVerse v5.6, v6, c1`),
        maxReferenceImages: SEVEN_IMAGES,
        // ReferenceType for PixVerse multi-image (subject) reference: subject or background.
        referenceTypes: ["subject", "background"],
        // AudioGeneration's list (GV, OS, Vidu, Jimeng, Kling) does not name PixVerse.
        features: ["FileText"],
      },
      versions: { "v5.6": {}, v6: {}, c1: {} },
    },
  },
};

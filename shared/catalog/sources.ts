/**
 * The documents the catalog was read from, cited by each model's `source` (documented rules) and
 * by each inferred() rule's `from`. When Tencent updates a document, re-read it and update the
 * models that cite it; `npm run catalog:check` compares the model and version lists with the SDK.
 */

/** The SDK release whose doc comments the documented rules follow. */
export const SDK_VERSION = "4.1.313";

/** tencentcloud-sdk-nodejs 4.1.313, vod/v20180717/vod_models.d.ts: CreateAigcVideoTaskRequest, AigcVideoOutputConfig, AigcVideoTaskInputFileInfo, AigcVideoTaskInputSubjectInfo. */
export const SDK_VOD_VIDEO = "SDK 4.1.313 vod CreateAigcVideoTaskRequest / AigcVideoOutputConfig";

/** The same SDK, CreateAigcImageTaskRequest, AigcImageOutputConfig and AigcImageTaskInputFileInfo doc comments. */
export const SDK_VOD_IMAGE = "SDK 4.1.313 vod CreateAigcImageTaskRequest / AigcImageOutputConfig";

/** The same SDK, mps/v20190612/mps_models.d.ts, CreateAigcVideoTaskRequest and AigcVideoExtraParam doc comments. */
export const SDK_MPS_VIDEO = "SDK 4.1.313 mps CreateAigcVideoTaskRequest / AigcVideoExtraParam";

/** The same SDK, mps/v20190612/mps_models.d.ts, CreateAigcImageTaskRequest and AigcImageExtraParam doc comments. */
export const SDK_MPS_IMAGE = "SDK 4.1.313 mps CreateAigcImageTaskRequest / AigcImageExtraParam";

/** Seed 000: Tencent's VOD CreateAigcVideoTask page (example: GV 3.1-fast with a last frame). */
export const SEED_VOD_VIDEO = "seed 000 (VOD CreateAigcVideoTask page)";

/** Seed 001: Tencent's MPS CreateAigcVideoTask page (example: GV, no version); its GV and "up to 3 images" were removed in SDK 4.1.236. */
export const SEED_MPS_VIDEO = "seed 001 (MPS CreateAigcVideoTask page)";

/** Seed 002: a relay's copy of the VOD CreateAigcVideoTask page; Tencent removed its last-frame and reference-image notes in SDK 4.1.202. */
export const SEED_RELAY_VIDEO = "seed 002 (relay copy of the VOD CreateAigcVideoTask page, text removed from the SDK in 4.1.202)";

/** Seed 003: Tencent's VOD CreateAigcImageTask page (example: GEM 2.5, "by default only one image"). */
export const SEED_VOD_IMAGE = "seed 003 (VOD CreateAigcImageTask page)";

/**
 * The documents the catalog was read from, cited by each model's `source`.
 * When Tencent updates a document, re-read it and update the models that cite it.
 */

/** tencentcloud-sdk-nodejs 4.1.313, vod/v20180717/vod_models.d.ts, CreateAigcVideoTaskRequest and AigcVideoOutputConfig doc comments. */
export const SDK_VOD_VIDEO = "SDK 4.1.313 vod CreateAigcVideoTaskRequest / AigcVideoOutputConfig";

/** The same SDK, CreateAigcImageTaskRequest and AigcImageOutputConfig doc comments. */
export const SDK_VOD_IMAGE = "SDK 4.1.313 vod CreateAigcImageTaskRequest / AigcImageOutputConfig";

/** The same SDK, mps/v20190612/mps_models.d.ts, CreateAigcVideoTaskRequest and AigcVideoExtraParam doc comments. */
export const SDK_MPS_VIDEO = "SDK 4.1.313 mps CreateAigcVideoTaskRequest / AigcVideoExtraParam";

/** Seed 000: Tencent's VOD CreateAigcVideoTask page (example: GV 3.1-fast). */
export const SEED_VOD_VIDEO = "seed 000 (VOD CreateAigcVideoTask page)";

/** Seed 001: Tencent's MPS CreateAigcVideoTask page (example: GV, no version). */
export const SEED_MPS_VIDEO = "seed 001 (MPS CreateAigcVideoTask page)";

/** Seed 002: a relay's copy of the VOD CreateAigcVideoTask page (last-frame and reference-image notes). */
export const SEED_RELAY_VIDEO = "seed 002 (relay POST /tencent-vod/v1/aigc-video)";

/** Seed 003: Tencent's VOD CreateAigcImageTask page (example: GEM 2.5; GEM 2.5 up to 3 images, 3.0 up to 14). */
export const SEED_VOD_IMAGE = "seed 003 (VOD CreateAigcImageTask page)";

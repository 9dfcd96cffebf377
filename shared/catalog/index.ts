/**
 * The model catalog: which models, versions and per-model values each Tencent AIGC action
 * takes. Data lives in one file per action; validation and the OpenAPI description read it.
 *
 *   vod-video-models.ts  VOD CreateAigcVideoTask   <- a new model or version goes in one of these
 *   vod-image-models.ts  VOD CreateAigcImageTask
 *   mps-video-models.ts  MPS CreateAigcVideoTask
 *   mps-image-models.ts  MPS CreateAigcImageTask
 *   enums.ts, limits.ts  values and limits shared by every model (redraw has no models)
 *   sources.ts           the documents each model's `source` cites
 *   types.ts, lookup.ts  the shape of an entry (and what "absent" vs NOT_SUPPORTED means); reading it
 */
export * from "./types";
export * from "./enums";
export * from "./limits";
export * from "./sources";
export { vodVideoCatalog } from "./vod-video-models";
export { vodImageCatalog } from "./vod-image-models";
export { mpsVideoCatalog } from "./mps-video-models";
export { mpsImageCatalog } from "./mps-image-models";
export {
  lookupModel,
  resolvedVersions,
  integerValues,
  allowsInteger,
  describeIntegerRule,
  modelsWhere,
  type ModelLookup,
} from "./lookup";

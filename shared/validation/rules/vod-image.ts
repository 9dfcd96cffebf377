/**
 * Cross-field rules of VOD CreateAigcImageTask, driven by the catalog.
 */
import { vodImageCatalog } from "../../catalog";
import type { Findings } from "../issues";
import type { VodImageRequest } from "../schemas/vod-image";
import { checkBase64Total, checkFileSource } from "./file-inputs";
import { checkModelChoice, type CatalogOptions } from "./model-check";
import { hasItems, isGiven } from "./values";

/** Checks a parsed VOD image request; may rewrite Resolution to the catalog's spelling. */
export function checkVodImageRequest(params: VodImageRequest, findings: Findings, options: CatalogOptions): void {
  const files = params.FileInfos ?? [];
  files.forEach((file, index) => checkFileSource(findings, ["FileInfos", index], file, ["FileId", "Url", "Base64"]));
  checkBase64Total(findings, files, "FileInfos");

  if (!isGiven(params.Prompt) && !hasItems(params.FileInfos)) {
    findings.missing(["Prompt"], `when ${findings.field(["FileInfos"])} is empty`);
  }

  const model = checkModelChoice(findings, vodImageCatalog, params.ModelName, params.ModelVersion, options);
  if (!model) return;
  model.canonicalize(params);
  const output = params.OutputConfig;

  if (output) {
    output.Resolution = model.value(["OutputConfig", "Resolution"], output.Resolution, "resolutions");
    output.AspectRatio = model.value(["OutputConfig", "AspectRatio"], output.AspectRatio, "aspectRatios");
    if (output.Resolution === undefined) delete output.Resolution;
    if (output.AspectRatio === undefined) delete output.AspectRatio;
  }
  model.integer(["OutputConfig", "OutputImageCount"], output?.OutputImageCount, "outputImageCount");
  if (params.SceneType !== undefined) params.SceneType = model.value(["SceneType"], params.SceneType, "sceneTypes");
  files.forEach((file, index) => {
    if (file.ReferenceType !== undefined) file.ReferenceType = model.value(["FileInfos", index, "ReferenceType"], file.ReferenceType, "referenceTypes");
  });

  const maxImages = model.rules.maxReferenceImages;
  if (maxImages !== undefined && files.length > maxImages) {
    model.report("maxReferenceImages", ["FileInfos"], `has ${files.length} images; ${model.subject} takes at most ${maxImages}`);
  }

  model.features(params, (r) => r.features);
}

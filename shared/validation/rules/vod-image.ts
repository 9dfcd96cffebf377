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
  const output = params.OutputConfig;

  const resolution = model.value(["OutputConfig", "Resolution"], output?.Resolution, (r) => r.resolutions, { caseInsensitive: true });
  if (output && resolution !== undefined) output.Resolution = resolution;
  model.value(["OutputConfig", "AspectRatio"], output?.AspectRatio, (r) => r.aspectRatios);
  model.integer(["OutputConfig", "OutputImageCount"], output?.OutputImageCount, (r) => r.outputImageCount);
  model.value(["SceneType"], params.SceneType, (r) => r.sceneTypes);
  files.forEach((file, index) => model.value(["FileInfos", index, "ReferenceType"], file.ReferenceType, (r) => r.referenceTypes));

  const maxImages = model.rules.maxReferenceImages;
  if (maxImages !== undefined && files.length > maxImages) {
    findings.invalid(["FileInfos"], `has ${files.length} images; ${model.subject} takes at most ${maxImages}`);
  }

  model.features(params, (r) => r.features);
}

/**
 * Cross-field rules of MPS CreateAigcImageTask, driven by the catalog.
 */
import { NOT_SUPPORTED, mpsImageCatalog, type ImageSizeBounds, type MpsImageRules } from "../../catalog";
import type { Findings } from "../issues";
import type { MpsImageRequest } from "../schemas/mps-image";
import { checkMpsPromptLength } from "./mps-prompt";
import { checkModelChoice, type CatalogOptions, type ModelCheck } from "./model-check";
import { hasItems, isGiven } from "./values";

/** A free size as the doc writes it: "728x1024" (or "728*1024", OG's spelling on VOD). */
const SIZE = /^(\d{1,5})\s*[x*×]\s*(\d{1,5})$/i;

/** The AdditionalParameters object, or undefined (with an issue) when it is JSON but not an object. */
function additionalParameters(params: MpsImageRequest, findings: Findings): Record<string, unknown> | undefined {
  if (params.AdditionalParameters === undefined) return undefined;
  const parsed: unknown = JSON.parse(params.AdditionalParameters);
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    findings.invalid(["AdditionalParameters"], 'must be a JSON object serialized as a string, such as {"size":"1024x1024"}');
    return undefined;
  }
  return parsed as Record<string, unknown>;
}

function describeBounds(bounds: ImageSizeBounds): string {
  const parts = [
    ...(bounds.side ? [`width and height each ${bounds.side.min}-${bounds.side.max}`] : []),
    `width x height ${bounds.pixels.min !== undefined ? `${bounds.pixels.min}-` : "at most "}${bounds.pixels.max} pixels`,
  ];
  return parts.join(", ");
}

/** Checks AdditionalParameters.size against the model's documented bounds. */
function checkSize(model: ModelCheck<MpsImageRules, never>, size: unknown): void {
  const path = ["AdditionalParameters"] as const;
  const rule = model.rules.size;
  if (size === undefined || rule === undefined) return;
  if (rule === NOT_SUPPORTED) {
    model.report("size", path, `gives a size, which ${model.subject} is not documented to take`);
    return;
  }
  const match = typeof size === "string" ? SIZE.exec(size.trim()) : null;
  if (!match) {
    model.report("size", path, `has size ${JSON.stringify(size)}; write it as "WIDTHxHEIGHT", such as "1024x1024"`);
    return;
  }
  const [width, height] = [Number(match[1]), Number(match[2])];
  const pixels = width * height;
  const sideOk = !rule.side || [width, height].every((side) => side >= rule.side!.min && side <= rule.side!.max);
  const pixelsOk = pixels <= rule.pixels.max && (rule.pixels.min === undefined || pixels >= rule.pixels.min);
  if (!sideOk || !pixelsOk) model.report("size", path, `has size ${width}x${height}, which ${model.subject} does not take; allowed: ${describeBounds(rule)}`);
}

/** Checks a parsed MPS image request; rewrites catalog values to Tencent's spelling. */
export function checkMpsImageRequest(params: MpsImageRequest, findings: Findings, options: CatalogOptions): void {
  const images = params.ImageInfos ?? [];
  checkMpsPromptLength(findings, params.Prompt);
  if (!isGiven(params.Prompt) && !hasItems(params.ImageInfos)) {
    findings.missing(["Prompt"], `when ${findings.field(["ImageInfos"])} is empty`);
  }
  const extra = additionalParameters(params, findings);

  if (params.ModelVersion !== undefined && params.ModelName === undefined) {
    findings.missing(["ModelName"], `when ${findings.field(["ModelVersion"])} is given`);
    return;
  }
  const model = checkModelChoice(findings, mpsImageCatalog, params.ModelName, params.ModelVersion, options);
  if (!model) return;
  model.canonicalize(params);
  const output = params.ExtraParameters;
  if (output) {
    output.Resolution = model.value(["ExtraParameters", "Resolution"], output.Resolution, "resolutions");
    output.AspectRatio = model.value(["ExtraParameters", "AspectRatio"], output.AspectRatio, "aspectRatios");
    if (output.Resolution === undefined) delete output.Resolution;
    if (output.AspectRatio === undefined) delete output.AspectRatio;
  }
  if (params.SceneType !== undefined) params.SceneType = model.value(["SceneType"], params.SceneType, "sceneTypes");

  const maxImages = model.rules.maxReferenceImages;
  if (maxImages !== undefined && images.length > maxImages) {
    model.report("maxReferenceImages", ["ImageInfos"], `has ${images.length} images; ${model.subject} takes at most ${maxImages}`);
  }
  if (extra) checkSize(model, extra.size);
}

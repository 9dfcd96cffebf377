/**
 * Cross-field rules of MPS CreateAigcVideoTask, driven by the catalog.
 */
import { NOT_SUPPORTED, modelsWhere, mpsVideoCatalog, type GenerationMode } from "../../catalog";
import { MISSING_PARAMETER, type Findings } from "../issues";
import type { MpsVideoRequest } from "../schemas/mps-video";
import { checkMpsPromptLength } from "./mps-prompt";
import { checkModelChoice, type CatalogOptions } from "./model-check";
import { hasItems, isGiven } from "./values";

const MODE_NAMES: Readonly<Record<GenerationMode, string>> = {
  text: "text to video",
  "first-frame": "image to video (ImageUrl)",
  reference: "reference to video (ImageInfos, VideoInfos, SubjectInfos)",
};

function generationMode(params: MpsVideoRequest): GenerationMode {
  if (params.ImageUrl !== undefined) return "first-frame";
  if (hasItems(params.ImageInfos) || hasItems(params.VideoInfos) || hasItems(params.SubjectInfos)) return "reference";
  return "text";
}

/** Checks a parsed MPS video request; may rewrite Resolution to the catalog's spelling. */
export function checkMpsVideoRequest(params: MpsVideoRequest, findings: Findings, options: CatalogOptions): void {
  const images = params.ImageInfos ?? [];
  const videos = params.VideoInfos ?? [];

  checkMpsPromptLength(findings, params.Prompt);
  const hasInput = params.ImageUrl !== undefined || images.length > 0 || videos.length > 0 || hasItems(params.SubjectInfos);
  if (!isGiven(params.Prompt) && !hasInput && !isGiven(params.SceneType)) {
    const others = ["ImageUrl", "ImageInfos", "VideoInfos", "SubjectInfos", "SceneType"].map((key) => findings.key([key])).join(", ");
    findings.missing(["Prompt"], `when none of ${others} is given`);
  }
  if (params.LastImageUrl !== undefined && params.ImageUrl === undefined) {
    findings.add(
      ["ImageUrl"],
      MISSING_PARAMETER,
      `${findings.field(["LastImageUrl"])} gives a last frame, which needs a first frame: add ${findings.key(["ImageUrl"])}`,
    );
  }
  const hasFrames = params.ImageUrl !== undefined || params.LastImageUrl !== undefined;
  videos.forEach((video, index) => {
    // "When the reference video is the video to edit, first and last frames cannot be set"; base is the default.
    if (hasFrames && (video.ReferType ?? "base") === "base") {
      findings.invalid(
        ["VideoInfos", index, "ReferType"],
        `is base (a video to edit, the default), which cannot be combined with ${findings.field(["ImageUrl"])} or ${findings.field(["LastImageUrl"])}; use feature for a reference video`,
      );
    }
  });

  if (params.ModelVersion !== undefined && params.ModelName === undefined) {
    findings.missing(["ModelName"], `when ${findings.field(["ModelVersion"])} is given`);
    return;
  }
  const model = checkModelChoice(findings, mpsVideoCatalog, params.ModelName, params.ModelVersion, options);
  if (!model) return;
  model.canonicalize(params);
  const { rules, subject } = model;
  const extra = params.ExtraParameters;
  const withVideo = videos.length > 0;

  model.integer(["Duration"], params.Duration, withVideo && rules.durationsWithVideo ? "durationsWithVideo" : "durations");
  let ratioGiven: string | undefined;
  if (extra) {
    extra.Resolution = model.value(["ExtraParameters", "Resolution"], extra.Resolution, "resolutions");
    extra.AspectRatio = ratioGiven = model.value(["ExtraParameters", "AspectRatio"], extra.AspectRatio, "aspectRatios");
    if (extra.Resolution === undefined) delete extra.Resolution;
    if (extra.AspectRatio === undefined) delete extra.AspectRatio;
  }
  const mode = generationMode(params);
  if (ratioGiven !== undefined && rules.aspectRatioModes && !rules.aspectRatioModes.includes(mode)) {
    model.report(
      "aspectRatioModes",
      ["ExtraParameters", "AspectRatio"],
      `is not supported by ${subject} in ${MODE_NAMES[mode]}; only in ${rules.aspectRatioModes.map((m) => MODE_NAMES[m]).join(" and ")}`,
    );
  }
  if (params.SceneType !== undefined) params.SceneType = model.value(["SceneType"], params.SceneType, "sceneTypes");

  const maxKey = withVideo && rules.maxReferenceImagesWithVideo !== undefined ? "maxReferenceImagesWithVideo" : "maxReferenceImages";
  const maxImages = rules[maxKey];
  if (maxImages !== undefined && images.length > maxImages) {
    model.report(maxKey, ["ImageInfos"], `has ${images.length} images; ${subject} takes at most ${maxImages}${withVideo ? " with VideoInfos" : ""}`);
  }
  if (withVideo && rules.videoInputs === false) {
    const takers = modelsWhere(mpsVideoCatalog, (r) => r.videoInputs === true);
    model.report("videoInputs", ["VideoInfos"], `is not supported by ${subject}; videos are taken by: ${takers.join("; ")}`);
  }

  if (params.LastImageUrl !== undefined) {
    const lastFrame = rules.lastFrame;
    const resolutionNow = extra?.Resolution ?? "";
    if (lastFrame === NOT_SUPPORTED) {
      model.report("lastFrame", ["LastImageUrl"], `gives a last frame, which ${subject} does not support`);
    } else if (typeof lastFrame === "object" && resolutionNow.toLowerCase() !== lastFrame.onlyAtResolution.toLowerCase()) {
      model.report(
        "lastFrame",
        ["LastImageUrl"],
        `gives a last frame, which ${subject} supports only with ${findings.field(["ExtraParameters", "Resolution"])} ${lastFrame.onlyAtResolution}`,
      );
    }
    if (rules.lastFrameWithReferenceImages === false && images.length > 0) {
      model.report("lastFrameWithReferenceImages", ["LastImageUrl"], `gives a last frame, which ${subject} cannot combine with ImageInfos (multi-image mode)`);
    }
  }

  model.features(params, (r) => r.features);
}

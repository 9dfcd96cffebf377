/**
 * Cross-field rules of VOD CreateAigcVideoTask, driven by the catalog.
 */
import { NOT_SUPPORTED, vodVideoCatalog } from "../../catalog";
import type { Path } from "../field-names";
import { MISSING_PARAMETER, valueCode, type Findings } from "../issues";
import type { VodVideoRequest } from "../schemas/vod-video";
import { checkBase64Total, checkFileSource } from "./file-inputs";
import { checkModelChoice, type CatalogOptions } from "./model-check";
import { hasItems, isGiven } from "./values";

type FileInfo = NonNullable<VodVideoRequest["FileInfos"]>[number];

/** Images among the input files, by what they are used for (an image without Usage is a first frame). */
function framesOf(files: readonly FileInfo[]) {
  const images = files.map((file, index) => ({ file, index })).filter(({ file }) => (file.Category ?? "Image") === "Image");
  return {
    firstFrames: images.filter(({ file }) => (file.Usage ?? "FirstFrame") === "FirstFrame").map(({ index }) => index),
    lastFrames: images.filter(({ file }) => file.Usage === "LastFrame").map(({ index }) => index),
    references: images.filter(({ file }) => file.Usage === "Reference").map(({ index }) => index),
  };
}

/** Checks a parsed VOD video request; may rewrite Resolution to the catalog's spelling. */
export function checkVodVideoRequest(params: VodVideoRequest, findings: Findings, options: CatalogOptions): void {
  const files = params.FileInfos ?? [];
  files.forEach((file, index) => checkFileSource(findings, ["FileInfos", index], file, ["FileId", "Url", "Base64"]));
  checkBase64Total(findings, files, "FileInfos");

  const { firstFrames, lastFrames, references } = framesOf(files);
  const lastFramePaths: Path[] = [
    ...(params.LastFrameFileId !== undefined ? [["LastFrameFileId"]] : []),
    ...(params.LastFrameUrl !== undefined ? [["LastFrameUrl"]] : []),
    ...lastFrames.map((index) => ["FileInfos", index, "Usage"]),
  ];
  for (const index of firstFrames.slice(1)) {
    const usage = findings.key(["FileInfos", index, "Usage"]);
    findings.add(
      ["FileInfos", index, "Usage"],
      valueCode(["Usage"]),
      `${findings.field(["FileInfos", index])} is a second first frame (an image without ${usage} is a FirstFrame); at most one is allowed: give reference images ${usage} Reference`,
    );
  }
  for (const path of lastFramePaths.slice(1)) {
    findings.add(path, valueCode(path), `${findings.field(path)} gives a second last frame; at most one is allowed`);
  }
  const lastFramePath = lastFramePaths[0];
  if (lastFramePath && firstFrames.length === 0) {
    findings.add(
      ["FileInfos"],
      MISSING_PARAMETER,
      `${findings.field(lastFramePath)} gives a last frame, which needs a first frame: add a ${findings.key(["FileInfos"])} image with Usage FirstFrame (or no Usage)`,
    );
  }

  const noInput = files.length === 0 && lastFramePaths.length === 0 && !hasItems(params.SubjectInfos);
  if (!isGiven(params.Prompt) && noInput && !isGiven(params.SceneType) && !isGiven(params.ExtInfo)) {
    const others = ["FileInfos", "SubjectInfos", "SceneType", "ExtInfo"].map((key) => findings.key([key])).join(", ");
    findings.missing(["Prompt"], `when none of ${others} is given`);
  }

  const model = checkModelChoice(findings, vodVideoCatalog, params.ModelName, params.ModelVersion, options);
  if (!model) return;
  model.canonicalize(params);
  const { rules, subject } = model;
  const output = params.OutputConfig;

  model.integer(["OutputConfig", "Duration"], output?.Duration, "durations");
  if (output) {
    output.Resolution = model.value(["OutputConfig", "Resolution"], output.Resolution, "resolutions");
    output.AspectRatio = model.value(["OutputConfig", "AspectRatio"], output.AspectRatio, "aspectRatios");
    if (output.Resolution === undefined) delete output.Resolution;
    if (output.AspectRatio === undefined) delete output.AspectRatio;
  }
  if (params.SceneType !== undefined) params.SceneType = model.value(["SceneType"], params.SceneType, "sceneTypes");
  files.forEach((file, index) => {
    if (file.ReferenceType !== undefined) file.ReferenceType = model.value(["FileInfos", index, "ReferenceType"], file.ReferenceType, "referenceTypes");
  });

  const maxReferences = rules.maxReferenceImages;
  if (maxReferences !== undefined && references.length > maxReferences) {
    model.report("maxReferenceImages", ["FileInfos"], `has ${references.length} reference images (Usage Reference); ${subject} takes at most ${maxReferences}`);
  }

  if (lastFramePath) {
    const lastFrame = rules.lastFrame;
    if (lastFrame === NOT_SUPPORTED) {
      model.report("lastFrame", lastFramePath, `gives a last frame, which ${subject} does not support`);
    } else if (typeof lastFrame === "object" && (output?.Resolution ?? "").toLowerCase() !== lastFrame.onlyAtResolution.toLowerCase()) {
      model.report(
        "lastFrame",
        lastFramePath,
        `gives a last frame, which ${subject} supports only with ${findings.field(["OutputConfig", "Resolution"])} ${lastFrame.onlyAtResolution}`,
      );
    }
    if (rules.lastFrameWithReferenceImages === false && references.length > 0) {
      model.report("lastFrameWithReferenceImages", lastFramePath, `gives a last frame, which ${subject} cannot combine with reference images (multi-image mode)`);
    }
  }

  const subjectKey = rules.subjectKey;
  if (subjectKey) {
    (params.SubjectInfos ?? []).forEach((subjectInfo, index) => {
      if (!isGiven(subjectInfo[subjectKey])) findings.missing(["SubjectInfos", index, subjectKey], `for ${model.model} subjects`);
    });
  }

  model.features(params, (r) => r.features);
}

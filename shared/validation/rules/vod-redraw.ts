/**
 * Cross-field rules of VOD CreateAigcVideoRedrawTask (it has no models).
 */
import type { Findings } from "../issues";
import type { VodRedrawRequest } from "../schemas/vod-redraw";
import { checkFileSource } from "./file-inputs";

/** Checks a parsed VOD redraw request. */
export function checkVodRedrawRequest(params: VodRedrawRequest, findings: Findings): void {
  checkFileSource(findings, ["FileInfo"], params.FileInfo, ["FileId", "Url"]);
}

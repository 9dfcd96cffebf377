/**
 * The prompt length of MPS creates: seed 001 gave 2000 characters, the SDK 4.1.313 comment of
 * CreateAigcVideoTaskRequest.Prompt / CreateAigcImageTaskRequest.Prompt gives none, so a longer
 * prompt is sent with a warning, not refused.
 */
import { MPS_PROMPT_MAX_LENGTH } from "../../catalog";
import type { Findings } from "../issues";
import { INFERRED_RULE_WARNING } from "./model-check";

/** Warns about an MPS prompt over the 2000 characters an older page gave (the SDK's comment gives no limit). */
export function checkMpsPromptLength(findings: Findings, prompt: string | undefined): void {
  if (prompt === undefined || prompt.length <= MPS_PROMPT_MAX_LENGTH) return;
  findings.warn(
    ["Prompt"],
    INFERRED_RULE_WARNING,
    `${findings.key(["Prompt"])} is ${prompt.length} characters, over the ${MPS_PROMPT_MAX_LENGTH} of seed 001 (MPS CreateAigcVideoTask page); sent anyway, because the SDK 4.1.313 doc comment gives no limit`,
  );
}

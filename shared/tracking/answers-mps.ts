/**
 * An MPS task answered in the shape of its own Describe action (mps_models.d.ts):
 * DescribeAigcVideoTaskResponse (Status, VideoUrls, Resolution, Message) for `mps-video`,
 * DescribeAigcImageTaskResponse (Status, ImageUrls, Message) for `mps-image`. Both share Status
 * ("WAIT：等待中， RUN：执行中， FAIL：任务失败， DONE：任务成功") and Message ("当任务状态为 FAIL时，返回失败信息");
 * they differ in where the result URLs are, which is all MPS_ANSWER_SHAPES records, so another MPS
 * task type is one more entry there.
 *
 * Tencent's last answer is the base, so fields Tencent adds pass through. Status follows our
 * verdict: a DONE without URLs (TaskOutputMissing) or a task Tencent forgot (TaskExpired) is FAIL with
 * our message, since a client that sees DONE reads the first URL. The URLs are our presigned copies
 * when results were kept (AIGC_KEEP_RESULTS): MPS keeps its own only 12 hours.
 */

import type { MpsTaskKind } from "../tasks/kinds";
import type { TaskStatus } from "../tasks/ledger";
import { isObject, type AnsweredTask } from "./answers";

/** Where each MPS task type's Describe answer lists its results, and the other fields it documents. */
interface MpsAnswerShape {
  action: string;
  urlsField: "VideoUrls" | "ImageUrls";
  /** Documented fields beside Status, the URLs and Message, with their value while unknown. */
  otherFields: Readonly<Record<string, string>>;
}

/** One entry per MPS task type. */
export const MPS_ANSWER_SHAPES: Readonly<Record<MpsTaskKind, MpsAnswerShape>> = {
  "mps-video": { action: "DescribeAigcVideoTask", urlsField: "VideoUrls", otherFields: { Resolution: "" } },
  "mps-image": { action: "DescribeAigcImageTask", urlsField: "ImageUrls", otherFields: {} },
};

/** DescribeAigc*TaskResponse.Status for each normalized status. */
const MPS_STATUS: Readonly<Record<TaskStatus, string>> = { queued: "WAIT", running: "RUN", succeeded: "DONE", failed: "FAIL" };

/** An MPS task in its Describe action's shape (without RequestId). */
export function mpsAnswer(task: AnsweredTask): Record<string, unknown> {
  const shape = MPS_ANSWER_SHAPES[task.record.kind as MpsTaskKind];
  const { RequestId: _tencentRequestId, ...detail } = isObject(task.detail) ? task.detail : {};
  const others = Object.fromEntries(Object.entries(shape.otherFields).map(([field, unknown]) => [field, typeof detail[field] === "string" ? detail[field] : unknown]));
  const urls = task.status === "succeeded" ? task.outputs.flatMap((output) => (output.url ? [output.url] : [])) : [];
  const message = task.status === "failed" ? (task.error?.message ?? "") : typeof detail.Message === "string" ? detail.Message : "";
  return { ...detail, Status: MPS_STATUS[task.status], [shape.urlsField]: urls, ...others, Message: message };
}

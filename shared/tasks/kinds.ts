/**
 * The five task types: which function serves each, on which route, and which Tencent action it calls.
 * serverless.yml declares the same routes; a test keeps the two in step.
 */

import type { TencentService } from "../tencent/clients";
import type { TaskKind } from "../validation";

export interface TaskKindInfo {
  kind: TaskKind;
  functionName: string;
  service: TencentService;
  action: string;
  route: { method: "POST"; path: string };
  /** Whether the action accepts a SessionId, which is what makes a retried create safe. */
  dedupBySessionId: boolean;
  /** The action that reports a task of this kind: VOD's one DescribeTaskDetail, MPS's one per action. */
  describeAction: "DescribeTaskDetail" | "DescribeAigcVideoTask" | "DescribeAigcImageTask";
}

/** The task kinds VOD runs (reported by DescribeTaskDetail and by VOD's completion events). */
export type VodTaskKind = Exclude<TaskKind, "mps-video" | "mps-image">;

/** The task kinds MPS runs (each polled with its own Describe action). */
export type MpsTaskKind = Extract<TaskKind, "mps-video" | "mps-image">;

/** Whether a task kind runs on MPS. */
export function isMpsKind(kind: TaskKind): kind is MpsTaskKind {
  return TASK_KINDS[kind].service === "mps";
}

export const TASK_KINDS: Readonly<Record<TaskKind, TaskKindInfo>> = {
  "vod-video": {
    kind: "vod-video",
    functionName: "vod-aigc-video",
    service: "vod",
    action: "CreateAigcVideoTask",
    route: { method: "POST", path: "/tencent-vod/v1/aigc-video" },
    dedupBySessionId: true,
    describeAction: "DescribeTaskDetail",
  },
  "vod-image": {
    kind: "vod-image",
    functionName: "vod-aigc-image",
    service: "vod",
    action: "CreateAigcImageTask",
    route: { method: "POST", path: "/tencent-vod/v1/aigc-image" },
    dedupBySessionId: true,
    describeAction: "DescribeTaskDetail",
  },
  "vod-redraw": {
    kind: "vod-redraw",
    functionName: "vod-aigc-redraw",
    service: "vod",
    action: "CreateAigcVideoRedrawTask",
    route: { method: "POST", path: "/tencent-vod/v1/aigc-video-redraw" },
    dedupBySessionId: true,
    describeAction: "DescribeTaskDetail",
  },
  "mps-video": {
    kind: "mps-video",
    functionName: "mps-aigc-video",
    service: "mps",
    action: "CreateAigcVideoTask",
    route: { method: "POST", path: "/tencent-mps/v1/aigc-video" },
    dedupBySessionId: false,
    describeAction: "DescribeAigcVideoTask",
  },
  "mps-image": {
    kind: "mps-image",
    functionName: "mps-aigc-image",
    service: "mps",
    action: "CreateAigcImageTask",
    route: { method: "POST", path: "/tencent-mps/v1/aigc-image" },
    dedupBySessionId: false,
    describeAction: "DescribeAigcImageTask",
  },
};

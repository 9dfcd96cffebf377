/**
 * The four task types: which function serves each, on which route, and which Tencent action it calls.
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
}

export const TASK_KINDS: Readonly<Record<TaskKind, TaskKindInfo>> = {
  "vod-video": {
    kind: "vod-video",
    functionName: "vod-aigc-video",
    service: "vod",
    action: "CreateAigcVideoTask",
    route: { method: "POST", path: "/tencent-vod/v1/aigc-video" },
    dedupBySessionId: true,
  },
  "vod-image": {
    kind: "vod-image",
    functionName: "vod-aigc-image",
    service: "vod",
    action: "CreateAigcImageTask",
    route: { method: "POST", path: "/tencent-vod/v1/aigc-image" },
    dedupBySessionId: true,
  },
  "vod-redraw": {
    kind: "vod-redraw",
    functionName: "vod-aigc-redraw",
    service: "vod",
    action: "CreateAigcVideoRedrawTask",
    route: { method: "POST", path: "/tencent-vod/v1/aigc-video-redraw" },
    dedupBySessionId: true,
  },
  "mps-video": {
    kind: "mps-video",
    functionName: "mps-aigc-video",
    service: "mps",
    action: "CreateAigcVideoTask",
    route: { method: "POST", path: "/tencent-mps/v1/aigc-video" },
    dedupBySessionId: false,
  },
};

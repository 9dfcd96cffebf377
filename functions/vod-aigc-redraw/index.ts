/**
 * SCF entry of `vod-aigc-redraw` (VOD CreateAigcVideoRedrawTask): the API Gateway create route, and
 * the COS trigger that redraws every video uploaded under the input prefix. Told apart by event shape.
 */

import { isCosEvent } from "../../shared/cos/events";
import type { ScfContext } from "../../shared/http/apigw";
import { createTaskFunction } from "../../shared/tasks/create-route";
import { createAndWait } from "../../shared/tracking/create-wait";
import { firstDueAt } from "../../shared/tracking/schedule";
import { vodRedrawAction } from "../../shared/validation/actions/vod-redraw";
import { handleUploadEvent } from "../../shared/tasks/upload-function";

const httpHandler = createTaskFunction(vodRedrawAction, createAndWait);

export const main_handler = async (event: unknown, context: ScfContext = {}) =>
  isCosEvent(event) ? handleUploadEvent(event, context, "vod-aigc-redraw", { firstDueAt }) : httpHandler(event, context);

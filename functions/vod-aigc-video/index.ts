/** SCF entry of `vod-aigc-video`: API Gateway create route for VOD CreateAigcVideoTask. */

import { createTaskFunction } from "../../shared/tasks/create-route";
import { createAndWait } from "../../shared/tracking/create-wait";
import { vodVideoAction } from "../../shared/validation/actions/vod-video";

export const main_handler = createTaskFunction(vodVideoAction, createAndWait);

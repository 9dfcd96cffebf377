/** SCF entry of `vod-aigc-redraw`: API Gateway create route for VOD CreateAigcVideoRedrawTask. */

import { createTaskFunction } from "../../shared/tasks/create-route";

export const main_handler = createTaskFunction("vod-redraw");

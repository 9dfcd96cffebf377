/** SCF entry of `vod-aigc-video`: API Gateway create route for VOD CreateAigcVideoTask. */

import { createTaskFunction } from "../../shared/tasks/create-route";

export const main_handler = createTaskFunction("vod-video");

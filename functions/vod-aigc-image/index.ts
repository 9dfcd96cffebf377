/** SCF entry of `vod-aigc-image`: API Gateway create route for VOD CreateAigcImageTask. */

import { createTaskFunction } from "../../shared/tasks/create-route";
import { createAndWait } from "../../shared/tracking/create-wait";
import { vodImageAction } from "../../shared/validation/actions/vod-image";

export const main_handler = createTaskFunction(vodImageAction, createAndWait);

/** SCF entry of `vod-aigc-image`: API Gateway create route for VOD CreateAigcImageTask. */

import { createTaskFunction } from "../../shared/tasks/create-route";

export const main_handler = createTaskFunction("vod-image");

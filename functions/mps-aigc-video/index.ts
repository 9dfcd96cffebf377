/** SCF entry of `mps-aigc-video`: API Gateway create route for MPS CreateAigcVideoTask. */

import { createTaskFunction } from "../../shared/tasks/create-route";

export const main_handler = createTaskFunction("mps-video");

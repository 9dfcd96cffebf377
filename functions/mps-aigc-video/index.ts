/** SCF entry of `mps-aigc-video`: API Gateway create route for MPS CreateAigcVideoTask. */

import { createTaskFunction } from "../../shared/tasks/create-route";
import { createAndWait } from "../../shared/tracking/create-wait";
import { mpsVideoAction } from "../../shared/validation/actions/mps-video";

export const main_handler = createTaskFunction(mpsVideoAction, createAndWait);

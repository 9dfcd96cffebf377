/** SCF entry of `mps-aigc-image`: API Gateway create route for MPS CreateAigcImageTask. */

import { createTaskFunction } from "../../shared/tasks/create-route";
import { createAndWait } from "../../shared/tracking/create-wait";
import { mpsImageAction } from "../../shared/validation/actions/mps-image";

export const main_handler = createTaskFunction(mpsImageAction, createAndWait);

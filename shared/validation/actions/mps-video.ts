/** The MPS CreateAigcVideoTask create action: its schema, refused fields and catalog rules. */
import { defineCreateAction, MPS_REFUSED } from "../action";
import { checkMpsVideoRequest } from "../rules/mps-video";
import { buildMpsVideoRequestSchema } from "../schemas/mps-video";

export const mpsVideoAction = defineCreateAction({
  kind: "mps-video",
  tencentAction: "MPS CreateAigcVideoTask",
  buildSchema: buildMpsVideoRequestSchema,
  refused: MPS_REFUSED,
  check: checkMpsVideoRequest,
});

/** The MPS CreateAigcImageTask create action: its schema, refused fields and catalog rules. */
import { defineCreateAction, MPS_REFUSED } from "../action";
import { checkMpsImageRequest } from "../rules/mps-image";
import { buildMpsImageRequestSchema } from "../schemas/mps-image";

export const mpsImageAction = defineCreateAction({
  kind: "mps-image",
  tencentAction: "MPS CreateAigcImageTask",
  buildSchema: buildMpsImageRequestSchema,
  refused: MPS_REFUSED,
  check: checkMpsImageRequest,
});

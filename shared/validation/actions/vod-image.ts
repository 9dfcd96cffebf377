/** The VOD CreateAigcImageTask create action: its schema, refused fields and catalog rules. */
import { defineCreateAction, VOD_REFUSED } from "../action";
import { checkVodImageRequest } from "../rules/vod-image";
import { buildVodImageRequestSchema } from "../schemas/vod-image";

export const vodImageAction = defineCreateAction({
  kind: "vod-image",
  tencentAction: "VOD CreateAigcImageTask",
  buildSchema: buildVodImageRequestSchema,
  refused: VOD_REFUSED,
  check: checkVodImageRequest,
});

/** The VOD CreateAigcVideoRedrawTask create action: its schema, refused fields and catalog rules. */
import { defineCreateAction, VOD_REFUSED } from "../action";
import { checkVodRedrawRequest } from "../rules/vod-redraw";
import { buildVodRedrawRequestSchema } from "../schemas/vod-redraw";

export const vodRedrawAction = defineCreateAction({
  kind: "vod-redraw",
  tencentAction: "VOD CreateAigcVideoRedrawTask",
  buildSchema: buildVodRedrawRequestSchema,
  refused: VOD_REFUSED,
  check: checkVodRedrawRequest,
});

/** The VOD CreateAigcVideoTask create action: its schema, refused fields and catalog rules. */
import { defineCreateAction, VOD_REFUSED } from "../action";
import { checkVodVideoRequest } from "../rules/vod-video";
import { buildVodVideoRequestSchema } from "../schemas/vod-video";

export const vodVideoAction = defineCreateAction({
  kind: "vod-video",
  tencentAction: "VOD CreateAigcVideoTask",
  buildSchema: buildVodVideoRequestSchema,
  refused: VOD_REFUSED,
  check: checkVodVideoRequest,
});

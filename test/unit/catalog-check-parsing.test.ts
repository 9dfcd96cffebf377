/**
 * The doc-comment parsers of `npm run catalog:check` (scripts/catalog-check/), on excerpts copied
 * from tencentcloud-sdk-nodejs 4.1.313's vod_models.d.ts and mps_models.d.ts.
 */
import { describe, expect, it } from "vitest";
import { parseListEnum, parseModelNames, parseProseEnum, parseScenesByModel, parseVersionsByModel, UnreadableComment } from "../../scripts/catalog-check/comment-lists";
import { DocCommentNotFound, fieldComment } from "../../scripts/catalog-check/doc-comment";

const VOD_VIDEO_MODEL_NAME = "<p>模型名称。取值：<br>Kling：可灵；<br>Vidu；<br>Hailuo：海螺；<br>Hunyuan：混元；<br>Mingmou：明眸；<br>GV；<br>OS；<br>PixVerse;</p>";
const VOD_IMAGE_MODEL_NAME = "<p>模型名称。取值：</p><li>OG</li><li>GG</li><li>Hunyuan</li><li>Vidu</li><li>Kling</li>";
const MPS_MODEL_NAME = "<p>模型名称。<br>当前支持的模型列表:<br>Hunyuan，<br>Hailuo，<br>Kling，<br>Vidu，<br>PixVerse，<br>Mingmou，<br>H2。</p>";
const VOD_VIDEO_MODEL_VERSION =
  "<p>模型版本。取值：<br>当 ModelName 是 Hailuo，可选值为 02、2.3、2.3-fast、H3、H3_regen、H3-Max；<br>当 ModelName 是 GV，可选值为 3.1、3.1-fast、3.1-lite、omni；<br>当 ModelName 是 OS，可选值为 2.0；<br>当 ModelName 是 PixVerse，可选值为 v5.6、v6、c1；</p>";
const VOD_IMAGE_MODEL_VERSION = "<p>模型版本。取值：</p><li>当 ModelName 是 OG，可选值为 image2_low、image2_medium、image2_high；</li><li>当 ModelName 是 Vidu，可选值为 q2；</li><li>当 ModelName 是Mingmou，可选值为 1.0；</li>";
const MPS_MODEL_VERSION =
  "<p>指定模型特定版本号。默认使用系统当前所支持的模型稳定版本。</p><ol><li>Hunyuan，可选 [1.5]。</li><li>Kling，可选 [1.6、2.0、2.1、2.5、O1、2.6、3.0、3.0-Omni]。</li><li>H2，可选 [1.0]。</li></ol>";
const VOD_SCENE_TYPE =
  "<p>场景类型。取值如下：</p><li>当 ModelName 为 Kling 时：    motion_control 表示动作控制；    avatar_i2v 表示数字人；    lip_sync 表示对口型；</li><li>当 ModelName 为 Vidu 时：    template_effect 表示特效模板；</li><li>其他 ModelName 暂不支持。</li>";
const MPS_SCENE_TYPE =
  "<p>指定场景生成视频。<br>注意：仅部分模型支持指定场景。</p><ol><li>Kling支持：动作控制，motion_control；数字人，avatar_i2v；对口型，lip_sync。</li><li>Mingmou支持：横转竖，land2port。</li><li>Vidu支持：特效模板，template_effect。</li><li>Hunyuan支持: 3d世界模型, 3d_scene；涉及的返回文件非视频。</li></ol>";

describe("model names", () => {
  it("reads VOD video's <br> lines with a Chinese gloss, whatever the closing semicolon", () => {
    expect(parseModelNames(VOD_VIDEO_MODEL_NAME)).toEqual(["Kling", "Vidu", "Hailuo", "Hunyuan", "Mingmou", "GV", "OS", "PixVerse"]);
  });

  it("reads VOD image's <li> items", () => {
    expect(parseModelNames(VOD_IMAGE_MODEL_NAME)).toEqual(["OG", "GG", "Hunyuan", "Vidu", "Kling"]);
  });

  it("reads MPS's comma-ended <br> lines and skips the heading", () => {
    expect(parseModelNames(MPS_MODEL_NAME)).toEqual(["Hunyuan", "Hailuo", "Kling", "Vidu", "PixVerse", "Mingmou", "H2"]);
  });

  it("reads MPS image's list inline after a colon", () => {
    expect(parseModelNames("<p>模型名称。当前支持的模型列表：Hunyuan，Qwen，Vidu，Kling。</p>")).toEqual(["Hunyuan", "Qwen", "Vidu", "Kling"]);
  });

  it("refuses a comment that names no model", () => {
    expect(() => parseModelNames("<p>模型名称。</p>")).toThrow(UnreadableComment);
  });
});

describe("versions per model", () => {
  it("reads VOD's 当 ModelName 是 X，可选值为 lines", () => {
    const versions = parseVersionsByModel(VOD_VIDEO_MODEL_VERSION);
    expect(Object.fromEntries(versions)).toEqual({
      Hailuo: ["02", "2.3", "2.3-fast", "H3", "H3_regen", "H3-Max"],
      GV: ["3.1", "3.1-fast", "3.1-lite", "omni"],
      OS: ["2.0"],
      PixVerse: ["v5.6", "v6", "c1"],
    });
  });

  it("reads VOD image's <li> items, including one without a space after 是", () => {
    expect(Object.fromEntries(parseVersionsByModel(VOD_IMAGE_MODEL_VERSION))).toEqual({ OG: ["image2_low", "image2_medium", "image2_high"], Vidu: ["q2"], Mingmou: ["1.0"] });
  });

  it("reads MPS's X，可选 [...] items", () => {
    expect(Object.fromEntries(parseVersionsByModel(MPS_MODEL_VERSION))).toEqual({ Hunyuan: ["1.5"], Kling: ["1.6", "2.0", "2.1", "2.5", "O1", "2.6", "3.0", "3.0-Omni"], H2: ["1.0"] });
  });

  it("refuses a version list with something that is not a version in it", () => {
    expect(() => parseVersionsByModel("<br>当 ModelName 是 GV，可选值为 3.1、详见文档；")).toThrow(/GV's versions/);
  });
});

describe("scenes per model", () => {
  it("reads VOD's value 表示 meaning lists, leaving out the models it does not name", () => {
    expect(Object.fromEntries(parseScenesByModel(VOD_SCENE_TYPE))).toEqual({ Kling: ["motion_control", "avatar_i2v", "lip_sync"], Vidu: ["template_effect"] });
  });

  it("reads MPS's X支持：label，value lists, with an ASCII colon too", () => {
    expect(Object.fromEntries(parseScenesByModel(MPS_SCENE_TYPE))).toEqual({
      Kling: ["motion_control", "avatar_i2v", "lip_sync"],
      Mingmou: ["land2port"],
      Vidu: ["template_effect"],
      Hunyuan: ["3d_scene"],
    });
  });

  it("reads MPS image's value first, only-X-supports-it items", () => {
    expect(Object.fromEntries(parseScenesByModel("<p>场景化生图使用，仅部分模型支持。</p><p>枚举值：</p><ul><li>3d_panorama： 全景图。仅Hunyuan支持。</li></ul>"))).toEqual({ Hunyuan: ["3d_panorama"] });
  });
});

describe("enums", () => {
  it("reads <li>Value：meaning</li> items", () => {
    const storageMode =
      "<p>存储模式</p><p>枚举值：</p><ul><li>Temporary： 临时存储，生成的视频文件不会存储到云点播，可在事件通知中获取到临时访问的 URL，有效期 7 天</li><li>Permanent： 永久存储，生成的视频文件将存储到云点播，可在事件通知中获取到 FileId</li></ul><p>默认值：Temporary</p>";
    expect(parseListEnum(storageMode)).toEqual(["Temporary", "Permanent"]);
  });

  it("reads items that put the value after the meaning (VOD video InputRegion)", () => {
    const inputRegion = "<p>输入文件的区域信息。取值如下：</p><ul><li>当输入文件存储在海外时：Oversea；</li><li>当输入文件存储在美西时：OverseaUSWest；</li><li>当输入文件存储在国内时：Mainland。</li></ul><p>默认值：Mainland</p>";
    expect(parseListEnum(inputRegion)).toEqual(["Oversea", "OverseaUSWest", "Mainland"]);
  });

  it("reads bare <li>value</li> items (image OutputFormat)", () => {
    expect(parseListEnum("<p>指定模型输出图片文件格式，若不指定则跟随模型默认值。可选值：</p><ul><li>jpeg</li><li>png</li></ul>")).toEqual(["jpeg", "png"]);
  });

  it("reads MPS's prose value为meaning enums", () => {
    expect(parseProseEnum("<p>通过ReferType参数区分参考视频类型：feature为特征参考视频，base为待编辑视频。</p>")).toEqual(["feature", "base"]);
    expect(parseProseEnum("<p>通过KeepOriginalSound参数选择是否保留视频原声，yes为保留，no为不保留；当前参数对特征参考视频（feature）也生效。</p>")).toEqual(["yes", "no"]);
  });

  it("refuses a list item it cannot read a value from", () => {
    expect(() => parseListEnum("<ul><li>见文档</li></ul>")).toThrow(UnreadableComment);
  });
});

describe("finding a field's doc comment", () => {
  const dts = [
    "export interface AigcVideoReferenceImageInfo {",
    "    /**",
    "     * 参考类型。",
    "  注意：",
    "  1. 当使用GV模型时，可作为参考方式,可选asset(素材)、style(风格)。",
    "     */",
    "    ReferenceType?: string;",
    "}",
    "export interface CreateAigcVideoTaskRequest {",
    "    /**",
    "     * <p>模型名称。</p>",
    "     */",
    "    ModelName?: string;",
    "    /**",
    "     * <p>模型版本。</p>",
    "     */",
    "    ModelVersion?: string;",
    "}",
  ].join("\n");

  it("takes the comment right above the field, in the named interface only, as one line", () => {
    expect(fieldComment(dts, "CreateAigcVideoTaskRequest", "ModelVersion")).toBe("<p>模型版本。</p>");
    expect(fieldComment(dts, "AigcVideoReferenceImageInfo", "ReferenceType")).toBe("参考类型。 注意： 1. 当使用GV模型时，可作为参考方式,可选asset(素材)、style(风格)。");
  });

  it("says which interface or field it could not find", () => {
    expect(() => fieldComment(dts, "CreateAigcImageTaskRequest", "ModelName")).toThrow(DocCommentNotFound);
    expect(() => fieldComment(dts, "AigcVideoReferenceImageInfo", "ModelName")).toThrow(/AigcVideoReferenceImageInfo\.ModelName/);
  });
});

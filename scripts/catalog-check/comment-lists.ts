/**
 * Parsers for the list shapes Tencent's doc comments use, each written for the shapes the SDK
 * actually has (see test/unit/catalog-check-parsing.test.ts for the real excerpts):
 * - model names: `<br>Kling：可灵；<br>Vidu；`, `<li>OG</li><li>GG</li>`, `<br>Hunyuan，<br>Hailuo，`, and
 *   inline after a colon, `模型列表：Hunyuan，Qwen，Vidu，Kling。` (MPS image);
 * - versions per model: VOD `当 ModelName 是 Kling，可选值为 1.6、2.0；`, MPS `<li>Kling，可选 [1.6、2.0]。</li>`;
 * - scenes per model: VOD `当 ModelName 为 Kling 时：motion_control 表示动作控制；`, MPS `<li>Kling支持：动作控制，motion_control；</li>`,
 *   and value first, `<li>3d_panorama： 全景图。仅Hunyuan支持。</li>` (MPS image);
 * - enums: `<li>Temporary： 临时存储…</li>`, `<li>当输入文件存储在海外时：Oversea；</li>`, `<li>jpeg</li>`,
 *   and prose like `feature为特征参考视频，base为待编辑视频`.
 * A value that does not look like one throws, so a changed comment shape fails the check loudly.
 */
import { commentSegments } from "./doc-comment";

/** A comment did not have the shape its parser reads. */
export class UnreadableComment extends Error {
  override readonly name = "UnreadableComment";
}

/** Model names, versions and enum values Tencent uses: ASCII letters, digits, "_", ".", "-". */
const TOKEN = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;
const LEADING_NAME = /^([A-Za-z][A-Za-z0-9_.-]*)(?=$|[\s：:，,；;。])/;

function checkedToken(value: string, what: string): string {
  if (!TOKEN.test(value)) throw new UnreadableComment(`${what}: "${value}" does not look like a value`);
  return value;
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}

/** Splits `02、2.3、2.3-fast；` (or with commas) into its values, without the closing punctuation. */
function splitValues(list: string, what: string): string[] {
  return list
    .replace(/[；;。]+\s*$/, "")
    .split(/[、,，]/)
    .map((value) => value.trim())
    .filter((value) => value !== "")
    .map((value) => checkedToken(value, what));
}

/** A whole list of names after a colon, to the end of the line: `模型列表：Hunyuan，Qwen，Vidu，Kling。`. */
const INLINE_NAMES = /[：:]\s*([A-Za-z][A-Za-z0-9_.-]*(?:\s*[，,、]\s*[A-Za-z][A-Za-z0-9_.-]*)+)\s*[。.；;]?$/;

/** The model names of a ModelName comment: each line or list item that starts with a name, or a list inline after a colon. */
export function parseModelNames(comment: string): string[] {
  const names = commentSegments(comment).flatMap((segment) => {
    const inline = INLINE_NAMES.exec(segment);
    if (inline?.[1]) return splitValues(inline[1], "model names");
    const match = LEADING_NAME.exec(segment);
    return match?.[1] ? [match[1]] : [];
  });
  if (names.length === 0) throw new UnreadableComment(`no model name in "${comment.slice(0, 80)}…"`);
  return unique(names);
}

const VOD_VERSIONS = /ModelName\s*(?:是|为)\s*([A-Za-z][A-Za-z0-9_.-]*)\s*[，,]\s*可选值为\s*(.+)$/;
const MPS_VERSIONS = /^([A-Za-z][A-Za-z0-9_.-]*)\s*[，,]\s*可选\s*\[([^\]]*)\]/;

/** The versions per model of a ModelVersion comment (VOD's "当 ModelName 是 X，可选值为 …" or MPS's "X，可选 […]"). */
export function parseVersionsByModel(comment: string): Map<string, string[]> {
  const versions = new Map<string, string[]>();
  for (const segment of commentSegments(comment)) {
    const match = VOD_VERSIONS.exec(segment) ?? MPS_VERSIONS.exec(segment);
    if (!match?.[1] || match[2] === undefined) continue;
    const model = match[1];
    versions.set(model, unique([...(versions.get(model) ?? []), ...splitValues(match[2], `${model}'s versions`)]));
  }
  if (versions.size === 0) throw new UnreadableComment(`no "ModelName 是 X，可选值为" or "X，可选 [...]" item in "${comment.slice(0, 80)}…"`);
  return versions;
}

const VOD_SCENE_MODEL = /ModelName\s*(?:是|为)\s*([A-Za-z][A-Za-z0-9_.-]*)\s*时\s*[：:](.*)$/;
const MPS_SCENE_MODEL = /^([A-Za-z][A-Za-z0-9_.-]*)\s*支持\s*[：:](.*)$/;
/** MPS image: the value first, then "only X supports it". */
const SCENE_ONLY_FOR = /^([A-Za-z0-9_]+)\s*[：:].*仅\s*([A-Za-z][A-Za-z0-9_.-]*)\s*支持/;

/**
 * The SceneType values per model: VOD's "当 ModelName 为 X 时：value 表示 …；", MPS video's
 * "X支持：label，value；" or MPS image's "value： label。仅X支持。". Models the comment does not name
 * take no scene.
 */
export function parseScenesByModel(comment: string): Map<string, string[]> {
  const scenes = new Map<string, string[]>();
  const add = (model: string, values: string[]) => scenes.set(model, unique([...(scenes.get(model) ?? []), ...values.map((value) => checkedToken(value, `${model}'s scenes`))]));
  for (const segment of commentSegments(comment)) {
    const onlyFor = SCENE_ONLY_FOR.exec(segment);
    if (onlyFor?.[1] && onlyFor[2]) {
      add(onlyFor[2], [onlyFor[1]]);
      continue;
    }
    const vod = VOD_SCENE_MODEL.exec(segment);
    const mps = vod ? undefined : MPS_SCENE_MODEL.exec(segment);
    const model = vod?.[1] ?? mps?.[1];
    const rest = vod?.[2] ?? mps?.[2];
    if (!model || rest === undefined) continue;
    // VOD names the value before "表示" (means); MPS after the Chinese label's comma.
    const values = vod ? [...rest.matchAll(/([A-Za-z0-9_]+)\s*表示/g)] : [...rest.matchAll(/[，,]\s*([A-Za-z0-9_]+)/g)];
    if (values.length === 0) throw new UnreadableComment(`no scene value for ${model} in "${segment}"`);
    add(model, values.map((value) => value[1] ?? ""));
  }
  if (scenes.size === 0) throw new UnreadableComment(`no model's scene in "${comment.slice(0, 80)}…"`);
  return scenes;
}

/**
 * The values of an enum documented as list items: `<li>Value：meaning</li>`, `<li>Value</li>`, or
 * `<li>meaning：Value；</li>` (VOD video InputRegion puts the value last).
 */
export function parseListEnum(comment: string): string[] {
  const items = [...comment.matchAll(/<li>([\s\S]*?)(?=<\/li>|<li>|<\/ul>|<\/p>|$)/g)].map((match) => (match[1] ?? "").replace(/<[^>]*>/g, "").trim());
  const values = items.flatMap((item) => {
    const leading = LEADING_NAME.exec(item);
    if (leading?.[1]) return [leading[1]];
    const trailing = /[：:]\s*([A-Za-z][A-Za-z0-9_.-]*)\s*[；;。.]?$/.exec(item);
    if (trailing?.[1]) return [trailing[1]];
    throw new UnreadableComment(`no value in the list item "${item}"`);
  });
  if (values.length === 0) throw new UnreadableComment(`no list item in "${comment.slice(0, 80)}…"`);
  return unique(values);
}

/** The values of an enum documented in prose as "value为meaning": `feature为特征参考视频，base为待编辑视频`. */
export function parseProseEnum(comment: string): string[] {
  const values = [...comment.replace(/<[^>]*>/g, " ").matchAll(/(?:^|[\s：:，,；;。（(])([A-Za-z][A-Za-z0-9_-]*)为/g)].map((match) => match[1] ?? "");
  if (values.length === 0) throw new UnreadableComment(`no "value为…" in "${comment.slice(0, 80)}…"`);
  return unique(values);
}

/**
 * Which doc comments of the SDK the check reads, and what each is compared with: the model lists
 * of the three catalog actions, and the enums of shared/catalog/enums.ts.
 */
import {
  FILE_CATEGORIES,
  FILE_INPUT_TYPES,
  FILE_USAGES,
  IMAGE_OUTPUT_FORMATS,
  INPUT_REGIONS,
  MPS_KEEP_ORIGINAL_SOUND_VALUES,
  MPS_VIDEO_REFER_TYPES,
  PERSON_GENERATION_VALUES,
  REDRAW_FILE_INPUT_TYPES,
  STORAGE_MODES,
  SWITCH_VALUES,
} from "../../shared/catalog";
import { fieldComment } from "./doc-comment";
import { parseListEnum, parseModelNames, parseProseEnum, parseScenesByModel, parseVersionsByModel } from "./comment-lists";

/** The two SDK files, as text. */
export interface SdkModelFiles {
  readonly vod: string;
  readonly mps: string;
}

/** The catalog actions whose models the SDK lists, and the request interface that lists them. */
export const MODEL_ACTIONS = {
  vodVideo: { label: "VOD CreateAigcVideoTask", file: "vod", request: "CreateAigcVideoTaskRequest" },
  vodImage: { label: "VOD CreateAigcImageTask", file: "vod", request: "CreateAigcImageTaskRequest" },
  mpsVideo: { label: "MPS CreateAigcVideoTask", file: "mps", request: "CreateAigcVideoTaskRequest" },
  mpsImage: { label: "MPS CreateAigcImageTask", file: "mps", request: "CreateAigcImageTaskRequest" },
} as const satisfies Record<string, { label: string; file: keyof SdkModelFiles; request: string }>;

/** One of the catalog actions. */
export type ModelAction = keyof typeof MODEL_ACTIONS;

/** What one request interface's ModelName, ModelVersion and SceneType comments list. */
export interface SdkModelLists {
  readonly modelNames: readonly string[];
  readonly versions: ReadonlyMap<string, readonly string[]>;
  readonly scenes: ReadonlyMap<string, readonly string[]>;
}

/** Reads the model names, versions per model and scenes per model one action's request documents. */
export function readModelLists(files: SdkModelFiles, action: ModelAction): SdkModelLists {
  const { file, request } = MODEL_ACTIONS[action];
  const dts = files[file];
  return {
    modelNames: parseModelNames(fieldComment(dts, request, "ModelName")),
    versions: parseVersionsByModel(fieldComment(dts, request, "ModelVersion")),
    scenes: parseScenesByModel(fieldComment(dts, request, "SceneType")),
  };
}

/** The enums of shared/catalog/enums.ts that the SDK documents, by name. */
export const CATALOG_ENUMS = {
  STORAGE_MODES,
  INPUT_REGIONS,
  FILE_INPUT_TYPES,
  REDRAW_FILE_INPUT_TYPES,
  FILE_CATEGORIES,
  FILE_USAGES,
  IMAGE_OUTPUT_FORMATS,
  PERSON_GENERATION_VALUES,
  SWITCH_VALUES,
  MPS_VIDEO_REFER_TYPES,
  MPS_KEEP_ORIGINAL_SOUND_VALUES,
} as const;

/** The catalog's enums the check compares (the real ones, or a changed copy in tests). */
export type CatalogEnums = { readonly [K in keyof typeof CATALOG_ENUMS]: readonly string[] };

/** One enum field of the SDK and the catalog enum that mirrors it. */
export interface EnumField {
  readonly file: keyof SdkModelFiles;
  readonly interface: string;
  readonly field: string;
  /** list: `<li>Value：…</li>` items; prose: "value为…". */
  readonly shape: "list" | "prose";
  readonly catalog: keyof CatalogEnums;
}

/** Every enum field compared; several fields share one catalog enum. */
export const ENUM_FIELDS: readonly EnumField[] = [
  { file: "vod", interface: "AigcVideoOutputConfig", field: "StorageMode", shape: "list", catalog: "STORAGE_MODES" },
  { file: "vod", interface: "AigcImageOutputConfig", field: "StorageMode", shape: "list", catalog: "STORAGE_MODES" },
  { file: "vod", interface: "CreateAigcVideoTaskRequest", field: "InputRegion", shape: "list", catalog: "INPUT_REGIONS" },
  { file: "vod", interface: "CreateAigcImageTaskRequest", field: "InputRegion", shape: "list", catalog: "INPUT_REGIONS" },
  { file: "vod", interface: "AigcVideoTaskInputFileInfo", field: "Type", shape: "list", catalog: "FILE_INPUT_TYPES" },
  { file: "vod", interface: "AigcImageTaskInputFileInfo", field: "Type", shape: "list", catalog: "FILE_INPUT_TYPES" },
  { file: "vod", interface: "AigcVideoRedrawTaskInputFileInfo", field: "Type", shape: "list", catalog: "REDRAW_FILE_INPUT_TYPES" },
  { file: "vod", interface: "AigcVideoTaskInputFileInfo", field: "Category", shape: "list", catalog: "FILE_CATEGORIES" },
  { file: "vod", interface: "AigcVideoTaskInputFileInfo", field: "Usage", shape: "list", catalog: "FILE_USAGES" },
  { file: "vod", interface: "AigcImageOutputConfig", field: "OutputFormat", shape: "list", catalog: "IMAGE_OUTPUT_FORMATS" },
  { file: "vod", interface: "AigcVideoOutputConfig", field: "PersonGeneration", shape: "list", catalog: "PERSON_GENERATION_VALUES" },
  { file: "vod", interface: "AigcImageOutputConfig", field: "PersonGeneration", shape: "list", catalog: "PERSON_GENERATION_VALUES" },
  { file: "vod", interface: "CreateAigcVideoTaskRequest", field: "EnhancePrompt", shape: "list", catalog: "SWITCH_VALUES" },
  { file: "vod", interface: "CreateAigcImageTaskRequest", field: "EnhancePrompt", shape: "list", catalog: "SWITCH_VALUES" },
  { file: "mps", interface: "AigcVideoReferenceVideoInfo", field: "ReferType", shape: "prose", catalog: "MPS_VIDEO_REFER_TYPES" },
  { file: "mps", interface: "AigcVideoReferenceVideoInfo", field: "KeepOriginalSound", shape: "prose", catalog: "MPS_KEEP_ORIGINAL_SOUND_VALUES" },
];

/** The values the SDK documents for one enum field. */
export function readEnumField(files: SdkModelFiles, field: EnumField): string[] {
  const comment = fieldComment(files[field.file], field.interface, field.field);
  return field.shape === "list" ? parseListEnum(comment) : parseProseEnum(comment);
}

/**
 * Shapes of the model catalog.
 *
 * Every rule is optional, and the difference between "absent" and NOT_SUPPORTED matters:
 * - absent (undefined): Tencent documents no rule, so validation does not check the field;
 * - NOT_SUPPORTED: Tencent documents that the model does not take the field, so it is refused.
 *
 * Rules resolve in three layers, later ones winning field by field:
 * the action's defaults, then the model's `rules`, then the version's own entry.
 */

/**
 * How sure the catalog is of a rule, and so what breaking it does:
 * - documented: Tencent's current doc comment (the installed SDK's *_models.d.ts) says it; a
 *   request that breaks it is refused, and the refusal cites the model's source;
 * - inferred: from an older page, the other service, or reasoning; a request that breaks it is
 *   sent, and the answer carries a warning naming where the rule came from.
 */
export type RuleStrength = "documented" | "inferred";

/** Where one resolved rule comes from, and how strong it is. */
export interface RuleSource {
  readonly strength: RuleStrength;
  readonly source: string;
}

/** A rule value the catalog only infers (see RuleStrength), with where it comes from. */
export interface Inferred<T> {
  readonly inferred: T;
  readonly from: string;
}

/** Marks a catalog rule as inferred: `lastFrame: inferred("supported", "MPS LastImageUrl")`. */
export function inferred<T>(value: T, from: string): Inferred<T> {
  return { inferred: value, from };
}

/** Whether a catalog value is an inferred() wrapper. */
export function isInferred(value: unknown): value is Inferred<unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value) && "inferred" in value && "from" in value;
}

/** Rules as the catalog writes them: any rule may be wrapped in inferred(). */
export type Authored<R> = { readonly [K in keyof R]?: R[K] | Inferred<NonNullable<R[K]>> };

/** The source and strength of each rule a model version resolved to. */
export type RuleSources<R> = { readonly [K in keyof R]?: RuleSource };

/** Marks a field Tencent documents as not supported by a model. */
export const NOT_SUPPORTED = "not supported" as const;
export type NotSupported = typeof NOT_SUPPORTED;

/** Allowed string values of a field, or NOT_SUPPORTED. */
export type AllowedValues = readonly string[] | NotSupported;

/** Allowed values of an integer field: an explicit list, or an inclusive range. */
export type IntegerRule = { readonly values: readonly number[] } | { readonly min: number; readonly max: number };

/** Whether a model can take a last frame (an end image) in addition to the first frame. */
export type LastFrameSupport = "supported" | NotSupported | { readonly onlyAtResolution: string };

/**
 * How a request generates: from text only, from a first frame (image to video), or from
 * references (reference images, subjects or videos).
 */
export type GenerationMode = "text" | "first-frame" | "reference";

/** Rules of VOD CreateAigcVideoTask for one model version. */
export interface VodVideoRules {
  /** OutputConfig.Duration, seconds. */
  readonly durations?: IntegerRule | NotSupported;
  /** OutputConfig.Resolution; matched case-insensitively, sent in the catalog's spelling. */
  readonly resolutions?: AllowedValues;
  /** OutputConfig.AspectRatio. */
  readonly aspectRatios?: AllowedValues;
  readonly sceneTypes?: AllowedValues;
  /** LastFrameFileId, LastFrameUrl, or a FileInfos entry with Usage LastFrame. */
  readonly lastFrame?: LastFrameSupport;
  /** False where reference images (multi-image mode) exclude a last frame. */
  readonly lastFrameWithReferenceImages?: boolean;
  /** Most FileInfos images with Usage Reference. */
  readonly maxReferenceImages?: number;
  /** FileInfos[].ReferenceType. */
  readonly referenceTypes?: AllowedValues;
  /** Which field of a SubjectInfos entry the model needs to identify the subject. */
  readonly subjectKey?: "Id" | "Name";
  /** Optional features (vodVideoCatalog.features) this model takes; the others are refused. */
  readonly features?: readonly VodVideoFeature[];
}

/** Optional VOD video inputs and switches that only some models take. */
export type VodVideoFeature =
  | "AudioGeneration"
  | "FrameInterpolate"
  | "FileText"
  | "FileObjectId"
  | "FileVoiceId"
  | "SubjectVoiceId"
  | "SubjectImageUrls"
  | "SubjectVideoUrls";

/** Rules of VOD CreateAigcImageTask for one model version. */
export interface VodImageRules {
  /** OutputConfig.Resolution; matched case-insensitively, sent in the catalog's spelling. */
  readonly resolutions?: AllowedValues;
  readonly aspectRatios?: AllowedValues;
  readonly sceneTypes?: AllowedValues;
  /** Most FileInfos (input images). */
  readonly maxReferenceImages?: number;
  readonly outputImageCount?: IntegerRule | NotSupported;
  /** FileInfos[].ReferenceType. */
  readonly referenceTypes?: AllowedValues;
  readonly features?: readonly VodImageFeature[];
}

/** Optional VOD image inputs that only some models take. */
export type VodImageFeature = "FileText";

/** Rules of MPS CreateAigcVideoTask for one model version. */
export interface MpsVideoRules {
  readonly durations?: IntegerRule | NotSupported;
  /** Durations when VideoInfos are given, where they differ. */
  readonly durationsWithVideo?: IntegerRule;
  /** ExtraParameters.Resolution; matched case-insensitively, sent in the catalog's spelling. */
  readonly resolutions?: AllowedValues;
  /** ExtraParameters.AspectRatio. */
  readonly aspectRatios?: AllowedValues;
  /** The generation modes in which AspectRatio is honoured; absent means every mode. */
  readonly aspectRatioModes?: readonly GenerationMode[];
  readonly sceneTypes?: AllowedValues;
  /** LastImageUrl. */
  readonly lastFrame?: LastFrameSupport;
  /** False where ImageInfos (multi-image mode) exclude a last frame. */
  readonly lastFrameWithReferenceImages?: boolean;
  /** Most ImageInfos. */
  readonly maxReferenceImages?: number;
  /** Most ImageInfos when VideoInfos are given, where it differs. */
  readonly maxReferenceImagesWithVideo?: number;
  /** Whether VideoInfos (reference or edited videos) are taken. */
  readonly videoInputs?: boolean;
  readonly features?: readonly MpsVideoFeature[];
}

/** Optional MPS switches that only some models take. */
export type MpsVideoFeature = "EnableAudio" | "OffPeak" | "LogoAdd";

/** Bounds of a free `size` ("WxH") in MPS image AdditionalParameters, where a model documents them. */
export interface ImageSizeBounds {
  /** Each of width and height, inclusive. */
  readonly side?: { readonly min: number; readonly max: number };
  /** Width x height, inclusive. */
  readonly pixels: { readonly min?: number; readonly max: number };
}

/** Rules of MPS CreateAigcImageTask for one model version. */
export interface MpsImageRules {
  /** ExtraParameters.AspectRatio. */
  readonly aspectRatios?: AllowedValues;
  /** ExtraParameters.Resolution. */
  readonly resolutions?: AllowedValues;
  readonly sceneTypes?: AllowedValues;
  /** Most ImageInfos. */
  readonly maxReferenceImages?: number;
  /** AdditionalParameters `size`, where the model takes a free size. */
  readonly size?: ImageSizeBounds | NotSupported;
  readonly features?: readonly never[];
}

/** One model: where it is documented, rules shared by its versions, and its versions. */
export interface ModelEntry<R> {
  /** Which document lists the model (and its documented rules), so a reader can re-check them. */
  readonly source: string;
  /** Rules every version shares unless the version says otherwise: the version-independent rules. */
  readonly rules?: Authored<R>;
  /** Every accepted ModelVersion, with the rules that differ from `rules`. */
  readonly versions: Readonly<Record<string, Authored<R>>>;
}

/** A gated feature: the field it lives in, and which of its values leave it off. */
export interface FeatureField {
  /** Canonical path; `[]` marks an array whose every element is checked. */
  readonly field: string;
  /** Values that leave the feature off (e.g. "Disabled"), so any model may send them. */
  readonly offValues?: readonly (string | number | boolean)[];
  /** Said in the refusal, e.g. "audio generation". */
  readonly label: string;
  /** The doc comment that names the models taking it (model.field). */
  readonly source: string;
  /** Set when which models take it is only inferred: a model outside the list is then warned, not refused. */
  readonly inferred?: boolean;
}

/** The models of one Tencent action. */
export interface ActionCatalog<R, F extends string = never> {
  /** Tencent action and API version, for messages and docs. */
  readonly action: string;
  /** The doc comments the action-wide defaults come from. */
  readonly source: string;
  /** Rules that apply to every model unless the model or version overrides them. */
  readonly defaults: Authored<R>;
  /** Models Tencent no longer lists, with when it stopped: refused, saying so. */
  readonly retired?: Readonly<Record<string, string>>;
  /** Old model names Tencent renamed, to the name it documents now: sent under the new name, with a warning. */
  readonly renamed?: Readonly<Record<string, string>>;
  readonly models: Readonly<Record<string, ModelEntry<R>>>;
  /** Fields only some models take; each model lists the ones it takes in `features`. */
  readonly features: Readonly<Record<F, FeatureField>>;
}

/**
 * Enumerated values Tencent documents for fields that are the same for every model.
 * Source: the doc comments of tencentcloud-sdk-nodejs 4.1.313 (vod 2018-07-17, mps 2019-06-12).
 */

/** VOD's on/off switches (EnhancePrompt, compliance checks, AudioGeneration, LogoAdd, ...). */
export const SWITCH_VALUES = ["Enabled", "Disabled"] as const;

/** OutputConfig.StorageMode: Temporary gives a URL valid 7 days, Permanent a VOD FileId. */
export const STORAGE_MODES = ["Temporary", "Permanent"] as const;

/** OutputConfig.PersonGeneration. */
export const PERSON_GENERATION_VALUES = ["AllowAdult", "Disallowed"] as const;

/** Where input files are stored (VOD InputRegion); default Mainland. */
export const INPUT_REGIONS = ["Mainland", "Oversea", "OverseaUSWest"] as const;

/** How a VOD file input is given. */
export const FILE_INPUT_TYPES = ["File", "Url", "Base64"] as const;

/** Redraw takes its input video only as a VOD file or a URL. */
export const REDRAW_FILE_INPUT_TYPES = ["File", "Url"] as const;

/** VOD video FileInfos[].Category. */
export const FILE_CATEGORIES = ["Image", "Video", "Audio"] as const;

/** VOD video FileInfos[].Usage; an image without Usage is a FirstFrame. */
export const FILE_USAGES = ["FirstFrame", "Reference", "LastFrame"] as const;

/** VOD image OutputConfig.OutputFormat; absent follows the model's default. */
export const IMAGE_OUTPUT_FORMATS = ["jpeg", "png"] as const;

/** MPS VideoInfos[].ReferType: feature = reference video, base = video to edit (the default). */
export const MPS_VIDEO_REFER_TYPES = ["feature", "base"] as const;

/** MPS VideoInfos[].KeepOriginalSound. */
export const MPS_KEEP_ORIGINAL_SOUND_VALUES = ["yes", "no"] as const;

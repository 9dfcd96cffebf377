/**
 * Size and length limits Tencent documents for the AIGC create actions.
 * Source: SDK doc comments and /work/shared/reference/tencent-platform.md.
 */

/** SessionId (VOD dedup key): longer is Tencent's InvalidParameterValue.SessionIdTooLong. */
export const SESSION_ID_MAX_LENGTH = 50;

/** SessionContext (VOD passthrough): longer is InvalidParameterValue.SessionContextTooLong. */
export const SESSION_CONTEXT_MAX_LENGTH = 1000;

/** OutputConfig.MediaName. */
export const MEDIA_NAME_MAX_LENGTH = 64;

/** Redraw TaskInfo.Style. */
export const REDRAW_STYLE_MAX_LENGTH = 50;

/**
 * MPS Prompt: seed 001's "a maximum of 2000 characters"; the SDK 4.1.313 comment of
 * CreateAigcVideoTaskRequest.Prompt gives no limit, so a longer prompt is sent with a warning.
 */
export const MPS_PROMPT_MAX_LENGTH = 2000;

/** TasksPriority range; absent means 0. */
export const TASKS_PRIORITY_MIN = -10;
export const TASKS_PRIORITY_MAX = 10;

/** Decoded bytes of all Base64 inputs of one request together, so the body stays under 10 MB. */
export const BASE64_TOTAL_MAX_BYTES = 7 * 1024 * 1024;

/** Tencent API 3.0 limit for a TC3-signed POST body. */
export const REQUEST_BODY_MAX_BYTES = 10 * 1024 * 1024;

/** VOD SubjectInfos[].ImageUrls: temporary subject images (Vidu). */
export const SUBJECT_IMAGE_URLS_MAX = 3;

/** VOD SubjectInfos[].VideoUrls: one 5-second subject video (Vidu q2-pro). */
export const SUBJECT_VIDEO_URLS_MAX = 1;

/** Redraw input video: shorter than 90 s and within 2 GB (Tencent checks; we cannot see the file). */
export const REDRAW_INPUT_MAX_SECONDS = 90;
export const REDRAW_INPUT_MAX_BYTES = 2 * 1024 * 1024 * 1024;

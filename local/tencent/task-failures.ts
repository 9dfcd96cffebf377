// How an AIGC task can end in failure. The ErrCodeExt values are the enumeration in the doc
// comments of AigcVideoTask / AigcImageTask (vod_models.d.ts); the numeric ErrCode beside each is
// the stand-in's guess, after VOD's task error classes (40000 bad input, 60000 source file,
// 70000 internal), because Tencent documents no numbers for AIGC tasks.

/** Every ErrCodeExt Tencent documents for AIGC tasks. */
export const TASK_ERR_CODE_EXTS = [
  "RequestLimitExceeded",
  "InvalidParameter.VoilationContent",
  "InvalidParameterValue",
  "FailedOperation",
  "InternalError",
  "InvalidParameter",
  "InvalidParameter.MediaFormat",
  "ContentModerationFailed",
  "ResourceInsufficient",
  "ModelGenerateFailed",
  "ResourceNotFound",
  "OperationCanceled",
  "TaskTimeout",
] as const;

export type TaskErrCodeExt = (typeof TASK_ERR_CODE_EXTS)[number];

/** What an injected failure makes a task end with. */
export interface TaskFailure {
  errCodeExt: TaskErrCodeExt;
  errCode: number;
  message: string;
}

const DETAILS: Record<TaskErrCodeExt, { errCode: number; message: string }> = {
  RequestLimitExceeded: { errCode: 70000, message: "The model's concurrency limit was exceeded." },
  "InvalidParameter.VoilationContent": { errCode: 40000, message: "The prompt violates the content security policy." },
  InvalidParameterValue: { errCode: 40000, message: "A parameter value is invalid." },
  FailedOperation: { errCode: 70000, message: "Too many model tasks are queued." },
  InternalError: { errCode: 70000, message: "Internal error." },
  InvalidParameter: { errCode: 40000, message: "A parameter is invalid." },
  "InvalidParameter.MediaFormat": { errCode: 40000, message: "The media format is not supported." },
  ContentModerationFailed: { errCode: 40000, message: "The content did not pass moderation." },
  ResourceInsufficient: { errCode: 70000, message: "Resources are insufficient." },
  ModelGenerateFailed: { errCode: 70000, message: "The model failed to generate the content." },
  ResourceNotFound: { errCode: 60000, message: "An input resource does not exist." },
  OperationCanceled: { errCode: 70000, message: "The operation was canceled." },
  TaskTimeout: { errCode: 70000, message: "The task timed out." },
};

/**
 * The failure a task ends with for an ErrCodeExt, with Tencent-like wording unless a message is
 * given, and the ErrCodeExt's usual ErrCode unless one is given (0: an ErrCodeExt-only failure).
 */
export function taskFailure(errCodeExt: TaskErrCodeExt = "ModelGenerateFailed", message?: string, errCode?: number): TaskFailure {
  const details = DETAILS[errCodeExt];
  return { errCodeExt, errCode: errCode ?? details.errCode, message: message ?? details.message };
}

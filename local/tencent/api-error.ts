// Tencent API 3.0 answers every failure with HTTP 200 and this body, so the stand-in does too.

/** A refusal the stand-in answers as `{"Response":{"Error":{Code,Message},RequestId}}`. */
export class TencentApiError extends Error {
  override readonly name = "TencentApiError";

  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** Tencent's error envelope. */
export function errorResponse(code: string, message: string, requestId: string): object {
  return { Response: { Error: { Code: code, Message: message }, RequestId: requestId } };
}

/** Tencent's success envelope: the action's fields plus RequestId. */
export function successResponse(fields: Record<string, unknown>, requestId: string): object {
  return { Response: { ...fields, RequestId: requestId } };
}

/** MissingParameter, worded like Tencent's. */
export function missingParameter(name: string): TencentApiError {
  return new TencentApiError("MissingParameter", `The request is missing a required parameter \`${name}\`.`);
}

import { describe, expect, it } from "vitest";
import { classifyCode, classifyError } from "../../shared/tencent/call";

describe("classifying Tencent failures", () => {
  it("retries throttling always: a throttled call never ran", () => {
    expect(classifyCode("RequestLimitExceeded")).toEqual({ failure: "throttled", retry: "always" });
    expect(classifyCode("RequestLimitExceeded.UinLimitExceeded")).toEqual({ failure: "throttled", retry: "always" });
  });

  it("retries InternalError and ServiceUnavailable only under a SessionId", () => {
    expect(classifyCode("InternalError").retry).toBe("with-session-id");
    expect(classifyCode("ServiceUnavailable").retry).toBe("with-session-id");
  });

  it("tells a duplicate SessionId apart from a too-long one", () => {
    expect(classifyCode("InvalidParameterValue.SessionId").failure).toBe("duplicate");
    expect(classifyCode("InvalidParameterValue.SessionIdTooLong").failure).toBe("rejected");
  });

  it("blames our own account, not the client, for auth and SubAppId errors", () => {
    for (const code of ["AuthFailure.SignatureFailure", "AuthFailure.SecretIdNotFound", "UnauthorizedOperation", "InvalidParameterValue.SubAppId", "FailedOperation.InvalidVodUser"]) {
      expect(classifyCode(code)).toEqual({ failure: "denied", retry: "never" });
    }
  });

  // LimitExceeded.Quota is what CreateAigcImageTask / CreateAigcVideoTask answer once the AIGC quota the
  // account's owner set (vod_client.d.ts CreateAigcQuota: "达到限额后将无法继续使用 AIGC 功能") is used up;
  // every LimitExceeded code is "超过配额限制" (tencentcloud-sdk-go vod errors.go), an account quota.
  it("reads LimitExceeded.Quota and the other LimitExceeded codes as an account quota, not as Tencent unavailable", () => {
    for (const code of ["LimitExceeded", "LimitExceeded.Quota", "LimitExceeded.TooMuchTemplate"]) {
      expect(classifyCode(code)).toEqual({ failure: "quota-exceeded", retry: "never" });
    }
  });

  it("keeps RequestLimitExceeded throttling apart from the LimitExceeded quotas", () => {
    expect(classifyCode("RequestLimitExceeded").failure).toBe("throttled");
  });

  it("treats a refused connection as never sent, and a reset as possibly run", () => {
    expect(classifyError(new Error("request to http://x/ failed, reason: connect ECONNREFUSED 127.0.0.1:1"), false)).toMatchObject({ failure: "unavailable", retry: "always" });
    expect(classifyError(new Error("request to http://x/ failed, reason: socket hang up"), false)).toMatchObject({ retry: "with-session-id" });
  });

  it("treats our own abort as a timeout", () => {
    expect(classifyError(new Error("The user aborted a request."), true)).toMatchObject({ failure: "timeout", code: "RequestTimeout" });
  });

  it("keeps Tencent's code and RequestId", () => {
    const error = Object.assign(new Error("bad"), { code: "InvalidParameterValue.FileId", requestId: "abc-123" });
    expect(classifyError(error, false)).toMatchObject({ failure: "rejected", code: "InvalidParameterValue.FileId", requestId: "abc-123" });
  });
});

import { describe, expect, it } from "vitest";
import { ConfigError } from "../../shared/config";
import { CosError } from "../../shared/cos/errors";
import { RequestRefused, UpstreamError, type UpstreamFailure } from "../../shared/errors";
import { problemResponse } from "../../shared/http/problem";

function body(response: { body: string }) {
  return JSON.parse(response.body) as Record<string, unknown>;
}

describe("problem+json mapping", () => {
  it.each([
    ["invalid-request", 400],
    ["unauthorized", 401],
    ["route-not-found", 404],
    ["method-not-allowed", 405],
    ["payload-too-large", 413],
    ["unsupported-media-type", 415],
    ["resource-not-found", 404],
    ["idempotency-in-flight", 409],
    ["idempotency-mismatch", 422],
  ] as const)("answers a %s refusal with %i", (kind, status) => {
    const response = problemResponse(new RequestRefused(kind, "Code.X", "detail"), "req-1");
    expect(response.status).toBe(status);
    expect(response.headers["content-type"]).toBe("application/problem+json");
    expect(body(response)).toMatchObject({ status, code: "Code.X", requestId: "req-1", detail: "detail", type: expect.stringContaining(":") });
  });

  it.each([
    ["rejected", 400],
    ["duplicate", 409],
    ["throttled", 429],
    ["quota-exceeded", 429],
    ["denied", 502],
    ["failed", 502],
    ["unavailable", 503],
    ["timeout", 504],
  ] as const)("answers an upstream %s failure with %i", (failure: UpstreamFailure, status: number) => {
    const error = new UpstreamError(failure, "Some.Code", "tencent says no", { action: "CreateAigcVideoTask", attempts: 2, upstreamRequestId: "up-1" });
    const response = problemResponse(error, "req-2");
    expect(response.status).toBe(status);
    expect(body(response)).toMatchObject({ code: "Some.Code", upstreamRequestId: "up-1", requestId: "req-2" });
  });

  it("keeps Tencent's message out of a 5xx body", () => {
    const error = new UpstreamError("failed", "InternalError", "stack at backend-42 10.0.0.7", { action: "CreateAigcVideoTask", attempts: 3 });
    expect(problemResponse(error, "r").body).not.toContain("10.0.0.7");
  });

  it("says Retry-After on throttling", () => {
    const error = new UpstreamError("throttled", "RequestLimitExceeded", "slow down", { action: "A", attempts: 5, retryAfterSeconds: 2 });
    expect(problemResponse(error, "r").headers["retry-after"]).toBe("2");
  });

  it("answers an account quota (LimitExceeded.Quota) with 429, Tencent's code and message, and no Retry-After", () => {
    const error = new UpstreamError("quota-exceeded", "LimitExceeded.Quota", "The quota limit is exceeded.", { action: "CreateAigcVideoTask", attempts: 1, upstreamRequestId: "up-9" });
    const response = problemResponse(error, "r");
    expect(response.status).toBe(429);
    expect(response.headers["retry-after"]).toBeUndefined();
    expect(body(response)).toMatchObject({
      type: "urn:tencent-aigc-scf:problem:upstream-quota-exceeded",
      code: "LimitExceeded.Quota",
      detail: "CreateAigcVideoTask: The quota limit is exceeded.",
      upstreamRequestId: "up-9",
    });
  });

  it("adds WWW-Authenticate to a 401 and Allow to a 405", () => {
    expect(problemResponse(new RequestRefused("unauthorized", "C", "d"), "r").headers["www-authenticate"]).toMatch(/^Bearer/);
    expect(problemResponse(new RequestRefused("method-not-allowed", "C", "d", { allow: ["POST"] }), "r").headers.allow).toBe("POST");
  });

  it("hides configuration problems and unexpected errors behind a generic 500", () => {
    const config = problemResponse(new ConfigError("AIGC_VOD_SUBAPPID", "is required"), "r");
    const crash = problemResponse(new TypeError("cannot read x of undefined at /var/user/index.js:1"), "r");
    expect([config.status, crash.status]).toEqual([500, 500]);
    expect(config.body).not.toContain("AIGC_VOD_SUBAPPID");
    expect(crash.body).not.toContain("index.js");
  });

  it("lists field issues for invalid input", () => {
    const issues = [{ field: "Prompt", message: "is required", code: "MissingParameter" }];
    const response = problemResponse(new RequestRefused("invalid-request", "MissingParameter", "Prompt: is required", { issues }), "r");
    expect(body(response).errors).toEqual(issues);
  });

  it("answers 503 with Retry-After when task storage is briefly unavailable, and 500 otherwise, without COS details", () => {
    const busy = problemResponse(new CosError({ status: 503, code: "SlowDown", message: "bucket media-1250000000 slow down", retryable: true }), "r");
    const broken = problemResponse(new CosError({ status: 403, code: "AccessDenied", message: "bucket media-1250000000 denied", retryable: false }), "r");
    expect([busy.status, broken.status]).toEqual([503, 500]);
    expect(busy.headers["retry-after"]).toBe("1");
    expect(busy.body + broken.body).not.toContain("media-1250000000");
  });
});

describe("Tencent's error envelope in every problem", () => {
  const errors: Array<[string, unknown]> = [
    ["a refusal", new RequestRefused("invalid-request", "InvalidParameterValue.Duration", "Duration 7 is not supported")],
    ["an upstream 4xx", new UpstreamError("rejected", "InvalidParameter", "tencent says no", { action: "CreateAigcVideoTask", attempts: 1 })],
    ["an upstream 5xx", new UpstreamError("failed", "InternalError", "secret internals", { action: "CreateAigcVideoTask", attempts: 5 })],
    ["a storage failure", new CosError({ status: 500, code: "InternalError", message: "bucket internals", retryable: false })],
    ["a configuration problem", new ConfigError("AIGC_API_TOKENS", "config internals")],
    ["an unexpected error", new Error("stack internals")],
  ];

  it.each(errors)("gives %s a Response with Error.Code = code, Error.Message = detail and RequestId = requestId", (_, error) => {
    const problem = body(problemResponse(error, "req-9"));
    expect(problem.Response).toEqual({ Error: { Code: problem.code, Message: problem.detail }, RequestId: "req-9" });
  });

  it.each(errors.slice(2))("keeps the internals of %s out of the envelope too", (_, error) => {
    expect(JSON.stringify(body(problemResponse(error, "req-9")).Response)).not.toMatch(/internals/);
  });
});

import { describe, expect, it } from "vitest";
import { ConfigError, readConfig } from "../../shared/config";

describe("configuration", () => {
  it("has working defaults with nothing set", () => {
    const config = readConfig({});
    expect(config.region).toBe("ap-guangzhou");
    expect(config.vodEndpoint.href).toBe("https://vod.tencentcloudapi.com/");
    expect(config.mpsEndpoint.href).toBe("https://mps.tencentcloudapi.com/");
    expect(config.apiTokens).toEqual([]);
    expect(config.allowUnlistedModels).toBe(false);
    expect(config.credentials).toBeUndefined();
  });

  it("maps SCF's credential variables explicitly", () => {
    const config = readConfig({ TENCENTCLOUD_SECRETID: "id", TENCENTCLOUD_SECRETKEY: "key", TENCENTCLOUD_SESSIONTOKEN: "tok" });
    expect(config.credentials).toEqual({ secretId: "id", secretKey: "key", token: "tok" });
  });

  it.each([
    ["AIGC_VOD_SUBAPPID", "abc"],
    ["AIGC_VOD_SUBAPPID", "-5"],
    ["AIGC_REGION", "Guangzhou"],
    ["AIGC_VOD_ENDPOINT", "not a url"],
    ["AIGC_MPS_ENDPOINT", "ftp://example.com"],
    ["AIGC_ALLOW_UNLISTED_MODELS", "yes"],
    ["AIGC_API_TOKENS", "sha256:xyz"],
    ["AIGC_UPSTREAM_TIMEOUT_MS", "0"],
    ["AIGC_WEBHOOK_SECRET", "whsec_dG9vc2hvcnQ="],
    ["AIGC_WEBHOOK_SECRET", "a-raw-secret-that-is-long-enough-but-not-whsec"],
    ["AIGC_REDRAW_BUCKET", "bucket-without-appid"],
    ["AIGC_KEEP_RESULTS", "maybe"],
  ])("fails on a bad %s naming the variable", (name, value) => {
    let caught: unknown;
    try {
      readConfig({ [name]: value });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    expect((caught as ConfigError).variable).toBe(name);
    expect((caught as Error).message).toContain(name);
  });

  it("refuses half a credential pair", () => {
    expect(() => readConfig({ TENCENTCLOUD_SECRETID: "id" })).toThrow(/TENCENTCLOUD_SECRETKEY/);
  });

  it("scales the tracker's poll schedule by AIGC_TRACKER_POLL_SCALE, 1 by default", () => {
    expect(readConfig({}).trackerPollScale).toBe(1);
    expect(readConfig({ AIGC_TRACKER_POLL_SCALE: "0" }).trackerPollScale).toBe(0);
    expect(() => readConfig({ AIGC_TRACKER_POLL_SCALE: "-1" })).toThrow(/AIGC_TRACKER_POLL_SCALE/);
  });

  it("splits the tracker into AIGC_TRACKER_SHARDS shards, 1 by default, at most 12", () => {
    expect(readConfig({}).trackerShards).toBe(1);
    expect(readConfig({ AIGC_TRACKER_SHARDS: "4" }).trackerShards).toBe(4);
    for (const bad of ["0", "13", "2.5", "four", "-1"]) expect(() => readConfig({ AIGC_TRACKER_SHARDS: bad })).toThrow(/AIGC_TRACKER_SHARDS/);
  });

  it("reads the SubAppId as a number", () => {
    expect(readConfig({ AIGC_VOD_SUBAPPID: "251007502" }).vodSubAppId).toBe(251007502);
  });

  it("refuses input and output prefixes that overlap, which would redraw our own results forever", () => {
    expect(() => readConfig({ AIGC_REDRAW_BUCKET: "media-1250000000", AIGC_REDRAW_INPUT_PREFIX: "videos/", AIGC_REDRAW_OUTPUT_PREFIX: "videos/out/" })).toThrow(/AIGC_REDRAW_OUTPUT_PREFIX/);
  });

  it("keeps the ledger in the redraw bucket unless told otherwise", () => {
    const config = readConfig({ AIGC_REDRAW_BUCKET: "media-1250000000", AIGC_REGION: "ap-shanghai" });
    expect(config.ledger).toEqual({ bucket: "media-1250000000", region: "ap-shanghai", prefix: ".aigc-ledger/" });
  });

  it("accepts a Standard Webhooks secret", () => {
    const secret = `whsec_${Buffer.alloc(32, 7).toString("base64")}`;
    expect(readConfig({ AIGC_WEBHOOK_SECRET: secret }).webhookSecret).toBe(secret);
  });
});

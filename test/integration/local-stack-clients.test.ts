/**
 * `npm start` used the way a team tries its own tools before deploying: Tencent's official COS
 * SDK uploading a video in parts, Tencent's official API SDK pointed at the printed endpoint, and
 * the result fetched with `npm run download` / `npm run upload -- --wait`.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import COS from "cos-nodejs-sdk-v5";
import * as tencentcloud from "tencentcloud-sdk-nodejs";
import { afterAll, beforeAll, describe, expect, it, inject } from "vitest";
import { DEV_SECRET_ID, DEV_SECRET_KEY } from "../../local/dev-credentials";
import { LOCAL_BUCKET } from "../../local/stack";
import { startNpmStart, type StartedStack } from "../support/npm-start";

const root = join(__dirname, "..", "..");
const run = promisify(execFile);
const BUCKET = { Bucket: LOCAL_BUCKET, Region: "ap-guangzhou" };
/** What the stand-in serves as every video result. */
const RESULT_VIDEO = readFileSync(join(root, "local", "assets", "aigc-video.mp4"));

let scratch: string;
let stack: StartedStack;

beforeAll(async () => {
  scratch = mkdtempSync(join(tmpdir(), "local-stack-clients-"));
  stack = await startNpmStart({ AIGC_BUILD_DIR: join(scratch, "dist") }, { timeoutMs: 90_000 });
}, 120_000);

afterAll(async () => {
  await stack?.stop();
  rmSync(scratch, { recursive: true, force: true });
});

/** Runs one of the package's scripts against this stack, as `npm run <name> -- ...` does. */
function script(name: string, args: string[]) {
  return run(process.execPath, [join(root, "node_modules", "tsx", "dist", "cli.mjs"), join(root, "scripts", `${name}.ts`), ...args], {
    cwd: root,
    env: { ...process.env, AIGC_COS_ENDPOINT: stack.cosUrl, AIGC_LOCAL_URL: stack.url },
  });
}

/** Tencent stand-in log lines of npm start for one action's created tasks. */
function createdTasks(action: string): unknown[] {
  return stack
    .output()
    .split("\n")
    .filter((line) => line.startsWith("{"))
    .map((line) => JSON.parse(line) as Record<string, unknown>)
    .filter((line) => line["action"] === action && line["outcome"] === "created");
}

describe("npm start with the official clients", () => {
  it("redraws a video uploaded in parts by cos-nodejs-sdk-v5 exactly once, and npm run download saves the result and its sidecar", async () => {
    const file = join(scratch, "clip.mp4");
    writeFileSync(file, Buffer.alloc(2.5 * 1024 * 1024, 7));
    const sdk = new COS({ SecretId: DEV_SECRET_ID, SecretKey: DEV_SECRET_KEY, Domain: new URL(stack.cosUrl ?? "").host, Protocol: "http:", ForcePathStyle: true, ConfCwd: inject("runScratchDir") });
    await sdk.uploadFile({ ...BUCKET, Key: "in/multipart/clip.mp4", FilePath: file });

    const { stdout } = await script("download", ["out/multipart/clip.mp4", "--wait", "--to", join(scratch, "downloads")]);
    const saved = join(scratch, "downloads", "out", "multipart", "clip.mp4");
    expect({
      printed: [stdout.includes(saved), stdout.includes(`${saved}.json`)],
      result: Buffer.compare(readFileSync(saved), RESULT_VIDEO) === 0,
      sidecar: (JSON.parse(readFileSync(`${saved}.json`, "utf8")) as { status: string }).status,
      redrawTasks: createdTasks("CreateAigcVideoRedrawTask").length,
    }).toEqual({ printed: [true, true], result: true, sidecar: "succeeded", redrawTasks: 1 });
  }, 60_000);

  it("uploads with npm run upload -- --wait and prints where the result was saved", async () => {
    const { stdout } = await script("upload", [join(root, "local", "assets", "aigc-video.mp4"), "in/waited.mp4", "--wait", "--to", join(scratch, "waited")]);
    const saved = join(scratch, "waited", "out", "waited.mp4");
    expect([stdout.includes(`result saved to ${saved}`), Buffer.compare(readFileSync(saved), RESULT_VIDEO) === 0]).toEqual([true, true]);
  }, 60_000);

  it("answers tencentcloud-sdk-nodejs pointed at the printed Tencent endpoint", async () => {
    const endpoint = /Tencent API 3\.0 endpoint\s+(\S+)/.exec(stack.output())?.[1] ?? "";
    const vod = new tencentcloud.vod.v20180717.Client({
      credential: { secretId: DEV_SECRET_ID, secretKey: DEV_SECRET_KEY },
      region: "ap-guangzhou",
      profile: { httpProfile: { protocol: "http://", endpoint } },
    });
    const { TaskId } = await vod.CreateAigcImageTask({ SubAppId: 251007502, ModelName: "GEM", ModelVersion: "2.5", Prompt: "a car" });
    expect(TaskId).toMatch(/-AigcImage/);
  });

  it("prints the development SecretId, SecretKey and webhook secret", () => {
    expect([stack.output().includes(DEV_SECRET_ID), stack.output().includes(DEV_SECRET_KEY), /Webhook secret\s+whsec_/.test(stack.output())]).toEqual([true, true, true]);
  });
});

/** Closing the local stack (what Ctrl-C and SIGTERM to npm start do) while a tracker tick runs. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main_handler as mpsVideo } from "../../functions/mps-aigc-video";
import { main_handler as taskQuery } from "../../functions/task-query";
import { main_handler as taskTracker } from "../../functions/task-tracker";
import { main_handler as vodImage } from "../../functions/vod-aigc-image";
import { main_handler as vodRedraw } from "../../functions/vod-aigc-redraw";
import { main_handler as vodVideo } from "../../functions/vod-aigc-video";
import { ObjectStore } from "../../local/cos/store";
import { LOCAL_BUCKET, startLocalStack } from "../../local/stack";
import { resetConfigCache } from "../../shared/config";

const savedEnv = { ...process.env };
let cosDataDir: string;

beforeAll(() => {
  cosDataDir = mkdtempSync(join(tmpdir(), "aigc-stack-shutdown-"));
  process.env = { ...savedEnv };
  for (const name of ["AIGC_API_TOKENS", "AIGC_VOD_SUBAPPID", "AIGC_REDRAW_BUCKET", "AIGC_COS_ENDPOINT", "AIGC_LEDGER_PREFIX"]) delete process.env[name];
  resetConfigCache();
});

afterAll(() => {
  process.env = savedEnv;
  resetConfigCache();
  rmSync(cosDataDir, { recursive: true, force: true });
});

describe("closing the local stack", () => {
  it("lets a running tracker tick finish, so its lease is given back", async () => {
    let leaseTaken: () => void = () => undefined;
    const taken = new Promise<void>((resolve) => (leaseTaken = resolve));
    const stack = await startLocalStack({
      target: "local",
      env: process.env,
      cosDataDir,
      trackerPeriodMs: 0,
      handlers: { "vod-aigc-video": vodVideo, "vod-aigc-image": vodImage, "vod-aigc-redraw": vodRedraw, "mps-aigc-video": mpsVideo, "task-query": taskQuery, "task-tracker": taskTracker },
      // The COS stand-in logs each request as its answer goes out: the lease PUT is the tick's first write.
      log: (line) => {
        if (line["method"] === "PUT" && String(line["key"]).includes("/locks/") && line["status"] === 200) leaseTaken();
      },
    });
    const tick = stack.runTracker();
    await taken;
    await stack.close();
    await tick;
    const locks = new ObjectStore(cosDataDir).listSync(LOCAL_BUCKET).filter((object) => object.key.includes("/locks/"));
    expect(locks.map((object) => object.key)).toEqual([]);
  });
});

/**
 * Vitest global setup: one scratch folder for the whole run, removed after the last test file has
 * ended. For files written after a test's own clean-up could run, such as the upload-resume cache
 * cos-nodejs-sdk-v5 writes 400 ms after an upload (its `ConfCwd`).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestProject } from "vitest/node";

declare module "vitest" {
  export interface ProvidedContext {
    /** A folder that lives as long as the test run. */
    runScratchDir: string;
  }
}

/** Creates the run's scratch folder; the returned teardown removes it. */
export default function setup(project: TestProject): () => void {
  const dir = mkdtempSync(join(tmpdir(), "aigc-test-run-"));
  project.provide("runScratchDir", dir);
  return () => rmSync(dir, { recursive: true, force: true });
}

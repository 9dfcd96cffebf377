/**
 * `npm run catalog:check` (scripts/catalog-check.ts): the installed SDK's doc comments against the
 * model catalog. It passes on the repository, and fails, saying what differs, when the catalog lacks
 * a model, version or value the SDK lists, or states as documented one the SDK no longer lists.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { inferred, type ActionCatalog } from "../../shared/catalog";
import { installedSdk } from "../../scripts/catalog-check";
import { checkCatalog, formatReport, hasErrors, repositoryCatalogs, type CatalogCheckInput } from "../../scripts/catalog-check/check";

const ROOT = path.join(__dirname, "..", "..");
const sdk = installedSdk();
const repository = repositoryCatalogs();
const temp = mkdtempSync(path.join(tmpdir(), "catalog-check-"));
afterAll(() => rmSync(temp, { recursive: true, force: true }));

let copies = 0;
/** A copy of one SDK file with `replace` applied (which must change it), to stand for a newer SDK. */
function sdkCopy(file: "vod" | "mps", from: string | RegExp, to: string): CatalogCheckInput["sdkFiles"] {
  const text = readFileSync(sdk.files[file], "utf8");
  const changed = text.replace(from, to);
  if (changed === text) throw new Error(`the ${file} d.ts has no "${from}" to change`);
  copies += 1;
  const copy = path.join(temp, `${copies}-${file}_models.d.ts`);
  writeFileSync(copy, changed);
  return { ...sdk.files, [file]: copy };
}

/** A catalog with one model's entry replaced. */
function withModel(catalog: ActionCatalog<object, string>, model: string, change: (entry: NonNullable<ActionCatalog<object, string>["models"][string]>) => object): ActionCatalog<object, string> {
  const entry = catalog.models[model];
  if (!entry) throw new Error(`no model ${model}`);
  return { ...catalog, models: { ...catalog.models, [model]: change(entry) as typeof entry } };
}

function messages(input: Partial<CatalogCheckInput>, severity: "error" | "note" = "error"): string[] {
  const result = checkCatalog({ sdkFiles: sdk.files, ...repository, ...input });
  return result.differences.filter((difference) => difference.severity === severity).map((difference) => `${difference.scope}: ${difference.message}`);
}

describe("catalog:check on the repository", () => {
  it("finds no error between the installed SDK and the catalog", () => {
    const result = checkCatalog({ sdkFiles: sdk.files, ...repository });
    expect(result.differences.filter((difference) => difference.severity === "error")).toEqual([]);
    expect(result.compared.models).toBeGreaterThan(15);
    expect(result.compared.versions).toBeGreaterThan(60);
  });

  it("notes VOD image Mingmou, which only the ModelVersion comment lists", () => {
    expect(messages({}, "note")).toContain("VOD CreateAigcImageTask: Mingmou is listed by the SDK's ModelVersion comment only, not by its ModelName comment; the catalog keeps it");
  });

  it("exits 0 as npm run catalog:check, with a summary line", async () => {
    const { stdout } = await promisify(execFile)(process.execPath, [path.join(ROOT, "node_modules", "tsx", "dist", "cli.mjs"), path.join(ROOT, "scripts", "catalog-check.ts")], { cwd: ROOT });
    expect(stdout).toMatch(/^catalog:check: \d+ models, \d+ versions and \d+ enum fields compared with tencentcloud-sdk-nodejs [\d.]+: no errors/m);
  });
});

describe("catalog:check against a newer SDK", () => {
  it("fails when the SDK lists a version the catalog lacks", () => {
    const sdkFiles = sdkCopy("vod", "当 ModelName 是 Kling，可选值为 1.6、", "当 ModelName 是 Kling，可选值为 3.1、1.6、");
    expect(messages({ sdkFiles })).toEqual(["VOD CreateAigcVideoTask: Kling 3.1 is listed by the SDK (ModelVersion) but not by the catalog"]);
  });

  it("fails when the SDK lists a model the catalog lacks", () => {
    const sdkFiles = sdkCopy("mps", "<br>H2。</p>", "<br>H2，<br>Seedance。</p>");
    expect(messages({ sdkFiles })).toEqual(["MPS CreateAigcVideoTask: Seedance is listed by the SDK (ModelName) but not by the catalog"]);
  });

  it("fails when MPS image lists a version the catalog lacks", () => {
    const sdkFiles = sdkCopy("mps", "<li>Qwen，可选 [0925]。</li>", "<li>Qwen，可选 [0925、2.0]。</li>");
    expect(messages({ sdkFiles })).toEqual(["MPS CreateAigcImageTask: Qwen 2.0 is listed by the SDK (ModelVersion) but not by the catalog"]);
  });

  it("fails when the SDK lists again a model the catalog retires", () => {
    const sdkFiles = sdkCopy("mps", "<br>H2。</p>", "<br>H2，<br>GV。</p>");
    expect(messages({ sdkFiles })).toEqual([expect.stringMatching(/^MPS CreateAigcVideoTask: GV is listed by the SDK \(ModelName\) but the catalog retires it: Tencent removed it/)]);
  });

  it("fails when the SDK no longer lists a version the catalog documents", () => {
    const sdkFiles = sdkCopy("mps", "PixVerse，可选 [v5.6、v6、c1]", "PixVerse，可选 [v6、c1]");
    expect(messages({ sdkFiles })).toEqual(["MPS CreateAigcVideoTask: PixVerse v5.6 is listed by the catalog but not by the SDK (ModelVersion)"]);
  });

  it("fails when the SDK lists a scene the catalog lacks", () => {
    const sdkFiles = sdkCopy("vod", "template_effect 表示特效模板；", "template_effect 表示特效模板；    lip_sync 表示对口型；");
    expect(messages({ sdkFiles })).toEqual(["VOD CreateAigcVideoTask: Vidu SceneType lip_sync is listed by the SDK (SceneType) but not by the catalog"]);
  });

  it("fails when an enum gains a value", () => {
    const sdkFiles = sdkCopy("vod", "<ul><li>jpeg</li><li>png</li></ul>", "<ul><li>jpeg</li><li>png</li><li>webp</li></ul>");
    expect(messages({ sdkFiles })).toEqual(["VOD AigcImageOutputConfig.OutputFormat: webp is listed by the SDK but not by the catalog (IMAGE_OUTPUT_FORMATS)"]);
  });

  it("fails, saying where, when a comment no longer has a shape it reads", () => {
    // MPS video's version list (the image one starts with Hunyuan 3.0) in a shape the parser does not know.
    const sdkFiles = sdkCopy("mps", /(模型稳定版本。<\/p>)<ol><li>Hunyuan，可选 \[1\.5\][\s\S]*?<\/ol>/, "$1<ol><li>见各模型官网。</li></ol>");
    expect(messages({ sdkFiles })).toEqual([expect.stringMatching(/^MPS CreateAigcVideoTask: the SDK's doc comment could not be read: no "ModelName 是 X，可选值为" or "X，可选 \[\.\.\.\]" item in "<p>指定模型特定版本号/)]);
  });
});

describe("catalog:check against a changed catalog", () => {
  it("fails when a version is removed from the catalog", () => {
    const vodVideo = withModel(repository.catalogs.vodVideo, "Kling", (entry) => {
      const { "2.6": _removed, ...versions } = entry.versions;
      return { ...entry, versions };
    });
    expect(messages({ catalogs: { ...repository.catalogs, vodVideo } })).toEqual(["VOD CreateAigcVideoTask: Kling 2.6 is listed by the SDK (ModelVersion) but not by the catalog"]);
  });

  it("fails when the catalog lists a model the SDK does not", () => {
    const vodImage = { ...repository.catalogs.vodImage, models: { ...repository.catalogs.vodImage.models, Seedream: { source: "a guess", versions: { "4.0": {} } } } };
    expect(messages({ catalogs: { ...repository.catalogs, vodImage } })).toEqual(["VOD CreateAigcImageTask: Seedream is listed by the catalog but not by the SDK (neither ModelName nor ModelVersion)"]);
  });

  it("fails on a documented scene the SDK does not list, and only notes an inferred one", () => {
    const documented = withModel(repository.catalogs.mpsVideo, "Hailuo", (entry) => ({ ...entry, rules: { ...entry.rules, sceneTypes: ["land2port"] } }));
    expect(messages({ catalogs: { ...repository.catalogs, mpsVideo: documented } })).toEqual([
      "MPS CreateAigcVideoTask: Hailuo SceneType land2port is listed by the catalog as documented but not by the SDK (SceneType)",
    ]);
    const guessed = withModel(repository.catalogs.mpsVideo, "Hailuo", (entry) => ({ ...entry, rules: { ...entry.rules, sceneTypes: inferred(["land2port"], "the Mingmou scene") } }));
    const catalogs = { ...repository.catalogs, mpsVideo: guessed };
    expect(messages({ catalogs })).toEqual([]);
    expect(messages({ catalogs }, "note")).toContain("MPS CreateAigcVideoTask: Hailuo SceneType land2port is listed by the catalog as inferred (the Mingmou scene) but not by the SDK (SceneType)");
  });

  it("fails when an enum of the catalog has a value the SDK does not list", () => {
    const enums = { ...repository.enums, INPUT_REGIONS: [...repository.enums.INPUT_REGIONS, "Europe"] };
    expect(messages({ enums })).toEqual([
      "VOD CreateAigcVideoTaskRequest.InputRegion: Europe is listed by the catalog (INPUT_REGIONS) but not by the SDK",
      "VOD CreateAigcImageTaskRequest.InputRegion: Europe is listed by the catalog (INPUT_REGIONS) but not by the SDK",
    ]);
  });
});

describe("the report", () => {
  it("prints one line per difference and a summary, and only errors fail", () => {
    const vodVideo = withModel(repository.catalogs.vodVideo, "GV", (entry) => {
      const { omni: _removed, ...versions } = entry.versions;
      return { ...entry, versions };
    });
    const result = checkCatalog({ sdkFiles: sdk.files, ...repository, catalogs: { ...repository.catalogs, vodVideo }, sdkVersion: { installed: "4.1.400", catalog: "4.1.313" } });
    const report = formatReport(result, "tencentcloud-sdk-nodejs 4.1.400").split("\n");
    expect(report).toContain("error VOD CreateAigcVideoTask: GV omni is listed by the SDK (ModelVersion) but not by the catalog");
    expect(report).toContain("note  tencentcloud-sdk-nodejs: 4.1.400 is installed, but the catalog cites 4.1.313 (shared/catalog/sources.ts): re-read the rules whose comments changed");
    expect(report.at(-1)).toMatch(/compared with tencentcloud-sdk-nodejs 4\.1\.400: 1 error, 2 notes$/);
    expect(hasErrors(result)).toBe(true);
    expect(hasErrors(checkCatalog({ sdkFiles: sdk.files, ...repository, sdkVersion: { installed: "4.1.400", catalog: "4.1.313" } }))).toBe(false);
  });
});

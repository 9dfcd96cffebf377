import { describe, expect, it } from "vitest";
import { z } from "zod";
import {
  NOT_SUPPORTED,
  describeIntegerRule,
  lookupModel,
  mpsVideoCatalog,
  resolvedVersions,
  vodImageCatalog,
  vodVideoCatalog,
  type ActionCatalog,
  type IntegerRule,
} from "../../shared/catalog";
import { keyShapeOf, requestSchemas, type TaskKind } from "../../shared/validation";

const CATALOGS = {
  "vod-video": vodVideoCatalog,
  "vod-image": vodImageCatalog,
  "mps-video": mpsVideoCatalog,
} as unknown as Record<string, ActionCatalog<Record<string, unknown>, string>>;

/** Every (action, model, version, resolved rules) in the catalog. */
function everyVersion() {
  return Object.entries(CATALOGS).flatMap(([action, catalog]) =>
    Object.entries(catalog.models).flatMap(([model, entry]) =>
      resolvedVersions(catalog, entry).map(([version, rules, sources]) => ({ action, catalog, model, version, rules, sources })),
    ),
  );
}

function isIntegerRule(value: unknown): value is IntegerRule {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

describe("model catalog integrity", () => {
  it("gives every model a source, and every model but MPS Mingmou (which Tencent lists without versions) at least one version", () => {
    for (const [action, catalog] of Object.entries(CATALOGS)) {
      expect(catalog.source.trim(), action).not.toBe("");
      for (const [model, entry] of Object.entries(catalog.models)) {
        if (!(action === "mps-video" && model === "Mingmou")) expect(Object.keys(entry.versions).length, `${action} ${model} versions`).toBeGreaterThan(0);
        expect(entry.source.trim(), `${action} ${model} source`).not.toBe("");
      }
    }
  });

  it("gives every resolved rule a strength and a source", () => {
    for (const { action, model, version, rules, sources } of everyVersion()) {
      for (const key of Object.keys(rules)) {
        const source = sources[key];
        expect(source?.strength, `${action} ${model} ${version} ${key}`).toMatch(/^(documented|inferred)$/);
        expect(source?.source.trim(), `${action} ${model} ${version} ${key}`).not.toBe("");
      }
    }
  });

  it("cites the SDK release for every documented rule", () => {
    for (const { action, model, version, sources } of everyVersion()) {
      for (const [key, source] of Object.entries(sources)) {
        if (source?.strength === "documented") expect(source.source, `${action} ${model} ${version} ${key}`).toContain("SDK 4.1.313");
      }
    }
  });

  it("keeps integer rules sane: non-empty, positive, ranges ascending", () => {
    for (const { action, model, version, rules } of everyVersion()) {
      for (const key of ["durations", "durationsWithVideo", "outputImageCount"]) {
        const rule = rules[key];
        if (rule === undefined || rule === NOT_SUPPORTED) continue;
        const where = `${action} ${model} ${version} ${key}`;
        expect(isIntegerRule(rule), where).toBe(true);
        if ("min" in (rule as object)) {
          const { min, max } = rule as { min: number; max: number };
          expect(Number.isInteger(min) && Number.isInteger(max) && min >= 1 && min <= max, where).toBe(true);
        } else {
          const { values } = rule as { values: number[] };
          expect(values.length, where).toBeGreaterThan(0);
          expect(values.every((value) => Number.isInteger(value) && value >= 1), where).toBe(true);
        }
      }
    }
  });

  it("says 'not supported' with NOT_SUPPORTED, never with an empty list, and lists no value twice", () => {
    for (const { action, model, version, rules } of everyVersion()) {
      for (const key of ["resolutions", "aspectRatios", "sceneTypes", "referenceTypes"]) {
        const values = rules[key];
        if (values === undefined || values === NOT_SUPPORTED) continue;
        const where = `${action} ${model} ${version} ${key}`;
        expect(Array.isArray(values), where).toBe(true);
        const list = values as string[];
        expect(list.length, where).toBeGreaterThan(0);
        expect(new Set(list.map((value) => value.toLowerCase())).size, where).toBe(list.length);
      }
    }
  });

  it("keeps image maxima positive integers", () => {
    for (const { action, model, version, rules } of everyVersion()) {
      for (const key of ["maxReferenceImages", "maxReferenceImagesWithVideo"]) {
        const max = rules[key];
        if (max === undefined) continue;
        expect(Number.isInteger(max) && (max as number) >= 1, `${action} ${model} ${version} ${key}`).toBe(true);
      }
    }
  });

  it("only lists features the action defines", () => {
    for (const { action, catalog, model, version, rules } of everyVersion()) {
      for (const feature of (rules.features as string[] | undefined) ?? []) {
        expect(Object.keys(catalog.features), `${action} ${model} ${version}`).toContain(feature);
      }
    }
  });

  it("makes a resolution-bound last frame name a resolution the version takes", () => {
    for (const { action, model, version, rules } of everyVersion()) {
      const lastFrame = rules.lastFrame;
      if (typeof lastFrame !== "object" || lastFrame === null) continue;
      const resolutions = (rules.resolutions as string[] | undefined)?.map((value) => value.toUpperCase());
      expect(resolutions, `${action} ${model} ${version}`).toContain((lastFrame as { onlyAtResolution: string }).onlyAtResolution.toUpperCase());
    }
  });

  it("has no two request keys in one object that collide once normalised", () => {
    for (const kind of Object.keys(requestSchemas) as TaskKind[]) {
      expect(() => keyShapeOf(requestSchemas[kind]), kind).not.toThrow();
    }
  });

  it("refuses a schema whose keys collide once normalised", () => {
    const clashing = z.object({ EnableBGM: z.string(), enable_bgm: z.string() });
    expect(() => keyShapeOf(clashing)).toThrow(/EnableBGM and enable_bgm/);
  });
});

describe("model catalog contents", () => {
  it("lists only the models Tencent's current doc comments name: no GV on MPS, GG for images (GEM renamed), no SI or Qwen", () => {
    // mps CreateAigcVideoTaskRequest.ModelName (4.1.313): Hunyuan, Hailuo, Kling, Vidu, PixVerse, Mingmou, H2.
    expect(Object.keys(mpsVideoCatalog.models).sort()).toEqual(["H2", "Hailuo", "Hunyuan", "Kling", "Mingmou", "PixVerse", "Vidu"]);
    // vod CreateAigcImageTaskRequest.ModelName: OG, GG, Hunyuan, Vidu, Kling; ModelVersion adds Mingmou.
    expect(Object.keys(vodImageCatalog.models).sort()).toEqual(["GG", "Hunyuan", "Kling", "Mingmou", "OG", "Vidu"]);
    expect(vodImageCatalog.renamed).toEqual({ GEM: "GG" });
  });

  it("gives GG 2.5 three reference images and GG 3.0 fourteen, as CreateAigcImageTaskRequest.FileInfos documents", () => {
    const gg25 = lookupModel(vodImageCatalog, "GG", "2.5");
    const gg30 = lookupModel(vodImageCatalog, "GG", "3.0");
    expect(gg25.found && gg25.rules.maxReferenceImages).toBe(3);
    expect(gg30.found && gg30.sources.maxReferenceImages).toMatchObject({ strength: "documented" });
    expect(gg30.found && gg30.rules.maxReferenceImages).toBe(14);
  });

  it("matches model names and versions ignoring case, answering in Tencent's spelling", () => {
    expect(lookupModel(vodVideoCatalog, "kling", "3.0-omni")).toMatchObject({ found: true, model: "Kling", version: "3.0-Omni" });
    expect(lookupModel(vodVideoCatalog, "KLING", "o1")).toBe(lookupModel(vodVideoCatalog, "Kling", "O1"));
  });

  it("gives only Kling and OG an effect for OutputImageCount on images, and only warns for the others (Tencent ignores it)", () => {
    const takers = Object.entries(vodImageCatalog.models)
      .filter(([model]) => {
        const found = lookupModel(vodImageCatalog, model, undefined);
        return found.found && found.rules.outputImageCount !== NOT_SUPPORTED;
      })
      .map(([model]) => model);
    expect(takers.sort()).toEqual(["Kling", "OG"]);
    const gg = lookupModel(vodImageCatalog, "GG", "3.0");
    expect(gg.found && gg.sources.outputImageCount).toMatchObject({ strength: "inferred" });
  });

  it("gives Hailuo H3 and its variants 4-15 seconds on VOD", () => {
    for (const version of ["H3", "H3_regen", "H3-Max"]) {
      const found = lookupModel(vodVideoCatalog, "Hailuo", version);
      expect(found.found && found.rules.durations, version).toEqual({ min: 4, max: 15 });
    }
  });

  it("resolves a version's rules over the model's and the action's defaults", () => {
    const found = lookupModel(vodVideoCatalog, "Vidu", "q2");
    expect(found.found && found.rules.aspectRatios).toContain("4:3");
    expect(found.found && found.rules.sceneTypes).toEqual(["template_effect"]);
    expect(found.found && found.rules.maxReferenceImages).toBe(7);
    // VOD's FileInfos comment no longer says which versions take several images: MPS's list, inferred.
    expect(found.found && found.sources.maxReferenceImages).toMatchObject({ strength: "inferred", source: expect.stringContaining("mps") });
  });

  it("reads a model without a version as the most permissive of its versions", () => {
    const found = lookupModel(mpsVideoCatalog, "Kling", undefined);
    expect(found.found && found.rules.lastFrame).toBe("supported");
    expect(found.found && found.rules.durations).toEqual({ values: [3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15] });
  });

  it("reports an unknown model with the known ones, and an unknown version with the model's versions and version-independent rules", () => {
    expect(lookupModel(vodVideoCatalog, "Sora", "2")).toMatchObject({ found: false, unknown: "model" });
    expect(lookupModel(vodVideoCatalog, "Kling", "9.9")).toMatchObject({
      found: false,
      unknown: "version",
      knownVersions: expect.arrayContaining(["O1", "3.0-Omni"]),
      rules: { durations: { min: 3, max: 15 }, sceneTypes: ["motion_control", "avatar_i2v", "lip_sync"] },
    });
  });

  it("gives every request the same resolved rules, which no request can change for the next", () => {
    const first = lookupModel(vodVideoCatalog, "Hailuo", "02");
    const again = lookupModel(vodVideoCatalog, "Hailuo", "02");
    expect(again).toBe(first);
    expect(first.found && Object.isFrozen(first.rules)).toBe(true);
    expect(() => {
      if (first.found) (first.rules as Record<string, unknown>).durations = { values: [99] };
    }).toThrow(TypeError);
    expect(lookupModel(vodVideoCatalog, "Hailuo", undefined)).toBe(lookupModel(vodVideoCatalog, "Hailuo", undefined));
    // An unknown pair is looked up afresh each time (nothing is kept for it).
    expect(lookupModel(vodVideoCatalog, "Kling", "9.9")).not.toBe(lookupModel(vodVideoCatalog, "Kling", "9.9"));
  });

  it("describes integer rules as lists and runs", () => {
    expect(describeIntegerRule({ values: [6, 10] })).toBe("6, 10");
    expect(describeIntegerRule({ min: 4, max: 15 })).toBe("4-15");
    expect(describeIntegerRule({ values: [1, 2, 3, 4, 8] })).toBe("1-4, 8");
  });
});

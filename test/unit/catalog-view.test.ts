import { describe, expect, it } from "vitest";
import { mpsImageCatalog, mpsVideoCatalog, vodImageCatalog, vodVideoCatalog, type ActionCatalog } from "../../shared/catalog";
import { catalogView } from "../../shared/catalog/view";

const view = catalogView([
  { route: "/tencent-vod/v1/aigc-video", catalog: vodVideoCatalog as unknown as ActionCatalog<object, string> },
  { route: "/tencent-vod/v1/aigc-image", catalog: vodImageCatalog as unknown as ActionCatalog<object, string> },
  { route: "/tencent-mps/v1/aigc-video", catalog: mpsVideoCatalog as unknown as ActionCatalog<object, string> },
  { route: "/tencent-mps/v1/aigc-image", catalog: mpsImageCatalog as unknown as ActionCatalog<object, string> },
]);

function rulesOf(route: string, model: string, version: string) {
  return view.actions.find((action) => action.route === route)?.models.find((entry) => entry.name === model)?.versions.find((entry) => entry.version === version)?.rules;
}

describe("the catalog as data", () => {
  it("names the SDK release the documented rules follow", () => {
    expect(view.sdkVersion).toBe("4.1.313");
  });

  it("gives each rule its value, strength and source", () => {
    expect(rulesOf("/tencent-vod/v1/aigc-video", "GV", "3.1")?.durations).toEqual({ value: { values: [8] }, strength: "documented", source: expect.stringContaining("SDK 4.1.313 vod") });
    expect(rulesOf("/tencent-vod/v1/aigc-video", "Kling", "1.6")?.lastFrame).toMatchObject({ value: { onlyAtResolution: "1080P" }, strength: "inferred", source: expect.stringContaining("mps") });
  });

  it("lists renamed and retired models, and each feature's strength", () => {
    const image = view.actions.find((action) => action.route === "/tencent-vod/v1/aigc-image");
    expect(image?.renamed).toEqual({ GEM: "GG" });
    expect(Object.keys(image?.retired ?? {}).sort()).toEqual(["Qwen", "SI"]);
    expect(image?.features.FileText).toMatchObject({ strength: "inferred" });
    expect(view.actions.find((action) => action.route === "/tencent-vod/v1/aigc-video")?.features.AudioGeneration).toMatchObject({ strength: "documented" });
  });

  it("is plain JSON", () => {
    expect(JSON.parse(JSON.stringify(view))).toEqual(view);
  });
});

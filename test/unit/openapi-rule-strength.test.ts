/**
 * The API description says how strong each catalog rule is (shared/openapi/document.ts): rules
 * Tencent's current doc comment states are refused and shown plain; inferred ones only warn and
 * are marked, with where they come from; and the create answers document `Response.Warnings`.
 */
import { Ajv2020 } from "ajv/dist/2020";
import { beforeAll, describe, expect, it } from "vitest";
import { openApiDocument } from "../../scripts/openapi";
import { inferred, lookupModel, resolvedVersions, vodVideoCatalog, type ActionCatalog, type VodVideoRules } from "../../shared/catalog";
import { catalogTable, INFERRED_MARK } from "../../shared/openapi/document";
import { TASK_KINDS } from "../../shared/tasks/kinds";
import { validateCreateRequest, type TaskKind } from "../../shared/validation";

type Json = Record<string, any>;
let document: Json;

beforeAll(() => {
  document = openApiDocument();
});

function createOperation(kind: TaskKind): Json {
  const route = TASK_KINDS[kind].route;
  return document.paths[route.path][route.method.toLowerCase()];
}

/** Where a create route's catalog table is: the description of its request schema (after the operations). */
function catalogOf(kind: TaskKind): string {
  const name = kind.split("-").map((part) => part[0]?.toUpperCase() + part.slice(1)).join("");
  return document.components.schemas[`Create${name}Request`].description as string;
}

/** The cells of a catalog table row, by column title. */
function tableRow(description: string, model: string, version: string): Record<string, string> {
  const lines = description.split("\n");
  const header = lines.find((line) => line.startsWith("| ModelName | ModelVersion |"));
  const row = lines.find((line) => line.startsWith(`| ${model} | ${version} |`));
  if (!header || !row) throw new Error(`no table row for ${model} ${version}`);
  const cells = (line: string) => line.slice(2, -2).split(" | ");
  return Object.fromEntries(cells(header).map((title, index) => [title, cells(row)[index] ?? ""]));
}

/** Where the table's note number `n` says a marked rule comes from. */
function noteOf(description: string, cell: string): string {
  const number = new RegExp(`${INFERRED_MARK}(\\d+)$`).exec(cell)?.[1];
  const note = description.split("\n").find((line) => line.startsWith(`- ${INFERRED_MARK}${number} `));
  if (!number || !note) throw new Error(`no note for "${cell}"`);
  return note;
}

describe("the catalog table of a create route", () => {
  it("marks an inferred rule and names its source (VOD Kling 1.6's last frame, read from MPS)", () => {
    const description = catalogOf("vod-video");
    const cell = tableRow(description, "Kling", "1.6")["Last frame"] ?? "";
    expect(cell).toMatch(new RegExp(`^at 1080P ${INFERRED_MARK}\\d+$`));
    expect(noteOf(description, cell)).toContain("warns, inferred from: SDK 4.1.313 mps");
    expect(noteOf(description, cell)).toContain("LastImageUrl");
  });

  it("leaves a documented rule unmarked (VOD GV's durations)", () => {
    const row = tableRow(catalogOf("vod-video"), "GV", "3.1");
    expect(row["Duration (s)"]).toBe("8");
  });

  it("says above the table what unmarked and marked rules do", () => {
    for (const kind of ["vod-video", "vod-image", "mps-video"] as const) {
      const description = catalogOf(kind);
      expect(description, kind).toContain("Unmarked rules are **refused** when broken");
      expect(description, kind).toContain(`Rules marked ${INFERRED_MARK} only **warn**`);
      expect(description.indexOf("only **warn**"), kind).toBeLessThan(description.indexOf("| ModelName |"));
    }
  });

  it("marks exactly the cells whose rule the catalog infers, on every VOD video row", () => {
    const description = catalogOf("vod-video");
    const columns: Record<string, keyof VodVideoRules> = { "Duration (s)": "durations", Resolution: "resolutions", AspectRatio: "aspectRatios", "Last frame": "lastFrame", "Reference images": "maxReferenceImages" };
    for (const [model, entry] of Object.entries(vodVideoCatalog.models)) {
      for (const [version] of resolvedVersions(vodVideoCatalog, entry)) {
        const lookup = lookupModel(vodVideoCatalog, model, version);
        if (!lookup.found) throw new Error(`${model} ${version} not found`);
        const row = tableRow(description, model, version);
        for (const [title, rule] of Object.entries(columns)) {
          const isInferred = lookup.rules[rule] !== undefined && lookup.sources[rule]?.strength === "inferred";
          expect(row[title]?.includes(INFERRED_MARK), `${model} ${version} ${title}`).toBe(isInferred);
        }
      }
    }
  });

  it("numbers each source once, however many cells cite it", () => {
    const catalog: ActionCatalog<VodVideoRules, never> = {
      action: "Test",
      source: "doc A",
      defaults: {},
      features: {},
      models: {
        M: {
          source: "doc A",
          rules: { durations: { values: [5] }, lastFrame: inferred("supported", "page B") },
          versions: { "1": {}, "2": { maxReferenceImages: inferred(3, "page C") }, "3": { lastFrame: "not supported" } },
        },
      },
    };
    expect(catalogTable(catalog as ActionCatalog<object, string>).split("\n")).toEqual([
      "| ModelName | ModelVersion | Duration (s) | Last frame | Reference images |",
      "| --- | --- | --- | --- | --- |",
      `| M | 1 | 5 | supported ${INFERRED_MARK}1 | any |`,
      `| M | 2 | 5 | supported ${INFERRED_MARK}1 | 3 ${INFERRED_MARK}2 |`,
      "| M | 3 | 5 | no | any |",
      "",
      `- ${INFERRED_MARK}1 warns, inferred from: page B`,
      `- ${INFERRED_MARK}2 warns, inferred from: page C`,
    ]);
  });
});

describe("the create answer", () => {
  it.each(Object.keys(TASK_KINDS) as TaskKind[])("%s: says when Response.Warnings is there", (kind) => {
    expect(createOperation(kind).responses["200"].description).toContain("`Response.Warnings` is present when the request was sent although");
  });

  it("describes an answer with the warnings the validator gives, and one without", () => {
    const validate = new Ajv2020({ allErrors: true, logger: false }).compile(document.components.schemas.CreateTaskResponse);
    const result = validateCreateRequest("vod-video", { ModelName: "GV", ModelVersion: "9.9", Prompt: "a car" });
    if (!result.ok) throw new Error(JSON.stringify(result.issues));
    expect(result.warnings.length).toBeGreaterThan(0);
    const answer = { TaskId: "251007502-AigcVideo-0123t", RequestId: "r-1" };
    expect(validate({ Response: { ...answer, Warnings: result.warnings } }), JSON.stringify(validate.errors)).toBe(true);
    expect(validate({ Response: answer })).toBe(true);
  });

  it("does not describe an empty or malformed Warnings", () => {
    const validate = new Ajv2020({ allErrors: true, logger: false }).compile(document.components.schemas.CreateTaskResponse);
    const answer = { TaskId: "251007502-AigcVideo-0123t", RequestId: "r-1" };
    expect(validate({ Response: { ...answer, Warnings: [] } })).toBe(false);
    expect(validate({ Response: { ...answer, Warnings: [{ field: "ModelVersion", code: "UnlistedModelVersion" }] } })).toBe(false);
    expect(validate({ Response: { ...answer, Warnings: [{ field: "ModelVersion", code: "UnlistedModelVersion", message: "m", extra: 1 }] } })).toBe(false);
  });
});

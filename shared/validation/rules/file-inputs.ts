/**
 * Rules for VOD file inputs (FileInfos, FileInfo): where the file comes from, and how much
 * base64 a request may carry.
 */
import { BASE64_TOTAL_MAX_BYTES } from "../../catalog";
import type { Path } from "../field-names";
import { decodedBase64Bytes } from "../fields";
import type { Findings } from "../issues";

/** The fields that can say where a VOD input file comes from. */
export interface FileSource {
  readonly Type?: string | undefined;
  readonly FileId?: string | undefined;
  readonly Url?: string | undefined;
  readonly Base64?: string | undefined;
}

type SourceField = "FileId" | "Url" | "Base64";

const SOURCE_FIELD_OF_TYPE: Readonly<Record<string, SourceField>> = { File: "FileId", Url: "Url", Base64: "Base64" };

/**
 * Without Type, exactly one of the source fields must be given; with Type, the matching
 * one must be given and the others absent (Tencent would silently ignore them).
 */
export function checkFileSource(findings: Findings, path: Path, file: FileSource, sourceFields: readonly SourceField[]): void {
  const given = sourceFields.filter((field) => file[field] !== undefined);
  // Spelled out only for a message: a valid file (the usual case) never needs them.
  const names = () => sourceFields.map((field) => findings.key([...path, field])).join(", ");
  if (file.Type === undefined) {
    if (given.length === 0) findings.missing(path, `to name its file: give one of ${names()}`);
    else if (given.length > 1) findings.invalid(path, `gives ${given.map((field) => findings.key([...path, field])).join(" and ")}; give exactly one of ${names()}`);
    return;
  }
  const expected = SOURCE_FIELD_OF_TYPE[file.Type];
  if (expected === undefined) return;
  if (file[expected] === undefined) findings.missing([...path, expected], `when ${findings.key([...path, "Type"])} is ${file.Type}`);
  for (const other of given) {
    if (other !== expected) findings.invalid([...path, other], `must be absent when ${findings.key([...path, "Type"])} is ${file.Type}`);
  }
}

/** Refuses base64 inputs that together decode to more than Tencent's 7 MB. */
export function checkBase64Total(findings: Findings, files: readonly FileSource[] | undefined, listName: string): void {
  let total = 0;
  for (const [index, file] of (files ?? []).entries()) {
    if (file.Base64 === undefined) continue;
    total += decodedBase64Bytes(file.Base64);
    if (total > BASE64_TOTAL_MAX_BYTES) {
      findings.invalid(
        [listName, index, "Base64"],
        `takes the request's base64 inputs to ${mebibytes(total)} MB decoded; together they may be at most ${mebibytes(BASE64_TOTAL_MAX_BYTES)} MB`,
      );
      return;
    }
  }
}

function mebibytes(bytes: number): string {
  return (bytes / (1024 * 1024)).toFixed(1).replace(/\.0$/, "");
}

/**
 * Issues in Tencent's error-code style, naming fields the way the client spelled them.
 */
import type { z } from "zod";
import type { ClientSpelling, Path } from "./field-names";

import type { FieldIssue } from "../errors";

export type { FieldIssue };

/** Tencent's generic codes; value problems use `InvalidParameterValue.<Field>`. */
export const MISSING_PARAMETER = "MissingParameter";
export const UNKNOWN_PARAMETER = "UnknownParameter";
export const INVALID_PARAMETER = "InvalidParameter";

// Tencent's own codes for these two; other length problems use InvalidParameterValue.<Field>.
const TOO_LONG_CODES: Readonly<Record<string, string>> = {
  SessionId: "InvalidParameterValue.SessionIdTooLong",
  SessionContext: "InvalidParameterValue.SessionContextTooLong",
};

/** `InvalidParameterValue.<Field>` for the last named field of a path ("FileInfos[1].Url" gives ".Url"). */
export function valueCode(path: Path): string {
  const named = [...path].reverse().find((segment): segment is string => typeof segment === "string");
  return `InvalidParameterValue.${named ?? "Body"}`;
}

/** Collects the issues of one request. */
export class Findings {
  readonly issues: FieldIssue[] = [];
  /** What the request breaks that is only inferred, or that the catalog cannot check: sent anyway, answered with these. */
  readonly warnings: FieldIssue[] = [];

  constructor(private readonly spelling: ClientSpelling) {}

  /** The full field name as the client spells it ("output_config.aspect_ratio"). */
  field(path: Path): string {
    return this.spelling.field(path);
  }

  /** The field's own key as the client spells it ("aspect_ratio", "file_infos[1]"). */
  key(path: Path): string {
    return this.spelling.key(path);
  }

  /** Records an issue as given. */
  add(path: Path, code: string, message: string): void {
    this.issues.push({ field: this.field(path), code, message });
  }

  /** Records a warning: the request is still sent. `message` is whole (it names the field itself). */
  warn(path: Path, code: string, message: string): void {
    this.warnings.push({ field: this.field(path), code, message });
  }

  /** A required field is absent; `when` says what makes it required. */
  missing(path: Path, when?: string): void {
    this.add(path, MISSING_PARAMETER, `${this.key(path)} is required${when ? ` ${when}` : ""}`);
  }

  /** A value Tencent would refuse; `detail` reads after the field's name. */
  invalid(path: Path, detail: string): void {
    this.add(path, valueCode(path), `${this.key(path)} ${detail}`);
  }

  /** Records one zod issue, found at `base` (zod paths are relative to the parsed value). */
  fromZod(issue: z.core.$ZodIssue, base: Path = []): void {
    const path = [...base, ...issue.path.filter((segment): segment is string | number => typeof segment !== "symbol")];
    const key = this.key(path);
    // Messages set in fields.ts start in lower case; zod's defaults ("Invalid input...") do not.
    const custom = /^[a-z]/.test(issue.message) ? issue.message : undefined;
    switch (issue.code) {
      case "invalid_type": {
        if (issue.input === undefined) return this.missing(path);
        return this.add(path, INVALID_PARAMETER, `${key} must be ${article(issue.expected)}, not ${describe(issue.input)}`);
      }
      case "invalid_union": {
        // Report why the closest alternative failed (e.g. an integer out of range), not that all did.
        const closest = issue.errors.flat().find((inner) => inner.code !== "invalid_type");
        if (closest) return this.fromZod(closest, path);
        return this.add(path, INVALID_PARAMETER, `${key} ${custom ?? "has the wrong type"}`);
      }
      case "too_big":
      case "too_small": {
        const leaf = path.at(-1);
        if (issue.code === "too_big" && issue.origin === "string" && typeof leaf === "string" && TOO_LONG_CODES[leaf]) {
          return this.add(path, TOO_LONG_CODES[leaf], `${key} ${custom ?? `must be at most ${String(issue.maximum)} characters`}`);
        }
        return this.invalid(path, custom ?? boundMessage(issue));
      }
      case "invalid_value":
        return this.invalid(path, custom ?? `must be one of: ${issue.values.map(String).join(", ")}`);
      case "unrecognized_keys":
        for (const unknown of issue.keys) this.add([...path, unknown], UNKNOWN_PARAMETER, `${unknown} is not a parameter here`);
        return;
      default:
        return this.invalid(path, custom ?? "is not valid");
    }
  }
}

function boundMessage(issue: z.core.$ZodIssueTooBig | z.core.$ZodIssueTooSmall): string {
  const bound = String(issue.code === "too_big" ? issue.maximum : issue.minimum);
  const side = issue.code === "too_big" ? "at most" : "at least";
  if (issue.origin === "string") return `must be ${side} ${bound} characters`;
  if (issue.origin === "array") return `must have ${side} ${bound} items`;
  return `must be ${side} ${bound}`;
}

function article(expected: string): string {
  switch (expected) {
    case "int":
      return "an integer";
    case "array":
    case "object":
      return `an ${expected}`;
    case "boolean":
      return "a boolean (true or false)";
    default:
      return `a ${expected}`;
  }
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "object") return "an object";
  if (typeof value === "string") return `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}...` : value)}`;
  return `${typeof value === "number" ? "the number" : "the boolean"} ${String(value)}`;
}

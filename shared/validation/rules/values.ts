/**
 * Reading values out of a validated request by catalog field paths ("FileInfos[].Text").
 */
import type { Path } from "../field-names";

/** Every value at a dotted path, where a segment ending in "[]" is an array whose elements are all visited. */
export function valuesAt(root: unknown, field: string): Array<[Path, unknown]> {
  let found: Array<[Path, unknown]> = [[[], root]];
  for (const segment of field.split(".")) {
    const each = segment.endsWith("[]");
    const key = each ? segment.slice(0, -2) : segment;
    const next: Array<[Path, unknown]> = [];
    for (const [path, value] of found) {
      const child = typeof value === "object" && value !== null ? (value as Record<string, unknown>)[key] : undefined;
      if (!each) next.push([[...path, key], child]);
      else if (Array.isArray(child)) child.forEach((item, index) => next.push([[...path, key, index], item]));
    }
    found = next;
  }
  return found;
}

/** Whether a string field carries something (not absent, not blank). */
export function isGiven(value: string | undefined): value is string {
  return value !== undefined && value.trim() !== "";
}

/** Whether a list field carries at least one item. */
export function hasItems(value: readonly unknown[] | undefined): boolean {
  return value !== undefined && value.length > 0;
}

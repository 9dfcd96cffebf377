/**
 * Reading values out of a validated request by catalog field paths ("FileInfos[].Text").
 */
import type { Path } from "../field-names";

interface Segment {
  readonly key: string;
  /** The segment ended in "[]": an array whose elements are all visited. */
  readonly each: boolean;
}

/** Parsed paths, by catalog field: the catalog has a few dozen, and every request reads them. */
const segmentsByField = new Map<string, readonly Segment[]>();

function segmentsOf(field: string): readonly Segment[] {
  let segments = segmentsByField.get(field);
  if (!segments) {
    segments = field.split(".").map((segment) => (segment.endsWith("[]") ? { key: segment.slice(0, -2), each: true } : { key: segment, each: false }));
    segmentsByField.set(field, segments);
  }
  return segments;
}

const NONE: ReadonlyArray<[Path, unknown]> = Object.freeze([]);

/**
 * Every value present (not undefined) at a dotted path, where a segment ending in "[]" is an array
 * whose elements are all visited. Most fields a rule asks about are absent from a given request:
 * the walk down to the first "[]" allocates nothing, and an absent value gives one shared empty list.
 */
export function valuesAt(root: unknown, field: string): ReadonlyArray<[Path, unknown]> {
  const segments = segmentsOf(field);
  let start: unknown = root;
  let depth = 0;
  for (; depth < segments.length; depth++) {
    const segment = segments[depth] as Segment;
    if (segment.each) break;
    if (typeof start !== "object" || start === null) return NONE;
    start = (start as Record<string, unknown>)[segment.key];
    if (start === undefined) return NONE;
  }
  if (start === undefined) return NONE;
  const path: Array<string | number> = segments.slice(0, depth).map((segment) => segment.key);
  if (depth === segments.length) return [[path, start]];

  const found: Array<[Path, unknown]> = [];
  const visit = (value: unknown, depth: number): void => {
    if (value === undefined) return;
    const segment = segments[depth];
    if (!segment) {
      found.push([[...path], value]);
      return;
    }
    const child = typeof value === "object" && value !== null ? (value as Record<string, unknown>)[segment.key] : undefined;
    path.push(segment.key);
    if (!segment.each) visit(child, depth + 1);
    else if (Array.isArray(child)) {
      for (let index = 0; index < child.length; index++) {
        path.push(index);
        visit(child[index], depth + 1);
        path.pop();
      }
    }
    path.pop();
  };
  visit(start, depth);
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

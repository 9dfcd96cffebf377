/**
 * Reading one field's doc comment out of the SDK's *_models.d.ts: find the interface by name, then
 * the `/** … *\/` right above the field. The SDK generates these files, so the shapes are regular;
 * anything unexpected throws (naming what was looked for) rather than yielding an empty list that
 * would make every model look removed.
 */

/** The d.ts text did not have the interface, field or comment the check reads. */
export class DocCommentNotFound extends Error {
  override readonly name = "DocCommentNotFound";
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** The body of `export interface <name> { … }` (the generator closes every interface with "}" at column 0). */
export function interfaceBody(dts: string, name: string): string {
  const start = new RegExp(`^export interface ${escapeRegExp(name)}\\b[^{\\n]*\\{`, "m").exec(dts);
  if (!start) throw new DocCommentNotFound(`interface ${name} is not in the d.ts`);
  const from = start.index + start[0].length;
  const end = dts.indexOf("\n}", from);
  return dts.slice(from, end === -1 ? undefined : end);
}

/** The raw text of the doc comment of `<interfaceName>.<field>`, without its comment markers. */
export function fieldComment(dts: string, interfaceName: string, field: string): string {
  const body = interfaceBody(dts, interfaceName);
  // The comment must be directly above the field: only whitespace between "*/" and the field name.
  const match = new RegExp(`/\\*\\*((?:(?!\\*/)[\\s\\S])*)\\*/\\s*${escapeRegExp(field)}\\??:`).exec(body);
  if (!match?.[1]) throw new DocCommentNotFound(`${interfaceName}.${field} has no doc comment in the d.ts`);
  return match[1]
    .split("\n")
    .map((line) => line.replace(/^\s*\*?\s?/, "").trim())
    .filter((line) => line !== "")
    .join(" ");
}

/** A comment's text split at its HTML tags (<br>, <li>, <p>, …): one entry per list item or line, trimmed, none empty. */
export function commentSegments(comment: string): string[] {
  return comment
    .split(/<\/?[a-zA-Z][^>]*>/)
    .map((segment) => segment.trim())
    .filter((segment) => segment !== "");
}

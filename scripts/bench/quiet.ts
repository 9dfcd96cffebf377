/**
 * The handlers log one JSON line per event to stdout (SCF collects it). While the bench invokes
 * them thousands of times in-process, those lines are counted and dropped instead of flooding the
 * table: the logger still builds, redacts and serializes every line, only the final write is skipped.
 */

export interface StdoutCapture {
  lines(): number;
  bytes(): number;
  restore(): void;
}

export function swallowStdout(): StdoutCapture {
  const original = process.stdout.write;
  let lines = 0;
  let bytes = 0;
  const swallow = (chunk: unknown, encodingOrCallback?: unknown, callback?: unknown): boolean => {
    const text = typeof chunk === "string" ? chunk : chunk instanceof Uint8Array ? Buffer.from(chunk).toString("utf8") : String(chunk);
    bytes += Buffer.byteLength(text);
    for (let i = text.indexOf("\n"); i >= 0; i = text.indexOf("\n", i + 1)) lines++;
    const done = typeof encodingOrCallback === "function" ? encodingOrCallback : callback;
    if (typeof done === "function") process.nextTick(done as () => void);
    return true;
  };
  process.stdout.write = swallow as typeof process.stdout.write;
  return {
    lines: () => lines,
    bytes: () => bytes,
    restore: () => {
      process.stdout.write = original;
    },
  };
}

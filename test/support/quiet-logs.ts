/**
 * Vitest setup: the handlers and stand-ins log one JSON line per event straight to stdout, which
 * vitest does not attribute to a test, so a passing run printed about a thousand of them. Here each
 * whole JSON line written to stdout goes through console.log instead; vitest then keeps it with the
 * test that wrote it and, with `silent: "passed-only"` (vitest.config.mts), prints it only when that
 * test fails. Anything else written to stdout passes through unchanged.
 */

const write = process.stdout.write.bind(process.stdout);
let rerouting = false;

process.stdout.write = ((chunk: unknown, ...rest: unknown[]): boolean => {
  const text = typeof chunk === "string" ? chunk : chunk instanceof Uint8Array ? Buffer.from(chunk).toString("utf8") : undefined;
  if (rerouting || text === undefined || !/^\{.*\}\n$/s.test(text)) return (write as (...args: unknown[]) => boolean)(chunk, ...rest);
  rerouting = true;
  try {
    console.log(text.slice(0, -1));
  } finally {
    rerouting = false;
  }
  const done = rest.find((arg) => typeof arg === "function") as (() => void) | undefined;
  if (done) process.nextTick(done);
  return true;
}) as typeof process.stdout.write;

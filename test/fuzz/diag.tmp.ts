import fc from "fast-check";
import { startFuzzStack, observe, fuzzContext } from "./harness";
import { createRouteCase } from "./arbitraries";
import { main_handler } from "../../functions/vod-aigc-video";
async function main() {
  const stack = await startFuzzStack();
  const samples = fc.sample(createRouteCase("vod-video"), { numRuns: 3000, seed: 9 });
  const sizes: Array<[number, string]> = [];
  for (const c of samples) {
    const o = await observe(stack, () => main_handler(c.event, fuzzContext() as any));
    const r = o.result as any;
    if (r && r.statusCode >= 400) sizes.push([r.body.length, r.body.slice(0, 300)]);
  }
  sizes.sort((a, b) => b[0] - a[0]);
  for (const [n, b] of sizes.slice(0, 5)) console.log(n, b);
  await stack.close();
}
main();

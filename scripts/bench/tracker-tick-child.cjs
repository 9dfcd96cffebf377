// One tracker tick in a process of its own, as SCF runs the function: the built task-tracker bundle,
// a timer event, and nothing else in the process, so its memory is the tick's alone (the stand-ins
// stay in the bench's process). Plain CommonJS, so it starts without a TypeScript loader.
//   parent -> child (IPC): { bundle, event, timeLimitMs } once loaded: "go"
//   child -> parent (IPC): "ready", then { tickMs, report, rssBeforeKb, peakRssKb, peakHeapKb } or { error }
"use strict";

let handler;
let job;
process.on("message", async (message) => {
  if (message && typeof message === "object" && message.bundle) {
    job = message;
    handler = require(job.bundle).main_handler;
    process.send("ready");
    return;
  }
  if (message !== "go" || !handler) return;
  global.gc?.();
  const before = process.memoryUsage();
  let peakRss = before.rss;
  let peakHeap = before.heapUsed;
  const sample = () => {
    const m = process.memoryUsage();
    peakRss = Math.max(peakRss, m.rss);
    peakHeap = Math.max(peakHeap, m.heapUsed);
  };
  const sampler = setInterval(sample, 20);
  const started = performance.now();
  try {
    const report = await handler(job.event, { request_id: "bench-tick", function_name: "task-tracker", time_limit_in_ms: job.timeLimitMs, memory_limit_in_mb: 256 });
    const tickMs = performance.now() - started;
    clearInterval(sampler);
    sample();
    process.send({ tickMs, report, rssBeforeKb: Math.round(before.rss / 1024), peakRssKb: Math.round(peakRss / 1024), peakHeapKb: Math.round(peakHeap / 1024) }, () => process.exit(0));
  } catch (error) {
    clearInterval(sampler);
    process.send({ error: error && error.stack ? error.stack : String(error) }, () => process.exit(1));
  }
});

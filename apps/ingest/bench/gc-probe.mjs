// Loaded into the ingest process by the benchmark (NODE_OPTIONS=--import …): one output line per
// garbage-collection pause, which the benchmark sums per window. Plain JavaScript: it is imported
// before tsx is registered.
import { PerformanceObserver } from "node:perf_hooks";

new PerformanceObserver((list) => {
  for (const entry of list.getEntries())
    process.stderr.write(`bench-gc-pause ${entry.duration.toFixed(3)}\n`);
}).observe({ entryTypes: ["gc"] });

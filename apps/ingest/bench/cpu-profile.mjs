// Loaded into the ingest process when BENCH_INGEST_CPU_PROFILE names a folder: a CPU profile of
// the whole run, written there as <pid>.cpuprofile when the process exits (open it in Chrome's
// DevTools). Node refuses --cpu-prof in NODE_OPTIONS, hence the inspector. Plain JavaScript: it is
// imported before tsx is registered.
import { mkdirSync, writeFileSync } from "node:fs";
import { Session } from "node:inspector";
import { join } from "node:path";

const folder = process.env.BENCH_INGEST_CPU_PROFILE;
if (folder) {
  const session = new Session();
  session.connect();
  session.post("Profiler.enable");
  session.post("Profiler.start");
  // The same-thread session answers synchronously, so this completes within the exit handler.
  process.on("exit", () => {
    session.post("Profiler.stop", (error, result) => {
      if (error) return;
      mkdirSync(folder, { recursive: true });
      writeFileSync(join(folder, `${process.pid}.cpuprofile`), JSON.stringify(result.profile));
    });
  });
}

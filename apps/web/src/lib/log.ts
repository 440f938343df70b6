import "server-only";
import { createLogger } from "@pulseboard/runtime/logger";
import { env } from "@/env";

const globalForLog = globalThis as unknown as { pulseboardLog?: ReturnType<typeof createLogger> };

/**
 * The web process's one logger (kept across development reloads). JSON lines even on a terminal:
 * pretty output is a pino transport, which loads pino-pretty by name in a worker thread, and
 * from Next's server bundle that name does not resolve (every API route failed in a terminal).
 */
export const rootLog =
  globalForLog.pulseboardLog ?? createLogger({ name: "web", level: env.LOG_LEVEL, pretty: false });
globalForLog.pulseboardLog = rootLog;
export const log = rootLog.child({ module: "api" });

import "server-only";
import { createLogger } from "@pulseboard/runtime/logger";
import { env } from "@/env";

const globalForLog = globalThis as unknown as { pulseboardLog?: ReturnType<typeof createLogger> };

/** The web process's one logger (kept across development reloads). */
export const rootLog = globalForLog.pulseboardLog ?? createLogger({ name: "web", level: env.LOG_LEVEL });
globalForLog.pulseboardLog = rootLog;
export const log = rootLog.child({ module: "api" });

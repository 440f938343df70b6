// One pino logger per process; modules take `log.child({ module })`. Objects first:
// `log.info({ deviceId }, "message")`. Secrets are redacted wherever they appear by name.
import { type Logger, type LoggerOptions, pino } from "pino";

export type { Logger } from "pino";

/** Paths pino censors: device keys, auth headers, passwords, secrets, tokens, URLs with credentials. */
export const REDACT_PATHS = [
  "key",
  "deviceKey",
  "password",
  "secret",
  "token",
  "authorization",
  "cookie",
  "databaseUrl",
  "*.key",
  "*.deviceKey",
  "*.password",
  "*.secret",
  "*.token",
  "*.authorization",
  "*.cookie",
  "*.databaseUrl",
  "headers.authorization",
  "headers.cookie",
  'headers["upstash-signature"]',
  "req.headers.authorization",
  "req.headers.cookie",
  'req.headers["upstash-signature"]',
];

export interface LoggerConfig {
  /** Process name, e.g. "ingest". */
  name: string;
  level?: string;
  /** Human-readable output; defaults to whether stdout is a terminal. */
  pretty?: boolean;
  /** Where JSON lines go (tests capture them); defaults to stdout. */
  destination?: pino.DestinationStream;
}

export function createLogger(config: LoggerConfig): Logger {
  const options: LoggerOptions = {
    name: config.name,
    level: config.level ?? "info",
    redact: { paths: REDACT_PATHS, censor: "[redacted]" },
  };
  if (config.destination) return pino(options, config.destination);
  const pretty = config.pretty ?? process.stdout.isTTY === true;
  if (pretty) {
    return pino({
      ...options,
      transport: {
        target: "pino-pretty",
        options: { colorize: true, translateTime: "SYS:HH:MM:ss.l", singleLine: true },
      },
    });
  }
  return pino(options);
}

/** Flushes buffered log lines; call last on shutdown. */
export function flushLogger(log: Logger): Promise<void> {
  return new Promise((resolve) => {
    log.flush(() => resolve());
  });
}

/** The database cannot take writes right now (down, restarting, unreachable). Retry later. */
export class DatabaseUnavailableError extends Error {
  override name = "DatabaseUnavailableError";
  constructor(options?: { cause?: unknown }) {
    super("database unavailable", options);
  }
}

/** The write buffer is full: the database is not keeping up. Retry shortly. */
export class BufferFullError extends Error {
  override name = "BufferFullError";
  constructor() {
    super("ingest buffer full");
  }
}

/** The worker is shutting down and takes no more work. */
export class ShuttingDownError extends Error {
  override name = "ShuttingDownError";
  constructor() {
    super("shutting down");
  }
}

// SQLSTATE classes and driver codes that mean "the database is not there", as opposed to
// "this statement is wrong": 08 connection exception, 57P0x shutdown / cannot connect now, 53 out
// of resources, and postgres-js / Node socket errors.
const UNAVAILABLE_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EPIPE",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "CONNECTION_CLOSED",
  "CONNECTION_ENDED",
  "CONNECTION_DESTROYED",
  "CONNECT_TIMEOUT",
  "57P01",
  "57P02",
  "57P03",
  "53300",
]);

export function isUnavailable(error: unknown): boolean {
  let current: unknown = error;
  for (let depth = 0; current && depth < 5; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === "string" && (UNAVAILABLE_CODES.has(code) || code.startsWith("08"))) return true;
    // PgBouncer without a server: "no more connections allowed", "server login has been failing"
    const message = (current as { message?: unknown }).message;
    if (
      typeof message === "string" &&
      /server login has been failing|no more connections allowed|query_wait_timeout|pgbouncer cannot connect to server/i.test(
        message,
      )
    ) {
      return true;
    }
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}

export function sqlState(error: unknown): string | undefined {
  const code = (error as { code?: unknown }).code;
  return typeof code === "string" ? code : undefined;
}

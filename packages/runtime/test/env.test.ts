import { describe, expect, it } from "vitest";
import { z } from "zod";
import {
  booleanFlag,
  checkRetention,
  databaseEnv,
  directUrl,
  EnvError,
  parseEnv,
  port,
  retentionEnv,
} from "../src/env";

const schema = z.object({ ...databaseEnv, PORT: port(3001) });

describe("environment validation", () => {
  it("applies defaults and falls back from the direct URL to the pooled one", () => {
    const env = parseEnv("ingest", schema, { DATABASE_URL: "postgres://u:p@pooler:6432/db" });
    expect(env.PORT).toBe(3001);
    expect(env.DB_POOL_MAX).toBe(5);
    expect(directUrl(env)).toBe("postgres://u:p@pooler:6432/db");
    expect(directUrl({ ...env, DATABASE_URL_DIRECT: "postgres://u:p@db:5432/db" })).toBe(
      "postgres://u:p@db:5432/db",
    );
  });

  it("reports every bad variable in one line, naming it and saying what it is", () => {
    const attempt = () => parseEnv("ingest", schema, { PORT: "http", DATABASE_URL_DIRECT: "mysql://x" });
    expect(attempt).toThrow(EnvError);
    expect(attempt).toThrow(
      "ingest: invalid environment: DATABASE_URL is required (the pooled PostgreSQL endpoint, e.g. PgBouncer or Neon -pooler); DATABASE_URL_DIRECT must be a postgres:// URL (the direct PostgreSQL endpoint); PORT must be a port number",
    );
  });

  it("treats an empty variable as unset", () => {
    expect(() => parseEnv("web", schema, { DATABASE_URL: "" })).toThrow(/DATABASE_URL is required/);
    expect(parseEnv("web", schema, { DATABASE_URL: "postgresql://h/db", PORT: "" }).PORT).toBe(3001);
  });

  it("rejects ports out of range and pool sizes out of bounds", () => {
    expect(() => parseEnv("x", schema, { DATABASE_URL: "postgres://h/db", PORT: "70000" })).toThrow(
      /PORT must be a port number/,
    );
    expect(() => parseEnv("x", schema, { DATABASE_URL: "postgres://h/db", DB_POOL_MAX: "0" })).toThrow(
      /DB_POOL_MAX must be at least 1/,
    );
  });

  it("reads on/off flags, with their default when unset or empty", () => {
    const flags = z.object({ OFF: booleanFlag(false), ON: booleanFlag(true) });
    expect(parseEnv("x", flags, {})).toEqual({ OFF: false, ON: true });
    expect(parseEnv("x", flags, { OFF: "", ON: "" })).toEqual({ OFF: false, ON: true });
    expect(parseEnv("x", flags, { OFF: "1", ON: "0" })).toEqual({ OFF: true, ON: false });
    expect(parseEnv("x", flags, { OFF: "true", ON: "false" })).toEqual({ OFF: true, ON: false });
    expect(() => parseEnv("x", flags, { OFF: "yes" })).toThrow(
      "x: invalid environment: OFF must be 1, 0, true or false",
    );
  });

  it("keeps minute roll-ups longer than raw readings", () => {
    const retention = z.object(retentionEnv).superRefine(checkRetention);
    expect(parseEnv("alerter", retention, {})).toEqual({
      RAW_RETENTION_DAYS: 30,
      MINUTE_RETENTION_DAYS: 400,
    });
    expect(parseEnv("alerter", retention, { RAW_RETENTION_DAYS: "60", MINUTE_RETENTION_DAYS: "61" })).toEqual(
      {
        RAW_RETENTION_DAYS: 60,
        MINUTE_RETENTION_DAYS: 61,
      },
    );
    expect(() =>
      parseEnv("alerter", retention, { RAW_RETENTION_DAYS: "60", MINUTE_RETENTION_DAYS: "60" }),
    ).toThrow(
      "alerter: invalid environment: MINUTE_RETENTION_DAYS must be more than RAW_RETENTION_DAYS (60): minute roll-ups are what charts read once raw days are dropped",
    );
    expect(() => parseEnv("alerter", retention, { MINUTE_RETENTION_DAYS: "20" })).toThrow(
      /MINUTE_RETENTION_DAYS must be more than RAW_RETENTION_DAYS \(30\)/,
    );
  });
});

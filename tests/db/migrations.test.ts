import { createTestDatabase, useTestDatabase } from "@pulseboard/devstack/test";
import { spawnTs } from "@pulseboard/devstack/test/process";
import { runMigrations } from "@pulseboard/schema/migrate";
import postgres from "postgres";
import { describe, expect, it } from "vitest";

const database = useTestDatabase({ empty: true });

/** Everything a migration can change, as comparable text. */
async function schemaFingerprint(url: string): Promise<string[]> {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    const columns = await sql<{ row: string }[]>`
      select table_name || '.' || column_name || ':' || data_type || ':' || is_nullable || ':' || coalesce(column_default, '') as row
      from information_schema.columns where table_schema = 'public'`;
    const constraints = await sql<{ row: string }[]>`
      select conrelid::regclass::text || ':' || conname || ':' || pg_get_constraintdef(oid) as row
      from pg_constraint where connamespace = 'public'::regnamespace`;
    const indexes = await sql<{ row: string }[]>`
      select indexname || ':' || indexdef as row from pg_indexes where schemaname = 'public'`;
    const applied = await sql<{ row: string }[]>`select hash as row from drizzle.__drizzle_migrations`;
    return [...columns, ...constraints, ...indexes, ...applied].map((r) => r.row).sort();
  } finally {
    await sql.end({ timeout: 5 });
  }
}

describe("migrations", () => {
  it("apply from an empty database, and a second run changes nothing", async () => {
    const { directUrl } = database.current;
    const probe = postgres(directUrl, { max: 1 });
    const [before] = await probe<{ n: number }[]>`
      select count(*)::int as n from information_schema.tables where table_schema = 'public'`;
    await probe.end();
    expect(before?.n).toBe(0);

    await runMigrations(directUrl);
    const first = await schemaFingerprint(directUrl);
    for (const table of [
      "user",
      "session",
      "account",
      "verification",
      "devices",
      "sensor_readings",
      "alert_rules",
      "alerts",
      "workout_plans",
      "exercises",
      "workout_logs",
      "log_sets",
    ]) {
      expect(
        first.some((row) => row.startsWith(`${table}.id:`)),
        table,
      ).toBe(true);
    }
    expect(first).toContain(
      "uniq_alert_firing_per_rule:CREATE UNIQUE INDEX uniq_alert_firing_per_rule ON public.alerts USING btree (rule_id) WHERE (status = 'firing'::text)",
    );

    await runMigrations(directUrl);
    expect(await schemaFingerprint(directUrl)).toEqual(first);
  });

  it("store every timestamp with its time zone", async () => {
    const sql = postgres(database.current.directUrl, { max: 1 });
    const naive = await sql`
      select table_name, column_name from information_schema.columns
      where table_schema = 'public' and data_type = 'timestamp without time zone'`;
    await sql.end();
    expect(naive).toEqual([]);
  });
});

describe("pnpm db:migrate", () => {
  it("applies the migrations over DATABASE_URL_DIRECT, and again without error", async () => {
    const target = await createTestDatabase({ empty: true });
    try {
      const env = {
        PATH: process.env.PATH,
        // The pooled URL points nowhere: migrations must use the direct endpoint.
        DATABASE_URL: "postgres://nobody@127.0.0.1:1/unreachable",
        DATABASE_URL_DIRECT: target.directUrl,
      };
      for (let run = 0; run < 2; run++) {
        const proc = spawnTs("", "packages/devstack/src/migrate-cli.ts", env);
        const { code } = await proc.exited;
        expect(code, proc.output()).toBe(0);
        expect(proc.output().trim()).toBe("migrations applied");
      }
      const [row] = await target.sql<
        { n: number }[]
      >`select count(*)::int as n from drizzle.__drizzle_migrations`;
      expect(row?.n).toBeGreaterThan(0);
    } finally {
      await target.drop();
    }
  });

  it("fails with one line when the database is unreachable", async () => {
    const proc = spawnTs("", "packages/devstack/src/migrate-cli.ts", {
      PATH: process.env.PATH,
      DATABASE_URL: "postgres://nobody:hunter2@127.0.0.1:1/unreachable",
    });
    expect((await proc.exited).code).toBe(1);
    const lines = proc.stderr().trim().split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^db:migrate: /);
    expect(proc.output()).not.toContain("hunter2");
  });
});

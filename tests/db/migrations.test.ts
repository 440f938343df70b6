import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createTestDatabase, useTestDatabase } from "@pulseboard/devstack/test";
import { spawnTs } from "@pulseboard/devstack/test/process";
import { standardSecretForm, webhookSecretKey } from "@pulseboard/runtime/standard-webhooks";
import { createDb, createDirectClient } from "@pulseboard/schema/client";
import { MIGRATIONS_FOLDER, runMigrations } from "@pulseboard/schema/migrate";
import { LEGACY_READINGS, moveLegacyBatch } from "@pulseboard/schema/queries/legacy-moves";
import { ensurePartitions } from "@pulseboard/schema/queries/partitions";
import { maintainMinuteRollups } from "@pulseboard/schema/queries/rollup-maintenance";
import { rollUpClosedDays, rollupReadings } from "@pulseboard/schema/queries/rollups";
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
      "alert_rules",
      "alerts",
      "workout_plans",
      "exercises",
      "workout_logs",
      "log_sets",
    ]) {
      // Readings lost the seed's id in 0009 (their key is the natural key): any column will do.
      const column = table === "sensor_readings" ? "device_id" : "id";
      expect(
        first.some((row) => row.startsWith(`${table}.${column}:`)),
        table,
      ).toBe(true);
    }
    // Readings: partitioned by day (migration 0009), keyed by device, metric and time, the key
    // carrying the value (0015: windows read from the key alone), and read through the view that
    // also shows a pre-partitioning table's rows until they are moved.
    expect(first).toContain(
      "sensor_readings:sensor_readings_pkey:PRIMARY KEY (device_id, metric, recorded_at) INCLUDE (value)",
    );
    expect(first.some((row) => row.startsWith("sensor_readings_all.recorded_at:"))).toBe(true);
    expect(first.some((row) => row.startsWith("sensor_readings_legacy."))).toBe(false);
    // Deleted devices are queued for the background purge, by a trigger drizzle cannot declare.
    const catalog = postgres(directUrl, { max: 1 });
    const [trigger] = await catalog<{ n: number }[]>`
      select count(*)::int as n from pg_trigger where tgname = 'devices_queue_purge'`;
    await catalog.end();
    expect(trigger?.n).toBe(1);
    // Minute rollups partitioned by month (migration 0011) and an hourly tier, each read by charts
    // from a covering index; the minutes through a view, like the readings.
    for (const [tier, on] of [
      ["1m", "ON ONLY public.reading_rollups_1m"],
      ["1h", "ON public.reading_rollups_1h"],
    ]) {
      expect(first).toContain(
        `idx_rollup_${tier}_series:CREATE INDEX idx_rollup_${tier}_series ${on} USING btree (device_id, metric, bucket_start) INCLUDE (min, max, sum, count)`,
      );
    }
    expect(first.some((row) => row.startsWith("reading_rollups_1m_all.rolled_at:"))).toBe(true);
    expect(first.some((row) => row.startsWith("reading_rollups_1m_legacy."))).toBe(false);
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

/** The migrations folder as it was up to `tag` (the journal cut after it), in a temporary folder. */
function migrationsUpTo(tag: string): { folder: string; remove: () => void } {
  const folder = mkdtempSync(join(tmpdir(), "pulseboard-migrations-"));
  cpSync(MIGRATIONS_FOLDER, folder, { recursive: true });
  const journalPath = join(folder, "meta", "_journal.json");
  const journal = JSON.parse(readFileSync(journalPath, "utf8")) as { entries: { tag: string }[] };
  const upTo = journal.entries.findIndex((e) => e.tag === tag);
  if (upTo < 0) throw new Error(`no migration ${tag}`);
  writeFileSync(journalPath, JSON.stringify({ ...journal, entries: journal.entries.slice(0, upTo + 1) }));
  return { folder, remove: () => rmSync(folder, { recursive: true, force: true }) };
}

interface BeforeMigration {
  /** A direct connection to the database, migrated up to the tag. */
  sql: postgres.Sql;
  url: string;
  /** A device of owner `o1`. */
  deviceId: string;
  /** Applies every migration after the tag. */
  migrate: () => Promise<void>;
}

/**
 * A fresh database migrated up to `tag`, holding one owner with one device, for a test of what a
 * later migration does to existing rows; dropped afterwards.
 */
async function withDatabaseAt(tag: string, body: (db: BeforeMigration) => Promise<void>): Promise<void> {
  const target = await createTestDatabase({ empty: true });
  const before = migrationsUpTo(tag);
  const url = target.directUrl;
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    await runMigrations(url, before.folder);
    const [device] = await sql<{ id: string }[]>`
      with owner as (insert into "user" (id, name, email) values ('o1', 'owner', 'o1@example.com') returning id)
      insert into devices (owner_id, name, device_key) select id, 'd', repeat('a', 64) from owner returning id`;
    if (!device) throw new Error("no device made");
    await body({
      sql,
      url,
      deviceId: device.id,
      migrate: () => runMigrations(url),
    });
  } finally {
    await sql.end({ timeout: 5 });
    before.remove();
    await target.drop();
  }
}

describe("0007: alert deliveries", () => {
  it("moves each event's webhook delivery state into alert_deliveries", async () => {
    await withDatabaseAt("0006_device_message_ids", async ({ sql, deviceId, migrate }) => {
      const [rule] = await sql<{ id: string }[]>`
      insert into alert_rules (device_id, metric, comparator, threshold)
      values (${deviceId}, 'temperature', 'gt', 30) returning id`;
      const states = [
        ["pending", 0, null],
        ["delivering", 2, "HTTP 500"],
        ["delivered", 1, null],
        ["failed", 5, "timeout"],
        ["skipped", 1, null],
      ] as const;
      const updatedAt = "2026-11-30T10:00:00.000Z";
      for (const [status, attempts, error] of states) {
        await sql`
        with alert as (
          insert into alerts (rule_id, device_id, status, resolved_at)
          values (${rule?.id ?? ""}, ${deviceId}, 'resolved', now()) returning id
        )
        insert into alert_events (alert_id, owner_id, kind, at, webhook_status, webhook_attempts,
                                  webhook_last_error, webhook_updated_at)
        select id, 'o1', 'fired', '2026-11-30T09:00:00Z', ${status}, ${attempts}, ${error}, ${updatedAt}
        from alert`;
      }

      await migrate();
      const moved = await sql<
        {
          status: string;
          attempts: number;
          last_error: string | null;
          next_attempt_at: string;
          claimed_until: string | null;
          destination: string;
        }[]
      >`
      select d.status, d.attempts, d.last_error, d.destination,
             to_char(d.next_attempt_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as next_attempt_at,
             to_char(d.claimed_until at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as claimed_until
      from alert_deliveries d join alert_events e on e.id = d.event_id
      order by d.attempts, d.status`;
      expect(moved).toEqual(
        [
          { status: "pending", attempts: 0, last_error: null, claimed_until: null },
          { status: "delivered", attempts: 1, last_error: null, claimed_until: null },
          { status: "skipped", attempts: 1, last_error: null, claimed_until: null },
          // A claim in progress keeps the old one-minute claim window as its lease.
          {
            status: "in_flight",
            attempts: 2,
            last_error: "HTTP 500",
            claimed_until: "2026-11-30T10:01:00.000Z",
          },
          { status: "failed", attempts: 5, last_error: "timeout", claimed_until: null },
        ].map((row) => ({ ...row, destination: "webhook", next_attempt_at: updatedAt })),
      );
      const [columns] = await sql<{ n: number }[]>`
      select count(*)::int as n from information_schema.columns
      where table_name = 'alert_events' and column_name like 'webhook_%'`;
      expect(columns?.n).toBe(0);
    });
  });
});

describe("0024: notification channels", () => {
  it("turns each webhook setting into a webhook channel with the same key, its deliveries following", async () => {
    await withDatabaseAt("0023_list_keyset_indexes", async ({ sql, deviceId, migrate }) => {
      // An old-style secret: `whsec_` + URL-safe base64 (these bytes make both - and _).
      const key = Buffer.from(Array.from({ length: 24 }, (_, i) => (i * 37 + 251) % 256));
      const old = `whsec_${key.toString("base64url")}`;
      expect(old).toMatch(/[-_]/);
      await sql`insert into "user" (id, name, email) values ('o2', 'no url', 'o2@example.com'),
                                                           ('o3', 'odd secret', 'o3@example.com')`;
      await sql`
        insert into notification_settings (owner_id, webhook_url, webhook_secret) values
          ('o1', 'https://hooks.example.com/pulseboard', ${old}),
          ('o2', null, 'whsec_unused'),
          ('o3', 'https://odd.example.com/hook', 'not base64!')`;
      const [event] = await sql<{ id: string }[]>`
        with rule as (
          insert into alert_rules (device_id, metric, comparator, threshold)
          values (${deviceId}, 'temperature', 'gt', 30) returning id
        ), alert as (
          insert into alerts (rule_id, device_id) select id, ${deviceId} from rule returning id
        )
        insert into alert_events (alert_id, owner_id, kind) select id, 'o1', 'fired' from alert returning id`;
      await sql`insert into alert_deliveries (event_id, destination, status) values (${event?.id ?? ""}, 'webhook', 'pending')`;

      await migrate();
      const channels = await sql<
        {
          owner_id: string;
          kind: string;
          url: string;
          secret: string;
          legacy_secret: string;
          severities: string[];
        }[]
      >`select owner_id, kind, url, secret, legacy_secret, severities from notification_channels order by owner_id`;
      expect(channels.map((c) => [c.owner_id, c.kind, c.url, c.legacy_secret, c.severities])).toEqual([
        ["o1", "webhook", "https://hooks.example.com/pulseboard", old, ["info", "warning", "critical"]],
        ["o3", "webhook", "https://odd.example.com/hook", "not base64!", ["info", "warning", "critical"]],
      ]);
      // The same key, in the form Standard Webhooks libraries read.
      const [o1, o3] = channels;
      expect(o1?.secret).toBe(standardSecretForm(old));
      expect(webhookSecretKey(o1?.secret ?? "").equals(key)).toBe(true);
      expect(webhookSecretKey(o3?.secret ?? "").toString()).toBe("not base64!");
      const [delivery] = await sql<{ channel_id: string; notice: string; severity: string }[]>`
        select d.channel_id, e.notice, a.severity from alert_deliveries d
        join alert_events e on e.id = d.event_id join alerts a on a.id = e.alert_id`;
      const [channelId] = await sql<
        { id: string }[]
      >`select id from notification_channels where owner_id = 'o1'`;
      expect(delivery).toEqual({ channel_id: channelId?.id, notice: "sent", severity: "warning" });
      const [columns] = await sql<{ n: number }[]>`
        select count(*)::int as n from information_schema.columns
        where table_name = 'notification_settings' and column_name like 'webhook_%'`;
      expect(columns?.n).toBe(0);
    });
  });
});

describe("0009: readings partitioned by day", () => {
  it("keeps an existing table's readings readable, and db:move-readings moves them all, resumably", async () => {
    await withDatabaseAt("0008_webhook_test_rate_limit", async ({ sql, url, deviceId, migrate }) => {
      const readings = async (from: string) =>
        (
          await sql<{ row: string }[]>`
          select device_id || ' ' || metric || ' ' || value || ' ' || recorded_at || ' ' || received_at as row
          from ${sql(from)} order by 1`
        ).map((r) => r.row);
      // 3 metrics × 40 instants across March and this week, with received_at of their own.
      await sql`
      insert into sensor_readings (device_id, metric, value, recorded_at, received_at)
      select ${deviceId}, m, g * 1.5, t, t + interval '3 seconds'
      from unnest(array['a', 'b', 'c']) m,
           generate_series(1, 40) g,
           lateral (select case when g % 2 = 0 then timestamptz '2026-03-08T00:00:00Z' + g * interval '7 hours'
                                else now() - g * interval '3 hours' end as t) s`;
      const original = await readings("sensor_readings");
      expect(original).toHaveLength(120);

      await migrate();
      // Not moved by the migration: the old table is there, and the view shows its rows.
      expect(await readings("sensor_readings_legacy")).toEqual(original);
      expect(await readings("sensor_readings_all")).toEqual(original);
      // New readings go to the day partitions, and the view shows both.
      await sql`insert into sensor_readings (device_id, metric, value, recorded_at) values (${deviceId}, 'a', 1, now())`;
      expect(await readings("sensor_readings_all")).toHaveLength(121);
      // A reading stored in both (the old table's last row, written again since): moved once.
      const db = createDb(sql);
      const [last] = await sql<{ at: string }[]>`
      select recorded_at::text as at from sensor_readings_legacy order by ctid desc limit 1`;
      const lastAt = new Date(last?.at ?? Date.now());
      await ensurePartitions(db, "sensor_readings", lastAt, lastAt);
      await sql`
      insert into sensor_readings (device_id, metric, value, recorded_at, received_at)
      select device_id, metric, value, recorded_at, received_at from sensor_readings_legacy
      where ctid = (select max(ctid) from sensor_readings_legacy)`;
      expect(await readings("sensor_readings_all")).toHaveLength(122);

      // An interrupted run (here: one batch), then the command, in small batches.
      expect(await moveLegacyBatch(db, LEGACY_READINGS, 25)).toEqual({ moved: 25, duplicates: 0 });
      expect(await readings("sensor_readings_all")).toHaveLength(122);
      const env = {
        PATH: process.env.PATH,
        DATABASE_URL: url,
        DATABASE_URL_DIRECT: url,
      };
      const proc = spawnTs("", "packages/devstack/src/move-readings-cli.ts", env, ["--batch", "10"]);
      const { code } = await proc.exited;
      expect(code, proc.output()).toBe(0);
      expect(proc.output()).toMatch(
        /moved 95 readings in [\d.]+ s \(1 was stored twice: kept once\); the old table is gone/,
      );

      const after = await readings("sensor_readings_all");
      expect(after.filter((row) => original.includes(row))).toEqual(original);
      expect(after).toHaveLength(121);
      const [state] = await sql<{ legacy: string | null; view: string }[]>`
      select to_regclass('sensor_readings_legacy')::text as legacy, pg_get_viewdef('sensor_readings_all') as view`;
      expect(state?.legacy).toBeNull();
      expect(state?.view).not.toMatch(/legacy/);
      // March's days got partitions of their own.
      const [march] = await sql<{ n: number }[]>`
      select count(*)::int as n from pg_inherits where inhparent = 'sensor_readings'::regclass
        and inhrelid::regclass::text like 'sensor_readings_202603%'`;
      expect(march?.n).toBeGreaterThan(5);

      // Run again: nothing to do, said plainly.
      const again = spawnTs("", "packages/devstack/src/move-readings-cli.ts", env);
      expect((await again.exited).code, again.output()).toBe(0);
      expect(again.output()).toMatch(/nothing to move/);
    });
  });
});

describe("0011: minute rollups partitioned by month, an hourly tier", () => {
  it("keeps an existing table's minutes readable, and the maintenance moves them all before the hourly tier starts", async () => {
    await withDatabaseAt("0010_device_purges", async ({ sql, url, deviceId, migrate }) => {
      const minutes = async (from: string) =>
        (
          await sql<{ row: string }[]>`
          select device_id || ' ' || metric || ' ' || bucket_start || ' ' || min || ' ' || max || ' ' || sum || ' ' || count || ' ' || rolled_at as row
          from ${sql(from)} order by 1`
        ).map((r) => r.row);
      // 2 metrics × 60 minutes in February and March, rolled up when they closed.
      await sql`
      insert into reading_rollups_1m (device_id, metric, bucket_start, min, max, sum, count, rolled_at)
      select ${deviceId}, m, t, g, g + 1, 3 * g, 3, t + interval '90 seconds'
      from unnest(array['a', 'b']) m, generate_series(1, 60) g,
           lateral (select timestamptz '2026-02-27T00:00:00Z' + g * interval '37 minutes 3 hours' as t) s`;
      await sql`insert into rollup_watermarks (name, cutoff) values ('reading_rollups_1m', '2026-03-10T00:00:00Z')`;
      const original = await minutes("reading_rollups_1m");
      expect(original).toHaveLength(120);

      await migrate();
      // Not moved by the migration: the old table is there, and the view shows its rows.
      expect(await minutes("reading_rollups_1m_legacy")).toEqual(original);
      expect(await minutes("reading_rollups_1m_all")).toEqual(original);
      const db = createDb(sql);
      // Charts read them; the hourly tier waits for the old table to go.
      const chart = { ownerId: "o1", deviceId, metric: "a", bucketSeconds: 86_400 };
      const span = { from: new Date("2026-02-27T00:00:00Z"), to: new Date("2026-03-10T00:00:00Z") };
      const expected = await sql<{ t: string; count: number }[]>`
      select to_char(date_bin('1 day', bucket_start, timestamptz '1970-01-01 00:00:00+00') at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') as t,
             sum(count)::int as count
      from reading_rollups_1m_legacy where metric = 'a' group by 1 order by 1`;
      const counts = async () =>
        (await rollupReadings(db, { ...chart, ...span })).map((p) => ({ t: p.t, count: p.count }));
      expect(await counts()).toEqual(expected);
      expect(await rollUpClosedDays(db)).toMatchObject({ waitingForLegacy: true, rows: 0 });

      // The maintenance moves them in batches (here 50 a run), then drops the old table.
      const direct = createDirectClient(url);
      try {
        const now = new Date("2026-03-10T00:00:00Z");
        const first = await maintainMinuteRollups(db, direct, { now, legacyRowsPerRun: 50 });
        expect(first.legacy).toEqual({ moved: 50, done: false });
        expect(await minutes("reading_rollups_1m_all")).toEqual(original);
        expect(await counts()).toEqual(expected);
        expect(await maintainMinuteRollups(db, direct, { now, legacyRowsPerRun: 50 })).toMatchObject({
          legacy: { moved: 50, done: false },
        });
        expect(await maintainMinuteRollups(db, direct, { now, legacyRowsPerRun: 50 })).toMatchObject({
          legacy: { moved: 20, done: true },
        });
      } finally {
        await direct.end({ timeout: 5 });
      }
      expect(await minutes("reading_rollups_1m")).toEqual(original);
      expect(await minutes("reading_rollups_1m_all")).toEqual(original);
      const [state] = await sql<{ legacy: string | null; view: string; months: string[] }[]>`
      select to_regclass('reading_rollups_1m_legacy')::text as legacy,
             pg_get_viewdef('reading_rollups_1m_all') as view,
             array(select inhrelid::regclass::text from pg_inherits
                   where inhparent = 'reading_rollups_1m'::regclass order by 1) as months`;
      expect(state?.legacy).toBeNull();
      expect(state?.view).not.toMatch(/legacy/);
      expect(state?.months).toEqual(
        expect.arrayContaining(["reading_rollups_1m_202602", "reading_rollups_1m_202603"]),
      );

      // Now the hourly tier starts, and holds every moved minute of the days closed by the cutoff.
      expect(await rollUpClosedDays(db, { maxDays: 31 })).toMatchObject({
        waitingForLegacy: false,
        readings: 360,
      });
      expect(await counts()).toEqual(expected);
    });
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

import { useTestDatabase } from "@pulseboard/devstack/test";
import { createDirectClient, createPooledClient, POOLED_CLIENT_DEFAULTS } from "@pulseboard/schema/client";
import postgres from "postgres";
import { describe, expect, it } from "vitest";

const database = useTestDatabase();

/** Runs two parameterised queries, then lists the session's prepared statements, in one transaction
 * (so through PgBouncer's transaction mode it is one server connection throughout). */
async function preparedStatementsAfterQueries(sql: postgres.Sql): Promise<string[]> {
  return sql.begin(async (tx) => {
    await tx`select ${1}::int + 1 as n`;
    await tx`select ${2}::int + 1 as n`;
    const rows = await tx<{ statement: string }[]>`select statement from pg_prepared_statements`;
    return rows.map((r) => r.statement);
  });
}

describe("pooled client", () => {
  it("is configured as the pooled endpoint requires", () => {
    const sql = createPooledClient(database.current.url);
    expect(sql.options.prepare).toBe(false);
    expect(sql.options.max).toBe(POOLED_CLIENT_DEFAULTS.max);
    expect(sql.options.idle_timeout).toBe(20);
    expect(sql.options.connect_timeout).toBe(10);
    return sql.end();
  });

  it("really runs without server-side prepared statements", async () => {
    const pooled = createPooledClient(database.current.url, { max: 1 });
    try {
      expect(await preparedStatementsAfterQueries(pooled)).toEqual([]);
    } finally {
      await pooled.end();
    }
  });

  it("(control) a client with prepared statements on leaves them in the session", async () => {
    // Direct endpoint: with PgBouncer in transaction mode, named statements would not survive.
    const preparing = postgres(database.current.directUrl, { max: 1, prepare: true });
    try {
      const statements = await preparedStatementsAfterQueries(preparing);
      expect(statements.some((s) => s.includes("$1::int + 1"))).toBe(true);
    } finally {
      await preparing.end();
    }
  });

  it("serves many concurrent transactions through a small pool", async () => {
    const pooled = createPooledClient(database.current.url, { max: 2 });
    try {
      const results = await Promise.all(
        Array.from({ length: 40 }, (_, i) =>
          pooled.begin(async (tx) => {
            const [row] = await tx<{ n: number }[]>`select ${i}::int as n`;
            return row?.n;
          }),
        ),
      );
      expect(results).toEqual(Array.from({ length: 40 }, (_, i) => i));
    } finally {
      await pooled.end();
    }
  });

  it("a query that fails after streaming rows leaves the connection's next result whole", async () => {
    // postgres-js 3.4.9 kept its row counter after such an error, so the next query on the
    // connection came back with holes at its start (porsager/postgres#1119; patched in patches/).
    const sql = createPooledClient(database.current.url, { max: 1 });
    try {
      await expect(sql`select 1 / (4 - i) as boom from generate_series(1, 10) i`).rejects.toMatchObject({
        code: "22012",
      });
      const rows = await sql<{ x: number }[]>`select x from generate_series(1, 5) x`;
      expect(rows).toHaveLength(5);
      expect(rows.map((r) => r.x)).toEqual([1, 2, 3, 4, 5]);
    } finally {
      await sql.end({ timeout: 5 });
    }
  });
});

describe("direct client", () => {
  it("keeps one session, so LISTEN receives a NOTIFY sent through the pooled client", async () => {
    const direct = createDirectClient(database.current.directUrl);
    let resolve: (payload: string) => void = () => {};
    const received = new Promise<string>((r) => {
      resolve = r;
    });
    // listen() resolves once LISTEN has run on the direct session.
    await direct.listen("pulseboard_test", (payload) => resolve(payload));
    await database.current.sql`select pg_notify('pulseboard_test', 'hello')`;
    await expect(received).resolves.toBe("hello");
    await direct.end();
  });
});

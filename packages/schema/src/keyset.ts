// Keyset pagination for the owner's lists (alerts, workouts, devices): newest first on
// (a timestamp, id), a page starts after the last row of the one before. A cursor is opaque to
// clients: the last row's key, written exactly (microseconds, UTC) so no row is skipped or
// repeated at a page boundary, base64url-encoded. Offsets would shift under new rows and read
// every skipped row; a keyset page is an index range.
import { type AnyColumn, type SQL, sql } from "drizzle-orm";
import { z } from "zod";
import { InvalidError } from "./errors";

export interface Keyset {
  /** The row's timestamp as the listing wrote it: `YYYY-MM-DDTHH:MM:SS.ffffffZ`. */
  at: string;
  id: string;
}

export const PAGE_DEFAULT_LIMIT = 50;
export const PAGE_MAX_LIMIT = 100;

/** The page parameters every paginated list takes. */
export const pageParams = {
  cursor: z.string().max(200, { error: "cursor is not one this list wrote" }).optional(),
  limit: z.coerce
    .number({ error: "limit must be a whole number" })
    .int({ error: "limit must be a whole number" })
    .min(1, { error: "limit must be at least 1" })
    .max(PAGE_MAX_LIMIT, { error: `limit must be at most ${PAGE_MAX_LIMIT}` })
    .default(PAGE_DEFAULT_LIMIT),
};

const AT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A timestamp column as a cursor holds it: UTC, to the microsecond (a Date keeps milliseconds). */
export function keyAt(column: AnyColumn): SQL<string> {
  return sql<string>`to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;
}

/** A date that exists (Date.parse rolls Feb 30 over to Mar 2), in years PostgreSQL takes as written. */
function isRealInstant(at: string): boolean {
  const ms = Date.parse(at);
  if (!Number.isFinite(ms)) return false;
  const year = Number(at.slice(0, 4));
  return year >= 1 && new Date(ms).toISOString().slice(0, 23) === at.slice(0, 23);
}

export function encodeKeyset(key: Keyset): string {
  return Buffer.from(JSON.stringify([key.at, key.id])).toString("base64url");
}

/** The cursor in a `cursor` parameter; undefined when it is not one a listing wrote. */
export function decodeKeyset(value: string): Keyset | undefined {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(value, "base64url").toString("utf8"));
    if (!Array.isArray(parsed) || parsed.length !== 2) return;
    const [at, id] = parsed;
    if (typeof at !== "string" || !AT.test(at) || !isRealInstant(at)) return;
    if (typeof id !== "string" || !UUID.test(id)) return;
    return { at, id: id.toLowerCase() };
  } catch {
    return;
  }
}

/**
 * The condition "after the cursor" on a list ordered by (`at`, `id`) descending, or undefined on
 * the first page; a cursor the list did not write is InvalidError (field `cursor`).
 */
export function afterCursor(cursor: string | undefined, at: AnyColumn, id: AnyColumn): SQL | undefined {
  if (cursor === undefined) return undefined;
  const key = decodeKeyset(cursor);
  if (!key) throw new InvalidError("cursor is not one this list wrote", { field: "cursor" });
  return sql`(${at}, ${id}) < (${key.at}::timestamptz, ${key.id}::uuid)`;
}

/** The cursor a page was asked with, if a list wrote it; anything else is the first page (for pages). */
export function pageCursor(value: string | undefined): string | undefined {
  return value !== undefined && decodeKeyset(value) ? value : undefined;
}

/**
 * A page from `limit + 1` rows read: the first `limit`, and the cursor after the last of them
 * when there was one more (so a last page that happens to be full says so, with no extra request).
 */
export function keysetPage<T extends { id: string; keyAt: string }>(
  rows: T[],
  limit: number,
): { rows: Omit<T, "keyAt">[]; next: string | null } {
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  const next = rows.length > limit && last ? encodeKeyset({ at: last.keyAt, id: last.id }) : null;
  return { rows: page.map(({ keyAt: _, ...row }) => row), next };
}

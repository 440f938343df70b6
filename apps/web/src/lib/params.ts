import { z } from "zod";

// The same check request bodies get (z.uuid()), so a path and a body agree on what an id is.
const uuid = z.uuid();

/** Ids in paths are UUIDs; anything else cannot name a row, so it is a 404 without a query. */
export function isUuid(value: string | undefined): value is string {
  return uuid.safeParse(value).success;
}

/** The first value of a search parameter (Next passes repeated ones as an array). */
export function first(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

import { searchQuery } from "@pulseboard/schema/community";
import { searchCommunity } from "@pulseboard/schema/queries/community-search";
import { json, parse, searchParams, withErrors } from "@/lib/api";
import { db } from "@/lib/db";

/** Threads matching `?q=` in their titles or replies, best first; anyone may search. */
export const GET = withErrors(async (request) => {
  const { q } = parse(searchQuery, searchParams(request), "search");
  return json(await searchCommunity(db, q));
});

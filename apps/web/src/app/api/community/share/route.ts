import { shareBody } from "@pulseboard/schema/community";
import { json, parse, readJson, withSession } from "@/lib/api";
import { shareToCommunity } from "@/lib/community";

/**
 * Shares a chart's range or a workout into a thread (or a new one) as a frozen snapshot beside a
 * note: readers need no access to the device or the log, and deleting them later changes nothing.
 */
export const POST = withSession(async (request, session) => {
  const body = parse(shareBody, await readJson(request), "share");
  return json(await shareToCommunity(session.user.id, body), 201);
});

import { listAlerts } from "@pulseboard/schema/queries/alerts";
import { alertsQuery } from "@pulseboard/schema/telemetry";
import { json, parse, searchParams, withSession } from "@/lib/api";
import { db } from "@/lib/db";

export const GET = withSession(async (request, session) => {
  const query = parse(alertsQuery, searchParams(request), "query");
  return json(await listAlerts(db, session.user.id, query));
});

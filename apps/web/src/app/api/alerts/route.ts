import { listAlertsPage } from "@pulseboard/schema/queries/alerts";
import { alertsQuery } from "@pulseboard/schema/telemetry";
import { paged, parse, searchParams, withSession } from "@/lib/api";
import { db } from "@/lib/db";

export const GET = withSession(async (request, session) => {
  const query = parse(alertsQuery, searchParams(request), "query");
  const { rows, next } = await listAlertsPage(db, session.user.id, query);
  return paged(request, rows, next);
});

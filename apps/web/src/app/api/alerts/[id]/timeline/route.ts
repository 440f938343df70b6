import { alertTimeline } from "@pulseboard/schema/queries/alert-actions";
import { idParam, json, notFound, withSession } from "@/lib/api";
import { db } from "@/lib/db";

/** The alert's events, oldest first, each with its notice and its deliveries (status, attempts, last error). */
export const GET = withSession<{ id: string }>(async (_request, session, params) => {
  const timeline = await alertTimeline(db, session.user.id, idParam(params.id, "alert"));
  if (timeline.length === 0) throw notFound("alert not found");
  return json(timeline);
});

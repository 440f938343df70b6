import { getAlert } from "@pulseboard/schema/queries/alerts";
import { idParam, json, notFound, withSession } from "@/lib/api";
import { db } from "@/lib/db";

export const GET = withSession<{ id: string }>(async (_request, session, params) => {
  const alert = await getAlert(db, session.user.id, idParam(params.id, "alert"));
  if (!alert) throw notFound("alert not found");
  return json(alert);
});

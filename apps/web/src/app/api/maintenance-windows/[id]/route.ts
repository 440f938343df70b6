import { deleteMaintenanceWindow } from "@pulseboard/schema/queries/maintenance-windows";
import { idParam, withSession } from "@/lib/api";
import { db } from "@/lib/db";

export const DELETE = withSession<{ id: string }>(async (_request, session, params) => {
  await deleteMaintenanceWindow(db, session.user.id, idParam(params.id, "maintenance window"));
  return new Response(null, { status: 204 });
});

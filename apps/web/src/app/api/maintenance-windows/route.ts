import {
  createMaintenanceWindow,
  listMaintenanceWindows,
  type NewMaintenanceWindow,
} from "@pulseboard/schema/queries/maintenance-windows";
import { json, parse, readJson, searchParams, withSession } from "@/lib/api";
import { db } from "@/lib/db";
import { maintenanceListQuery, maintenanceWindowBody } from "@/lib/maintenance";

/** The owner's windows; with ?deviceId, those that apply to that device (its own and its tags'). */
export const GET = withSession(async (request, session) => {
  const query = parse(maintenanceListQuery, searchParams(request), "query");
  return json(await listMaintenanceWindows(db, session.user.id, query));
});

export const POST = withSession(async (request, session) => {
  const body = parse(maintenanceWindowBody, await readJson(request), "maintenance window");
  return json(await createMaintenanceWindow(db, session.user.id, body as NewMaintenanceWindow), 201);
});

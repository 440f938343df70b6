import { createDevice, listDevicesPage } from "@pulseboard/schema/queries/devices";
import { createDeviceBody, devicesQuery } from "@pulseboard/schema/telemetry";
import { json, paged, parse, readJson, searchParams, withSession } from "@/lib/api";
import { db } from "@/lib/db";

export const GET = withSession(async (request, session) => {
  const query = parse(devicesQuery, searchParams(request), "query");
  const { rows, next } = await listDevicesPage(db, session.user.id, query);
  return paged(request, rows, next);
});

export const POST = withSession(async (request, session) => {
  const body = parse(createDeviceBody, await readJson(request), "device");
  // The only response that ever carries the key: it is stored as a digest.
  return json(await createDevice(db, session.user.id, body.name), 201);
});

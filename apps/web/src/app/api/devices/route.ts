import { createDevice, listDevices } from "@pulseboard/schema/queries/devices";
import { createDeviceBody } from "@pulseboard/schema/telemetry";
import { json, parse, readJson, withSession } from "@/lib/api";
import { db } from "@/lib/db";

export const GET = withSession(async (_request, session) => json(await listDevices(db, session.user.id)));

export const POST = withSession(async (request, session) => {
  const body = parse(createDeviceBody, await readJson(request), "device");
  // The only response that ever carries the key: it is stored as a digest.
  return json(await createDevice(db, session.user.id, body.name), 201);
});

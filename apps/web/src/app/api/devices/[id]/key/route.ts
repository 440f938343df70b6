import { rotateDeviceKey } from "@pulseboard/schema/queries/devices";
import { rotateKeyBody } from "@pulseboard/schema/telemetry";
import { idParam, json, parse, readJson, withSession } from "@/lib/api";
import { db } from "@/lib/db";

/**
 * Replaces the device's key. The answer carries the new key, the only time it is shown; the old
 * key is accepted until `previousKeyExpiresAt` (null: no longer).
 */
export const POST = withSession<{ id: string }>(async (request, session, params) => {
  const id = idParam(params.id, "device");
  const body = parse(rotateKeyBody, await readJson(request), "key rotation");
  return json(await rotateDeviceKey(db, session.user.id, id, body.graceSeconds));
});

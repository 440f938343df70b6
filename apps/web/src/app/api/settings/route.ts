import { userSettingsBody } from "@pulseboard/schema/auth";
import { getUserSettings, setTimeZone } from "@pulseboard/schema/queries/user-settings";
import { json, parse, readJson, withSession } from "@/lib/api";
import { db } from "@/lib/db";

export const GET = withSession(async (_request, session) => json(await getUserSettings(db, session.user.id)));

// `detected: true` is the browser's guess on a first visit: it never replaces a stored zone.
export const PUT = withSession(async (request, session) => {
  const body = parse(userSettingsBody, await readJson(request), "settings");
  return json(await setTimeZone(db, session.user.id, body.timeZone, { onlyIfUnset: body.detected === true }));
});

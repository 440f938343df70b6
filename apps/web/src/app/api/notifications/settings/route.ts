import { getNotificationSettings, saveNotificationSettings } from "@pulseboard/schema/queries/notifications";
import { json, parse, readJson, withSession } from "@/lib/api";
import { db } from "@/lib/db";
import { notificationSettingsBody } from "@/lib/notification-channels";

/** Where unacknowledged critical alerts escalate, and after how many minutes. */
export const GET = withSession(async (_request, session) =>
  json(await getNotificationSettings(db, session.user.id)),
);

export const PUT = withSession(async (request, session) => {
  const body = parse(notificationSettingsBody, await readJson(request), "settings");
  return json(await saveNotificationSettings(db, session.user.id, body));
});

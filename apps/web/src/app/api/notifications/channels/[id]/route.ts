import { deleteChannel, getChannel, updateChannel } from "@pulseboard/schema/queries/notifications";
import { idParam, json, parse, readJson, withSession } from "@/lib/api";
import { db } from "@/lib/db";
import { channelChangesBody, channelViewOf } from "@/lib/notification-channels";

export const GET = withSession<{ id: string }>(async (_request, session, params) =>
  json(await channelViewOf(db, await getChannel(db, session.user.id, idParam(params.id, "channel")))),
);

/** Renames it or changes the severities it receives. */
export const PATCH = withSession<{ id: string }>(async (request, session, params) => {
  const body = parse(channelChangesBody, await readJson(request), "channel");
  const channel = await updateChannel(db, session.user.id, idParam(params.id, "channel"), body);
  return json(await channelViewOf(db, channel));
});

export const DELETE = withSession<{ id: string }>(async (_request, session, params) => {
  await deleteChannel(db, session.user.id, idParam(params.id, "channel"));
  return new Response(null, { status: 204 });
});

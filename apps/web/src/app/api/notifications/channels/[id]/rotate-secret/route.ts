import { rotateChannelSecret } from "@pulseboard/schema/queries/notifications";
import { idParam, json, withSession } from "@/lib/api";
import { db } from "@/lib/db";
import { channelViewOf } from "@/lib/notification-channels";

/** A new signing secret; the old one still signs (a second signature) for a day. */
export const POST = withSession<{ id: string }>(async (_request, session, params) =>
  json(
    await channelViewOf(db, await rotateChannelSecret(db, session.user.id, idParam(params.id, "channel"))),
  ),
);

import { idParam, json, withSession } from "@/lib/api";
import { channelIo } from "@/lib/channel-io";
import { db } from "@/lib/db";
import { sendChannelTest } from "@/lib/notification-channels";

/** Sends the channel a test notice (rate-limited per channel); 200 {ok, message} either way. */
export const POST = withSession<{ id: string }>(async (_request, session, params) =>
  json(await sendChannelTest(db, session.user.id, idParam(params.id, "channel"), channelIo)),
);

import { createChannel } from "@pulseboard/schema/queries/notifications";
import { json, parse, readJson, withSession } from "@/lib/api";
import { channelIo } from "@/lib/channel-io";
import { db } from "@/lib/db";
import {
  channelViewOf,
  channelViews,
  newChannelBody,
  sendConfirmationMail,
} from "@/lib/notification-channels";

/** The owner's channels, their account e-mail first among them. */
export const GET = withSession(async (_request, session) => json(await channelViews(db, session.user.id)));

/** Adds a channel; an e-mail address is sent a confirmation link and receives nothing before. */
export const POST = withSession(async (request, session) => {
  const body = parse(newChannelBody(channelIo.allowPrivate), await readJson(request), "channel");
  if (body.kind === "email" && !channelIo.mailer) {
    return json({ error: "e-mail is not configured on this server (SMTP_URL)", field: "address" }, 400);
  }
  const { channel, confirmToken } = await createChannel(db, session.user.id, body);
  const confirmation =
    confirmToken && channel.address
      ? await sendConfirmationMail(channel.address, confirmToken, channelIo)
      : null;
  return json({ ...(await channelViewOf(db, channel)), confirmation }, 201);
});

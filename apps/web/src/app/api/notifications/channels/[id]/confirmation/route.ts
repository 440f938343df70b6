import { renewConfirmation } from "@pulseboard/schema/queries/notifications";
import { idParam, json, withSession } from "@/lib/api";
import { channelIo } from "@/lib/channel-io";
import { db } from "@/lib/db";
import { sendConfirmationMail } from "@/lib/notification-channels";

/** Sends an unconfirmed address a new confirmation link (the old one stops working). */
export const POST = withSession<{ id: string }>(async (_request, session, params) => {
  const { channel, confirmToken } = await renewConfirmation(
    db,
    session.user.id,
    idParam(params.id, "channel"),
  );
  return json(await sendConfirmationMail(channel.address ?? "", confirmToken, channelIo));
});

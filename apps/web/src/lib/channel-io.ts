import "server-only";
import { env } from "@/env";
import { log } from "@/lib/log";
import { mailer } from "@/lib/mail";
import type { ChannelIo } from "@/lib/notification-channels";

/** What sending to a channel needs from this process: the SSRF setting, SMTP, the app's URL, the log. */
export const channelIo: ChannelIo = {
  allowPrivate: env.WEBHOOK_ALLOW_PRIVATE,
  mailer,
  appUrl: env.BETTER_AUTH_URL,
  log: log.child({ module: "notifications" }),
};

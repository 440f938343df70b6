import "server-only";
import { createMailer, type Mailer } from "@pulseboard/runtime/mail";
import { env } from "@/env";

// One pooled SMTP connection per server process (kept across dev reloads), when SMTP_URL is set.
const globalForMail = globalThis as unknown as { pulseboardMailer?: Mailer };

export const mailer: Mailer | undefined = env.SMTP_URL
  ? (globalForMail.pulseboardMailer ?? createMailer({ url: env.SMTP_URL, from: env.MAIL_FROM }))
  : undefined;
if (mailer && env.NODE_ENV !== "production") globalForMail.pulseboardMailer = mailer;

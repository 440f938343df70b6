// The owner's notification channels as the web app handles them: what may be saved (an http(s)
// URL not pointing into our network, an e-mail address), "send test" for each kind, and the
// confirmation mail an added address gets. Without the page's session and env (the routes pass
// them), so tests run it against a real database, sockets and an SMTP server.
import { randomUUID } from "node:crypto";
import type { Logger } from "@pulseboard/runtime/logger";
import type { Mailer } from "@pulseboard/runtime/mail";
import { noticeWebhookHeaders, postJson } from "@pulseboard/runtime/webhook";
import { isAllowedWithoutLookup } from "@pulseboard/runtime/webhook-address";
import type { Database } from "@pulseboard/schema/client";
import { InvalidError } from "@pulseboard/schema/errors";
import { getChannel, listChannels, takeChannelTestSend } from "@pulseboard/schema/queries/notifications";
import { CHANNEL_KINDS, type NotificationChannel, SEVERITIES } from "@pulseboard/schema/telemetry";
import { z } from "zod";

/** "Send test" presses per channel: at most this many... */
export const SEND_TEST_LIMIT = 5;
/** ...in any window this long (each press is a request to an address the owner chose). */
export const SEND_TEST_WINDOW_MS = 60_000;
const SEND_TEST_TIMEOUT_MS = 5000;

export const ADDRESS_NOT_ALLOWED =
  "That address is not allowed: webhooks go to public internet addresses only (a self-hosted server can allow its own network with WEBHOOK_ALLOW_PRIVATE=1).";

/**
 * A webhook or Slack URL. An IP literal or localhost name that may not be reached is refused here;
 * a hostname is checked when sending, against what it resolves to then.
 */
export function webhookUrlField(allowPrivate: boolean) {
  return z
    .string()
    .trim()
    .min(1, "Enter the URL.")
    .max(2000, "The URL is too long.")
    .refine((v) => /^https?:\/\//i.test(v), "Use an http:// or https:// URL.")
    .refine((v) => URL.canParse(v), "That is not a valid URL.")
    .refine((v) => !URL.canParse(v) || isAllowedWithoutLookup(new URL(v), allowPrivate), ADDRESS_NOT_ALLOWED);
}

const channelName = z.string().trim().min(1, "Name it.").max(100, "The name is at most 100 characters.");
const severities = z
  .array(z.enum(SEVERITIES))
  .max(3)
  .default([...SEVERITIES]);

/** POST /api/notifications/channels. */
export function newChannelBody(allowPrivate: boolean) {
  return z.discriminatedUnion(
    "kind",
    [
      z.strictObject({
        kind: z.enum(["webhook", "slack"]),
        name: channelName,
        url: webhookUrlField(allowPrivate),
        severities,
      }),
      z.strictObject({
        kind: z.literal("email"),
        name: channelName,
        address: z.email("Enter an e-mail address.").max(254),
        severities,
      }),
    ],
    { error: `kind must be one of ${CHANNEL_KINDS.join(", ")}` },
  );
}

/** PATCH /api/notifications/channels/:id. */
export const channelChangesBody = z
  .strictObject({ name: channelName.optional(), severities: z.array(z.enum(SEVERITIES)).max(3).optional() })
  .refine((b) => b.name !== undefined || b.severities !== undefined, "Change the name or the severities.");

/** PUT /api/notifications/settings. */
export const notificationSettingsBody = z.strictObject({
  escalationChannelId: z.uuid("escalationChannelId must be a channel id").nullable(),
  escalationMinutes: z.number().int().min(1).max(1440),
});

export interface ChannelIo {
  /** WEBHOOK_ALLOW_PRIVATE. */
  allowPrivate: boolean;
  /** SMTP (undefined: no mail server configured). */
  mailer: Mailer | undefined;
  /** The app's public URL, for links. */
  appUrl: string;
  log: Logger;
  now?: Date;
}

type Answer = { ok: boolean; message: string };

const TEST_TEXT = "A test from Pulseboard: this channel receives your alert notices.";

/**
 * Sends a channel a test notice, within the rate limit; the answer is for the owner (generic
 * words; the detail goes to the log). A webhook test is signed like a notice (Standard Webhooks,
 * and the deprecated X-Pulseboard headers).
 */
export async function sendChannelTest(
  db: Database,
  ownerId: string,
  channelId: string,
  io: ChannelIo,
): Promise<Answer> {
  const channel = await getChannel(db, ownerId, channelId);
  const address = channel.isAccount
    ? await accountAddress(db, ownerId)
    : { email: channel.address, verified: Boolean(channel.verifiedAt) };
  if (channel.kind === "email") {
    if (!address.email) return { ok: false, message: "Not sent: the account has no e-mail address." };
    if (!address.verified)
      return { ok: false, message: "Not sent: the address is not confirmed yet (use the link we sent)." };
    if (!io.mailer)
      return { ok: false, message: "Not sent: e-mail is not configured on this server (SMTP_URL)." };
  }
  const now = io.now ?? new Date();
  const slot = await takeChannelTestSend(db, ownerId, channelId, now, SEND_TEST_LIMIT, SEND_TEST_WINDOW_MS);
  if (!slot.allowed) {
    return {
      ok: false,
      message: `Too many tests: at most ${SEND_TEST_LIMIT} a minute. Try again in ${slot.retryAfterSeconds} s.`,
    };
  }
  const post = { timeoutMs: SEND_TEST_TIMEOUT_MS, allowPrivate: io.allowPrivate };
  if (channel.kind === "email") {
    const sent = await io.mailer?.send({
      to: address.email ?? "",
      subject: "Pulseboard test notice",
      text: `${TEST_TEXT}\n\n${io.appUrl}\n`,
      html: `<p>${TEST_TEXT}</p><p><a href="${io.appUrl}">Open Pulseboard</a></p>`,
    });
    if (sent?.ok) return { ok: true, message: `Sent to ${address.email}.` };
    io.log.warn({ ownerId, channelId, reason: sent?.detail }, "channel test failed");
    return { ok: false, message: `Not sent: ${sent?.error ?? "no mail server"}.` };
  }
  const id = randomUUID();
  const body =
    channel.kind === "slack"
      ? JSON.stringify({ text: TEST_TEXT })
      : JSON.stringify({ id, type: "test", at: now.toISOString(), message: TEST_TEXT });
  const timestamp = Math.floor(now.getTime() / 1000);
  const secrets = [
    channel.secret,
    channel.previousSecretUntil && channel.previousSecretUntil > now ? channel.previousSecret : null,
  ].filter((s): s is string => Boolean(s));
  const headers =
    channel.kind === "slack"
      ? {}
      : noticeWebhookHeaders({
          deliveryId: id,
          eventId: id,
          timestamp,
          body,
          secrets,
          legacySecret: channel.legacySecret ?? channel.secret ?? "",
        });
  const result = await postJson(channel.url ?? "", { headers, body }, post);
  if (result.ok) return { ok: true, message: `Delivered: the receiver answered HTTP ${result.status}.` };
  // The detail (resolved address, socket error) is the operator's; the owner reads the generic words.
  io.log.warn({ ownerId, channelId, origin: result.origin, reason: result.detail }, "channel test failed");
  return { ok: false, message: `Not delivered: ${result.error}.` };
}

async function accountAddress(
  db: Database,
  ownerId: string,
): Promise<{ email: string | null; verified: boolean }> {
  const [row] = await db.$client<{ email: string | null; email_verified: boolean }[]>`
    select email, email_verified from "user" where id = ${ownerId}`;
  return { email: row?.email ?? null, verified: row?.email_verified ?? false };
}

/** The confirmation mail an added address gets: a link that confirms it for this owner. */
export async function sendConfirmationMail(
  address: string,
  token: string,
  io: Pick<ChannelIo, "mailer" | "appUrl" | "log">,
): Promise<Answer> {
  if (!io.mailer)
    throw new InvalidError("e-mail is not configured on this server (SMTP_URL)", { field: "address" });
  const link = new URL(`/settings/confirm?token=${encodeURIComponent(token)}`, io.appUrl).toString();
  const sent = await io.mailer.send({
    to: address,
    subject: "Confirm this address for Pulseboard alerts",
    text: `Someone (we hope you) asked Pulseboard to send alert notices to this address.\n\nConfirm it: ${link}\n\nIgnore this mail if it was not you: nothing will be sent.\n`,
    html: `<p>Someone (we hope you) asked Pulseboard to send alert notices to this address.</p><p><a href="${link}">Confirm it</a></p><p>Ignore this mail if it was not you: nothing will be sent.</p>`,
  });
  if (sent.ok) return { ok: true, message: `We sent a confirmation link to ${address}.` };
  io.log.warn({ reason: sent.detail }, "confirmation mail failed");
  return {
    ok: false,
    message: `The confirmation mail was not sent: ${sent.error}. Try again from the channel.`,
  };
}

/** A channel as the API and pages show it: no token digest or test log; the account's address filled in. */
export function channelView(
  channel: NotificationChannel,
  account: { email: string | null; verified: boolean },
) {
  return {
    id: channel.id,
    kind: channel.kind,
    name: channel.name,
    severities: channel.severities,
    isAccount: channel.isAccount,
    url: channel.url,
    address: channel.isAccount ? account.email : channel.address,
    verified: channel.isAccount ? account.verified : channel.verifiedAt !== null,
    /** webhook: what receivers verify `webhook-signature` with (Standard Webhooks). */
    secret: channel.secret,
    /** A rotated-out secret still signs until then. */
    previousSecretUntil: channel.previousSecretUntil,
    createdAt: channel.createdAt,
  };
}

export type ChannelView = ReturnType<typeof channelView>;

/** The owner's channels as the API shows them. */
export async function channelViews(db: Database, ownerId: string): Promise<ChannelView[]> {
  const [channels, account] = await Promise.all([listChannels(db, ownerId), accountAddress(db, ownerId)]);
  return channels.map((c) => channelView(c, account));
}

/** One channel as the API shows it. */
export async function channelViewOf(db: Database, channel: NotificationChannel): Promise<ChannelView> {
  return channelView(channel, await accountAddress(db, channel.ownerId));
}

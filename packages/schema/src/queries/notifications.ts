// An owner's notification channels and settings (docs/notifications.md): webhooks (Standard
// Webhooks, their `whsec_` secret generated here and rotatable with a grace period), e-mail
// addresses (confirmed by a link before anything is sent to them), Slack-compatible incoming
// webhooks; which severities each receives; the escalation channel. Every query is scoped by
// owner in the query itself.
import { createHash, randomBytes } from "node:crypto";
import { generateWebhookSecret } from "@pulseboard/runtime/standard-webhooks";
import { and, asc, eq, sql } from "drizzle-orm";
import type { Database } from "../client";
import { ConflictError, InvalidError, NotFoundError, RateLimitedError } from "../errors";
import type { Severity } from "../notices";
import { type RateDecision, slidingWindow } from "../rate-limit";
import {
  type NotificationChannel,
  notificationChannels,
  notificationSettings,
  SEVERITIES,
} from "../schema/telemetry";

const digest = (token: string) => createHash("sha256").update(token).digest("hex");

/** How long a rotated-out webhook secret still signs (receivers switch over within it). */
export const SECRET_ROTATION_GRACE_MS = 24 * 3600_000;
/** Channels an owner may add (besides their account e-mail). */
export const MAX_CHANNELS = 20;
/** An address is sent a new confirmation link at most this often. */
export const CONFIRMATION_RESEND_MS = 60_000;

/**
 * The owner's channels, oldest first, their account e-mail among them: created on first sight,
 * receiving every severity when it is the only channel (an owner who set nothing still hears of
 * their alerts) and none otherwise (it stays quiet beside the channels they chose).
 */
export async function listChannels(db: Database, ownerId: string): Promise<NotificationChannel[]> {
  await db.$client`
    insert into notification_channels (owner_id, kind, name, severities, is_account)
    select ${ownerId}, 'email', 'Account e-mail',
           case when exists (select 1 from notification_channels where owner_id = ${ownerId})
                then '{}'::text[] else ${[...SEVERITIES]}::text[] end,
           true
    on conflict (owner_id) where is_account do nothing`;
  return db
    .select()
    .from(notificationChannels)
    .where(eq(notificationChannels.ownerId, ownerId))
    .orderBy(asc(notificationChannels.createdAt), asc(notificationChannels.id));
}

export async function getChannel(db: Database, ownerId: string, id: string): Promise<NotificationChannel> {
  const [row] = await db
    .select()
    .from(notificationChannels)
    .where(and(eq(notificationChannels.ownerId, ownerId), eq(notificationChannels.id, id)));
  if (!row) throw new NotFoundError("channel not found");
  return row;
}

export type NewChannel =
  | { kind: "webhook" | "slack"; name: string; url: string; severities: Severity[] }
  | { kind: "email"; name: string; address: string; severities: Severity[] };

const isUniqueViolation = (error: unknown) =>
  typeof error === "object" && error !== null && (error as { code?: string }).code === "23505";

/**
 * Adds a channel. A webhook gets its signing secret; an e-mail address gets a confirmation
 * token (returned once, for the link; only its digest is kept) and receives nothing until
 * confirmed. The same URL or address twice is a conflict.
 */
export async function createChannel(
  db: Database,
  ownerId: string,
  input: NewChannel,
  now = new Date(),
): Promise<{ channel: NotificationChannel; confirmToken: string | null }> {
  const confirmToken = input.kind === "email" ? randomBytes(24).toString("base64url") : null;
  try {
    return await db.transaction(async (tx) => {
      const [{ n } = { n: 0 }] = await tx
        .select({ n: sql<number>`count(*)::int` })
        .from(notificationChannels)
        .where(and(eq(notificationChannels.ownerId, ownerId), eq(notificationChannels.isAccount, false)));
      if (n >= MAX_CHANNELS) {
        throw new InvalidError(`at most ${MAX_CHANNELS} channels per account: remove one first`);
      }
      const [channel] = await tx
        .insert(notificationChannels)
        .values({
          ownerId,
          kind: input.kind,
          name: input.name,
          severities: input.severities,
          url: input.kind === "email" ? null : input.url,
          address: input.kind === "email" ? input.address.toLowerCase() : null,
          secret: input.kind === "webhook" ? generateWebhookSecret() : null,
          verifiedAt: input.kind === "email" ? null : now,
          confirmTokenDigest: confirmToken ? digest(confirmToken) : null,
          confirmSentAt: confirmToken ? now : null,
        })
        .returning();
      if (!channel) throw new Error("channel was not saved");
      // The account e-mail received everything only while it was the only channel: the owner
      // chose another, so it goes quiet, unless they had set its severities themselves.
      await tx
        .update(notificationChannels)
        .set({ severities: [] })
        .where(
          and(
            eq(notificationChannels.ownerId, ownerId),
            eq(notificationChannels.isAccount, true),
            sql`${notificationChannels.updatedAt} = ${notificationChannels.createdAt}`,
          ),
        );
      return { channel, confirmToken };
    });
  } catch (error) {
    if (isUniqueViolation(error)) {
      throw new ConflictError(
        input.kind === "email" ? "that address is already a channel" : "that URL is already a channel",
        { field: input.kind === "email" ? "address" : "url" },
      );
    }
    throw error;
  }
}

/** Renames a channel or changes the severities it receives. */
export async function updateChannel(
  db: Database,
  ownerId: string,
  id: string,
  changes: { name?: string | undefined; severities?: Severity[] | undefined },
): Promise<NotificationChannel> {
  const [row] = await db
    .update(notificationChannels)
    .set({
      ...(changes.name === undefined ? {} : { name: changes.name }),
      ...(changes.severities === undefined ? {} : { severities: changes.severities }),
      updatedAt: new Date(),
    })
    .where(and(eq(notificationChannels.ownerId, ownerId), eq(notificationChannels.id, id)))
    .returning();
  if (!row) throw new NotFoundError("channel not found");
  return row;
}

/**
 * Deletes a channel (its past deliveries stay in the log, without it). The account e-mail cannot
 * be deleted: it can receive no severity instead.
 */
export async function deleteChannel(db: Database, ownerId: string, id: string): Promise<void> {
  const channel = await getChannel(db, ownerId, id);
  if (channel.isAccount) {
    throw new InvalidError("the account e-mail cannot be removed; untick its severities to silence it");
  }
  await db
    .delete(notificationChannels)
    .where(and(eq(notificationChannels.ownerId, ownerId), eq(notificationChannels.id, id)));
}

/**
 * A new secret for a webhook channel; the old one still signs (a second signature) for
 * SECRET_ROTATION_GRACE_MS, so receivers can switch without missing a notice.
 */
export async function rotateChannelSecret(
  db: Database,
  ownerId: string,
  id: string,
  now = new Date(),
): Promise<NotificationChannel> {
  const [row] = await db
    .update(notificationChannels)
    .set({
      previousSecret: sql`${notificationChannels.secret}`,
      previousSecretUntil: new Date(now.getTime() + SECRET_ROTATION_GRACE_MS),
      secret: generateWebhookSecret(),
      // A rotation retires the old secret's string form too (the deprecated header's key): after
      // a leak, nothing goes on signing with it.
      legacySecret: null,
      updatedAt: now,
    })
    .where(
      and(
        eq(notificationChannels.ownerId, ownerId),
        eq(notificationChannels.id, id),
        eq(notificationChannels.kind, "webhook"),
      ),
    )
    .returning();
  if (!row) throw new NotFoundError("webhook channel not found");
  return row;
}

/** Confirms an e-mail channel from its link's token; a wrong or used token finds nothing. */
export async function confirmEmailChannel(
  db: Database,
  ownerId: string,
  token: string,
  now = new Date(),
): Promise<NotificationChannel> {
  const [row] = await db
    .update(notificationChannels)
    .set({ verifiedAt: now, confirmTokenDigest: null, updatedAt: now })
    .where(
      and(
        eq(notificationChannels.ownerId, ownerId),
        eq(notificationChannels.confirmTokenDigest, digest(token)),
      ),
    )
    .returning();
  if (!row) throw new NotFoundError("this confirmation link is not valid (used already, or not yours)");
  return row;
}

/** A fresh confirmation token for an unconfirmed e-mail channel (the link is sent again). */
export async function renewConfirmation(
  db: Database,
  ownerId: string,
  id: string,
  now = new Date(),
): Promise<{ channel: NotificationChannel; confirmToken: string }> {
  const current = await getChannel(db, ownerId, id);
  const since = current.confirmSentAt
    ? now.getTime() - current.confirmSentAt.getTime()
    : Number.POSITIVE_INFINITY;
  if (since < CONFIRMATION_RESEND_MS) {
    throw new RateLimitedError("a confirmation link was just sent: wait a minute before asking for another", {
      retryAfterSeconds: Math.max(1, Math.ceil((CONFIRMATION_RESEND_MS - since) / 1000)),
    });
  }
  const confirmToken = randomBytes(24).toString("base64url");
  const [channel] = await db
    .update(notificationChannels)
    .set({ confirmTokenDigest: digest(confirmToken), confirmSentAt: now, updatedAt: now })
    .where(
      and(
        eq(notificationChannels.ownerId, ownerId),
        eq(notificationChannels.id, id),
        eq(notificationChannels.kind, "email"),
        eq(notificationChannels.isAccount, false),
        sql`${notificationChannels.verifiedAt} is null`,
      ),
    )
    .returning();
  if (!channel) throw new NotFoundError("no unconfirmed e-mail channel with that id");
  return { channel, confirmToken };
}

/**
 * Counts one "send test" press on a channel against the owner's limit (`limit` per `windowMs`,
 * sliding), or refuses it. The presses are kept on the channel row, locked for the decision, so
 * concurrent presses on several web instances are counted once each.
 */
export function takeChannelTestSend(
  db: Database,
  ownerId: string,
  id: string,
  now: Date,
  limit: number,
  windowMs: number,
): Promise<RateDecision> {
  return db.$client.begin(async (tx) => {
    const [row] = await tx<{ sends: number[] }[]>`
      select array(select floor(extract(epoch from t) * 1000)::float8 from unnest(test_sends) t) as sends
      from notification_channels where owner_id = ${ownerId} and id = ${id}
      for update`;
    if (!row) throw new NotFoundError("channel not found");
    const decision = slidingWindow(
      row.sends.map((ms) => new Date(ms)),
      now,
      limit,
      windowMs,
    );
    if (decision.allowed) {
      // Sent as text[]: the handle passes timestamps through as text and has no array serializer for them.
      await tx`
        update notification_channels
        set test_sends = ${decision.log.map((t) => t.toISOString())}::text[]::timestamptz[]
        where owner_id = ${ownerId} and id = ${id}`;
    }
    return decision;
  });
}

export interface OwnerNotificationSettings {
  escalationChannelId: string | null;
  escalationMinutes: number;
}

export async function getNotificationSettings(
  db: Database,
  ownerId: string,
): Promise<OwnerNotificationSettings> {
  const [row] = await db
    .select({
      escalationChannelId: notificationSettings.escalationChannelId,
      escalationMinutes: notificationSettings.escalationMinutes,
    })
    .from(notificationSettings)
    .where(eq(notificationSettings.ownerId, ownerId));
  return row ?? { escalationChannelId: null, escalationMinutes: 15 };
}

/** Sets where unacknowledged critical alerts escalate (a channel of the owner's, or none) and after how long. */
export async function saveNotificationSettings(
  db: Database,
  ownerId: string,
  settings: OwnerNotificationSettings,
): Promise<OwnerNotificationSettings> {
  if (settings.escalationChannelId) await getChannel(db, ownerId, settings.escalationChannelId);
  const values = { ...settings, updatedAt: new Date() };
  await db
    .insert(notificationSettings)
    .values({ ownerId, ...values })
    .onConflictDoUpdate({ target: notificationSettings.ownerId, set: values });
  return getNotificationSettings(db, ownerId);
}

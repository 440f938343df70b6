// An owner's notification settings: the webhook URL alert transitions are POSTed to and the
// secret they are signed with. The secret is generated here, when the owner first saves a URL,
// and can be rotated; the owner sees it to verify signatures.
import { randomBytes } from "node:crypto";
import { eq } from "drizzle-orm";
import type { Database } from "../client";
import { NotFoundError } from "../errors";
import { type RateDecision, slidingWindow } from "../rate-limit";
import { type NotificationSettings, notificationSettings } from "../schema/telemetry";

export function generateWebhookSecret(): string {
  return `whsec_${randomBytes(24).toString("base64url")}`;
}

export async function getNotificationSettings(
  db: Database,
  ownerId: string,
): Promise<NotificationSettings | undefined> {
  const [row] = await db.select().from(notificationSettings).where(eq(notificationSettings.ownerId, ownerId));
  return row;
}

/** Sets (or clears, with null) the webhook URL; the first save creates the signing secret. */
export async function saveWebhookUrl(
  db: Database,
  ownerId: string,
  webhookUrl: string | null,
): Promise<NotificationSettings> {
  const [row] = await db
    .insert(notificationSettings)
    .values({ ownerId, webhookUrl, webhookSecret: generateWebhookSecret() })
    .onConflictDoUpdate({
      target: notificationSettings.ownerId,
      set: { webhookUrl, updatedAt: new Date() },
    })
    .returning();
  if (!row) throw new Error("notification settings were not saved");
  return row;
}

/** Replaces the signing secret (receivers must switch to the new one). */
export async function rotateWebhookSecret(db: Database, ownerId: string): Promise<NotificationSettings> {
  const webhookSecret = generateWebhookSecret();
  const [row] = await db
    .insert(notificationSettings)
    .values({ ownerId, webhookUrl: null, webhookSecret })
    .onConflictDoUpdate({
      target: notificationSettings.ownerId,
      set: { webhookSecret, updatedAt: new Date() },
    })
    .returning();
  if (!row) throw new Error("notification settings were not saved");
  return row;
}

/**
 * Counts one "send test" press against the owner's limit (`limit` per `windowMs`, sliding), or
 * refuses it. The presses are kept on the settings row, locked for the decision, so concurrent
 * presses on several web instances are counted once each.
 */
export function takeWebhookTestSend(
  db: Database,
  ownerId: string,
  now: Date,
  limit: number,
  windowMs: number,
): Promise<RateDecision> {
  return db.$client.begin(async (tx) => {
    const [row] = await tx<{ sends: number[] }[]>`
      select array(select floor(extract(epoch from t) * 1000)::float8 from unnest(webhook_test_sends) t) as sends
      from notification_settings where owner_id = ${ownerId}
      for update`;
    if (!row) throw new NotFoundError("no webhook settings");
    const decision = slidingWindow(
      row.sends.map((ms) => new Date(ms)),
      now,
      limit,
      windowMs,
    );
    if (decision.allowed) {
      // Sent as text[]: the handle passes timestamps through as text and has no array serializer for them.
      await tx`
        update notification_settings
        set webhook_test_sends = ${decision.log.map((t) => t.toISOString())}::text[]::timestamptz[]
        where owner_id = ${ownerId}`;
    }
    return decision;
  });
}

// An owner's notification settings: the webhook URL alert transitions are POSTed to and the
// secret they are signed with. The secret is generated here, when the owner first saves a URL,
// and can be rotated; the owner sees it to verify signatures.
import { randomBytes } from "node:crypto";
import { eq } from "drizzle-orm";
import type { Database } from "../client";
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

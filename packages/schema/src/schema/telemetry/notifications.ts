// Where an owner's alert notices go (docs/notifications.md): channels (a webhook in the Standard
// Webhooks format, an e-mail address, a Slack-compatible incoming webhook), which severities each
// receives, the escalation channel, and maintenance windows that hold notices for a device or a
// tag. Plus the local mailbox: mail the embedded stack's SMTP sink received, shown in the app.
import { sql } from "drizzle-orm";
import {
  boolean,
  check,
  index,
  integer,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";
import { user } from "../auth/tables";
import { alertEvents, DELIVERY_DESTINATIONS, DELIVERY_STATUSES, devices, SEVERITIES } from "./tables";

export const CHANNEL_KINDS = ["webhook", "email", "slack"] as const;
export const MAINTENANCE_KINDS = ["once", "weekly"] as const;

export const notificationChannels = pgTable(
  "notification_channels",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    ownerId: text("owner_id")
      .notNull()
      .references(() => user.id, { onDelete: "cascade" }),
    kind: text("kind", { enum: CHANNEL_KINDS }).notNull(),
    name: text("name").notNull(),
    /** The severities it receives (routing); empty: only what names it (escalation, a test). */
    severities: text("severities", { enum: SEVERITIES }).array().notNull().default(sql`'{}'`),
    /** webhook, slack: where to POST. */
    url: text("url"),
    /** email: the address (null for the account's own, read from the user at each send). */
    address: text("address"),
    /** The owner's account e-mail: created for them, the default for an owner who set nothing. */
    isAccount: boolean("is_account").notNull().default(false),
    /** webhook: `whsec_<base64 key>` (Standard Webhooks). */
    secret: text("secret"),
    /** The secret before a rotation, still signed with until `previous_secret_until`. */
    previousSecret: text("previous_secret"),
    previousSecretUntil: timestamp("previous_secret_until", { withTimezone: true }),
    /**
     * A webhook migrated from the single-webhook settings: the secret string its deprecated
     * X-Pulseboard-Signature was made with (the same key, in URL-safe base64).
     */
    legacySecret: text("legacy_secret"),
    /** email: when the address was confirmed (webhook, slack: at creation). */
    verifiedAt: timestamp("verified_at", { withTimezone: true }),
    /** email: SHA-256 of the confirmation link's token, and when it was sent. */
    confirmTokenDigest: text("confirm_token_digest"),
    confirmSentAt: timestamp("confirm_sent_at", { withTimezone: true }),
    /** "Send test" presses within the rate limit's window (every web instance counts the same). */
    testSends: timestamp("test_sends", { withTimezone: true }).array().notNull().default(sql`'{}'`),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index("idx_channel_owner").on(t.ownerId, t.createdAt),
    uniqueIndex("uniq_channel_account").on(t.ownerId).where(sql`${t.isAccount}`),
    // The same address or URL once per owner and kind.
    uniqueIndex("uniq_channel_target")
      .on(t.ownerId, t.kind, sql`lower(coalesce(${t.address}, ${t.url}))`)
      .where(sql`not ${t.isAccount}`),
    check("notification_channels_kind_check", sql`${t.kind} in ('webhook','email','slack')`),
    check("notification_channels_name_check", sql`length(${t.name}) between 1 and 100`),
    check(
      "notification_channels_severities_check",
      sql`${t.severities} <@ array['info','warning','critical']::text[]`,
    ),
    check(
      "notification_channels_target_check",
      sql`case ${t.kind}
            when 'email' then ${t.url} is null and (${t.address} is not null) <> ${t.isAccount}
            else ${t.url} is not null and ${t.address} is null and not ${t.isAccount} end`,
    ),
    check("notification_channels_secret_check", sql`(${t.kind} = 'webhook') = (${t.secret} is not null)`),
    check("notification_channels_url_check", sql`length(${t.url}) <= 2000`),
    check("notification_channels_address_check", sql`length(${t.address}) <= 254`),
  ],
);

// An owner's settings across channels: where an unacknowledged critical alert escalates, and when.
export const notificationSettings = pgTable(
  "notification_settings",
  {
    ownerId: text("owner_id")
      .primaryKey()
      .references(() => user.id, { onDelete: "cascade" }),
    escalationChannelId: uuid("escalation_channel_id").references(() => notificationChannels.id, {
      onDelete: "set null",
    }),
    escalationMinutes: integer("escalation_minutes").notNull().default(15),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    check("notification_settings_escalation_minutes_check", sql`${t.escalationMinutes} between 1 and 1440`),
  ],
);

// A time a device (or every device with a tag) is being worked on: its alerts are still
// evaluated and recorded, their notices held until the window ends (packages/schema/src/
// maintenance-window.ts decides membership). One-off (`starts_at`..`ends_at`) or weekly (days
// and wall-clock times in `time_zone`).
export const maintenanceWindows = pgTable(
  "maintenance_windows",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    ownerId: text("owner_id")
      .notNull()
      .references(() => user.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    deviceId: uuid("device_id").references(() => devices.id, { onDelete: "cascade" }),
    tag: text("tag"),
    kind: text("kind", { enum: MAINTENANCE_KINDS }).notNull(),
    startsAt: timestamp("starts_at", { withTimezone: true }),
    endsAt: timestamp("ends_at", { withTimezone: true }),
    /** ISO weekdays (1 = Monday) an occurrence starts on. */
    days: integer("days").array(),
    startTime: text("start_time"),
    endTime: text("end_time"),
    timeZone: text("time_zone"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index("idx_maintenance_owner").on(t.ownerId, t.createdAt),
    index("idx_maintenance_device").on(t.deviceId),
    check("maintenance_windows_name_check", sql`length(${t.name}) between 1 and 100`),
    check("maintenance_windows_scope_check", sql`(${t.deviceId} is null) <> (${t.tag} is null)`),
    check("maintenance_windows_kind_check", sql`${t.kind} in ('once','weekly')`),
    check(
      "maintenance_windows_schedule_check",
      sql`case ${t.kind}
            when 'once' then ${t.startsAt} is not null and ${t.endsAt} > ${t.startsAt}
                         and ${t.days} is null and ${t.startTime} is null and ${t.timeZone} is null
            else ${t.startsAt} is null and ${t.endsAt} is null and cardinality(${t.days}) between 1 and 7
                 and ${t.days} <@ array[1,2,3,4,5,6,7]
                 and ${t.startTime} ~ '^([01][0-9]|2[0-3]):[0-5][0-9]$'
                 and ${t.endTime} ~ '^([01][0-9]|2[0-3]):[0-5][0-9]$' and ${t.timeZone} is not null end`,
    ),
  ],
);

// Mail the local SMTP sink received (the embedded defaults: nothing leaves the machine), shown to
// the signed-in user whose e-mail it is addressed to. Only written when the sink runs.
export const localMailbox = pgTable(
  "local_mailbox",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    /** The envelope recipient, lower-cased. */
    recipient: text("recipient").notNull(),
    sender: text("sender").notNull(),
    subject: text("subject").notNull(),
    text: text("text").notNull(),
    html: text("html"),
    messageId: text("message_id"),
    receivedAt: timestamp("received_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("idx_local_mailbox_recipient").on(t.recipient, t.receivedAt)],
);

// One event's delivery to one destination, written with the event (the outbox). Its queue message
// chain (the transition's, then the queue's retries) owns it: an attempt leases it while it runs
// (`claimed_until`), a failed one says when the chain's next retry is due (`next_attempt_at`).
// The sweep takes only what no live chain owns (docs/alerting.md, "Delivery").
export const alertDeliveries = pgTable(
  "alert_deliveries",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    eventId: uuid("event_id")
      .notNull()
      .references(() => alertEvents.id, { onDelete: "cascade" }),
    /** The owner's channel (null: deleted since, or a delivery from before channels). */
    channelId: uuid("channel_id").references(() => notificationChannels.id, { onDelete: "set null" }),
    destination: text("destination", { enum: DELIVERY_DESTINATIONS }).notNull(),
    status: text("status", { enum: DELIVERY_STATUSES }).notNull().default("pending"),
    /** Attempts claimed so far (a crashed one included). */
    attempts: integer("attempts").notNull().default(0),
    /** When the owning chain's next attempt is due (pending); the sweep waits a grace past it. */
    nextAttemptAt: timestamp("next_attempt_at", { withTimezone: true }).notNull().defaultNow(),
    /** An attempt's lease (in_flight): past it, the attempt is taken as crashed. */
    claimedUntil: timestamp("claimed_until", { withTimezone: true }),
    /** What the last failed attempt got (an HTTP status, "timeout"): nothing of the destination's. */
    lastError: text("last_error"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("uniq_alert_delivery_channel").on(t.eventId, t.channelId),
    // Deleting a channel sets its deliveries' channel to null.
    index("idx_alert_delivery_channel").on(t.channelId),
    // The sweep's work list: only what is not finished.
    index("idx_alert_delivery_unfinished")
      .on(t.nextAttemptAt)
      .where(sql`${t.status} in ('pending','in_flight')`),
    check("alert_deliveries_destination_check", sql`${t.destination} in ('webhook','email','slack')`),
    check(
      "alert_deliveries_status_check",
      sql`${t.status} in ('pending','in_flight','delivered','failed','skipped')`,
    ),
    // Only an attempt in flight holds a lease.
    check("alert_deliveries_lease_check", sql`(${t.status} = 'in_flight') = (${t.claimedUntil} is not null)`),
  ],
);

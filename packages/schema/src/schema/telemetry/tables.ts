// Telemetry tables from seed 002 (names, CHECKs, FKs and cascades kept), extended for the
// device protocol and alert semantics (docs/device-protocol.md, docs/alerting.md).
import { sql } from "drizzle-orm";
import {
  bigint,
  boolean,
  check,
  index,
  integer,
  numeric,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";
import { user } from "../auth/tables";

export const DEVICE_STATUSES = ["online", "offline"] as const;
export const COMPARATORS = ["gt", "lt", "gte", "lte"] as const;
export const AGGREGATES = ["avg", "min", "max", "last", "count"] as const;
export const ALERT_STATUSES = ["firing", "resolved"] as const;
export const NO_DATA_POLICIES = ["keep", "resolve", "fire"] as const;
/**
 * What an alert's timeline records: its transitions (`fired`, `resolved`), what its owner did
 * (`acknowledged`, `snoozed`, `unsnoozed`), and `escalated` (a critical alert nobody acknowledged).
 * Only NOTICE_KINDS are sent anywhere.
 */
export const ALERT_EVENT_KINDS = [
  "fired",
  "resolved",
  "acknowledged",
  "snoozed",
  "unsnoozed",
  "escalated",
] as const;
/** The event kinds that notify (have deliveries). */
export const NOTICE_KINDS = ["fired", "resolved", "escalated"] as const;
/**
 * Whether an event's notice went out: `none` (a kind that does not notify), `sent` (its
 * deliveries were written), `held` (a snooze or a maintenance window holds it; the sweep sends it
 * when the hold ends), `dropped` (never sent: the alert resolved while its fired notice was held,
 * so neither notice goes).
 */
export const NOTICE_STATES = ["none", "sent", "held", "dropped"] as const;
export const SEVERITIES = ["info", "warning", "critical"] as const;
/**
 * A delivery's state: `pending` (waiting for its queue message: the transition's, the queue's
 * retry, a sweep's), `in_flight` (claimed by an attempt until its lease ends), then `delivered`,
 * `failed` (its attempts used up) or `skipped` (nowhere to send it).
 */
export const DELIVERY_STATUSES = ["pending", "in_flight", "delivered", "failed", "skipped"] as const;
/** The kind of channel a delivery went to (a snapshot: the channel may be deleted since). */
export const DELIVERY_DESTINATIONS = ["webhook", "email", "slack"] as const;
/**
 * Why the ingest refused a known device's message: the body's problems (the payload contract in
 * validation.ts), the device's rate, and topics a device connected with its key may not use.
 */
export const DEVICE_REJECTION_REASONS = [
  "invalid_json",
  "bad_shape",
  "bad_metric",
  "bad_value",
  "bad_timestamp",
  "future_timestamp",
  "too_old",
  "empty",
  "too_many",
  "rate_limited",
  "foreign_topic",
  "bad_topic",
] as const;
export type DeviceRejectionReason = (typeof DEVICE_REJECTION_REASONS)[number];

export const devices = pgTable(
  "devices",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    ownerId: text("owner_id")
      .notNull()
      .references(() => user.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    // The seed's unique identity token, stored only as the SHA-256 hex digest of the key the
    // owner was shown once; the CHECK makes storing a raw key impossible.
    deviceKey: text("device_key").notNull().unique(),
    status: text("status", { enum: DEVICE_STATUSES }).notNull().default("offline"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    lastSeenAt: timestamp("last_seen_at", { withTimezone: true }),
    /** No reading for this long: the sweep marks the device offline (the owner's offline timeout). */
    silenceSeconds: integer("silence_seconds").notNull().default(300),
    /**
     * The key the owner replaced (its digest), still accepted until `previous_key_expires_at`:
     * rotation's grace period (docs/decisions.md, "Device key rotation"). One at most: a second
     * rotation ends the first one's grace.
     */
    previousKey: text("previous_key"),
    previousKeyExpiresAt: timestamp("previous_key_expires_at", { withTimezone: true }),
    /** When the owner last replaced the key (null: the key made at provisioning). */
    keyRotatedAt: timestamp("key_rotated_at", { withTimezone: true }),
    /** Owner-defined labels ("greenhouse", "north"), for finding devices and, later, rules. */
    tags: text("tags").array().notNull().default(sql`'{}'`),
  },
  (t) => [
    // The owner's devices in the list's keyset order (newest first, queries/devices.ts): a page is
    // an index range; it serves every lookup by owner too.
    index("idx_device_owner_created").on(t.ownerId, t.createdAt, t.id),
    // The ingest looks keys up by digest in both columns.
    uniqueIndex("uniq_device_previous_key").on(t.previousKey).where(sql`${t.previousKey} is not null`),
    check("devices_silence_check", sql`${t.silenceSeconds} between 10 and 2592000`),
    check("devices_previous_key_digest_check", sql`${t.previousKey} ~ '^[0-9a-f]{64}$'`),
    check(
      "devices_previous_key_expiry_check",
      sql`(${t.previousKey} is null) = (${t.previousKeyExpiresAt} is null)`,
    ),
    check("devices_tags_check", sql`cardinality(${t.tags}) <= 20`),
    check("devices_status_check", sql`${t.status} in ('online','offline')`),
    check("devices_device_key_digest_check", sql`${t.deviceKey} ~ '^[0-9a-f]{64}$'`),
  ],
);

// Append-only time series: no update path; dashboards roll up by device + time window.
// Partitioned by UTC day of recorded_at (drizzle cannot declare partitioning: migration 0009 and
// queries/partitions.ts create it and its partitions; docs/storage.md explains the choices).
// No foreign key to devices: a partition's DDL would then lock `devices`, and each inserted row
// would pay a lookup. A device's readings go with it all the same: deleting a device queues its
// readings for the background purge (queries/device-purge.ts), which removes them partition by
// partition. The ingest stores readings of existing devices only.
export const sensorReadings = pgTable(
  "sensor_readings",
  {
    deviceId: uuid("device_id").notNull(),
    metric: text("metric").notNull(),
    value: numeric("value", { mode: "number" }).notNull(),
    recordedAt: timestamp("recorded_at", { withTimezone: true }).notNull(),
    /**
     * When the row was inserted (its transaction's start; inserts never set it). Rollups use it
     * to find what arrived since their last run, late readings included.
     */
    receivedAt: timestamp("received_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    // The natural key, and the only b-tree: a re-delivered reading (same device, metric,
    // timestamp) is stored once (`on conflict do nothing`); rollups, windowed rule evaluation,
    // charts' raw tails and latest values all filter on device + metric and range over time. It
    // includes the partition key, as a partitioned table's unique constraints must. (The seed's
    // uuid id and (device_id, recorded_at) index are gone: nothing looked a reading up by id, and
    // they were half the bytes of every reading.)
    primaryKey({ name: "sensor_readings_pkey", columns: [t.deviceId, t.metric, t.recordedAt] }),
    // Insert order is received_at order in an append-only table, so a BRIN index (a few pages,
    // next to nothing per insert) finds what arrived since the last roll-up for every device.
    index("idx_reading_received_brin").using("brin", t.receivedAt).with({ autosummarize: true }),
    // Late readings (stored more than 2 minutes after their timestamp: batched uploads, clock
    // skew, retries): few, so a partial index finds a device's late arrivals that a chart must
    // take raw because they are not rolled up yet. Rows on time cost no entry here.
    index("idx_reading_late")
      .on(t.deviceId, t.metric, t.receivedAt)
      .where(sql`${t.receivedAt} - ${t.recordedAt} > interval '2 minutes'`),
  ],
);

// Devices deleted whose rows in the big per-device tables (readings, roll-ups: those without a
// foreign key to devices) are still to be purged, one row per device. Filled by the trigger
// `devices_queue_purge` (migration 0010), statement-level with a transition table, so every way a
// device goes is caught (the web's delete, a user's deletion cascading to their devices, hand
// SQL) and a user's hundred devices are one insert; emptied by `purgeDeletedDevices`
// (queries/device-purge.ts) in the background, partition by partition, in bounded batches. The
// queue is all the purge's state: a purge interrupted anywhere resumes from it.
export const devicePurges = pgTable("device_purges", {
  deviceId: uuid("device_id").primaryKey(),
  /** When the device's deletion ran (the trigger's clock): the purge's grace counts from it. */
  deletedAt: timestamp("deleted_at", { withTimezone: true }).notNull().defaultNow(),
});

// The figures of one series' bucket, as both roll-up tiers store them (a fresh set per table:
// drizzle binds a column object to its table).
const rollupColumns = () => ({
  deviceId: uuid("device_id").notNull(),
  metric: text("metric").notNull(),
  bucketStart: timestamp("bucket_start", { withTimezone: true }).notNull(),
  min: numeric("min", { mode: "number" }).notNull(),
  max: numeric("max", { mode: "number" }).notNull(),
  sum: numeric("sum", { mode: "number" }).notNull(),
  count: integer("count").notNull(),
});

// Append-only rollups of readings per device, metric and minute (epoch-aligned, UTC), written
// by `rollUpClosedMinutes` (queries/rollups.ts). Never updated: a reading that arrives after its
// minute was rolled up adds a further row for that minute (min/max/sum/count combine), so a
// minute's figures are the combination of all its rows. Numeric like the readings, so combined
// figures equal a direct computation over the raw rows exactly.
//
// Partitioned by UTC month of bucket_start (migration 0011, hand-written: drizzle cannot declare
// partitioning, nor an index's INCLUDE columns; docs/rollup-tiers.md). Partitions are made ahead
// and dropped past MINUTE_RETENTION_DAYS once the hourly tier holds them
// (queries/rollup-maintenance.ts). No foreign key to devices, for the readings' reason: partition
// DDL would lock `devices`. A deleted device's rows are read by no chart (charts join the owner's
// devices) and purged in the background by device_id, which leads the series index.
export const readingRollups1m = pgTable(
  "reading_rollups_1m",
  {
    ...rollupColumns(),
    /**
     * The minute roll-up's cutoff when this row was written (before migration 0011: that run's
     * start). The hourly roll-up's watermark is on this column (queries/rollups.ts).
     */
    rolledAt: timestamp("rolled_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    // A series' minutes in time order. The migration adds INCLUDE (min, max, sum, count), which
    // drizzle cannot declare: a chart reads its minutes from the index alone (index-only scans,
    // on partitions vacuumed by the maintenance).
    index("idx_rollup_1m_series").on(t.deviceId, t.metric, t.bucketStart),
    // Rows are appended roughly in minute order: a few pages find a closed day for the hourly
    // roll-up.
    index("idx_rollup_1m_bucket_brin").using("brin", t.bucketStart),
    // Rows written after their UTC day ended (the day's last minute or two, and late readings):
    // few, so a partial index finds those the hourly tier does not hold yet.
    index("idx_rollup_1m_after_day")
      .on(t.rolledAt)
      .where(
        sql`${t.rolledAt} - date_bin('1 day', ${t.bucketStart}, timestamptz '1970-01-01 00:00:00+00') > interval '1 day'`,
      ),
    check("reading_rollups_1m_count_check", sql`${t.count} > 0`),
    check("reading_rollups_1m_min_max_check", sql`${t.min} <= ${t.max}`),
    check(
      "reading_rollups_1m_minute_check",
      sql`date_bin('1 minute', ${t.bucketStart}, timestamptz '1970-01-01 00:00:00+00') = ${t.bucketStart}`,
    ),
  ],
);

// Append-only rollups of the minute rollups per device, metric and hour (epoch-aligned, UTC),
// written by `rollUpClosedDays` (queries/rollups.ts) one closed UTC day at a time, in series
// order, so a series' hours sit together on disk. Like the minutes, never updated: a minute row
// written after its day was rolled up adds a further row for its hour. Kept for good (about
// 8,760 rows per series a year): charts beyond the minutes' retention read only these.
// Not partitioned, no foreign key to devices (a deleted device's rows are purged by device_id).
export const readingRollups1h = pgTable(
  "reading_rollups_1h",
  {
    ...rollupColumns(),
    /** The hourly roll-up's cutoff when this row was written. */
    rolledAt: timestamp("rolled_at", { withTimezone: true }).notNull(),
  },
  (t) => [
    // INCLUDE (min, max, sum, count) added by the migration, as for the minutes.
    index("idx_rollup_1h_series").on(t.deviceId, t.metric, t.bucketStart),
    check("reading_rollups_1h_count_check", sql`${t.count} > 0`),
    check("reading_rollups_1h_min_max_check", sql`${t.min} <= ${t.max}`),
    check(
      "reading_rollups_1h_hour_check",
      sql`date_bin('1 hour', ${t.bucketStart}, timestamptz '1970-01-01 00:00:00+00') = ${t.bucketStart}`,
    ),
  ],
);

// How far each roll-up has got: every reading whose rollable time (queries/rollups.ts) is at or
// before `cutoff` is in the rollup table, and no later one is. One row per rollup, locked by
// each run, so concurrent runs take turns and never count a reading twice.
export const rollupWatermarks = pgTable("rollup_watermarks", {
  name: text("name").primaryKey(),
  cutoff: timestamp("cutoff", { withTimezone: true }).notNull(),
});

// Closed partitions whose indexes were rebuilt packed (compactClosedPartitions in
// queries/partitions.ts): a day's readings arrive from hundreds of series at once, so its
// primary key's pages split half full; rebuilt once the day is closed, the key takes about half
// the room. One row per partition, written after its rebuild, so each is rebuilt once; rows of
// partitions since dropped are pruned by the same maintenance.
export const partitionCompactions = pgTable("partition_compactions", {
  partition: text("partition").primaryKey(),
  compactedAt: timestamp("compacted_at", { withTimezone: true }).notNull().defaultNow(),
  /** The partition's indexes, in bytes, before and after the rebuild. */
  indexBytesBefore: bigint("index_bytes_before", { mode: "number" }).notNull(),
  indexBytesAfter: bigint("index_bytes_after", { mode: "number" }).notNull(),
});

// Work that one process at a time may do across every alerter instance (the sweep): a row per
// lease with its holder and expiry, taken by an upsert that wins only over an expired lease, and
// renewed while the work runs (queries/leases.ts). Not a session advisory lock: a transaction
// pooler (PgBouncer, Neon's -pooler) cannot hold one across statements.
export const leases = pgTable("leases", {
  name: text("name").primaryKey(),
  /** Who holds it: one id per run, so two runs of one process exclude each other too. */
  holder: text("holder").notNull(),
  expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
});

// Messages the ingest refused, per device, hour (UTC) and reason, so the owner can see why a
// device's data is missing. The ingest counts in memory and adds its counts with one upsert per
// interval (never a write per message); rows older than two days are pruned by the ingest.
// Refusals that name no device (unknown keys) are not kept here, and no key ever is.
export const deviceRejections = pgTable(
  "device_rejections",
  {
    deviceId: uuid("device_id")
      .notNull()
      .references(() => devices.id, { onDelete: "cascade" }),
    hour: timestamp("hour", { withTimezone: true }).notNull(),
    reason: text("reason").$type<DeviceRejectionReason>().notNull(),
    count: integer("count").notNull(),
    lastAt: timestamp("last_at", { withTimezone: true }).notNull(),
    /** The latest refusal's problem, e.g. `[0].values.t: value must be a finite number`. */
    lastDetail: text("last_detail"),
  },
  (t) => [
    primaryKey({ columns: [t.deviceId, t.hour, t.reason] }),
    // The prune deletes by hour across devices.
    index("idx_device_rejection_hour").on(t.hour),
    check("device_rejections_count_check", sql`${t.count} > 0`),
    check("device_rejections_reason_check", sql`${t.reason} ~ '^[a-z_]{1,40}$'`),
    check(
      "device_rejections_hour_check",
      sql`date_bin('1 hour', ${t.hour}, timestamptz '1970-01-01 00:00:00+00') = ${t.hour}`,
    ),
    check("device_rejections_detail_check", sql`length(${t.lastDetail}) <= 500`),
  ],
);

/**
 * Message ids (`mid`, HTTP `Idempotency-Key`) a device's stored messages carried, so a redelivery
 * is stored once even without its own timestamps. Written in the readings insert's own statement,
 * so several ingest workers agree; forgotten after the ingest's MESSAGE_ID_TTL_HOURS.
 */
export const deviceMessageIds = pgTable(
  "device_message_ids",
  {
    deviceId: uuid("device_id")
      .notNull()
      .references(() => devices.id, { onDelete: "cascade" }),
    mid: text("mid").notNull(),
    storedAt: timestamp("stored_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.deviceId, t.mid] }),
    // The prune deletes by age across devices.
    index("idx_device_message_id_stored_at").on(t.storedAt),
    check("device_message_ids_mid_check", sql`${t.mid} ~ '^[A-Za-z0-9_.:-]{1,64}$'`),
  ],
);

export const alertRules = pgTable(
  "alert_rules",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    deviceId: uuid("device_id")
      .notNull()
      .references(() => devices.id, { onDelete: "cascade" }),
    metric: text("metric").notNull(),
    /** The owner's name for it ("Greenhouse too hot"); null: described by its condition. */
    name: text("name"),
    comparator: text("comparator", { enum: COMPARATORS }).notNull(),
    threshold: numeric("threshold", { mode: "number" }).notNull(),
    windowSeconds: integer("window_seconds").notNull().default(60),
    aggregate: text("aggregate", { enum: AGGREGATES }).notNull().default("avg"),
    /** Hysteresis: a firing alert resolves only once the aggregate is back past this value. */
    recoveryThreshold: numeric("recovery_threshold", { mode: "number" }),
    /** What an empty window means: keep the state, resolve, or fire (the rule fires on silence). */
    noData: text("no_data", { enum: NO_DATA_POLICIES }).notNull().default("keep"),
    /** Routes its alerts to the owner's channels for that severity; `critical` ones escalate. */
    severity: text("severity", { enum: SEVERITIES }).notNull().default("warning"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index("idx_rule_device").on(t.deviceId),
    check("alert_rules_severity_check", sql`${t.severity} in ('info','warning','critical')`),
    check("alert_rules_name_check", sql`length(${t.name}) between 1 and 100`),
    check("alert_rules_no_data_check", sql`${t.noData} in ('keep','resolve','fire')`),
    check("alert_rules_comparator_check", sql`${t.comparator} in ('gt','lt','gte','lte')`),
    check("alert_rules_window_check", sql`${t.windowSeconds} between 1 and 2592000`),
    check("alert_rules_aggregate_check", sql`${t.aggregate} in ('avg','min','max','last','count')`),
  ],
);

export const alerts = pgTable(
  "alerts",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    ruleId: uuid("rule_id")
      .notNull()
      .references(() => alertRules.id, { onDelete: "cascade" }),
    deviceId: uuid("device_id")
      .notNull()
      .references(() => devices.id, { onDelete: "cascade" }),
    status: text("status", { enum: ALERT_STATUSES }).notNull().default("firing"),
    triggeredAt: timestamp("triggered_at", { withTimezone: true }).notNull().defaultNow(),
    resolvedAt: timestamp("resolved_at", { withTimezone: true }),
    /** The aggregate and the window that opened it (null: an empty window under "fire"). */
    value: numeric("value", { mode: "number" }),
    windowStart: timestamp("window_start", { withTimezone: true }),
    windowEnd: timestamp("window_end", { withTimezone: true }),
    /** The aggregate that resolved it. */
    resolvedValue: numeric("resolved_value", { mode: "number" }),
    // The rule's condition when the alert opened: rules are edited in place, and an alert's
    // history (and the webhooks about it) must say what it fired on, not what the rule says now.
    // Copied from the rule by the trigger `alerts_copy_rule_condition` (migration 0018), so every
    // way an alert is inserted gets it.
    metric: text("metric").notNull(),
    comparator: text("comparator", { enum: COMPARATORS }).notNull(),
    threshold: numeric("threshold", { mode: "number" }).notNull(),
    aggregate: text("aggregate", { enum: AGGREGATES }).notNull(),
    windowSeconds: integer("window_seconds").notNull(),
    severity: text("severity", { enum: SEVERITIES }).notNull(),
    // What the owner did about it. An acknowledged alert does not escalate; a snoozed one's
    // notices are held (evaluation goes on) until `snoozed_until`, or until it resolves.
    acknowledgedAt: timestamp("acknowledged_at", { withTimezone: true }),
    acknowledgedBy: text("acknowledged_by").references(() => user.id, { onDelete: "set null" }),
    snoozedUntil: timestamp("snoozed_until", { withTimezone: true }),
    snoozedUntilResolved: boolean("snoozed_until_resolved").notNull().default(false),
    /** When its escalation went out (once). */
    escalatedAt: timestamp("escalated_at", { withTimezone: true }),
  },
  (t) => [
    // A device's alerts in the list's keyset order (newest first, queries/alerts.ts); it serves
    // every lookup by device too.
    index("idx_alert_device_triggered").on(t.deviceId, t.triggeredAt, t.id),
    // Deleting a rule (with its device) cascades to its alerts by rule_id: without this index each
    // deleted rule scanned every alert of every owner (the firing-per-rule index is partial).
    index("idx_alert_rule").on(t.ruleId),
    check("alerts_status_check", sql`${t.status} in ('firing','resolved')`),
    check("alerts_severity_check", sql`${t.severity} in ('info','warning','critical')`),
    // A resolved alert says when; a firing one cannot claim to be resolved.
    check("alerts_resolved_at_check", sql`(${t.status} = 'resolved') = (${t.resolvedAt} is not null)`),
    // At most one firing alert per rule: duplicate or concurrent evaluations converge on it.
    uniqueIndex("uniq_alert_firing_per_rule").on(t.ruleId).where(sql`${t.status} = 'firing'`),
  ],
);

// An alert's timeline, and the outbox of its notices: a transition is written in its transaction,
// once per (alert, kind), then delivered live (pg_notify) and to the owner's channels
// (alert_deliveries) unless a snooze or a maintenance window holds its notice.
export const alertEvents = pgTable(
  "alert_events",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    alertId: uuid("alert_id")
      .notNull()
      .references(() => alerts.id, { onDelete: "cascade" }),
    ownerId: text("owner_id")
      .notNull()
      .references(() => user.id, { onDelete: "cascade" }),
    kind: text("kind", { enum: ALERT_EVENT_KINDS }).notNull(),
    value: numeric("value", { mode: "number" }),
    at: timestamp("at", { withTimezone: true }).notNull().defaultNow(),
    /** Who acted (acknowledged, snoozed); null for what the alerter did. */
    actorId: text("actor_id").references(() => user.id, { onDelete: "set null" }),
    note: text("note"),
    /** A snooze's end (null with `snoozed`: until the alert resolves). */
    until: timestamp("until", { withTimezone: true }),
    notice: text("notice", { enum: NOTICE_STATES }).notNull().default("none"),
    /** When its notice was sent or dropped. */
    noticeAt: timestamp("notice_at", { withTimezone: true }),
    /** What holds or held its notice, in words for the owner ("snoozed", "maintenance: Repairs"). */
    holdReason: text("hold_reason"),
    /**
     * When a held notice is next looked at: its hold's end (a snooze's, a window's); null while
     * it waits for something that is not a time (a snooze until it resolves, whose end comes by
     * a transition or an unsnooze).
     */
    holdUntil: timestamp("hold_until", { withTimezone: true }),
  },
  (t) => [
    // One fired and one resolved per alert (concurrent evaluations converge), one
    // acknowledgement, one escalation; snoozes may repeat.
    uniqueIndex("uniq_alert_event_kind")
      .on(t.alertId, t.kind)
      .where(sql`${t.kind} in ('fired','resolved','acknowledged','escalated')`),
    index("idx_alert_event_owner_time").on(t.ownerId, t.at),
    index("idx_alert_event_alert").on(t.alertId, t.at),
    // The sweep's list of held notices whose hold may have ended.
    index("idx_alert_event_held").on(t.holdUntil).where(sql`${t.notice} = 'held'`),
    check(
      "alert_events_kind_check",
      sql`${t.kind} in ('fired','resolved','acknowledged','snoozed','unsnoozed','escalated')`,
    ),
    check("alert_events_notice_check", sql`${t.notice} in ('none','sent','held','dropped')`),
    check(
      "alert_events_notice_kind_check",
      sql`(${t.notice} = 'none') = (${t.kind} not in ('fired','resolved','escalated'))`,
    ),
    check("alert_events_note_check", sql`length(${t.note}) <= 500`),
  ],
);

// How the owner wants a metric shown: a display name and a unit, per metric name across their
// devices ("temperature" reads the same on every device). No row, or a null column: defaults
// (apps/web/src/lib/units.ts).
export const metricDisplay = pgTable(
  "metric_display",
  {
    ownerId: text("owner_id")
      .notNull()
      .references(() => user.id, { onDelete: "cascade" }),
    metric: text("metric").notNull(),
    displayName: text("display_name"),
    unit: text("unit"),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.ownerId, t.metric] }),
    check("metric_display_name_check", sql`length(${t.displayName}) between 1 and 64`),
    check("metric_display_unit_check", sql`length(${t.unit}) <= 16`),
  ],
);

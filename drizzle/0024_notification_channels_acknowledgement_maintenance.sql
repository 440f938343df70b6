CREATE TABLE "local_mailbox" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"recipient" text NOT NULL,
	"sender" text NOT NULL,
	"subject" text NOT NULL,
	"text" text NOT NULL,
	"html" text,
	"message_id" text,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "maintenance_windows" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"owner_id" text NOT NULL,
	"name" text NOT NULL,
	"device_id" uuid,
	"tag" text,
	"kind" text NOT NULL,
	"starts_at" timestamp with time zone,
	"ends_at" timestamp with time zone,
	"days" integer[],
	"start_time" text,
	"end_time" text,
	"time_zone" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "maintenance_windows_name_check" CHECK (length("maintenance_windows"."name") between 1 and 100),
	CONSTRAINT "maintenance_windows_scope_check" CHECK (("maintenance_windows"."device_id" is null) <> ("maintenance_windows"."tag" is null)),
	CONSTRAINT "maintenance_windows_kind_check" CHECK ("maintenance_windows"."kind" in ('once','weekly')),
	CONSTRAINT "maintenance_windows_schedule_check" CHECK (case "maintenance_windows"."kind"
            when 'once' then "maintenance_windows"."starts_at" is not null and "maintenance_windows"."ends_at" > "maintenance_windows"."starts_at"
                         and "maintenance_windows"."days" is null and "maintenance_windows"."start_time" is null and "maintenance_windows"."time_zone" is null
            else "maintenance_windows"."starts_at" is null and "maintenance_windows"."ends_at" is null and cardinality("maintenance_windows"."days") between 1 and 7
                 and "maintenance_windows"."days" <@ array[1,2,3,4,5,6,7]
                 and "maintenance_windows"."start_time" ~ '^([01][0-9]|2[0-3]):[0-5][0-9]$'
                 and "maintenance_windows"."end_time" ~ '^([01][0-9]|2[0-3]):[0-5][0-9]$' and "maintenance_windows"."time_zone" is not null end)
);
--> statement-breakpoint
CREATE TABLE "notification_channels" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"owner_id" text NOT NULL,
	"kind" text NOT NULL,
	"name" text NOT NULL,
	"severities" text[] DEFAULT '{}' NOT NULL,
	"url" text,
	"address" text,
	"is_account" boolean DEFAULT false NOT NULL,
	"secret" text,
	"previous_secret" text,
	"previous_secret_until" timestamp with time zone,
	"legacy_secret" text,
	"verified_at" timestamp with time zone,
	"confirm_token_digest" text,
	"confirm_sent_at" timestamp with time zone,
	"test_sends" timestamp with time zone[] DEFAULT '{}' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "notification_channels_kind_check" CHECK ("notification_channels"."kind" in ('webhook','email','slack')),
	CONSTRAINT "notification_channels_name_check" CHECK (length("notification_channels"."name") between 1 and 100),
	CONSTRAINT "notification_channels_severities_check" CHECK ("notification_channels"."severities" <@ array['info','warning','critical']::text[]),
	CONSTRAINT "notification_channels_target_check" CHECK (case "notification_channels"."kind"
            when 'email' then "notification_channels"."url" is null and ("notification_channels"."address" is not null) <> "notification_channels"."is_account"
            else "notification_channels"."url" is not null and "notification_channels"."address" is null and not "notification_channels"."is_account" end),
	CONSTRAINT "notification_channels_secret_check" CHECK (("notification_channels"."kind" = 'webhook') = ("notification_channels"."secret" is not null)),
	CONSTRAINT "notification_channels_url_check" CHECK (length("notification_channels"."url") <= 2000),
	CONSTRAINT "notification_channels_address_check" CHECK (length("notification_channels"."address") <= 254)
);
--> statement-breakpoint
ALTER TABLE "alert_deliveries" DROP CONSTRAINT "alert_deliveries_destination_check";--> statement-breakpoint
ALTER TABLE "alert_events" DROP CONSTRAINT "alert_events_kind_check";--> statement-breakpoint
DROP INDEX "uniq_alert_delivery_destination";--> statement-breakpoint
DROP INDEX "uniq_alert_event_kind";--> statement-breakpoint
ALTER TABLE "alert_deliveries" ADD COLUMN "channel_id" uuid;--> statement-breakpoint
ALTER TABLE "alert_events" ADD COLUMN "actor_id" text;--> statement-breakpoint
ALTER TABLE "alert_events" ADD COLUMN "note" text;--> statement-breakpoint
ALTER TABLE "alert_events" ADD COLUMN "until" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "alert_events" ADD COLUMN "notice" text DEFAULT 'none' NOT NULL;--> statement-breakpoint
ALTER TABLE "alert_events" ADD COLUMN "notice_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "alert_events" ADD COLUMN "hold_reason" text;--> statement-breakpoint
ALTER TABLE "alert_rules" ADD COLUMN "severity" text DEFAULT 'warning' NOT NULL;--> statement-breakpoint
-- Existing alerts become warnings (as their rules do); the default is dropped again so that the
-- trigger below copies a new alert's severity from its rule.
ALTER TABLE "alerts" ADD COLUMN "severity" text DEFAULT 'warning' NOT NULL;--> statement-breakpoint
ALTER TABLE "alerts" ALTER COLUMN "severity" DROP DEFAULT;--> statement-breakpoint
ALTER TABLE "alerts" ADD COLUMN "acknowledged_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "alerts" ADD COLUMN "acknowledged_by" text;--> statement-breakpoint
ALTER TABLE "alerts" ADD COLUMN "snoozed_until" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "alerts" ADD COLUMN "snoozed_until_resolved" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "alerts" ADD COLUMN "escalated_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "notification_settings" ADD COLUMN "escalation_channel_id" uuid;--> statement-breakpoint
ALTER TABLE "notification_settings" ADD COLUMN "escalation_minutes" integer DEFAULT 15 NOT NULL;--> statement-breakpoint
ALTER TABLE "maintenance_windows" ADD CONSTRAINT "maintenance_windows_owner_id_user_id_fk" FOREIGN KEY ("owner_id") REFERENCES "public"."user"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "maintenance_windows" ADD CONSTRAINT "maintenance_windows_device_id_devices_id_fk" FOREIGN KEY ("device_id") REFERENCES "public"."devices"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "notification_channels" ADD CONSTRAINT "notification_channels_owner_id_user_id_fk" FOREIGN KEY ("owner_id") REFERENCES "public"."user"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "idx_local_mailbox_recipient" ON "local_mailbox" USING btree ("recipient","received_at");--> statement-breakpoint
CREATE INDEX "idx_maintenance_owner" ON "maintenance_windows" USING btree ("owner_id","created_at");--> statement-breakpoint
CREATE INDEX "idx_maintenance_device" ON "maintenance_windows" USING btree ("device_id");--> statement-breakpoint
CREATE INDEX "idx_channel_owner" ON "notification_channels" USING btree ("owner_id","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "uniq_channel_account" ON "notification_channels" USING btree ("owner_id") WHERE "notification_channels"."is_account";--> statement-breakpoint
CREATE UNIQUE INDEX "uniq_channel_target" ON "notification_channels" USING btree ("owner_id","kind",lower(coalesce("address", "url"))) WHERE not "notification_channels"."is_account";--> statement-breakpoint
ALTER TABLE "alert_deliveries" ADD CONSTRAINT "alert_deliveries_channel_id_notification_channels_id_fk" FOREIGN KEY ("channel_id") REFERENCES "public"."notification_channels"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "alert_events" ADD CONSTRAINT "alert_events_actor_id_user_id_fk" FOREIGN KEY ("actor_id") REFERENCES "public"."user"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "alerts" ADD CONSTRAINT "alerts_acknowledged_by_user_id_fk" FOREIGN KEY ("acknowledged_by") REFERENCES "public"."user"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "notification_settings" ADD CONSTRAINT "notification_settings_escalation_channel_id_notification_channels_id_fk" FOREIGN KEY ("escalation_channel_id") REFERENCES "public"."notification_channels"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "uniq_alert_delivery_channel" ON "alert_deliveries" USING btree ("event_id","channel_id");--> statement-breakpoint
CREATE INDEX "idx_alert_delivery_channel" ON "alert_deliveries" USING btree ("channel_id");--> statement-breakpoint
CREATE INDEX "idx_alert_event_alert" ON "alert_events" USING btree ("alert_id","at");--> statement-breakpoint
CREATE INDEX "idx_alert_event_held" ON "alert_events" USING btree ("at") WHERE "alert_events"."notice" = 'held';--> statement-breakpoint
CREATE UNIQUE INDEX "uniq_alert_event_kind" ON "alert_events" USING btree ("alert_id","kind") WHERE "alert_events"."kind" in ('fired','resolved','acknowledged','escalated');--> statement-breakpoint
-- Every transition recorded so far was notified (live, and to the webhook when there was one).
UPDATE "alert_events" SET "notice" = 'sent', "notice_at" = "at" WHERE "kind" in ('fired','resolved');--> statement-breakpoint
-- The single webhook of the old settings becomes a webhook channel receiving every severity, with
-- the same key: the Standard Webhooks form of the old secret's bytes (old secrets were
-- `whsec_` + URL-safe base64; anything else is taken as raw bytes), and the old string kept to
-- sign the deprecated X-Pulseboard-Signature exactly as before.
INSERT INTO "notification_channels" ("owner_id", "kind", "name", "severities", "url", "secret", "legacy_secret", "verified_at", "created_at", "updated_at")
SELECT "owner_id", 'webhook', 'Webhook', array['info','warning','critical'], "webhook_url",
       CASE WHEN "webhook_secret" ~ '^whsec_[A-Za-z0-9_-]+$' AND length("webhook_secret") % 4 <> 3
            THEN 'whsec_' || translate(rpad(substr("webhook_secret", 7), ((length("webhook_secret") - 6 + 3) / 4) * 4, '='), '-_', '+/')
            ELSE 'whsec_' || replace(encode(convert_to("webhook_secret", 'UTF8'), 'base64'), E'\n', '') END,
       "webhook_secret", now(), "updated_at", now()
FROM "notification_settings" WHERE "webhook_url" IS NOT NULL;--> statement-breakpoint
UPDATE "alert_deliveries" d SET "channel_id" = c."id"
FROM "alert_events" e, "notification_channels" c
WHERE e."id" = d."event_id" AND c."owner_id" = e."owner_id" AND c."legacy_secret" IS NOT NULL AND d."destination" = 'webhook';--> statement-breakpoint
-- New alerts copy their rule's severity as they copy its condition (migration 0018).
CREATE OR REPLACE FUNCTION "alerts_copy_rule_condition"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF NEW."metric" IS NULL THEN
		SELECT r."metric", r."comparator", r."threshold", r."aggregate", r."window_seconds"
		INTO NEW."metric", NEW."comparator", NEW."threshold", NEW."aggregate", NEW."window_seconds"
		FROM "alert_rules" r WHERE r."id" = NEW."rule_id";
	END IF;
	IF NEW."severity" IS NULL THEN
		SELECT r."severity" INTO NEW."severity" FROM "alert_rules" r WHERE r."id" = NEW."rule_id";
	END IF;
	RETURN NEW;
END
$$;--> statement-breakpoint
ALTER TABLE "alert_deliveries" ADD CONSTRAINT "alert_deliveries_destination_check" CHECK ("alert_deliveries"."destination" in ('webhook','email','slack'));--> statement-breakpoint
ALTER TABLE "alert_events" ADD CONSTRAINT "alert_events_notice_check" CHECK ("alert_events"."notice" in ('none','sent','held','dropped'));--> statement-breakpoint
ALTER TABLE "alert_events" ADD CONSTRAINT "alert_events_notice_kind_check" CHECK (("alert_events"."notice" = 'none') = ("alert_events"."kind" not in ('fired','resolved','escalated')));--> statement-breakpoint
ALTER TABLE "alert_events" ADD CONSTRAINT "alert_events_note_check" CHECK (length("alert_events"."note") <= 500);--> statement-breakpoint
ALTER TABLE "alert_events" ADD CONSTRAINT "alert_events_kind_check" CHECK ("alert_events"."kind" in ('fired','resolved','acknowledged','snoozed','unsnoozed','escalated'));--> statement-breakpoint
ALTER TABLE "alert_rules" ADD CONSTRAINT "alert_rules_severity_check" CHECK ("alert_rules"."severity" in ('info','warning','critical'));--> statement-breakpoint
ALTER TABLE "alerts" ADD CONSTRAINT "alerts_severity_check" CHECK ("alerts"."severity" in ('info','warning','critical'));--> statement-breakpoint
ALTER TABLE "notification_settings" ADD CONSTRAINT "notification_settings_escalation_minutes_check" CHECK ("notification_settings"."escalation_minutes" between 1 and 1440);
CREATE TABLE "alert_events" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"alert_id" uuid NOT NULL,
	"owner_id" text NOT NULL,
	"kind" text NOT NULL,
	"value" numeric,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	"webhook_status" text DEFAULT 'pending' NOT NULL,
	"webhook_attempts" integer DEFAULT 0 NOT NULL,
	"webhook_last_error" text,
	"webhook_updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "alert_events_kind_check" CHECK ("alert_events"."kind" in ('fired','resolved')),
	CONSTRAINT "alert_events_webhook_status_check" CHECK ("alert_events"."webhook_status" in ('pending','delivering','delivered','failed','skipped'))
);
--> statement-breakpoint
CREATE TABLE "notification_settings" (
	"owner_id" text PRIMARY KEY NOT NULL,
	"webhook_url" text,
	"webhook_secret" text NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "alert_rules" ADD COLUMN "recovery_threshold" numeric;--> statement-breakpoint
ALTER TABLE "alert_rules" ADD COLUMN "no_data" text DEFAULT 'keep' NOT NULL;--> statement-breakpoint
ALTER TABLE "alerts" ADD COLUMN "value" numeric;--> statement-breakpoint
ALTER TABLE "alerts" ADD COLUMN "window_start" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "alerts" ADD COLUMN "window_end" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "alerts" ADD COLUMN "resolved_value" numeric;--> statement-breakpoint
ALTER TABLE "devices" ADD COLUMN "silence_seconds" integer DEFAULT 300 NOT NULL;--> statement-breakpoint
ALTER TABLE "alert_events" ADD CONSTRAINT "alert_events_alert_id_alerts_id_fk" FOREIGN KEY ("alert_id") REFERENCES "public"."alerts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "alert_events" ADD CONSTRAINT "alert_events_owner_id_user_id_fk" FOREIGN KEY ("owner_id") REFERENCES "public"."user"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "notification_settings" ADD CONSTRAINT "notification_settings_owner_id_user_id_fk" FOREIGN KEY ("owner_id") REFERENCES "public"."user"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "uniq_alert_event_kind" ON "alert_events" USING btree ("alert_id","kind");--> statement-breakpoint
CREATE INDEX "idx_alert_event_owner_time" ON "alert_events" USING btree ("owner_id","at");--> statement-breakpoint
CREATE INDEX "idx_alert_event_undelivered" ON "alert_events" USING btree ("webhook_updated_at") WHERE "alert_events"."webhook_status" in ('pending','delivering');--> statement-breakpoint
ALTER TABLE "alert_rules" ADD CONSTRAINT "alert_rules_no_data_check" CHECK ("alert_rules"."no_data" in ('keep','resolve','fire'));--> statement-breakpoint
ALTER TABLE "devices" ADD CONSTRAINT "devices_silence_check" CHECK ("devices"."silence_seconds" between 10 and 2592000);
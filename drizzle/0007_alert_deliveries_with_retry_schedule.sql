CREATE TABLE "alert_deliveries" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"event_id" uuid NOT NULL,
	"destination" text NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"next_attempt_at" timestamp with time zone DEFAULT now() NOT NULL,
	"claimed_until" timestamp with time zone,
	"last_error" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "alert_deliveries_destination_check" CHECK ("alert_deliveries"."destination" in ('webhook')),
	CONSTRAINT "alert_deliveries_status_check" CHECK ("alert_deliveries"."status" in ('pending','in_flight','delivered','failed','skipped')),
	CONSTRAINT "alert_deliveries_lease_check" CHECK (("alert_deliveries"."status" = 'in_flight') = ("alert_deliveries"."claimed_until" is not null))
);
--> statement-breakpoint
ALTER TABLE "alert_events" DROP CONSTRAINT "alert_events_webhook_status_check";--> statement-breakpoint
DROP INDEX "idx_alert_event_undelivered";--> statement-breakpoint
ALTER TABLE "alert_deliveries" ADD CONSTRAINT "alert_deliveries_event_id_alert_events_id_fk" FOREIGN KEY ("event_id") REFERENCES "public"."alert_events"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "uniq_alert_delivery_destination" ON "alert_deliveries" USING btree ("event_id","destination");--> statement-breakpoint
CREATE INDEX "idx_alert_delivery_unfinished" ON "alert_deliveries" USING btree ("next_attempt_at") WHERE "alert_deliveries"."status" in ('pending','in_flight');--> statement-breakpoint
-- Data: each event's webhook delivery state moves to its own row (by hand, after drizzle-kit).
-- A claim in progress keeps the old claim window (a minute) as its lease; a pending event is due
-- since its last change, so the sweep takes it after its grace, as before.
INSERT INTO "alert_deliveries" ("event_id", "destination", "status", "attempts", "next_attempt_at",
                                "claimed_until", "last_error", "created_at", "updated_at")
SELECT "id", 'webhook',
       CASE "webhook_status" WHEN 'delivering' THEN 'in_flight' ELSE "webhook_status" END,
       "webhook_attempts", "webhook_updated_at",
       CASE "webhook_status" WHEN 'delivering' THEN "webhook_updated_at" + interval '1 minute' END,
       "webhook_last_error", "at", "webhook_updated_at"
FROM "alert_events";--> statement-breakpoint
ALTER TABLE "alert_events" DROP COLUMN "webhook_status";--> statement-breakpoint
ALTER TABLE "alert_events" DROP COLUMN "webhook_attempts";--> statement-breakpoint
ALTER TABLE "alert_events" DROP COLUMN "webhook_last_error";--> statement-breakpoint
ALTER TABLE "alert_events" DROP COLUMN "webhook_updated_at";
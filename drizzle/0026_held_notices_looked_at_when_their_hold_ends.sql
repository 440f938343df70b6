DROP INDEX "idx_alert_event_held";--> statement-breakpoint
ALTER TABLE "alert_events" ADD COLUMN "hold_until" timestamp with time zone;--> statement-breakpoint
CREATE INDEX "idx_alert_event_held" ON "alert_events" USING btree ("hold_until") WHERE "alert_events"."notice" = 'held';--> statement-breakpoint
-- Notices held before this column: looked at again at the next sweep.
UPDATE "alert_events" SET "hold_until" = now() WHERE "notice" = 'held';

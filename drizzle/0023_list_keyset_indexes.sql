DROP INDEX "idx_alert_device";--> statement-breakpoint
DROP INDEX "idx_device_owner";--> statement-breakpoint
CREATE INDEX "idx_alert_device_triggered" ON "alerts" USING btree ("device_id","triggered_at","id");--> statement-breakpoint
CREATE INDEX "idx_device_owner_created" ON "devices" USING btree ("owner_id","created_at","id");
-- Readings partitioned by UTC day of recorded_at (docs/storage.md). Drizzle cannot declare
-- partitioning, so this migration is written by hand; the schema files describe the same table.
-- The old table's rows are not moved here (that would hold the migration for as long as the
-- copy takes): it stays, renamed sensor_readings_legacy, until `pnpm db:move-readings` has moved
-- them day by day, and every read goes through the view sensor_readings_all, which shows both
-- meanwhile. A database without readings drops the old table at once.
ALTER TABLE "sensor_readings" RENAME TO "sensor_readings_legacy";--> statement-breakpoint
ALTER TABLE "sensor_readings_legacy" RENAME CONSTRAINT "sensor_readings_pkey" TO "sensor_readings_legacy_pkey";--> statement-breakpoint
ALTER TABLE "sensor_readings_legacy" RENAME CONSTRAINT "sensor_readings_device_id_devices_id_fk" TO "sensor_readings_legacy_device_id_fk";--> statement-breakpoint
ALTER INDEX "idx_reading_device_time" RENAME TO "idx_reading_legacy_device_time";--> statement-breakpoint
ALTER INDEX "uniq_reading_device_metric_time" RENAME TO "uniq_reading_legacy_device_metric_time";--> statement-breakpoint
ALTER INDEX "idx_reading_received_brin" RENAME TO "idx_reading_legacy_received_brin";--> statement-breakpoint
ALTER INDEX "idx_reading_late" RENAME TO "idx_reading_legacy_late";--> statement-breakpoint
CREATE TABLE "sensor_readings" (
	"device_id" uuid NOT NULL,
	"metric" text NOT NULL,
	"value" numeric NOT NULL,
	"recorded_at" timestamp with time zone NOT NULL,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "sensor_readings_pkey" PRIMARY KEY("device_id","metric","recorded_at")
) PARTITION BY RANGE ("recorded_at");--> statement-breakpoint
CREATE INDEX "idx_reading_received_brin" ON "sensor_readings" USING brin ("received_at") WITH (autosummarize=true);--> statement-breakpoint
CREATE INDEX "idx_reading_late" ON "sensor_readings" USING btree ("device_id","metric","received_at") WHERE "sensor_readings"."received_at" - "sensor_readings"."recorded_at" > interval '2 minutes';--> statement-breakpoint
-- Partitions for yesterday to three days ahead, so a running ingest keeps writing through the
-- migration; the ingest and the alerter create the rest ahead of time from now on.
DO $$
DECLARE
	day date;
BEGIN
	FOR day IN SELECT generate_series((now() at time zone 'UTC')::date - 1, (now() at time zone 'UTC')::date + 3, interval '1 day')::date LOOP
		EXECUTE format(
			'CREATE TABLE %I PARTITION OF sensor_readings FOR VALUES FROM (%L) TO (%L)',
			'sensor_readings_' || to_char(day, 'YYYYMMDD'),
			(day::timestamp at time zone 'UTC'),
			((day + 1)::timestamp at time zone 'UTC'));
	END LOOP;
END $$;--> statement-breakpoint
DO $$
BEGIN
	IF EXISTS (SELECT 1 FROM "sensor_readings_legacy" LIMIT 1) THEN
		CREATE VIEW "sensor_readings_all" AS
			SELECT "device_id", "metric", "value", "recorded_at", "received_at" FROM "sensor_readings"
			UNION ALL
			SELECT "device_id", "metric", "value", "recorded_at", "received_at" FROM "sensor_readings_legacy";
	ELSE
		DROP TABLE "sensor_readings_legacy";
		CREATE VIEW "sensor_readings_all" AS
			SELECT "device_id", "metric", "value", "recorded_at", "received_at" FROM "sensor_readings";
	END IF;
END $$;

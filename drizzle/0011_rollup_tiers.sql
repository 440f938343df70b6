-- Roll-up tiers (docs/rollup-tiers.md): the minute rollups partitioned by UTC month of
-- bucket_start, and an hourly tier kept for good. Written by hand: drizzle cannot declare
-- partitioning, nor an index's INCLUDE columns; the schema files describe the same tables.
--
-- The old minute table's rows are not copied here, and it is not attached as a partition: either
-- would hold this migration (and the roll-up) for as long as a scan of every row takes (a copy,
-- or the scan that validates a partition's bounds and builds the covering index on it). It stays,
-- renamed reading_rollups_1m_legacy (its rows and index unchanged; its foreign key goes, as the
-- legacy readings' did in 0010: a deleted device's rows there are purged in the background), and
-- every read of minute rows goes through the view reading_rollups_1m_all, which shows both
-- tables. The alerter's maintenance then moves its rows into the partitions in small batches
-- (moveLegacyMinuteBatch), redefines the view over the partitions alone and drops it; the hourly
-- roll-up starts once it is gone (it reads minute rows through indexes the old table lacks). A
-- database without minute rollups drops the old table at once.
ALTER TABLE "reading_rollups_1m" DROP CONSTRAINT "reading_rollups_1m_device_id_devices_id_fk";--> statement-breakpoint
ALTER TABLE "reading_rollups_1m" RENAME TO "reading_rollups_1m_legacy";--> statement-breakpoint
ALTER INDEX "idx_rollup_1m_device_metric_bucket" RENAME TO "idx_rollup_1m_legacy_device_metric_bucket";--> statement-breakpoint
CREATE TABLE "reading_rollups_1m" (
	"device_id" uuid NOT NULL,
	"metric" text NOT NULL,
	"bucket_start" timestamp with time zone NOT NULL,
	"min" numeric NOT NULL,
	"max" numeric NOT NULL,
	"sum" numeric NOT NULL,
	"count" integer NOT NULL,
	"rolled_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "reading_rollups_1m_count_check" CHECK ("reading_rollups_1m"."count" > 0),
	CONSTRAINT "reading_rollups_1m_min_max_check" CHECK ("reading_rollups_1m"."min" <= "reading_rollups_1m"."max"),
	CONSTRAINT "reading_rollups_1m_minute_check" CHECK (date_bin('1 minute', "reading_rollups_1m"."bucket_start", timestamptz '1970-01-01 00:00:00+00') = "reading_rollups_1m"."bucket_start")
) PARTITION BY RANGE ("bucket_start");--> statement-breakpoint
CREATE INDEX "idx_rollup_1m_series" ON "reading_rollups_1m" USING btree ("device_id","metric","bucket_start") INCLUDE ("min","max","sum","count");--> statement-breakpoint
CREATE INDEX "idx_rollup_1m_bucket_brin" ON "reading_rollups_1m" USING brin ("bucket_start");--> statement-breakpoint
CREATE INDEX "idx_rollup_1m_after_day" ON "reading_rollups_1m" USING btree ("rolled_at") WHERE "reading_rollups_1m"."rolled_at" - date_bin('1 day', "reading_rollups_1m"."bucket_start", timestamptz '1970-01-01 00:00:00+00') > interval '1 day';--> statement-breakpoint
CREATE TABLE "reading_rollups_1h" (
	"device_id" uuid NOT NULL,
	"metric" text NOT NULL,
	"bucket_start" timestamp with time zone NOT NULL,
	"min" numeric NOT NULL,
	"max" numeric NOT NULL,
	"sum" numeric NOT NULL,
	"count" integer NOT NULL,
	"rolled_at" timestamp with time zone NOT NULL,
	CONSTRAINT "reading_rollups_1h_count_check" CHECK ("reading_rollups_1h"."count" > 0),
	CONSTRAINT "reading_rollups_1h_min_max_check" CHECK ("reading_rollups_1h"."min" <= "reading_rollups_1h"."max"),
	CONSTRAINT "reading_rollups_1h_hour_check" CHECK (date_bin('1 hour', "reading_rollups_1h"."bucket_start", timestamptz '1970-01-01 00:00:00+00') = "reading_rollups_1h"."bucket_start")
);--> statement-breakpoint
CREATE INDEX "idx_rollup_1h_series" ON "reading_rollups_1h" USING btree ("device_id","metric","bucket_start") INCLUDE ("min","max","sum","count");--> statement-breakpoint
-- Partitions for last month to next month, so a running roll-up keeps writing through the
-- migration; the alerter's maintenance makes the rest ahead of time from now on (and the roll-up
-- itself any month a backlog of old readings needs).
DO $$
DECLARE
	month date;
BEGIN
	FOR month IN SELECT generate_series(date_trunc('month', now() at time zone 'UTC') - interval '1 month', date_trunc('month', now() at time zone 'UTC') + interval '1 month', interval '1 month')::date LOOP
		EXECUTE format(
			'CREATE TABLE %I PARTITION OF reading_rollups_1m FOR VALUES FROM (%L) TO (%L)',
			'reading_rollups_1m_' || to_char(month, 'YYYYMM'),
			(month::timestamp at time zone 'UTC'),
			((month + interval '1 month')::timestamp at time zone 'UTC'));
	END LOOP;
END $$;--> statement-breakpoint
DO $$
BEGIN
	IF EXISTS (SELECT 1 FROM "reading_rollups_1m_legacy" LIMIT 1) THEN
		CREATE VIEW "reading_rollups_1m_all" AS
			SELECT "device_id", "metric", "bucket_start", "min", "max", "sum", "count", "rolled_at" FROM "reading_rollups_1m"
			UNION ALL
			SELECT "device_id", "metric", "bucket_start", "min", "max", "sum", "count", "rolled_at" FROM "reading_rollups_1m_legacy";
	ELSE
		DROP TABLE "reading_rollups_1m_legacy";
		CREATE VIEW "reading_rollups_1m_all" AS
			SELECT "device_id", "metric", "bucket_start", "min", "max", "sum", "count", "rolled_at" FROM "reading_rollups_1m";
	END IF;
END $$;

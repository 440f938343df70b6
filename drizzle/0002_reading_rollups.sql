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
);
--> statement-breakpoint
CREATE TABLE "rollup_watermarks" (
	"name" text PRIMARY KEY NOT NULL,
	"cutoff" timestamp with time zone NOT NULL
);
--> statement-breakpoint
-- Rows stored before this migration get the epoch as received_at (a constant default: no table
-- rewrite), not the migration's time: they are not late arrivals (idx_reading_late stays empty
-- of them) and the first roll-up takes them all. New rows get now().
ALTER TABLE "sensor_readings" ADD COLUMN "received_at" timestamp with time zone DEFAULT '1970-01-01 00:00:00+00' NOT NULL;--> statement-breakpoint
ALTER TABLE "sensor_readings" ALTER COLUMN "received_at" SET DEFAULT now();--> statement-breakpoint
ALTER TABLE "reading_rollups_1m" ADD CONSTRAINT "reading_rollups_1m_device_id_devices_id_fk" FOREIGN KEY ("device_id") REFERENCES "public"."devices"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "idx_rollup_1m_device_metric_bucket" ON "reading_rollups_1m" USING btree ("device_id","metric","bucket_start");--> statement-breakpoint
CREATE INDEX "idx_reading_received_brin" ON "sensor_readings" USING brin ("received_at") WITH (autosummarize=true);--> statement-breakpoint
CREATE INDEX "idx_reading_late" ON "sensor_readings" USING btree ("device_id","metric","received_at") WHERE "sensor_readings"."received_at" - "sensor_readings"."recorded_at" > interval '2 minutes';
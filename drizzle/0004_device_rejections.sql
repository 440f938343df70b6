CREATE TABLE "device_rejections" (
	"device_id" uuid NOT NULL,
	"hour" timestamp with time zone NOT NULL,
	"reason" text NOT NULL,
	"count" integer NOT NULL,
	"last_at" timestamp with time zone NOT NULL,
	"last_detail" text,
	CONSTRAINT "device_rejections_device_id_hour_reason_pk" PRIMARY KEY("device_id","hour","reason"),
	CONSTRAINT "device_rejections_count_check" CHECK ("device_rejections"."count" > 0),
	CONSTRAINT "device_rejections_reason_check" CHECK ("device_rejections"."reason" ~ '^[a-z_]{1,40}$'),
	CONSTRAINT "device_rejections_hour_check" CHECK (date_bin('1 hour', "device_rejections"."hour", timestamptz '1970-01-01 00:00:00+00') = "device_rejections"."hour"),
	CONSTRAINT "device_rejections_detail_check" CHECK (length("device_rejections"."last_detail") <= 500)
);
--> statement-breakpoint
ALTER TABLE "device_rejections" ADD CONSTRAINT "device_rejections_device_id_devices_id_fk" FOREIGN KEY ("device_id") REFERENCES "public"."devices"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "idx_device_rejection_hour" ON "device_rejections" USING btree ("hour");
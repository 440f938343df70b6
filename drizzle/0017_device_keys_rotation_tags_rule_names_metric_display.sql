CREATE TABLE "metric_display" (
	"owner_id" text NOT NULL,
	"metric" text NOT NULL,
	"display_name" text,
	"unit" text,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "metric_display_owner_id_metric_pk" PRIMARY KEY("owner_id","metric"),
	CONSTRAINT "metric_display_name_check" CHECK (length("metric_display"."display_name") between 1 and 64),
	CONSTRAINT "metric_display_unit_check" CHECK (length("metric_display"."unit") <= 16)
);
--> statement-breakpoint
ALTER TABLE "alert_rules" ADD COLUMN "name" text;--> statement-breakpoint
ALTER TABLE "devices" ADD COLUMN "previous_key" text;--> statement-breakpoint
ALTER TABLE "devices" ADD COLUMN "previous_key_expires_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "devices" ADD COLUMN "key_rotated_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "devices" ADD COLUMN "tags" text[] DEFAULT '{}' NOT NULL;--> statement-breakpoint
ALTER TABLE "metric_display" ADD CONSTRAINT "metric_display_owner_id_user_id_fk" FOREIGN KEY ("owner_id") REFERENCES "public"."user"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "uniq_device_previous_key" ON "devices" USING btree ("previous_key") WHERE "devices"."previous_key" is not null;--> statement-breakpoint
ALTER TABLE "alert_rules" ADD CONSTRAINT "alert_rules_name_check" CHECK (length("alert_rules"."name") between 1 and 100);--> statement-breakpoint
ALTER TABLE "devices" ADD CONSTRAINT "devices_previous_key_digest_check" CHECK ("devices"."previous_key" ~ '^[0-9a-f]{64}$');--> statement-breakpoint
ALTER TABLE "devices" ADD CONSTRAINT "devices_previous_key_expiry_check" CHECK (("devices"."previous_key" is null) = ("devices"."previous_key_expires_at" is null));--> statement-breakpoint
ALTER TABLE "devices" ADD CONSTRAINT "devices_tags_check" CHECK (cardinality("devices"."tags") <= 20);
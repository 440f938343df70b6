CREATE TABLE "device_message_ids" (
	"device_id" uuid NOT NULL,
	"mid" text NOT NULL,
	"stored_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "device_message_ids_device_id_mid_pk" PRIMARY KEY("device_id","mid"),
	CONSTRAINT "device_message_ids_mid_check" CHECK ("device_message_ids"."mid" ~ '^[A-Za-z0-9_.:-]{1,64}$')
);
--> statement-breakpoint
ALTER TABLE "device_message_ids" ADD CONSTRAINT "device_message_ids_device_id_devices_id_fk" FOREIGN KEY ("device_id") REFERENCES "public"."devices"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "idx_device_message_id_stored_at" ON "device_message_ids" USING btree ("stored_at");
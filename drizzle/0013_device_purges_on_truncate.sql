-- TRUNCATE of devices (by hand, or cascading from a TRUNCATE of "user") fires no DELETE trigger,
-- so 0010's queue missed those devices and their readings stayed for good. A statement-level
-- BEFORE TRUNCATE trigger still sees the rows: every device is queued for the background purge.
CREATE FUNCTION "public"."queue_all_device_purges"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	INSERT INTO "public"."device_purges" ("device_id", "deleted_at")
	SELECT "id", clock_timestamp() FROM "public"."devices"
	ON CONFLICT ("device_id") DO NOTHING;
	RETURN NULL;
END
$$;--> statement-breakpoint
CREATE TRIGGER "devices_queue_purge_on_truncate" BEFORE TRUNCATE ON "devices"
	FOR EACH STATEMENT EXECUTE FUNCTION "public"."queue_all_device_purges"();

CREATE TABLE "partition_compactions" (
	"partition" text PRIMARY KEY NOT NULL,
	"compacted_at" timestamp with time zone DEFAULT now() NOT NULL,
	"index_bytes_before" bigint NOT NULL,
	"index_bytes_after" bigint NOT NULL
);

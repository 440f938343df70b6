CREATE TABLE "clerk_users" (
	"id" text PRIMARY KEY NOT NULL,
	"clerk_updated_at" timestamp with time zone,
	"deleted_at" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "user" ALTER COLUMN "email" DROP NOT NULL;
CREATE TABLE "community_rate_windows" (
	"user_id" text NOT NULL,
	"action" text NOT NULL,
	"window_start" timestamp with time zone NOT NULL,
	"count" integer NOT NULL,
	CONSTRAINT "community_rate_windows_user_id_action_pk" PRIMARY KEY("user_id","action"),
	CONSTRAINT "community_rate_windows_action_check" CHECK ("community_rate_windows"."action" in ('thread','reply','vote'))
);
--> statement-breakpoint
ALTER TABLE "community_rate_windows" ADD CONSTRAINT "community_rate_windows_user_id_user_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."user"("id") ON DELETE cascade ON UPDATE no action;
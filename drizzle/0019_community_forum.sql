CREATE TABLE "categories" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"slug" text NOT NULL,
	"name" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"description" text DEFAULT '' NOT NULL,
	"position" integer DEFAULT 0 NOT NULL,
	"thread_count" integer DEFAULT 0 NOT NULL,
	"last_activity_at" timestamp with time zone,
	CONSTRAINT "categories_slug_unique" UNIQUE("slug"),
	CONSTRAINT "categories_slug_check" CHECK ("categories"."slug" ~ '^[a-z0-9]+(-[a-z0-9]+)*$' and length("categories"."slug") <= 48),
	CONSTRAINT "categories_name_check" CHECK (length("categories"."name") between 1 and 80)
);
--> statement-breakpoint
CREATE TABLE "community_moderators" (
	"user_id" text PRIMARY KEY NOT NULL,
	"granted_by" text NOT NULL,
	"granted_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "reply_votes" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"reply_id" uuid NOT NULL,
	"voter_id" text NOT NULL,
	"value" integer NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "reply_votes_reply_voter_unique" UNIQUE("reply_id","voter_id"),
	CONSTRAINT "reply_votes_value_check" CHECK ("reply_votes"."value" in (-1,1))
);
--> statement-breakpoint
CREATE TABLE "thread_replies" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"thread_id" uuid NOT NULL,
	"author_id" text NOT NULL,
	"body" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"score" integer DEFAULT 0 NOT NULL,
	"snapshot" jsonb,
	"search" "tsvector" GENERATED ALWAYS AS (to_tsvector('english', body)) STORED NOT NULL,
	CONSTRAINT "thread_replies_body_check" CHECK (length("thread_replies"."body") between 1 and 20000),
	CONSTRAINT "thread_replies_snapshot_check" CHECK (pg_column_size("thread_replies"."snapshot") <= 65536)
);
--> statement-breakpoint
CREATE TABLE "threads" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"category_id" uuid NOT NULL,
	"author_id" text NOT NULL,
	"title" text NOT NULL,
	"status" text DEFAULT 'open' NOT NULL,
	"is_pinned" boolean DEFAULT false NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_activity_at" timestamp with time zone DEFAULT now() NOT NULL,
	"reply_count" integer DEFAULT 0 NOT NULL,
	"search" "tsvector" GENERATED ALWAYS AS (to_tsvector('english', title)) STORED NOT NULL,
	CONSTRAINT "threads_status_check" CHECK ("threads"."status" in ('open','locked')),
	CONSTRAINT "threads_title_check" CHECK (length("threads"."title") between 1 and 200)
);
--> statement-breakpoint
ALTER TABLE "community_moderators" ADD CONSTRAINT "community_moderators_user_id_user_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."user"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "reply_votes" ADD CONSTRAINT "reply_votes_reply_id_thread_replies_id_fk" FOREIGN KEY ("reply_id") REFERENCES "public"."thread_replies"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "reply_votes" ADD CONSTRAINT "reply_votes_voter_id_user_id_fk" FOREIGN KEY ("voter_id") REFERENCES "public"."user"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "thread_replies" ADD CONSTRAINT "thread_replies_thread_id_threads_id_fk" FOREIGN KEY ("thread_id") REFERENCES "public"."threads"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "thread_replies" ADD CONSTRAINT "thread_replies_author_id_user_id_fk" FOREIGN KEY ("author_id") REFERENCES "public"."user"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "threads" ADD CONSTRAINT "threads_category_id_categories_id_fk" FOREIGN KEY ("category_id") REFERENCES "public"."categories"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "threads" ADD CONSTRAINT "threads_author_id_user_id_fk" FOREIGN KEY ("author_id") REFERENCES "public"."user"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "idx_category_slug" ON "categories" USING btree ("slug");--> statement-breakpoint
CREATE INDEX "idx_vote_voter" ON "reply_votes" USING btree ("voter_id");--> statement-breakpoint
CREATE INDEX "idx_reply_thread" ON "thread_replies" USING btree ("thread_id");--> statement-breakpoint
CREATE INDEX "idx_reply_author" ON "thread_replies" USING btree ("author_id");--> statement-breakpoint
CREATE INDEX "idx_reply_thread_order" ON "thread_replies" USING btree ("thread_id","created_at","id");--> statement-breakpoint
CREATE INDEX "idx_reply_search" ON "thread_replies" USING gin ("search");--> statement-breakpoint
CREATE INDEX "idx_thread_category" ON "threads" USING btree ("category_id");--> statement-breakpoint
CREATE INDEX "idx_thread_author" ON "threads" USING btree ("author_id");--> statement-breakpoint
CREATE INDEX "idx_thread_category_listing" ON "threads" USING btree ("category_id","is_pinned" DESC NULLS LAST,"last_activity_at" DESC NULLS LAST,"id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "idx_thread_search" ON "threads" USING gin ("search");
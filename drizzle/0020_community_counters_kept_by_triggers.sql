-- The community's derived figures, kept by the database in the transaction of the row that
-- changes them, whoever writes it: a thread's reply count and last activity, a category's thread
-- count and last activity, a reply's score (the sum of its votes). Each is a single-row
-- `update ... set n = n + delta`, so concurrent writers serialise on that row and none is lost.
-- (Rows deleted by a cascade from their parent update a parent that is already gone: nothing.)
CREATE FUNCTION "community_reply_counts"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF TG_OP = 'INSERT' THEN
		UPDATE "threads" SET "reply_count" = "reply_count" + 1,
			"last_activity_at" = greatest("last_activity_at", NEW."created_at")
		WHERE "id" = NEW."thread_id";
		UPDATE "categories" c SET "last_activity_at" = greatest(c."last_activity_at", NEW."created_at")
		FROM "threads" t WHERE t."id" = NEW."thread_id" AND c."id" = t."category_id";
		RETURN NEW;
	END IF;
	UPDATE "threads" SET "reply_count" = "reply_count" - 1 WHERE "id" = OLD."thread_id";
	RETURN OLD;
END
$$;--> statement-breakpoint
CREATE TRIGGER "community_reply_counts" AFTER INSERT OR DELETE ON "thread_replies"
	FOR EACH ROW EXECUTE FUNCTION "community_reply_counts"();--> statement-breakpoint
CREATE FUNCTION "community_thread_counts"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF TG_OP = 'INSERT' THEN
		UPDATE "categories" SET "thread_count" = "thread_count" + 1,
			"last_activity_at" = greatest("last_activity_at", NEW."created_at")
		WHERE "id" = NEW."category_id";
		RETURN NEW;
	END IF;
	UPDATE "categories" SET "thread_count" = "thread_count" - 1 WHERE "id" = OLD."category_id";
	RETURN OLD;
END
$$;--> statement-breakpoint
CREATE TRIGGER "community_thread_counts" AFTER INSERT OR DELETE ON "threads"
	FOR EACH ROW EXECUTE FUNCTION "community_thread_counts"();--> statement-breakpoint
CREATE FUNCTION "community_reply_score"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF TG_OP = 'INSERT' THEN
		UPDATE "thread_replies" SET "score" = "score" + NEW."value" WHERE "id" = NEW."reply_id";
		RETURN NEW;
	ELSIF TG_OP = 'UPDATE' THEN
		IF NEW."value" <> OLD."value" THEN
			UPDATE "thread_replies" SET "score" = "score" + NEW."value" - OLD."value" WHERE "id" = NEW."reply_id";
		END IF;
		RETURN NEW;
	END IF;
	UPDATE "thread_replies" SET "score" = "score" - OLD."value" WHERE "id" = OLD."reply_id";
	RETURN OLD;
END
$$;--> statement-breakpoint
CREATE TRIGGER "community_reply_score" AFTER INSERT OR UPDATE OF "value" OR DELETE ON "reply_votes"
	FOR EACH ROW EXECUTE FUNCTION "community_reply_score"();

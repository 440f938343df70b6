// The community forum, from seed 003 (names, CHECKs, FKs, cascades and indexes kept), extended
// for listing, ordering, search, moderation and shared snapshots (docs/community.md). Every
// derived figure (a thread's reply count and last activity, a category's thread count and last
// activity, a reply's score) is kept by triggers in the same transaction as the row that changes
// it (migration 0019), so it is right whatever writes the rows, under concurrency too.
import { sql } from "drizzle-orm";
import {
  boolean,
  check,
  customType,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  unique,
  uuid,
} from "drizzle-orm/pg-core";
import { user } from "../auth/tables";

export const THREAD_STATUSES = ["open", "locked"] as const;
export type ThreadStatus = (typeof THREAD_STATUSES)[number];

const tsvector = customType<{ data: string }>({ dataType: () => "tsvector" });

/** Top-level taxonomy. Every thread hangs off exactly one category. */
export const categories = pgTable(
  "categories",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    slug: text("slug").notNull().unique(),
    name: text("name").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    /** One line under the name on the category list. */
    description: text("description").notNull().default(""),
    /** The category list's order (then name). */
    position: integer("position").notNull().default(0),
    /** Kept by triggers: threads in the category, and its latest thread or reply. */
    threadCount: integer("thread_count").notNull().default(0),
    lastActivityAt: timestamp("last_activity_at", { withTimezone: true }),
  },
  (t) => [
    index("idx_category_slug").on(t.slug),
    check("categories_slug_check", sql`${t.slug} ~ '^[a-z0-9]+(-[a-z0-9]+)*$' and length(${t.slug}) <= 48`),
    check("categories_name_check", sql`length(${t.name}) between 1 and 80`),
  ],
);

/** A discussion thread: lives in one category, authored by one user. */
export const threads = pgTable(
  "threads",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    categoryId: uuid("category_id")
      .notNull()
      .references(() => categories.id, { onDelete: "cascade" }),
    // Better Auth's user.id is text (Clerk users are mirrored into the same table).
    authorId: text("author_id")
      .notNull()
      .references(() => user.id, { onDelete: "cascade" }),
    title: text("title").notNull(),
    status: text("status").$type<ThreadStatus>().notNull().default("open"),
    isPinned: boolean("is_pinned").notNull().default(false),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    /** Kept by triggers: the latest reply's time (the opening post's at first). */
    lastActivityAt: timestamp("last_activity_at", { withTimezone: true }).notNull().defaultNow(),
    /** Kept by triggers: replies, the opening post included. */
    replyCount: integer("reply_count").notNull().default(0),
    /** The title's search vector, computed by the database. */
    search: tsvector("search").notNull().generatedAlwaysAs(sql`to_tsvector('english', title)`),
  },
  (t) => [
    index("idx_thread_category").on(t.categoryId),
    index("idx_thread_author").on(t.authorId),
    // A category's threads in listing order: pinned first, then by latest activity; the keyset.
    index("idx_thread_category_listing").on(
      t.categoryId,
      t.isPinned.desc(),
      t.lastActivityAt.desc(),
      t.id.desc(),
    ),
    index("idx_thread_search").using("gin", t.search),
    check("threads_status_check", sql`${t.status} in ('open','locked')`),
    check("threads_title_check", sql`length(${t.title}) between 1 and 200`),
  ],
);

/** A reply within a thread, authored by one user. A thread's opening post is its first reply. */
export const threadReplies = pgTable(
  "thread_replies",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    threadId: uuid("thread_id")
      .notNull()
      .references(() => threads.id, { onDelete: "cascade" }),
    authorId: text("author_id")
      .notNull()
      .references(() => user.id, { onDelete: "cascade" }),
    body: text("body").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    /** Kept by triggers: the sum of its votes. */
    score: integer("score").notNull().default(0),
    /**
     * A frozen copy of what the author shared into the thread (a chart's points, a workout's
     * summary): readable by anyone, whatever becomes of the device or the log it came from.
     */
    snapshot: jsonb("snapshot"),
    /** The body's search vector, computed by the database. */
    search: tsvector("search").notNull().generatedAlwaysAs(sql`to_tsvector('english', body)`),
  },
  (t) => [
    index("idx_reply_thread").on(t.threadId),
    index("idx_reply_author").on(t.authorId),
    // A thread's replies in order.
    index("idx_reply_thread_order").on(t.threadId, t.createdAt, t.id),
    index("idx_reply_search").using("gin", t.search),
    check("thread_replies_body_check", sql`length(${t.body}) between 1 and 20000`),
    check("thread_replies_snapshot_check", sql`pg_column_size(${t.snapshot}) <= 65536`),
  ],
);

/** One vote per (reply, voter). value is -1 (down) or +1 (up). */
export const replyVotes = pgTable(
  "reply_votes",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    replyId: uuid("reply_id")
      .notNull()
      .references(() => threadReplies.id, { onDelete: "cascade" }),
    voterId: text("voter_id")
      .notNull()
      .references(() => user.id, { onDelete: "cascade" }),
    value: integer("value").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    unique("reply_votes_reply_voter_unique").on(t.replyId, t.voterId),
    check("reply_votes_value_check", sql`${t.value} in (-1,1)`),
    // Deleting a user removes their votes by voter.
    index("idx_vote_voter").on(t.voterId),
  ],
);

/**
 * Who moderates the community: a role of the community's own, by local user id, so it works the
 * same under Better Auth and Clerk. Granted by `pnpm community:moderator <user id>` or by
 * COMMUNITY_MODERATORS (an e-mail, once that address is verified).
 */
export const communityModerators = pgTable("community_moderators", {
  userId: text("user_id")
    .primaryKey()
    .references(() => user.id, { onDelete: "cascade" }),
  /** How: "command" or "COMMUNITY_MODERATORS". */
  grantedBy: text("granted_by").notNull(),
  grantedAt: timestamp("granted_at", { withTimezone: true }).notNull().defaultNow(),
});

export const COMMUNITY_ACTIONS = ["thread", "reply", "vote"] as const;
export type CommunityAction = (typeof COMMUNITY_ACTIONS)[number];

/**
 * Per-user abuse limits: how many threads, replies and votes a user made in the current window
 * (a fixed window per user and action), counted by one atomic upsert per action, so every web
 * instance counts the same and deleting a post does not give its place back.
 */
export const communityRateWindows = pgTable(
  "community_rate_windows",
  {
    userId: text("user_id")
      .notNull()
      .references(() => user.id, { onDelete: "cascade" }),
    action: text("action").$type<CommunityAction>().notNull(),
    windowStart: timestamp("window_start", { withTimezone: true }).notNull(),
    count: integer("count").notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.userId, t.action] }),
    check("community_rate_windows_action_check", sql`${t.action} in ('thread','reply','vote')`),
  ],
);

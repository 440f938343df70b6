// The community forum's schema (seed 003's constraints, cascades and our counters) and its queries
// against the live database: one vote per voter under concurrency, scores that equal the votes
// stored, locked threads, pinned first, keyset pages that neither skip nor repeat.
import { execFile } from "node:child_process";
import { REPO_ROOT } from "@pulseboard/devstack/paths";
import { useTestDatabase } from "@pulseboard/devstack/test";
import { user } from "@pulseboard/schema";
import { RateLimitedError } from "@pulseboard/schema/errors";
import { createCategory } from "@pulseboard/schema/queries/community-categories";
import { accountAgeSeconds, countCommunityAction } from "@pulseboard/schema/queries/community-limits";
import { isModerator } from "@pulseboard/schema/queries/community-moderators";
import {
  createReply,
  deleteReply,
  listReplies,
  REPLIES_PER_PAGE,
  voteOnReply,
} from "@pulseboard/schema/queries/community-replies";
import { searchCommunity } from "@pulseboard/schema/queries/community-search";
import {
  createThread,
  decodeCursor,
  getThread,
  listThreads,
  moderateThread,
} from "@pulseboard/schema/queries/community-threads";
import { describe, expect, it } from "vitest";

const database = useTestDatabase();
const db = () => database.current.db;
const sql = () => database.current.sql;

async function pgError(statement: PromiseLike<unknown>): Promise<{ code: string; constraint?: string }> {
  try {
    await statement;
  } catch (error) {
    const cause = (error as { cause?: unknown }).cause ?? error;
    const { code, constraint_name } = cause as { code: string; constraint_name?: string };
    return { code, ...(constraint_name ? { constraint: constraint_name } : {}) };
  }
  throw new Error("expected the statement to fail");
}

async function makeUser(name = "member") {
  const id = crypto.randomUUID();
  await db()
    .insert(user)
    .values({ id, name, email: `${name}-${id}@example.com` });
  return id;
}

let slugs = 0;
async function makeCategory() {
  slugs++;
  return createCategory(db(), {
    slug: `cat-${slugs}-${Date.now()}`,
    name: `Category ${slugs}`,
    description: "",
    position: 0,
  });
}

async function counts(threadId: string) {
  const [row] = await sql()<{ reply_count: number; replies: number }[]>`
    select t.reply_count, (select count(*)::int from thread_replies r where r.thread_id = t.id) as replies
    from threads t where t.id = ${threadId}`;
  return row;
}

describe("the seed's constraints", () => {
  it("refuses a duplicate slug, a bad status, a vote of 2 and a second vote by the same voter", async () => {
    const category = await makeCategory();
    await expect(
      createCategory(db(), { slug: category.slug, name: "Again", description: "", position: 0 }),
    ).rejects.toThrow(`a category with the slug "${category.slug}" already exists`);
    expect(await pgError(sql()`insert into categories (slug, name) values (${category.slug}, 'x')`)).toEqual({
      code: "23505",
      constraint: "categories_slug_unique",
    });
    const author = await makeUser();
    const voter = await makeUser();
    const thread = await createThread(db(), author, category.id, { title: "Hello", body: "First post" });
    expect(await pgError(sql()`update threads set status = 'archived' where id = ${thread.id}`)).toEqual({
      code: "23514",
      constraint: "threads_status_check",
    });
    expect(
      await pgError(
        sql()`insert into reply_votes (reply_id, voter_id, value) values (${thread.openingReplyId}, ${voter}, 2)`,
      ),
    ).toEqual({ code: "23514", constraint: "reply_votes_value_check" });
    await sql()`insert into reply_votes (reply_id, voter_id, value) values (${thread.openingReplyId}, ${voter}, 1)`;
    expect(
      await pgError(
        sql()`insert into reply_votes (reply_id, voter_id, value) values (${thread.openingReplyId}, ${voter}, -1)`,
      ),
    ).toEqual({ code: "23505", constraint: "reply_votes_reply_voter_unique" });
  });

  it("cascades category → threads → replies → votes, and a deleted user's posts and votes go", async () => {
    const category = await makeCategory();
    const alice = await makeUser("alice");
    const bob = await makeUser("bob");
    const thread = await createThread(db(), alice, category.id, { title: "Sensors", body: "Which one?" });
    const bobReply = await createReply(db(), bob, thread.id, "This one");
    await voteOnReply(db(), alice, bobReply.id, 1);
    await voteOnReply(db(), bob, thread.openingReplyId, 1);
    // Bob goes: his reply and his vote with him; Alice's thread stays, its counts right.
    await sql()`delete from "user" where id = ${bob}`;
    expect(await counts(thread.id)).toEqual({ reply_count: 1, replies: 1 });
    const [opening] = await listReplies(db(), thread.id, null);
    expect(opening?.score).toBe(0);
    // The category goes: its threads, their replies and votes.
    const carol = await makeUser("carol");
    const reply = await createReply(db(), carol, thread.id, "Me too");
    await voteOnReply(db(), alice, reply.id, -1);
    await sql()`delete from categories where id = ${category.id}`;
    const [left] = await sql()<{ threads: number; replies: number; votes: number }[]>`
      select (select count(*)::int from threads where id = ${thread.id}) as threads,
             (select count(*)::int from thread_replies where thread_id = ${thread.id}) as replies,
             (select count(*)::int from reply_votes where reply_id = ${reply.id}) as votes`;
    expect(left).toEqual({ threads: 0, replies: 0, votes: 0 });
  });
});

describe("counters kept by the database", () => {
  it("keeps reply counts, last activity and category figures right through inserts and deletes", async () => {
    const category = await makeCategory();
    const alice = await makeUser();
    const bob = await makeUser();
    const thread = await createThread(db(), alice, category.id, { title: "Counts", body: "one" });
    const r2 = await createReply(db(), bob, thread.id, "two");
    await createReply(db(), alice, thread.id, "three");
    expect(await counts(thread.id)).toEqual({ reply_count: 3, replies: 3 });
    const detail = await getThread(db(), thread.id);
    expect(new Date(detail?.lastActivityAt ?? 0).getTime()).toBeGreaterThanOrEqual(
      new Date(r2.createdAt).getTime(),
    );
    await deleteReply(db(), bob, r2.id, { moderator: false });
    expect(await counts(thread.id)).toEqual({ reply_count: 2, replies: 2 });
    const [cat] = await sql()<{ thread_count: number; last: Date | null }[]>`
      select thread_count, last_activity_at as last from categories where id = ${category.id}`;
    expect(cat?.thread_count).toBe(1);
    expect(cat?.last).not.toBeNull();
  });

  it("50 concurrent voters and 20 double-clicks by one: one row per voter, the score their sum", async () => {
    const category = await makeCategory();
    const author = await makeUser();
    const thread = await createThread(db(), author, category.id, { title: "Vote", body: "Vote on me" });
    const voters = await Promise.all(Array.from({ length: 50 }, (_, i) => makeUser(`voter${i}`)));
    const clicker = await makeUser("clicker");
    await Promise.all([
      ...voters.map((v, i) => voteOnReply(db(), v, thread.openingReplyId, i % 5 === 0 ? -1 : 1)),
      ...Array.from({ length: 20 }, (_, i) =>
        voteOnReply(db(), clicker, thread.openingReplyId, i % 2 === 0 ? 1 : -1),
      ),
    ]);
    const [row] = await sql()<{ score: number; sum: number; votes: number; voters: number }[]>`
      select r.score,
             (select coalesce(sum(value), 0)::int from reply_votes where reply_id = r.id) as sum,
             (select count(*)::int from reply_votes where reply_id = r.id) as votes,
             (select count(distinct voter_id)::int from reply_votes where reply_id = r.id) as voters
      from thread_replies r where r.id = ${thread.openingReplyId}`;
    expect(row?.votes).toBe(51);
    expect(row?.voters).toBe(51);
    expect(row?.score).toBe(row?.sum);
    // 40 up and 10 down from the voters, and the clicker's one vote, whichever click came last.
    expect([29, 31]).toContain(row?.score);
    // Taking a vote back, changing one: the score follows.
    await voteOnReply(db(), clicker, thread.openingReplyId, 0);
    await voteOnReply(db(), voters[0] as string, thread.openingReplyId, 1);
    const [after] = await sql()<{ score: number; sum: number }[]>`
      select r.score, (select coalesce(sum(value), 0)::int from reply_votes where reply_id = r.id) as sum
      from thread_replies r where r.id = ${thread.openingReplyId}`;
    expect(after).toEqual({ score: 32, sum: 32 });
  });

  it("a vote on one's own reply is refused", async () => {
    const category = await makeCategory();
    const author = await makeUser();
    const thread = await createThread(db(), author, category.id, { title: "Self", body: "me" });
    await expect(voteOnReply(db(), author, thread.openingReplyId, 1)).rejects.toThrow(
      "you cannot vote on your own reply",
    );
  });
});

describe("threads", () => {
  it("a locked thread takes no replies and no votes; unlocked, it does again", async () => {
    const category = await makeCategory();
    const alice = await makeUser();
    const bob = await makeUser();
    const thread = await createThread(db(), alice, category.id, { title: "Lock me", body: "..." });
    await moderateThread(db(), thread.id, { status: "locked" });
    await expect(createReply(db(), bob, thread.id, "late")).rejects.toThrow(
      "this thread is locked: it takes no new replies or votes",
    );
    await expect(voteOnReply(db(), bob, thread.openingReplyId, 1)).rejects.toThrow("this thread is locked");
    expect(await counts(thread.id)).toEqual({ reply_count: 1, replies: 1 });
    await moderateThread(db(), thread.id, { status: "open" });
    await createReply(db(), bob, thread.id, "now");
    await expect(createReply(db(), bob, crypto.randomUUID(), "x")).rejects.toThrow("thread not found");
  });

  it("an opening post is its author's to delete only while nobody else replied; a moderator's always", async () => {
    const category = await makeCategory();
    const alice = await makeUser();
    const bob = await makeUser();
    const thread = await createThread(db(), alice, category.id, { title: "Mine", body: "..." });
    const reply = await createReply(db(), bob, thread.id, "hi");
    await expect(deleteReply(db(), alice, thread.openingReplyId, { moderator: false })).rejects.toThrow(
      "the opening post stays once others have replied",
    );
    await expect(deleteReply(db(), alice, reply.id, { moderator: false })).rejects.toThrow(
      "only its author or a moderator may delete a reply",
    );
    expect(await deleteReply(db(), alice, reply.id, { moderator: true })).toEqual({
      deleted: "reply",
      threadId: thread.id,
    });
    expect(await deleteReply(db(), alice, thread.openingReplyId, { moderator: false })).toEqual({
      deleted: "thread",
      threadId: thread.id,
    });
    expect(await getThread(db(), thread.id)).toBeUndefined();
  });

  it("lists pinned threads first, then by latest activity, in pages that neither skip nor repeat as threads are added", async () => {
    const category = await makeCategory();
    const author = await makeUser();
    const made: string[] = [];
    for (let i = 0; i < 12; i++)
      made.push((await createThread(db(), author, category.id, { title: `T${i}`, body: "b" })).id);
    await moderateThread(db(), made[3] as string, { isPinned: true });
    const seen: string[] = [];
    let cursor: string | null = null;
    let page = 0;
    do {
      const result: Awaited<ReturnType<typeof listThreads>> = await listThreads(db(), category.id, {
        cursor: cursor ? decodeCursor(cursor) : undefined,
        limit: 5,
      });
      if (page === 0) expect(result.threads[0]?.id).toBe(made[3]);
      seen.push(...result.threads.map((t) => t.id));
      // New threads arrive while paging: they go to the top, not into the pages to come.
      await createThread(db(), author, category.id, { title: `new ${page}`, body: "b" });
      cursor = result.nextCursor;
      page++;
    } while (cursor);
    expect(seen).toHaveLength(12);
    expect(new Set(seen).size).toBe(12);
    expect(new Set(seen)).toEqual(new Set(made));
    // After the pinned one, newest activity first.
    expect(seen.slice(1)).toEqual(made.filter((id) => id !== made[3]).reverse());
  });

  it("decodes only its own cursors", () => {
    expect(decodeCursor("not-a-cursor")).toBeUndefined();
    expect(
      decodeCursor(Buffer.from('[true,"2026-01-01T00:00:00Z","x"]').toString("base64url")),
    ).toBeUndefined();
  });
});

describe("abuse limits", () => {
  it("counts each action per user in its window: past the limit a RateLimited error says when to retry", async () => {
    const alice = await makeUser();
    const bob = await makeUser();
    const limit = { max: 3, windowSeconds: 60 };
    await Promise.all([1, 2, 3].map(() => countCommunityAction(db(), alice, "reply", limit)));
    const error = await countCommunityAction(db(), alice, "reply", limit).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RateLimitedError);
    expect((error as RateLimitedError).message).toBe(
      "too many replies: at most 3 per 1 min; try again later",
    );
    expect((error as RateLimitedError).retryAfterSeconds).toBeGreaterThan(50);
    expect((error as RateLimitedError).retryAfterSeconds).toBeLessThanOrEqual(60);
    // Another user, another action: their own counts.
    await countCommunityAction(db(), bob, "reply", limit);
    await countCommunityAction(db(), alice, "vote", limit);
    // The window over (moved back in the database), the count starts again.
    await sql()`update community_rate_windows set window_start = now() - interval '61 seconds' where user_id = ${alice}`;
    await countCommunityAction(db(), alice, "reply", limit);
  });

  it("tells an account's age", async () => {
    const alice = await makeUser();
    expect(await accountAgeSeconds(db(), alice)).toBeLessThan(60);
    await sql()`update "user" set created_at = now() - interval '2 hours' where id = ${alice}`;
    expect(await accountAgeSeconds(db(), alice)).toBeGreaterThan(7100);
  });
});

describe("search", () => {
  it("finds threads by title and by reply body, a title match first, with an excerpt", async () => {
    const category = await makeCategory();
    const alice = await makeUser();
    const word = `zq${Date.now().toString(36)}`;
    const byTitle = await createThread(db(), alice, category.id, {
      title: `Calibrating the ${word} sensor`,
      body: "how?",
    });
    const byBody = await createThread(db(), alice, category.id, { title: "Humidity drift", body: "b" });
    await createReply(db(), alice, byBody.id, `My ${word} reads 5 % high after a week in the greenhouse.`);
    await createThread(db(), alice, category.id, { title: "Unrelated", body: "nothing here" });
    const hits = await searchCommunity(db(), word);
    expect(hits.map((h) => h.threadId)).toEqual([byTitle.id, byBody.id]);
    expect(hits[1]?.excerpt).toContain(`«${word}»`);
    expect(hits[0]?.categorySlug).toBe(category.slug);
    expect(await searchCommunity(db(), `${word} -greenhouse`)).toHaveLength(1);
    expect(await searchCommunity(db(), "qqqnothingmatchesthis")).toEqual([]);
  });
});

describe("pnpm community:moderator", () => {
  const run = (args: string[]) =>
    new Promise<{ code: number; out: string }>((resolve) => {
      execFile(
        process.execPath,
        ["--import", "tsx", "packages/devstack/src/community-moderator-cli.ts", ...args],
        { cwd: REPO_ROOT, env: { ...process.env, DATABASE_URL: database.current.url } },
        (error, stdout, stderr) =>
          resolve({ code: error ? Number(error.code ?? 1) : 0, out: `${stdout}${stderr}` }),
      );
    });

  it("grants the role by user id, takes it back with --revoke, and says so for an unknown id", async () => {
    const id = await makeUser("mona");
    expect(await run([id])).toEqual({ code: 0, out: `${id} moderates the community\n` });
    expect(await isModerator(db(), id)).toBe(true);
    expect(await run([id, "--revoke"])).toEqual({
      code: 0,
      out: `${id} no longer moderates the community\n`,
    });
    expect(await isModerator(db(), id)).toBe(false);
    expect(await run(["no-such-user"])).toEqual({
      code: 1,
      out: "community:moderator: no user with the id no-such-user\n",
    });
    expect((await run([])).out).toBe(
      "community:moderator: usage: pnpm community:moderator <user id> [--revoke]\n",
    );
  }, 60_000);
});

describe("a long thread", () => {
  it("is read in pages of REPLIES_PER_PAGE, in order, none twice, the newest on the last", async () => {
    const category = await makeCategory();
    const author = await makeUser();
    const thread = await createThread(db(), author, category.id, { title: "Long", body: "first" });
    await sql()`
      insert into thread_replies (thread_id, author_id, body, created_at)
      select ${thread.id}, ${author}, 'reply ' || g, now() + make_interval(secs => g)
      from generate_series(1, ${REPLIES_PER_PAGE + 4}) g`;
    expect(await counts(thread.id)).toEqual({
      reply_count: REPLIES_PER_PAGE + 5,
      replies: REPLIES_PER_PAGE + 5,
    });
    const first = await listReplies(db(), thread.id, null, 1);
    const second = await listReplies(db(), thread.id, null, 2);
    expect(first).toHaveLength(REPLIES_PER_PAGE);
    expect(first[0]?.body).toBe("first");
    expect(second.map((r) => r.body)).toEqual(
      [1, 2, 3, 4, 5].map((i) => `reply ${REPLIES_PER_PAGE - 1 + i}`),
    );
    expect(new Set([...first, ...second].map((r) => r.id)).size).toBe(REPLIES_PER_PAGE + 5);
    expect(await listReplies(db(), thread.id, null, 3)).toEqual([]);
  });
});

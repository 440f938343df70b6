// The community API over real HTTP against the production server, under each identity provider:
// reading without a session, writing with one (401 without), moderation (403 for ordinary users;
// the role by command, or by COMMUNITY_MODERATORS only once the address is verified), locked
// threads (409), rate limits (429 with Retry-After), the new-account link brake, Markdown that
// renders inert, votes and deletes.
import { useTestDatabase } from "@pulseboard/devstack/test";
import { reapAll } from "@pulseboard/devstack/test/process";
import { type RunningWeb, startWeb, type TestUser, testIdentities } from "@pulseboard/devstack/test/web";
import { grantModerator } from "@pulseboard/schema/queries/community-moderators";
import { seedExerciseCatalog } from "@pulseboard/schema/seed";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api } from "./helpers";

const database = useTestDatabase();

afterAll(async () => {
  await reapAll();
});

describe.each(testIdentities())("the community under $name", (identity) => {
  let web: RunningWeb;
  let alice: TestUser;
  let bob: TestUser;
  let mod: TestUser;
  let slug: string;
  const modEmail = `mod-${identity.name}@example.com`;
  // biome-ignore lint/suspicious/noExplicitAny: response bodies are checked by the assertions
  const call = <T = any>(user: TestUser | null, method: string, path: string, body?: unknown) =>
    api<T>(web.url, user, method, path, body);
  /** Accounts made long enough ago for links. */
  const age = (user: TestUser) =>
    database.current.sql`update "user" set created_at = now() - interval '1 day' where id = ${user.id}`;

  beforeAll(async () => {
    web = await startWeb(database.current, {
      ...identity.env,
      COMMUNITY_MODERATORS: `someone@example.com, ${modEmail}`,
      COMMUNITY_REPLIES_PER_MINUTE: "5",
      COMMUNITY_THREADS_PER_HOUR: "50",
    });
    alice = await identity.signUp(web.url, "Alice");
    bob = await identity.signUp(web.url, "Bob");
    mod = await identity.signUp(web.url, "Mona");
    await grantModerator(database.current.db, mod.id, "command");
    await seedExerciseCatalog(database.current.db);
    slug = `sensors-${identity.name}`;
  }, 300_000);

  afterAll(async () => {
    await web?.stop();
  });

  it("lets moderators create categories; anyone else gets 403, and no session 401", async () => {
    const body = { slug, name: "Devices & sensors", description: "Which sensor, which rule" };
    expect((await call(null, "POST", "/api/community/categories", body)).status).toBe(401);
    const refused = await call(alice, "POST", "/api/community/categories", body);
    expect(refused.status).toBe(403);
    expect(refused.body).toEqual({ error: "only moderators create categories" });
    const bad = await call(mod, "POST", "/api/community/categories", { ...body, slug: "Not A Slug" });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatch(/^invalid category: slug: /);
    const created = await call(mod, "POST", "/api/community/categories", body);
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ slug, name: "Devices & sensors", threadCount: 0 });
    expect((await call(mod, "POST", "/api/community/categories", body)).status).toBe(409);
    const list = await call(null, "GET", "/api/community/categories");
    expect(list.status).toBe(200);
    expect(list.body.map((c: { slug: string }) => c.slug)).toContain(slug);
  });

  it("threads, replies and votes: read by anyone, written by the signed in, validated", async () => {
    const path = `/api/community/categories/${slug}/threads`;
    expect((await call(null, "POST", path, { title: "x", body: "y" })).status).toBe(401);
    for (const body of [
      {},
      { title: "", body: "x" },
      { title: "x".repeat(201), body: "x" },
      { title: "t", body: "" },
    ]) {
      const res = await call(alice, "POST", path, body);
      expect({ body, status: res.status }).toEqual({ body, status: 400 });
    }
    expect(
      (await call(alice, "POST", "/api/community/categories/nope/threads", { title: "t", body: "b" })).status,
    ).toBe(404);
    const thread = await call(alice, "POST", path, {
      title: "Which CO2 sensor?",
      body: "SCD30 or **SCD41**?",
    });
    expect(thread.status).toBe(201);
    // (Links, even ones that render as text, wait for an account's first 30 minutes.)
    await age(bob);
    const reply = await call(bob, "POST", `/api/community/threads/${thread.body.id}/replies`, {
      body: 'SCD41. <script>alert(1)</script> [x](javascript:alert(2)) <img src=x onerror="alert(3)">',
    });
    expect(reply.status).toBe(201);

    // Votes: up, changed, taken back; not on one's own reply.
    const vote = (user: TestUser, value: number) =>
      call(user, "PUT", `/api/community/replies/${reply.body.id}/vote`, { value });
    expect((await vote(alice, 2)).status).toBe(400);
    expect((await vote(alice, 1)).body).toEqual({ score: 1, myVote: 1 });
    expect((await vote(alice, -1)).body).toEqual({ score: -1, myVote: -1 });
    expect((await vote(mod, 1)).body).toEqual({ score: 0, myVote: 1 });
    expect((await vote(alice, 0)).body).toEqual({ score: 1, myVote: 0 });
    const own = await vote(bob, 1);
    expect(own.status).toBe(403);
    expect(own.body).toEqual({ error: "you cannot vote on your own reply" });

    // Read without a session: the replies in order, scores, bodies rendered inert.
    const read = await call(null, "GET", `/api/community/threads/${thread.body.id}`);
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({
      title: "Which CO2 sensor?",
      status: "open",
      replyCount: 2,
      categorySlug: slug,
      page: 1,
      pages: 1,
    });
    expect((await call(null, "GET", `/api/community/threads/${thread.body.id}?page=0`)).status).toBe(400);
    expect((await call(null, "GET", `/api/community/threads/${thread.body.id}?page=2`)).body.replies).toEqual(
      [],
    );
    expect(read.body.replies.map((r: { authorId: string }) => r.authorId)).toEqual([alice.id, bob.id]);
    expect(read.body.replies[0].bodyHtml).toBe("<p>SCD30 or <strong>SCD41</strong>?</p>\n");
    const html: string = read.body.replies[1].bodyHtml;
    expect(html).not.toMatch(/<script|<img|javascript:/i);
    expect(html).toContain("&lt;script&gt;");
    expect(read.body.replies[1].score).toBe(1);
    // A reader's own vote comes with the thread.
    const asMod = await call(mod, "GET", `/api/community/threads/${thread.body.id}`);
    expect(asMod.body.replies[1].myVote).toBe(1);

    const listed = await call(null, "GET", path);
    expect(listed.body.threads[0]).toMatchObject({ id: thread.body.id, replyCount: 2, authorId: alice.id });
    expect((await call(null, "GET", `${path}?cursor=garbage`)).status).toBe(400);
    expect((await call(null, "GET", "/api/community/threads/not-an-id")).status).toBe(404);
  });

  it("moderation: lock (409 for replies and votes), pin, remove any reply; 403 for others", async () => {
    const path = `/api/community/categories/${slug}/threads`;
    const thread = await call(alice, "POST", path, { title: "Lock me", body: "please" });
    const reply = await call(bob, "POST", `/api/community/threads/${thread.body.id}/replies`, { body: "ok" });
    const moderate = (user: TestUser, body: unknown) =>
      call(user, "PATCH", `/api/community/threads/${thread.body.id}`, body);
    expect((await moderate(alice, { status: "locked" })).status).toBe(403);
    expect((await moderate(mod, {})).status).toBe(400);
    expect((await moderate(mod, { status: "locked", isPinned: true })).body).toMatchObject({
      status: "locked",
      isPinned: true,
    });
    const refused = await call(bob, "POST", `/api/community/threads/${thread.body.id}/replies`, {
      body: "more",
    });
    expect(refused.status).toBe(409);
    expect(refused.body).toEqual({ error: "this thread is locked: it takes no new replies or votes" });
    expect(
      (await call(alice, "PUT", `/api/community/replies/${reply.body.id}/vote`, { value: 1 })).status,
    ).toBe(409);
    // Pinned: first in its category.
    const listed = await call(null, "GET", path);
    expect(listed.body.threads[0].id).toBe(thread.body.id);
    // Deleting: not someone else's (403), one's own yes, any for a moderator.
    expect((await call(alice, "DELETE", `/api/community/replies/${reply.body.id}`)).status).toBe(403);
    expect((await call(mod, "DELETE", `/api/community/replies/${reply.body.id}`)).body).toEqual({
      deleted: "reply",
      threadId: thread.body.id,
    });
    expect((await call(mod, "DELETE", `/api/community/replies/${reply.body.id}`)).status).toBe(404);
  });

  it("COMMUNITY_MODERATORS grants the role only once the address is verified", async () => {
    const candidate = await identity.signUp(web.url, "Candidate");
    await database.current.sql`
      update "user" set email = ${modEmail}, email_verified = false where id = ${candidate.id}`;
    const body = { slug: `mods-${identity.name}`, name: "Moderators' corner" };
    expect((await call(candidate, "POST", "/api/community/categories", body)).status).toBe(403);
    await database.current.sql`update "user" set email_verified = true where id = ${candidate.id}`;
    expect((await call(candidate, "POST", "/api/community/categories", body)).status).toBe(201);
    const [row] = await database.current.sql`
      select granted_by from community_moderators where user_id = ${candidate.id}`;
    expect(row).toEqual({ granted_by: "COMMUNITY_MODERATORS" });
  });

  it("limits replies per minute (429 with Retry-After) and links from new accounts (400)", async () => {
    const fresh = await identity.signUp(web.url, "Fresh");
    const thread = await call(alice, "POST", `/api/community/categories/${slug}/threads`, {
      title: "Limits",
      body: "go",
    });
    const path = `/api/community/threads/${thread.body.id}/replies`;
    const withLink = await call(fresh, "POST", path, { body: "see <https://spam.example>" });
    expect(withLink.status).toBe(400);
    expect(withLink.body.error).toMatch(/^new accounts may post links after 30 minutes/);
    const bare = await call(fresh, "POST", path, { body: "or www.spam.example" });
    expect(bare.status).toBe(400);
    // Code is not a link.
    expect((await call(fresh, "POST", path, { body: "`https://example.com` in code" })).status).toBe(201);
    await age(fresh);
    expect((await call(fresh, "POST", path, { body: "now [a link](https://example.com)" })).status).toBe(201);
    // Five a minute (COMMUNITY_REPLIES_PER_MINUTE here): three more, then 429.
    for (let i = 0; i < 3; i++) expect((await call(fresh, "POST", path, { body: `r${i}` })).status).toBe(201);
    const limited = await call(fresh, "POST", path, { body: "one too many" });
    expect(limited.status).toBe(429);
    expect(limited.body.error).toBe("too many replies: at most 5 per 1 min; try again later");
    const res = await fetch(`${web.url}${path}`, {
      method: "POST",
      headers: { cookie: fresh.cookie, origin: web.url, "content-type": "application/json" },
      body: JSON.stringify({ body: "again" }),
    });
    expect(res.status).toBe(429);
    expect(Number(res.headers.get("retry-after"))).toBeGreaterThan(0);
  });

  it("streams a thread's new replies to anyone reading it, ids only", async () => {
    const thread = await call(alice, "POST", `/api/community/categories/${slug}/threads`, {
      title: "Live",
      body: "watch",
    });
    expect((await call(null, "GET", `/api/community/threads/${crypto.randomUUID()}/live`)).status).toBe(404);
    const controller = new AbortController();
    const res = await fetch(`${web.url}/api/community/threads/${thread.body.id}/live`, {
      signal: controller.signal,
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/event-stream/);
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    const decoder = new TextDecoder();
    let text = "";
    const until = async (pattern: RegExp) => {
      const deadline = Date.now() + 10_000;
      while (!pattern.test(text)) {
        if (Date.now() > deadline) throw new Error(`no ${pattern} in ${JSON.stringify(text)}`);
        const { value, done } = await reader.read();
        if (done) throw new Error("stream ended");
        text += decoder.decode(value);
      }
      return pattern.exec(text);
    };
    try {
      await until(/event: ready/);
      const reply = await call(bob, "POST", `/api/community/threads/${thread.body.id}/replies`, {
        body: "secret words",
      });
      const match = await until(/event: reply\ndata: (.*)\n/);
      expect(JSON.parse(match?.[1] ?? "")).toEqual({
        type: "reply",
        threadId: thread.body.id,
        replyId: reply.body.id,
      });
      expect(text).not.toContain("secret words");
    } finally {
      controller.abort();
    }
  });

  it("shares a chart's range and a workout as frozen snapshots that outlive the device", async () => {
    await age(alice);
    const device = await call(alice, "POST", "/api/devices", { name: "Greenhouse" });
    const now = Date.now();
    // A day of minute readings, temperature = the minute's index.
    await database.current.sql`
      insert into sensor_readings (device_id, metric, value, recorded_at, received_at)
      select ${device.body.id}, 'temperature', g, t, t
      from generate_series(1, 1440) g,
           lateral (select now() - make_interval(mins => 1441 - g) as t) x`;
    const source = {
      kind: "chart",
      deviceId: device.body.id,
      metric: "temperature",
      from: new Date(now - 86_400_000).toISOString(),
      to: new Date(now).toISOString(),
    };
    // Nobody shares another owner's device (it is not found), nor without a session.
    const share = {
      source,
      thread: { categorySlug: slug, title: "A day in the greenhouse" },
      body: "Look at **this**.",
    };
    expect((await call(bob, "POST", "/api/community/share", share)).status).toBe(404);
    expect((await call(null, "POST", "/api/community/share", share)).status).toBe(401);
    expect((await call(alice, "POST", "/api/community/share", { ...share, body: "" })).status).toBe(400);
    const shared = await call(alice, "POST", "/api/community/share", share);
    expect(shared.status).toBe(201);
    const read = async () => (await call(bob, "GET", `/api/community/threads/${shared.body.threadId}`)).body;
    const before = await read();
    const snapshot = before.replies[0].snapshot;
    expect(snapshot).toMatchObject({
      kind: "chart",
      deviceName: "Greenhouse",
      metric: "temperature",
      unit: "°C",
      bucketSeconds: 300,
    });
    expect(snapshot.points.length).toBeGreaterThan(280);
    expect(snapshot.points.length).toBeLessThanOrEqual(300);
    expect(snapshot.points.reduce((n: number, p: { count: number }) => n + p.count, 0)).toBe(1440);
    // The device goes: the thread still shows the same snapshot.
    expect((await call(alice, "DELETE", `/api/devices/${device.body.id}`)).status).toBe(204);
    expect((await read()).replies[0].snapshot).toEqual(snapshot);

    // A workout, into the existing thread as a reply.
    const exercises = await call(alice, "GET", "/api/exercises");
    const squat = exercises.body.find((e: { name: string }) => e.name === "Barbell Back Squat");
    const workout = await call(alice, "POST", "/api/workouts", {
      performedAt: new Date(now - 3_600_000).toISOString(),
      endedAt: new Date(now - 1_800_000).toISOString(),
      sets: [
        { exerciseId: squat.id, setNumber: 1, reps: 5, weightKg: 100 },
        { exerciseId: squat.id, setNumber: 2, reps: 5, weightKg: 105 },
      ],
    });
    expect(workout.status).toBe(201);
    const reply = await call(alice, "POST", "/api/community/share", {
      source: { kind: "workout", workoutId: workout.body.id },
      thread: { threadId: shared.body.threadId },
      body: "And today's squats.",
    });
    expect(reply.status).toBe(201);
    const after = await read();
    expect(after.replies[1].snapshot).toMatchObject({
      kind: "workout",
      durationSeconds: 1800,
      weightUnit: "kg",
      volume: 1025,
      sets: [
        { exercise: "Barbell Back Squat", setNumber: 1, reps: 5, weight: 100 },
        { exercise: "Barbell Back Squat", setNumber: 2, reps: 5, weight: 105 },
      ],
      heartRate: null,
    });
    expect(
      (
        await call(bob, "POST", "/api/community/share", {
          source: { kind: "workout", workoutId: workout.body.id },
          thread: { threadId: shared.body.threadId },
          body: "mine now",
        })
      ).status,
    ).toBe(404);
  });

  it("searches titles and replies without a session", async () => {
    const word = `tz${identity.name.replace("-", "")}${Date.now().toString(36)}`;
    const thread = await call(alice, "POST", `/api/community/categories/${slug}/threads`, {
      title: `The ${word} question`,
      body: "body",
    });
    const found = await call(null, "GET", `/api/community/search?q=${word}`);
    expect(found.status).toBe(200);
    expect(found.body.map((h: { threadId: string }) => h.threadId)).toEqual([thread.body.id]);
    expect((await call(null, "GET", "/api/community/search?q=a")).status).toBe(400);
  });
});

import { useTestDatabase } from "@pulseboard/devstack/test";
import * as schema from "@pulseboard/schema";
import { EXERCISE_CATALOG, exercises, user } from "@pulseboard/schema";
import {
  COMMUNITY_CATEGORIES,
  ensureDemoAccount,
  seedCommunity,
  seedExerciseCatalog,
} from "@pulseboard/schema/seed";
import { betterAuth } from "better-auth";
import { drizzleAdapter } from "better-auth/adapters/drizzle";
import { count, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";

const database = useTestDatabase();

describe("seed", () => {
  it("adds the exercise catalog (60+ exercises with muscle groups) once", async () => {
    const { db } = database.current;
    expect(EXERCISE_CATALOG.length).toBeGreaterThanOrEqual(60);
    expect(new Set(EXERCISE_CATALOG.map((e) => e.name.toLowerCase())).size).toBe(EXERCISE_CATALOG.length);
    expect(await seedExerciseCatalog(db)).toBe(EXERCISE_CATALOG.length);
    expect(await seedExerciseCatalog(db)).toBe(0);
    const [row] = await db.select({ n: count() }).from(exercises);
    expect(row?.n).toBe(EXERCISE_CATALOG.length);
    const [squat] = await db.select().from(exercises).where(eq(exercises.name, "Barbell Back Squat"));
    expect(squat?.muscleGroup).toBe("legs");
  });

  it("creates a demo account Better Auth can sign in to, once", async () => {
    const { db } = database.current;
    const demo = { email: "Demo@Pulseboard.local", password: "pulseboard-demo", name: "Demo" };
    const id = await ensureDemoAccount(db, demo);
    expect(await ensureDemoAccount(db, demo)).toBe(id);
    expect(await db.select({ n: count() }).from(user).where(eq(user.email, "demo@pulseboard.local"))).toEqual(
      [{ n: 1 }],
    );

    const auth = betterAuth({
      database: drizzleAdapter(db, { provider: "pg", schema }),
      emailAndPassword: { enabled: true },
      secret: "a-test-secret-that-is-at-least-32-characters",
      baseURL: "http://localhost:3000",
      logger: { disabled: true },
    });
    const signedIn = await auth.api.signInEmail({
      body: { email: "demo@pulseboard.local", password: demo.password },
    });
    expect(signedIn.user.id).toBe(id);
    expect(signedIn.token).toEqual(expect.any(String));
    await expect(
      auth.api.signInEmail({ body: { email: "demo@pulseboard.local", password: "wrong-password" } }),
    ).rejects.toThrow(/invalid email or password/i);
  });

  it("seeds the community's categories and one welcome thread, once; the demo account moderates", async () => {
    const { db, sql } = database.current;
    const demoId = await ensureDemoAccount(db, {
      email: "demo@pulseboard.local",
      password: "pulseboard-demo",
      name: "Demo",
    });
    await seedCommunity(db, demoId, { demoModerates: true });
    await seedCommunity(db, demoId, { demoModerates: true });
    const categories = await sql<{ slug: string; thread_count: number }[]>`
      select slug, thread_count from categories order by position`;
    expect(categories.map((c) => c.slug)).toEqual(COMMUNITY_CATEGORIES.map((c) => c.slug));
    const threads = await sql<{ title: string; reply_count: number; author_id: string }[]>`
      select title, reply_count, author_id from threads`;
    expect(threads).toEqual([
      { title: "Welcome: what are you measuring?", reply_count: 1, author_id: demoId },
    ]);
    expect(categories.find((c) => c.slug === "show-and-tell")?.thread_count).toBe(1);
    const [mod] = await sql`select granted_by from community_moderators where user_id = ${demoId}`;
    expect(mod).toEqual({ granted_by: "command" });
    // A category a moderator renamed stays as they left it; a deleted welcome thread stays gone
    // once the community has threads of its own.
    await sql`update categories set name = 'Gadgets' where slug = 'devices-and-sensors'`;
    // A role taken back stays taken back.
    await sql`delete from community_moderators where user_id = ${demoId}`;
    await seedCommunity(db, demoId, { demoModerates: true });
    expect(await sql`select 1 from community_moderators where user_id = ${demoId}`).toHaveLength(0);
    const [renamed] = await sql`select name from categories where slug = 'devices-and-sensors'`;
    expect(renamed).toEqual({ name: "Gadgets" });
  });
});

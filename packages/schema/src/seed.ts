import { hashPassword } from "better-auth/crypto";
import { eq } from "drizzle-orm";
import type { Database } from "./client";
import { account, user } from "./schema/auth";
import { EXERCISE_CATALOG, exercises } from "./schema/fitness";

/**
 * Adds the shared exercise catalog; an exercise already there, also under a user's spelling
 * ("bench  press"), is left as it is.
 */
export async function seedExerciseCatalog(db: Database): Promise<number> {
  const inserted = await db
    .insert(exercises)
    .values([...EXERCISE_CATALOG])
    .onConflictDoNothing()
    .returning({ id: exercises.id });
  return inserted.length;
}

export interface DemoAccount {
  email: string;
  password: string;
  name: string;
}

/**
 * Creates the demo account if no user has its email, as Better Auth's email sign-up would: a
 * `user` row and a `credential` account holding the password hash. Returns the user's id.
 */
export async function ensureDemoAccount(db: Database, demo: DemoAccount): Promise<string> {
  const email = demo.email.toLowerCase();
  const [existing] = await db.select({ id: user.id }).from(user).where(eq(user.email, email));
  if (existing) return existing.id;
  const passwordHash = await hashPassword(demo.password);
  return db.transaction(async (tx) => {
    const id = crypto.randomUUID();
    const [created] = await tx
      .insert(user)
      .values({ id, email, name: demo.name, emailVerified: true })
      .onConflictDoNothing({ target: user.email })
      .returning({ id: user.id });
    if (!created) {
      // Another process seeded it between our read and insert.
      const [row] = await tx.select({ id: user.id }).from(user).where(eq(user.email, email));
      if (!row) throw new Error("demo account vanished while seeding");
      return row.id;
    }
    await tx.insert(account).values({
      id: crypto.randomUUID(),
      userId: id,
      accountId: id,
      providerId: "credential",
      password: passwordHash,
    });
    return id;
  });
}

/** The community's first categories, so it is not empty at first start. */
export const COMMUNITY_CATEGORIES = [
  {
    slug: "devices-and-sensors",
    name: "Devices & sensors",
    description: "Which sensor, wiring, firmware, payloads",
    position: 1,
  },
  {
    slug: "alerts-and-automations",
    name: "Alerts & automations",
    description: "Rules, windows, webhooks that work",
    position: 2,
  },
  { slug: "training", name: "Training", description: "Plans, programs, progress, heart rate", position: 3 },
  {
    slug: "show-and-tell",
    name: "Show and tell",
    description: "Share a chart or a workout you are proud of",
    position: 4,
  },
] as const;

/**
 * The seeded categories (those missing), and once, while the community has no thread at all, a
 * short welcome thread by the demo account, which then also moderates when `demoModerates` (the
 * embedded defaults: to try locking and pinning).
 */
export async function seedCommunity(
  db: Database,
  demoUserId: string,
  options: { demoModerates: boolean } = { demoModerates: false },
): Promise<void> {
  const sql = db.$client;
  for (const c of COMMUNITY_CATEGORIES) {
    await sql`
      insert into categories (slug, name, description, position)
      values (${c.slug}, ${c.name}, ${c.description}, ${c.position})
      on conflict (slug) do nothing`;
  }
  await sql.begin(async (tx) => {
    // Taken by one seeding process at a time; nothing when any thread exists.
    await tx`lock table threads in share row exclusive mode`;
    const [any] = await tx`select 1 from threads limit 1`;
    if (any) return;
    // At the first start only (a revoked role stays revoked), and only where asked: the embedded
    // defaults, whose demo password is public anyway.
    if (options.demoModerates)
      await tx`
        insert into community_moderators (user_id, granted_by) values (${demoUserId}, 'command')
        on conflict (user_id) do nothing`;
    const [thread] = await tx<{ id: string; created_at: Date }[]>`
      insert into threads (category_id, author_id, title)
      select id, ${demoUserId}, 'Welcome: what are you measuring?' from categories where slug = 'show-and-tell'
      returning id, created_at`;
    if (!thread) return;
    await tx`
      insert into thread_replies (thread_id, author_id, body, created_at)
      values (${thread.id}, ${demoUserId}, ${WELCOME_POST}, ${thread.created_at})`;
  });
}

const WELCOME_POST = `Hello! This is where Pulseboard owners help each other.

- **Devices & sensors**: which sensor, how to wire it, what to publish.
- **Alerts & automations**: rules that fire when they should (and not when they should not).
- **Training**: plans, programs and what your heart rate says about them.

Tell us what you measure: a greenhouse, a cellar, a garage gym?`;

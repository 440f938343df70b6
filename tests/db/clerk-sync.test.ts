// Clerk users synced into the local `user` table (packages/schema/src/queries/clerk-users.ts):
// duplicate, out-of-order and concurrent events converge to one correct row; a deleted user stays
// deleted; the just-in-time row a first sign-in makes is completed by the webhook, not fought.
import { randomUUID } from "node:crypto";
import { useTestDatabase } from "@pulseboard/devstack/test";
import { createClerkTestInstance } from "@pulseboard/devstack/test/clerk";
import { type ClerkUserEvent, clerkUserEvent } from "@pulseboard/schema/auth";
import { applyClerkUserEvent, clerkSessionUser } from "@pulseboard/schema/queries/clerk-users";
import { describe, expect, it } from "vitest";

const database = useTestDatabase();
const db = () => database.current.db;
const clerk = createClerkTestInstance();

const newId = () => `user_${randomUUID().replaceAll("-", "")}`;
const T0 = Date.parse("2026-11-01T00:00:00Z");

function created(input: Parameters<typeof clerk.userData>[0]): ClerkUserEvent {
  return clerkUserEvent.parse({ type: "user.created", data: clerk.userData(input) });
}
function updated(input: Parameters<typeof clerk.userData>[0]): ClerkUserEvent {
  return clerkUserEvent.parse({ type: "user.updated", data: clerk.userData(input) });
}
const deleted = (id: string): ClerkUserEvent => ({ type: "user.deleted", data: { id } });

async function row(id: string) {
  const [found] = await database.current.sql<
    { name: string; email: string | null; image: string | null; emailVerified: boolean }[]
  >`select name, email, image, email_verified as "emailVerified" from "user" where id = ${id}`;
  return found ?? null;
}

async function tombstone(id: string) {
  const [found] = await database.current.sql<{ deleted: boolean; clerkUpdatedMs: number | null }[]>`
    select deleted_at is not null as deleted,
           (extract(epoch from clerk_updated_at) * 1000)::float8 as "clerkUpdatedMs"
    from clerk_users where id = ${id}`;
  return found ?? null;
}

function shuffle<T>(items: T[], seed: number): T[] {
  const out = [...items];
  let state = seed;
  for (let i = out.length - 1; i > 0; i--) {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    const j = state % (i + 1);
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

describe("user.created, user.updated, user.deleted", () => {
  it("creates, updates and deletes the row, keeping the primary address and the display name", async () => {
    const id = newId();
    expect(
      await applyClerkUserEvent(
        db(),
        created({ id, email: "ada@example.com", firstName: "Ada", createdAt: T0 }),
      ),
    ).toBe("applied");
    expect(await row(id)).toEqual({
      name: "Ada",
      email: "ada@example.com",
      image: "https://img.clerk.com/default-avatar",
      emailVerified: true,
    });
    await applyClerkUserEvent(
      db(),
      updated({
        id,
        email: "ada@lovelace.dev",
        firstName: "Ada",
        lastName: "Lovelace",
        createdAt: T0,
        updatedAt: T0 + 1000,
      }),
    );
    expect(await row(id)).toMatchObject({ name: "Ada Lovelace", email: "ada@lovelace.dev" });
    expect(await applyClerkUserEvent(db(), deleted(id))).toBe("deleted");
    expect(await row(id)).toBeNull();
    expect(await tombstone(id)).toMatchObject({ deleted: true });
  });

  it("applies the same event twice once, and an older update after a newer one not at all", async () => {
    const id = newId();
    const first = created({ id, email: "twice@example.com", firstName: "One", createdAt: T0 });
    expect(await applyClerkUserEvent(db(), first)).toBe("applied");
    expect(await applyClerkUserEvent(db(), first)).toBe("stale");
    const newer = updated({
      id,
      email: "twice@example.com",
      firstName: "Three",
      createdAt: T0,
      updatedAt: T0 + 3000,
    });
    const older = updated({
      id,
      email: "twice@example.com",
      firstName: "Two",
      createdAt: T0,
      updatedAt: T0 + 2000,
    });
    expect(await applyClerkUserEvent(db(), newer)).toBe("applied");
    expect(await applyClerkUserEvent(db(), older)).toBe("stale");
    expect((await row(id))?.name).toBe("Three");
  });

  it("converges on the newest state from 20 concurrent deliveries in shuffled order", async () => {
    for (const seed of [1, 2, 3]) {
      const id = newId();
      const events = [
        created({ id, email: `v0-${id}@example.com`, firstName: "v0", createdAt: T0 }),
        ...Array.from({ length: 19 }, (_, i) =>
          updated({
            id,
            email: `v${i + 1}-${id}@example.com`,
            firstName: `v${i + 1}`,
            createdAt: T0,
            updatedAt: T0 + (i + 1) * 1000,
          }),
        ),
      ];
      const outcomes = await Promise.all(
        shuffle(events, seed).map((event) => applyClerkUserEvent(db(), event)),
      );
      expect(outcomes.filter((o) => o === "applied").length).toBeGreaterThanOrEqual(1);
      // Clerk ids here are lower-case hex, so the stored (lower-cased) address equals the sent one.
      expect(await row(id)).toMatchObject({ name: "v19", email: `v19-${id}@example.com` });
      expect((await tombstone(id))?.clerkUpdatedMs).toBe(T0 + 19_000);
    }
  });

  it("keeps a user deleted: a late created or updated, in any order or at once, brings nothing back", async () => {
    const id = newId();
    expect(await applyClerkUserEvent(db(), deleted(id))).toBe("deleted");
    expect(await applyClerkUserEvent(db(), created({ id, email: "late@example.com", createdAt: T0 }))).toBe(
      "deleted_before",
    );
    expect(await row(id)).toBeNull();

    const other = newId();
    const events = [
      created({ id: other, email: "gone@example.com", createdAt: T0 }),
      updated({ id: other, email: "gone@example.com", firstName: "x", createdAt: T0, updatedAt: T0 + 5000 }),
      deleted(other),
      deleted(other),
    ];
    await Promise.all(shuffle(events, 7).map((event) => applyClerkUserEvent(db(), event)));
    expect(await row(other)).toBeNull();
    expect(await tombstone(other)).toMatchObject({ deleted: true });
    expect(await applyClerkUserEvent(db(), deleted(other))).toBe("already_deleted");
  });
});

describe("e-mail addresses", () => {
  it("stores a user without an address, and several of them (unique only where present)", async () => {
    const [a, b] = [newId(), newId()];
    await applyClerkUserEvent(db(), created({ id: a, email: null, username: "no-mail-a", createdAt: T0 }));
    await applyClerkUserEvent(db(), created({ id: b, email: null, createdAt: T0 }));
    expect(await row(a)).toMatchObject({ email: null, name: "no-mail-a", emailVerified: false });
    expect(await row(b)).toMatchObject({ email: null, name: "" });
  });

  it("converges when two users swap addresses, whichever update arrives first", async () => {
    for (const order of ["a-first", "b-first"] as const) {
      const [a, b] = [newId(), newId()];
      const [x, y] = [`x-${a}@example.com`.toLowerCase(), `y-${b}@example.com`.toLowerCase()];
      await applyClerkUserEvent(db(), created({ id: a, email: x, createdAt: T0 }));
      await applyClerkUserEvent(db(), created({ id: b, email: y, createdAt: T0 }));
      // In Clerk, a moved to y and b to x (through a third address each, so never both at once).
      const aToY = updated({ id: a, email: y, createdAt: T0, updatedAt: T0 + 2000 });
      const bToX = updated({ id: b, email: x, createdAt: T0, updatedAt: T0 + 3000 });
      for (const event of order === "a-first" ? [aToY, bToX] : [bToX, aToY]) {
        expect(await applyClerkUserEvent(db(), event)).toBe("applied");
      }
      expect([(await row(a))?.email, (await row(b))?.email]).toEqual([y, x]);
    }
  });

  it("does not take an address from a user whose data is newer than the event", async () => {
    const [c, d] = [newId(), newId()];
    const z = `z-${c}@example.com`.toLowerCase();
    // In Clerk: c had z, moved to w at T0+3s; d took z at T0+4s. c's creation arrives last.
    await applyClerkUserEvent(db(), created({ id: d, email: z, createdAt: T0 + 4000 }));
    await applyClerkUserEvent(db(), created({ id: c, email: z, createdAt: T0 }));
    expect((await row(d))?.email).toBe(z);
    expect((await row(c))?.email).toBeNull();
    await applyClerkUserEvent(
      db(),
      updated({ id: c, email: `w-${c}@example.com`, createdAt: T0, updatedAt: T0 + 3000 }),
    );
    expect([(await row(c))?.email, (await row(d))?.email]).toEqual([`w-${c}@example.com`.toLowerCase(), z]);
  });
});

describe("the just-in-time row", () => {
  it("is made on first use, then completed by the webhook that arrives after it", async () => {
    const id = newId();
    expect(await clerkSessionUser(db(), id)).toEqual({ id, email: null, name: "" });
    expect(await clerkSessionUser(db(), id)).toEqual({ id, email: null, name: "" });
    expect(
      await applyClerkUserEvent(
        db(),
        created({ id, email: "jit@example.com", firstName: "Jit", createdAt: T0 }),
      ),
    ).toBe("applied");
    expect(await clerkSessionUser(db(), id)).toEqual({ id, email: "jit@example.com", name: "Jit" });
  });

  it("converges when the first request and the webhook race", async () => {
    for (let i = 0; i < 5; i++) {
      const id = newId();
      const event = created({ id, email: `race-${i}-${id}@example.com`, firstName: "Race", createdAt: T0 });
      await Promise.all([
        clerkSessionUser(db(), id),
        applyClerkUserEvent(db(), event),
        clerkSessionUser(db(), id),
      ]);
      expect(await clerkSessionUser(db(), id)).toMatchObject({
        name: "Race",
        email: `race-${i}-${id}@example.com`.toLowerCase(),
      });
    }
  });

  it("is never made for a deleted user (a still-valid session finds nothing)", async () => {
    const id = newId();
    await applyClerkUserEvent(db(), created({ id, email: "short@example.com", createdAt: T0 }));
    await applyClerkUserEvent(db(), deleted(id));
    expect(await clerkSessionUser(db(), id)).toBeNull();
    expect(await row(id)).toBeNull();
  });
});

import { describe, expect, it } from "vitest";
import { clerkUserData, clerkUserEvent, localUserFields } from "./clerk";

const user = (overrides: Record<string, unknown> = {}) =>
  clerkUserData.parse({
    id: "user_1",
    email_addresses: [
      { id: "idn_old", email_address: "old@example.org", verification: { status: "verified" } },
      { id: "idn_primary", email_address: " Ada@Example.COM ", verification: { status: "unverified" } },
    ],
    primary_email_address_id: "idn_primary",
    first_name: "Ada",
    last_name: "Lovelace",
    username: "ada",
    image_url: "https://img.example/ada.png",
    created_at: 1_700_000_000_000,
    updated_at: 1_700_000_100_000,
    ...overrides,
  });

describe("localUserFields", () => {
  it("keeps the primary address (not the first listed), lower-cased, with its verification", () => {
    expect(localUserFields(user())).toEqual({
      email: "ada@example.com",
      emailVerified: false,
      name: "Ada Lovelace",
      image: "https://img.example/ada.png",
    });
  });

  it("stores no address when the user has none, or the primary id names none of them", () => {
    expect(localUserFields(user({ email_addresses: [], primary_email_address_id: null })).email).toBeNull();
    expect(localUserFields(user({ primary_email_address_id: "idn_gone" })).email).toBeNull();
  });

  it("names the user by first and last name, else username, else nothing", () => {
    expect(localUserFields(user({ last_name: null })).name).toBe("Ada");
    expect(localUserFields(user({ first_name: " ", last_name: null })).name).toBe("ada");
    expect(localUserFields(user({ first_name: null, last_name: null, username: null })).name).toBe("");
    expect(localUserFields(user({ image_url: "" })).image).toBeNull();
  });
});

describe("clerkUserEvent", () => {
  it("reads created, updated and deleted events and refuses a user without an id or timestamps", () => {
    expect(clerkUserEvent.parse({ type: "user.deleted", data: { id: "user_1", deleted: true } })).toEqual({
      type: "user.deleted",
      data: { id: "user_1" },
    });
    expect(clerkUserEvent.safeParse({ type: "user.updated", data: { ...user(), id: "" } }).success).toBe(
      false,
    );
    const { updated_at: _, ...withoutTimestamp } = user();
    expect(clerkUserEvent.safeParse({ type: "user.created", data: withoutTimestamp }).success).toBe(false);
    expect(clerkUserEvent.safeParse({ type: "session.created", data: { id: "sess_1" } }).success).toBe(false);
  });
});

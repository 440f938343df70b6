// Sign-in limits over real HTTP against the production server (issue 12): the client address
// comes from the connection and our trusted proxies only, and wrong passwords slow the account
// itself down, counted in the database so every web instance agrees.
import { useTestDatabase } from "@pulseboard/devstack/test";
import { reapAll } from "@pulseboard/devstack/test/process";
import {
  clientAddress,
  type RunningWeb,
  signUp,
  startWeb,
  type TestUser,
} from "@pulseboard/devstack/test/web";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const database = useTestDatabase();
/** The test process is its trusted proxy (the harness's default). */
let proxied: RunningWeb;
/** A second instance on the same database, behind the same proxy. */
let proxiedToo: RunningWeb;
/** No trusted proxy: what a client sends as X-Forwarded-For is its own writing. */
let direct: RunningWeb;
let alice: TestUser;

beforeAll(async () => {
  [proxied, proxiedToo, direct] = await Promise.all([
    startWeb(database.current),
    startWeb(database.current),
    startWeb(database.current, { TRUSTED_PROXIES: "" }),
  ]);
  alice = await signUp(proxied.url, "Alice");
}, 300_000);

afterAll(async () => {
  await Promise.all([proxied?.stop(), proxiedToo?.stop(), direct?.stop()]);
  await reapAll();
});

function signIn(web: RunningWeb, email: string, password: string, forwardedFor?: string) {
  return fetch(`${web.url}/api/auth/sign-in/email`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      origin: web.url,
      ...(forwardedFor ? { "x-forwarded-for": forwardedFor } : {}),
    },
    body: JSON.stringify({ email, password }),
  });
}

const unknownEmail = () => `nobody-${crypto.randomUUID()}@example.com`;

describe("the client address", () => {
  it("a fresh X-Forwarded-For per request does not dodge the per-address limit", async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) {
      statuses.push((await signIn(direct, unknownEmail(), "wrong password", clientAddress())).status);
    }
    // Four different e-mails, so only the per-address limit (3 per 10 s) can refuse the fourth.
    expect(statuses).toEqual([401, 401, 401, 429]);
  });

  it("behind an appending proxy, one client's wrong passwords lock out no one else", async () => {
    const mallory = clientAddress();
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) {
      // Mallory writes an address of her own choosing; the proxy appends the one it saw.
      const res = await signIn(proxied, unknownEmail(), "wrong password", `198.51.100.${i}, ${mallory}`);
      statuses.push(res.status);
    }
    expect(statuses).toEqual([401, 401, 401, 429]);
    // Another client through the same proxy signs in.
    const other = await signIn(proxied, alice.email, alice.password, `198.51.100.99, ${clientAddress()}`);
    expect(other.status).toBe(200);
  });
});

describe("wrong passwords per account", () => {
  it("slow that account down whatever address they come from; the right password after the wait clears them", async () => {
    const bob = await signUp(proxied.url, "Bob");
    for (let i = 0; i < 5; i++) {
      expect((await signIn(proxied, bob.email, "wrong password", clientAddress())).status).toBe(401);
    }
    // The sixth try comes at once, from a new address, on another instance: the account waits.
    const early = await signIn(proxiedToo, bob.email.toUpperCase(), bob.password, clientAddress());
    expect(early.status).toBe(429);
    expect(Number(early.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    expect((await early.json()) as { message: string }).toMatchObject({
      message: expect.stringMatching(/^Too many wrong passwords for this account\. Try again in \d+ s\.$/),
    });
    // Nobody else is slowed down.
    expect((await signIn(proxied, alice.email, alice.password, clientAddress())).status).toBe(200);
    const [row] = await database.current.sql<{ failures: number }[]>`
      select failures from sign_in_failures where email = ${bob.email.toLowerCase()}`;
    expect(row?.failures).toBe(5);

    await new Promise((r) => setTimeout(r, Number(early.headers.get("retry-after")) * 1000 + 100));
    expect((await signIn(proxied, bob.email, bob.password, clientAddress())).status).toBe(200);
    expect(
      await database.current.sql`select 1 from sign_in_failures where email = ${bob.email.toLowerCase()}`,
    ).toHaveLength(0);
  }, 30_000);

  it("a burst of concurrent attempts gets one through per wait", async () => {
    const carol = await signUp(proxied.url, "Carol");
    for (let i = 0; i < 5; i++) await signIn(proxied, carol.email, "wrong password", clientAddress());
    await new Promise((r) => setTimeout(r, 1100));
    const burst = await Promise.all(
      Array.from({ length: 6 }, () => signIn(proxied, carol.email, "wrong password", clientAddress())),
    );
    const statuses = burst.map((r) => r.status).sort();
    expect(statuses).toEqual([401, 429, 429, 429, 429, 429]);
  }, 30_000);
});

/// <reference lib="dom" />
// The community in headless Chromium: two accounts and a moderator; a thread started on its page,
// a reply carrying <script>, a javascript: link and raw HTML that render inert, votes, a lock
// that takes the reply form away, a pin that puts the thread first, search; a reader who is not
// signed in reads everything and is offered sign-in. Desktop and phone screenshots.
import { useTestDatabase } from "@pulseboard/devstack/test";
import { launchChromium, screenshot, signUpInBrowser } from "@pulseboard/devstack/test/browser";
import { reapAll } from "@pulseboard/devstack/test/process";
import { type RunningWeb, signUp, startWeb } from "@pulseboard/devstack/test/web";
import { grantModerator } from "@pulseboard/schema/queries/community-moderators";
import type { Browser, BrowserContext } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api } from "./helpers";

const database = useTestDatabase();
let web: RunningWeb;
let browser: Browser;

beforeAll(async () => {
  web = await startWeb(database.current);
  const mod = await signUp(web.url, "Mona");
  await grantModerator(database.current.db, mod.id, "command");
  for (const [slug, name] of [
    ["devices-and-sensors", "Devices & sensors"],
    ["training", "Training"],
  ]) {
    expect((await api(web.url, mod, "POST", "/api/community/categories", { slug, name })).status).toBe(201);
  }
  browser = await launchChromium();
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await web?.stop();
  await reapAll();
});

async function account(name: string, viewport = { width: 1366, height: 900 }) {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  page.on("dialog", (d) => void d.accept());
  const email = `${name.toLowerCase()}-${Date.now()}@example.com`;
  await signUpInBrowser(page, web.url, name, email);
  // Old enough to post links.
  await database.current.sql`update "user" set created_at = now() - interval '1 day' where email = ${email}`;
  const [row] = await database.current.sql<{ id: string }[]>`select id from "user" where email = ${email}`;
  return { context, page, errors, id: row?.id ?? "" };
}

describe("the community in a browser", () => {
  let threadUrl = "";
  let contexts: BrowserContext[] = [];

  afterAll(async () => {
    await Promise.all(contexts.map((c) => c.close()));
  });

  it("thread, reply rendered inert, votes, lock, pin, search", async () => {
    const alice = await account("Alice");
    const bob = await account("Bob", { width: 390, height: 844 });
    const mona = await account("Mod");
    contexts = [alice.context, bob.context, mona.context];
    await grantModerator(database.current.db, mona.id, "command");

    // Alice starts a thread from the category page, reached through the nav.
    await alice.page.goto(`${web.url}/dashboard`);
    await alice.page
      .getByRole("navigation", { name: "Main" })
      .getByRole("link", { name: "Community" })
      .click();
    await alice.page.waitForURL(`${web.url}/community`);
    await alice.page.getByRole("link", { name: "Devices & sensors" }).click();
    const form = alice.page.getByRole("form", { name: "New thread" });
    await form.getByLabel("Title").fill("Which CO2 sensor for a greenhouse?");
    await form.getByLabel("Post (Markdown)").fill("SCD30 or **SCD41**? Mine drifts.");
    await form.getByRole("button", { name: "Post thread" }).click();
    await alice.page.waitForURL(/\/community\/t\/[0-9a-f-]+$/);
    threadUrl = alice.page.url();
    expect(await alice.page.getByTestId("thread-title").textContent()).toBe(
      "Which CO2 sensor for a greenhouse?",
    );
    expect(await alice.page.locator(".post-body strong").textContent()).toBe("SCD41");
    await screenshot(alice.page, "40-community-thread");

    // Bob, on a phone, replies with what a page must never run.
    await bob.page.goto(threadUrl);
    await bob.page
      .getByLabel("Your reply (Markdown)")
      .fill(
        'SCD41.\n\n<script>window.__xss = 1</script>\n\n[click me](javascript:window.__xss=2)\n\n<img src=x onerror="window.__xss=3">',
      );
    await bob.page.getByRole("button", { name: "Post reply" }).click();
    await expect.poll(() => bob.page.getByTestId("reply").count()).toBe(2);
    const reply = bob.page.getByTestId("reply").nth(1);
    expect(
      await reply.locator(".post-body script, .post-body img, .post-body a[href^='javascript']").count(),
    ).toBe(0);
    expect(await reply.locator(".post-body").textContent()).toContain("<script>window.__xss = 1</script>");
    await reply.getByText("click me").click();
    expect(await bob.page.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();
    await screenshot(bob.page, "41-community-reply-phone");

    // Alice votes Bob's reply up, then down; Bob cannot vote on his own.
    await alice.page.reload();
    const bobsReply = alice.page.getByTestId("reply").nth(1);
    await bobsReply.getByRole("button", { name: "Vote up" }).click();
    await expect.poll(() => bobsReply.getByTestId("score").textContent()).toBe("1");
    await bobsReply.getByRole("button", { name: "Vote down" }).click();
    await expect.poll(() => bobsReply.getByTestId("score").textContent()).toBe("-1");
    expect(await bob.page.getByTestId("reply").nth(1).getByRole("button", { name: "Vote up" }).count()).toBe(
      0,
    );

    // Live: Bob's open page shows Alice's next reply without a reload.
    await bob.page.reload();
    await bob.page.evaluate(() => {
      (window as unknown as { noReload: boolean }).noReload = true;
    });
    await bob.page.locator('html[data-thread-live="open"]').waitFor({ timeout: 15_000 });
    await alice.page.getByLabel("Your reply (Markdown)").fill("Thanks, ordering one.");
    await alice.page.getByRole("button", { name: "Post reply" }).click();
    await expect.poll(() => bob.page.getByTestId("reply").count(), { timeout: 15_000 }).toBe(3);
    expect(await bob.page.getByTestId("reply").nth(2).textContent()).toContain("Thanks, ordering one.");
    expect(await bob.page.evaluate(() => (window as unknown as { noReload?: boolean }).noReload)).toBe(true);

    // The moderator locks and pins it: the page says so, the reply form is gone.
    await mona.page.goto(threadUrl);
    await mona.page.getByRole("button", { name: "Lock" }).click();
    await mona.page.getByTestId("locked-notice").waitFor();
    await mona.page.getByRole("button", { name: "Pin" }).click();
    await mona.page.getByRole("button", { name: "Unpin" }).waitFor();
    await bob.page.reload();
    await bob.page.getByTestId("locked-notice").waitFor();
    expect(await bob.page.getByRole("form", { name: "Reply" }).count()).toBe(0);
    await screenshot(bob.page, "42-community-locked-phone");

    // Another thread, newer: the pinned one still comes first.
    await alice.page.goto(`${web.url}/community/c/devices-and-sensors`);
    const second = alice.page.getByRole("form", { name: "New thread" });
    await second.getByLabel("Title").fill("Humidity sensors that survive condensation");
    await second.getByLabel("Post (Markdown)").fill("Asking for a friend.");
    await second.getByRole("button", { name: "Post thread" }).click();
    await alice.page.waitForURL(/\/community\/t\//);
    await alice.page.goto(`${web.url}/community/c/devices-and-sensors`);
    const rows = alice.page.getByTestId("thread-row");
    await expect.poll(() => rows.count()).toBe(2);
    expect(await rows.first().getAttribute("data-pinned")).toBe("true");
    expect(await rows.first().textContent()).toContain("Which CO2 sensor");
    await screenshot(alice.page, "43-community-category");

    // Search, from the community page.
    await alice.page.goto(`${web.url}/community`);
    await alice.page.getByLabel("Search the community").fill("condensation");
    await alice.page.getByRole("button", { name: "Search" }).click();
    await alice.page.waitForURL(/\/community\/search\?q=condensation/);
    await expect.poll(() => alice.page.getByTestId("search-hit").count()).toBe(1);
    expect(await alice.page.locator("mark").first().textContent()).toMatch(/condensation/i);
    await screenshot(alice.page, "44-community-search");

    for (const who of [alice, bob, mona]) expect(who.errors).toEqual([]);
  }, 180_000);

  it("a reader who is not signed in reads it all and is offered sign-in", async () => {
    const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
    try {
      const page = await context.newPage();
      const res = await page.goto(threadUrl);
      expect(res?.status()).toBe(200);
      expect(page.url()).toBe(threadUrl);
      await expect.poll(() => page.getByTestId("reply").count()).toBe(3);
      expect(await page.getByRole("link", { name: "Sign in" }).count()).toBeGreaterThan(0);
      expect(await page.getByRole("button", { name: "Vote up" }).count()).toBe(0);
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      expect(overflow).toBeLessThanOrEqual(0);
      await screenshot(page, "45-community-reader-phone");
    } finally {
      await context.close();
    }
  });
});

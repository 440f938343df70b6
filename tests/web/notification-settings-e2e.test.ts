/// <reference lib="dom" />
// The settings page's notification channels in a browser against `next start` without
// WEBHOOK_ALLOW_PRIVATE (issue 12, SSRF): the account e-mail is there and says it is not
// verified; a webhook to an internal IP literal is refused when added; "send test" to an internal
// address saved earlier reaches nothing and says so in generic words; a sixth test within a
// minute is refused with when to retry.
import { useTestDatabase } from "@pulseboard/devstack/test";
import { launchChromium, signUpInBrowser } from "@pulseboard/devstack/test/browser";
import { reapAll } from "@pulseboard/devstack/test/process";
import { type RunningWeb, startWeb } from "@pulseboard/devstack/test/web";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startWebhookReceiver, type WebhookReceiver } from "../../apps/alerter/test/harness";
import { ADDRESS_NOT_ALLOWED } from "../../apps/web/src/lib/notification-channels";

const database = useTestDatabase();
let web: RunningWeb;
let browser: Browser;
let receiver: WebhookReceiver;

beforeAll(async () => {
  receiver = await startWebhookReceiver();
  web = await startWeb(database.current);
  browser = await launchChromium();
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await web?.stop();
  await receiver?.close();
  await reapAll();
});

describe("the notification settings in a browser", () => {
  it("refuses internal addresses, answers generically and limits tests", async () => {
    const page = await (await browser.newContext()).newPage();
    const email = `owner-${Date.now()}@example.com`;
    await signUpInBrowser(page, web.url, "Olivia Owner", email);
    await page.goto(`${web.url}/settings`);
    const account = page.getByTestId("channel").filter({ hasText: "Account e-mail" });
    await expect.poll(() => account.textContent()).toContain(email);
    expect(await account.getByTestId("unverified").textContent()).toBe("not verified");
    const port = new URL(receiver.url).port;

    const form = page.getByRole("form", { name: "Add a channel" });
    await form.getByRole("combobox", { name: /^Kind/ }).selectOption("webhook");
    await form.getByLabel("Name", { exact: true }).fill("Ops hook");
    for (const url of [`http://2130706433:${port}/hook`, `http://[::ffff:127.0.0.1]:${port}/hook`]) {
      await form.getByLabel("URL", { exact: true }).fill(url);
      await form.getByRole("button", { name: "Add channel" }).click();
      await expect.poll(() => form.getByTestId("form-error").textContent()).toContain(ADDRESS_NOT_ALLOWED);
    }
    const owned = () => database.current.sql<{ url: string | null }[]>`
      select c.url from notification_channels c join "user" u on u.id = c.owner_id
      where u.email = ${email} and c.kind = 'webhook'`;
    expect(await owned()).toEqual([]);

    // A URL saved before this check existed (or a name that resolves to loopback) is refused
    // when sending.
    await form.getByLabel("URL", { exact: true }).fill("https://hooks.example.com/pulseboard");
    await form.getByRole("button", { name: "Add channel" }).click();
    const hook = page.getByTestId("channel").filter({ hasText: "Ops hook" });
    await hook.waitFor();
    expect(await hook.getByTestId("webhook-secret").textContent()).toMatch(/^whsec_[A-Za-z0-9+/]{32}$/);
    await database.current.sql`
      update notification_channels set url = ${receiver.url}
      where owner_id = (select id from "user" where email = ${email}) and kind = 'webhook'`;
    const answers: string[] = [];
    for (let i = 0; i < 6; i++) {
      const answered = page.waitForResponse(
        (r) => r.url().endsWith("/test") && r.request().method() === "POST",
      );
      await hook.getByRole("button", { name: "Send test" }).click();
      await answered;
      await expect.poll(async () => (await hook.getByTestId("channel-answer").count()) > 0).toBe(true);
      answers.push(((await hook.getByTestId("channel-answer").textContent()) ?? "").trim());
    }
    expect(answers.slice(0, 5)).toEqual(Array(5).fill("Not delivered: the address is not allowed."));
    expect(answers[5]).toMatch(/^Too many tests: at most 5 a minute\. Try again in \d+ s\.$/);
    expect(receiver.calls).toEqual([]);
    // The refused address reached the server log, not the page.
    expect(web.process.output()).toMatch(/channel test failed/);
  }, 120_000);
});

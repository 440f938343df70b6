/// <reference lib="dom" />
// The settings page's webhook in a browser against `next start` without WEBHOOK_ALLOW_PRIVATE
// (issue 12, SSRF): an internal IP literal is refused when saved; "send test" to an internal
// address saved earlier reaches nothing and says so in generic words; a sixth test within a
// minute is refused with when to retry.
import { useTestDatabase } from "@pulseboard/devstack/test";
import { launchChromium, signUpInBrowser } from "@pulseboard/devstack/test/browser";
import { reapAll } from "@pulseboard/devstack/test/process";
import { type RunningWeb, startWeb } from "@pulseboard/devstack/test/web";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startWebhookReceiver, type WebhookReceiver } from "../../apps/alerter/test/harness";
import { ADDRESS_NOT_ALLOWED } from "../../apps/web/src/lib/webhook-settings";

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

/** Clicks a form's button and waits for its server action's answer to be shown. */
async function submit(page: Page, button: string): Promise<string> {
  const answered = page.waitForResponse(
    (r) => r.request().method() === "POST" && r.url().includes("/settings"),
  );
  await page.getByRole("button", { name: button, exact: true }).click();
  await answered;
  await page.getByRole("button", { name: button, exact: true }).waitFor();
  const form = page.locator("form", { has: page.getByRole("button", { name: button, exact: true }) });
  return ((await form.getByTestId("action-result").textContent()) ?? "").trim();
}

describe("the webhook settings in a browser", () => {
  it("refuses internal addresses, answers generically and limits tests", async () => {
    const page = await (await browser.newContext()).newPage();
    const email = `owner-${Date.now()}@example.com`;
    await signUpInBrowser(page, web.url, "Olivia Owner", email);
    await page.goto(`${web.url}/settings`);
    const port = new URL(receiver.url).port;

    for (const url of [`http://2130706433:${port}/hook`, `http://[::ffff:127.0.0.1]:${port}/hook`]) {
      await page.getByLabel(/Webhook URL/).fill(url);
      expect(await submit(page, "Save")).toBe(ADDRESS_NOT_ALLOWED);
    }
    const [saved] = await database.current.sql<{ webhook_url: string | null }[]>`
      select n.webhook_url from notification_settings n join "user" u on u.id = n.owner_id
      where u.email = ${email}`;
    expect(saved?.webhook_url ?? null).toBeNull();

    // A URL saved before this check existed (or a name that resolves to loopback) is refused
    // when sending.
    await page.getByLabel(/Webhook URL/).fill("https://hooks.example.com/pulseboard");
    expect(await submit(page, "Save")).toBe("Webhook saved.");
    await database.current.sql`
      update notification_settings set webhook_url = ${receiver.url}
      where owner_id = (select id from "user" where email = ${email})`;
    const answers: string[] = [];
    for (let i = 0; i < 6; i++) answers.push(await submit(page, "Send test"));
    expect(answers.slice(0, 5)).toEqual(Array(5).fill("Not delivered: the address is not allowed."));
    expect(answers[5]).toMatch(/^Too many tests: at most 5 a minute\. Try again in \d+ s\.$/);
    expect(receiver.calls).toEqual([]);
    // The refused address reached the server log, not the page.
    expect(web.process.output()).toMatch(/webhook test failed/);
  });
});

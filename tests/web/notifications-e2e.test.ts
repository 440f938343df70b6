/// <reference lib="dom" />
// Notifications in headless Chromium, every part real: the web app (next build + start) and the
// alerter sending through a real SMTP server (the local sink `pnpm start` runs, keeping mail in
// the database), the in-app mailbox showing it. Sign up and verify the account e-mail from the
// mailbox; an alert fires and its mail arrives; acknowledge and snooze it from the alerts page and
// read its timeline; a maintenance window added on the device page holds the next alert's notice.

import { type MailSink, startMailSink } from "@pulseboard/devstack/mail-sink";
import { useTestDatabase } from "@pulseboard/devstack/test";
import { launchChromium, screenshot, signUpInBrowser } from "@pulseboard/devstack/test/browser";
import { reapAll } from "@pulseboard/devstack/test/process";
import { type RunningWeb, startWeb } from "@pulseboard/devstack/test/web";
import { findFreePort } from "@pulseboard/runtime/ports";
import { storeReceivedMail } from "@pulseboard/schema/queries/local-mailbox";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningAlerter, startAlerter } from "../../apps/alerter/test/harness";

const database = useTestDatabase();
let web: RunningWeb;
let alerter: RunningAlerter;
let sink: MailSink;
let browser: Browser;

beforeAll(async () => {
  sink = await startMailSink({
    port: await findFreePort(),
    onMessage: (mail) => storeReceivedMail(database.current.db, mail),
  });
  web = await startWeb(database.current, { SMTP_URL: sink.url, LOCAL_MAILBOX: "1" });
  alerter = await startAlerter(database.current.url, { SMTP_URL: sink.url, APP_URL: web.url });
  browser = await launchChromium();
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await alerter?.close();
  await web?.stop();
  await sink?.close();
  await reapAll();
});

/** The app's JSON API from the page (its session cookie, its origin). */
async function api<T>(page: Page, path: string, method = "GET", body?: unknown): Promise<T> {
  return page.evaluate(
    async ({ path, method, body }) => {
      const res = await fetch(path, {
        method,
        headers: body === undefined ? {} : { "content-type": "application/json" },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      if (!res.ok) throw new Error(`${method} ${path}: HTTP ${res.status} ${await res.text()}`);
      return res.status === 204 ? null : res.json();
    },
    { path, method, body },
  ) as Promise<T>;
}

/** Opens the mailbox until a mail whose subject matches shows, and returns its text. */
async function mailMatching(page: Page, subject: RegExp): Promise<string> {
  for (let i = 0; i < 60; i++) {
    await page.goto(`${web.url}/mailbox`);
    const mail = page
      .getByTestId("mail")
      .filter({ has: page.getByTestId("mail-subject").filter({ hasText: subject }) });
    if ((await mail.count()) > 0) {
      await mail.first().locator("summary").click();
      return (await mail.first().getByTestId("mail-text").textContent()) ?? "";
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`no mail matching ${subject}`);
}

async function breach(deviceId: string) {
  await database.current.sql`
    insert into sensor_readings (device_id, metric, value, recorded_at)
    values (${deviceId}, 'temperature', 99, now() - interval '1 second')`;
  await alerter.call("/v1/evaluate", { deviceIds: [deviceId] });
}

describe("notifications in a browser", () => {
  it("verify the account e-mail, receive an alert's mail, acknowledge, snooze, and hold one by a maintenance window", async () => {
    const page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
    const email = `olivia-${Date.now()}@example.com`;
    await signUpInBrowser(page, web.url, "Olivia Owner", email);

    // Not verified yet: the settings page says so; the sign-up's verification mail is in the mailbox.
    await page.goto(`${web.url}/settings`);
    const account = page.getByTestId("channel").filter({ hasText: "Account e-mail" });
    expect(await account.getByTestId("unverified").textContent()).toBe("not verified");
    const verification = await mailMatching(page, /Verify your e-mail/);
    await page.getByRole("link", { name: /verify-email/ }).click();
    await page.waitForURL((url) => !url.pathname.includes("verify-email"));
    await page.goto(`${web.url}/settings`);
    await expect.poll(() => account.getByTestId("unverified").count()).toBe(0);
    expect(verification).toContain("/api/auth/verify-email?token=");

    // An added address gets a confirmation link and says "not confirmed" until it is opened.
    const add = page.getByRole("form", { name: "Add a channel" });
    const ops = `ops-${Date.now()}@example.com`;
    await add.getByLabel("Name", { exact: true }).fill("Ops");
    await add.getByLabel("E-mail address", { exact: true }).fill(ops);
    await add.getByRole("button", { name: "Add channel" }).click();
    await add.getByText(`We sent a confirmation link to ${ops}.`).waitFor();
    const opsChannel = page.getByTestId("channel").filter({ hasText: ops });
    expect(await opsChannel.getByTestId("unverified").textContent()).toBe("not confirmed");
    const [sent] = await database.current.sql<{ text: string }[]>`
      select text from local_mailbox where recipient = ${ops}`;
    const link = /http\S+\/settings\/confirm\?token=\S+/.exec(sent?.text ?? "")?.[0] ?? "";
    await page.goto(link);
    expect(await page.getByTestId("confirm-result").textContent()).toBe(
      `${ops} is confirmed: alert notices for its severities go there now.`,
    );
    await page.goto(link);
    expect(await page.getByTestId("confirm-result").textContent()).toMatch(
      /^This link does not confirm anything/,
    );
    await page.goto(`${web.url}/settings`);
    await expect.poll(() => opsChannel.getByTestId("unverified").count()).toBe(0);
    // Another channel chosen: the account e-mail went quiet; tick critical on it again.
    const critical = account.getByRole("checkbox", { name: "critical" });
    expect(await critical.isChecked()).toBe(false);
    const saved = page.waitForResponse((r) => r.request().method() === "PATCH" && r.ok());
    await critical.check();
    await saved;
    await expect.poll(() => critical.isChecked()).toBe(true);

    // A device with a rule on it; a breach fires it, and its mail arrives with a link to the alert.
    const device = await api<{ id: string }>(page, "/api/devices", "POST", { name: "Boiler" });
    await api(page, `/api/devices/${device.id}/rules`, "POST", {
      name: "Boiler too hot",
      metric: "temperature",
      comparator: "gt",
      threshold: 80,
      windowSeconds: 60,
      aggregate: "max",
      severity: "critical",
    });
    await breach(device.id);
    const fired = await mailMatching(page, /\[Critical\] Fired: Boiler too hot on Boiler/);
    expect(fired).toContain(`Open the alert: ${web.url}/dashboard/alerts/`);
    await screenshot(page, "50-mailbox-fired");

    // The alerts page: acknowledge, then snooze for an hour; the alert's page tells it all.
    await page.goto(`${web.url}/dashboard/alerts`);
    const row = page.getByTestId("alert-row").filter({ hasText: "Boiler" });
    await row.getByRole("button", { name: "Acknowledge" }).click();
    await row.getByText("acknowledged").waitFor();
    await row.getByRole("button", { name: "Snooze 1 h" }).click();
    await row.getByRole("button", { name: "Unsnooze" }).waitFor();
    await screenshot(page, "51-alerts-acknowledged-snoozed");
    await row.getByRole("link", { name: /Details/ }).click();
    await page.waitForURL(/\/dashboard\/alerts\/[0-9a-f-]{36}$/);
    await expect.poll(() => page.getByTestId("timeline-entry").count()).toBe(3);
    const kinds = await page
      .getByTestId("timeline-entry")
      .evaluateAll((els) => els.map((e) => e.getAttribute("data-kind")));
    expect(kinds).toEqual(["fired", "acknowledged", "snoozed"]);
    expect(await page.getByTestId("timeline-entry").nth(1).textContent()).toContain("by Olivia Owner");
    // Each channel the critical alert went to, and how it went: the account e-mail and the
    // confirmed address.
    await expect
      .poll(
        async () => {
          await page.reload();
          return page
            .getByTestId("timeline-entry")
            .first()
            .getByTestId("delivery")
            .evaluateAll((rows) =>
              rows
                .map((r) => `${r.querySelector("td")?.textContent}: ${r.getAttribute("data-status")}`)
                .sort(),
            );
        },
        { timeout: 10_000 },
      )
      .toEqual(["Account e-mail: delivered", "Ops: delivered"]);
    expect(await page.getByTestId("alert-snoozed").textContent()).toContain("snoozed until");
    await screenshot(page, "52-alert-timeline");

    // A maintenance window from the device page: the next alert is recorded, its notice held.
    await page.goto(`${web.url}/dashboard/devices/${device.id}`);
    const windowForm = page.getByRole("form", { name: "Add a maintenance window" });
    await windowForm.getByLabel("Name", { exact: true }).fill("Burner service");
    const local = (ms: number) =>
      page.evaluate((at) => {
        const d = new Date(at);
        const pad = (n: number) => String(n).padStart(2, "0");
        return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
      }, ms);
    // The form reads times on the account's zone, taken from this browser at the first visit.
    await windowForm.getByLabel(/^From/).fill(await local(Date.now() - 60_000));
    await windowForm.getByLabel(/^Until/).fill(await local(Date.now() + 3600_000));
    await windowForm.getByRole("button", { name: "Add window" }).click();
    await page.getByTestId("in-maintenance").waitFor();
    expect(await page.getByTestId("maintenance-window").textContent()).toContain("Burner service");
    await screenshot(page, "53-device-maintenance");

    const second = await api<{ id: string }>(page, `/api/devices/${device.id}/rules`, "POST", {
      name: "Boiler pressure",
      metric: "temperature",
      comparator: "gt",
      threshold: 90,
      windowSeconds: 60,
      aggregate: "max",
    });
    await breach(device.id);
    const alerts = await api<{ id: string; ruleId: string }[]>(page, `/api/alerts?status=firing`);
    const held = alerts.find((a) => a.ruleId === second.id);
    expect(held).toBeDefined();
    const timeline = await api<{ kind: string; notice: string; holdReason: string; deliveries: unknown[] }[]>(
      page,
      `/api/alerts/${held?.id}/timeline`,
    );
    expect(timeline).toMatchObject([
      { kind: "fired", notice: "held", holdReason: "maintenance: Burner service", deliveries: [] },
    ]);
  }, 180_000);
});

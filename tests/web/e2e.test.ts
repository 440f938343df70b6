/// <reference lib="dom" />
// End to end in headless Chromium, with every part real: the web app (next build + start), the
// ingest with its built-in MQTT broker, the alerter, the local queue between them, PostgreSQL.
// Sign up, provision a device, publish over MQTT with the key the dialog showed, see the chart,
// create a rule, watch the alert fire and resolve without reloading, add and test a webhook channel,
// sign out and be bounced; a second account cannot open the first account's device.
// Screenshots of each page go to test-artifacts/screenshots/.
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { useTestDatabase } from "@pulseboard/devstack/test";
import { launchChromium, screenshot, signUpInBrowser } from "@pulseboard/devstack/test/browser";
import { reapAll, type SpawnedProcess, spawnTs } from "@pulseboard/devstack/test/process";
import { type RunningWeb, startWeb } from "@pulseboard/devstack/test/web";
import { findFreePort } from "@pulseboard/runtime/ports";
import { signWebhook } from "@pulseboard/runtime/webhook";
import mqtt from "mqtt";
import type { Browser, Page } from "playwright-core";
import { Webhook } from "standardwebhooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KEYS, startWebhookReceiver, type WebhookReceiver } from "../../apps/alerter/test/harness";

const database = useTestDatabase();

let web: RunningWeb;
let ingest: SpawnedProcess;
let alerter: SpawnedProcess;
let browser: Browser;
let receiver: WebhookReceiver;
let mqttPort: number;

beforeAll(async () => {
  receiver = await startWebhookReceiver();
  const alerterPort = await findFreePort();
  const ingestPort = await findFreePort();
  mqttPort = await findFreePort();
  const common = {
    PATH: process.env.PATH,
    HOST: "127.0.0.1",
    DATABASE_URL: database.current.url,
    DATABASE_URL_DIRECT: database.current.directUrl,
    QSTASH_CURRENT_SIGNING_KEY: KEYS.current,
    QSTASH_NEXT_SIGNING_KEY: KEYS.next,
    // The webhook receiver listens on loopback.
    WEBHOOK_ALLOW_PRIVATE: "1",
  };
  alerter = spawnTs("apps/alerter", "src/server.ts", { ...common, ALERTER_PORT: String(alerterPort) });
  ingest = spawnTs("apps/ingest", "src/server.ts", {
    ...common,
    INGEST_PORT: String(ingestPort),
    MQTT_PORT: String(mqttPort),
    MQTT_WS_PORT: String(await findFreePort()),
    ALERTER_URL: `http://127.0.0.1:${alerterPort}`,
    EVALUATION_INTERVAL_MS: "200",
  });
  [web] = await Promise.all([
    startWeb(database.current, {
      PUBLIC_MQTT_URL: `mqtt://127.0.0.1:${mqttPort}`,
      PUBLIC_INGEST_URL: `http://127.0.0.1:${ingestPort}`,
      WEBHOOK_ALLOW_PRIVATE: "1",
    }),
    alerter.waitFor(/alerter HTTP listening/, 30_000),
    ingest.waitFor(/ingest HTTP listening/, 30_000),
  ]);
  browser = await launchChromium();
}, 300_000);

afterAll(async () => {
  if (process.env.E2E_DEBUG) {
    console.log("WEB", web?.process.output(), "INGEST", ingest?.output(), "ALERTER", alerter?.output());
    console.log(await database.current.sql`select device_id, metric, value from sensor_readings`);
  }
  await browser?.close();
  await web?.stop();
  await receiver?.close();
  await reapAll();
});

const nav = (page: Page, name: string) =>
  page.getByRole("navigation", { name: "Main" }).getByRole("link", { name, exact: true });

describe("Pulseboard in a browser", () => {
  it("from sign-up to a live alert, and out again", async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    const email = `owner-${Date.now()}@example.com`;

    await page.goto(`${web.url}/sign-in`);
    await screenshot(page, "01-sign-in");
    await signUpInBrowser(page, web.url, "Olivia Owner", email);
    await expect(page.getByRole("heading", { name: "Overview" })).toBeTruthy();
    await page.getByTestId("devices-online").waitFor();
    await screenshot(page, "02-overview-empty");

    // Provision: the dialog shows the key once, with ready-to-paste lines for it.
    await nav(page, "Devices").click();
    await page.waitForURL(`${web.url}/dashboard/devices`);
    await page.getByRole("button", { name: "Add device" }).click();
    await page.getByLabel("Name").fill("Greenhouse");
    await page.getByRole("button", { name: "Create device" }).click();
    const key = (await page.getByTestId("device-key").textContent())?.trim() ?? "";
    expect(key).toMatch(/^dk_[A-Za-z0-9_-]{22,}$/);
    const mqttLine = (await page.getByTestId("mqtt-command").textContent()) ?? "";
    const curlLine = (await page.getByTestId("curl-command").textContent()) ?? "";
    expect(mqttLine).toContain(`-h 127.0.0.1 -p ${mqttPort}`);
    expect(mqttLine).toContain(`-t 'devices/${key}/readings'`);
    expect(curlLine).toContain(`Authorization: Bearer ${key}`);
    await screenshot(page, "03-provisioned");
    // Leaving without copying the key asks first.
    await page.getByRole("link", { name: "Open device" }).click();
    await page.getByTestId("uncopied-warning").waitFor();
    expect(page.url()).toBe(`${web.url}/dashboard/devices`);
    await page.getByRole("button", { name: "Back to the key" }).click();
    await page.getByRole("button", { name: "Copy key: copy to clipboard" }).click();
    await page.getByTestId("provisioned").getByText("Copied", { exact: true }).waitFor();
    await page.getByRole("link", { name: "Open device" }).click();
    await page.getByTestId("no-metrics").waitFor();
    // Marks this document: if anything below reloaded the page, the mark would be gone.
    await page.evaluate(() => {
      (window as unknown as { noReload: boolean }).noReload = true;
    });
    await page.getByTestId("live-state").and(page.locator('[data-state="open"]')).waitFor();

    // Publish over MQTT with the key as shown: topic, host and port taken from the dialog's line.
    const topic = /-t '([^']+)'/.exec(mqttLine)?.[1] ?? "";
    const device = await mqtt.connectAsync(`mqtt://127.0.0.1:${mqttPort}`, { reconnectPeriod: 0 });
    const publish = (temperature: number) =>
      device.publishAsync(topic, JSON.stringify({ temperature, humidity: 40 }), { qos: 1 });
    try {
      await publish(21.5);
      // mosquitto_pub, when this machine has it, runs the dialog's line exactly as shown.
      if (existsSync("/usr/bin/mosquitto_pub")) execFileSync("bash", ["-c", mqttLine], { timeout: 10_000 });
      else await publish(22);

      const chart = page.getByTestId("chart-temperature");
      await chart.waitFor({ timeout: 15_000 });
      await page.waitForFunction(
        () =>
          Number(document.querySelector('[data-testid="chart-temperature"]')?.getAttribute("data-points")) >
          0,
        undefined,
        { timeout: 15_000 },
      );
      await page.getByTestId("chart-humidity").waitFor();
      // The range picker: 24 h keeps the readings in view with larger buckets and lands in the URL.
      await page.getByRole("button", { name: "24 h" }).click();
      await page.waitForURL(/range=24h/);
      await page.getByText("5 min buckets").first().waitFor();
      await screenshot(page, "04-device-chart");

      // A rule: the last temperature over 5 s above 30.
      const form = page.getByRole("form", { name: "New rule" });
      await form.getByLabel("Metric").fill("temperature");
      await form.getByLabel("Aggregate").selectOption("last");
      await form.getByLabel("Window", { exact: true }).fill("5");
      await form.getByLabel("Window unit").selectOption("s");
      await form.getByLabel("Comparison").selectOption("gt");
      await form.getByLabel("Threshold").fill("30");
      await form.getByRole("button", { name: "Add rule" }).click();
      await page.getByTestId("rule-row").waitFor();
      expect(await page.getByTestId("rule-row").textContent()).toContain("last(temperature) over 5 s > 30");

      // Hot: the alert fires and appears without a reload.
      await publish(35);
      await page.locator('[data-testid="alert-row"][data-status="firing"]').waitFor({ timeout: 20_000 });
      await screenshot(page, "05-device-alert-firing");

      // Cool again: it resolves, still without a reload.
      await publish(20);
      await page.locator('[data-testid="alert-row"][data-status="resolved"]').waitFor({ timeout: 20_000 });
      expect(await page.locator('[data-testid="alert-row"][data-status="firing"]').count()).toBe(0);
      expect(await page.evaluate(() => (window as unknown as { noReload?: boolean }).noReload)).toBe(true);
      await screenshot(page, "06-device-alert-resolved");
    } finally {
      await device.endAsync();
    }

    // The alerts page lists it, linking to the chart around the moment it fired.
    await nav(page, "Alerts").click();
    await page.waitForURL(`${web.url}/dashboard/alerts`);
    const row = page.getByTestId("alert-row").first();
    expect(await row.getAttribute("data-status")).toBe("resolved");
    await screenshot(page, "07-alerts");
    await page.getByLabel("Status").selectOption("firing");
    await page.getByRole("button", { name: "Filter" }).click();
    await page.getByText("No alerts firing.").waitFor();
    await page.goto(`${web.url}/dashboard/alerts?status=resolved`);
    await row.getByRole("link").filter({ hasNotText: "Details" }).click();
    await page.waitForURL(/\/dashboard\/devices\/[0-9a-f-]+\?alert=/);
    await page.getByText("Showing the alert").waitFor();
    await screenshot(page, "08-chart-around-alert");

    await nav(page, "Overview").click();
    await page.waitForURL(`${web.url}/dashboard`);
    expect(await page.getByTestId("devices-online").textContent()).toMatch(/^1\s*of 1/);
    await screenshot(page, "09-overview");

    // Settings: add a webhook channel, see its secret, send a test that verifies with it
    // (Standard Webhooks, and the deprecated X-Pulseboard signature), rotate the secret.
    await nav(page, "Settings").click();
    await page.waitForURL(`${web.url}/settings`);
    const add = page.getByRole("form", { name: "Add a channel" });
    await add.getByRole("combobox", { name: /^Kind/ }).selectOption("webhook");
    await add.getByLabel("Name", { exact: true }).fill("My receiver");
    await add.getByLabel("URL", { exact: true }).fill(receiver.url);
    await add.getByRole("button", { name: "Add channel" }).click();
    const hook = page.getByTestId("channel").filter({ hasText: "My receiver" });
    await hook.getByTestId("webhook-secret").waitFor();
    const secret = ((await hook.getByTestId("webhook-secret").textContent()) ?? "").trim();
    expect(secret).toMatch(/^whsec_/);
    const callsBefore = receiver.calls.length;
    await hook.getByRole("button", { name: "Send test" }).click();
    await hook.getByText(/Delivered: the receiver answered HTTP 200/).waitFor();
    const test = receiver.calls[callsBefore];
    const headers = Object.fromEntries(
      ["webhook-id", "webhook-timestamp", "webhook-signature"].map((h) => [h, String(test?.headers[h])]),
    );
    expect(new Webhook(secret).verify(test?.body ?? "", headers)).toMatchObject({ type: "test" });
    const ts = Number(test?.headers["x-pulseboard-timestamp"]);
    expect(test?.headers["x-pulseboard-signature"]).toBe(signWebhook(secret, ts, test?.body ?? ""));
    await screenshot(page, "10-settings");
    await hook.getByRole("button", { name: "Rotate secret" }).click();
    await hook.getByText("New secret created", { exact: false }).waitFor();
    await expect
      .poll(async () => ((await hook.getByTestId("webhook-secret").textContent()) ?? "").trim())
      .not.toBe(secret);

    // The phone-sized device list still reads.
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${web.url}/dashboard/devices`);
    await screenshot(page, "11-devices-phone");
    const deviceUrl = `${web.url}${await page.getByRole("link", { name: "Greenhouse" }).getAttribute("href")}`;

    // Sign out: the dashboard bounces to sign-in.
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.waitForURL(`${web.url}/sign-in`);
    await page.goto(`${web.url}/dashboard`);
    expect(new URL(page.url()).pathname).toBe("/sign-in");
    await context.close();

    // A second account cannot open the first account's device page.
    const other = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const otherPage = await other.newPage();
    await signUpInBrowser(otherPage, web.url, "Mallory", `other-${Date.now()}@example.com`);
    const response = await otherPage.goto(deviceUrl);
    expect(response?.status()).toBe(404);
    await otherPage.getByTestId("not-found").waitFor();
    expect(await otherPage.content()).not.toContain("Greenhouse");
    await screenshot(otherPage, "12-other-account-404");
    await other.close();
  }, 180_000);
});

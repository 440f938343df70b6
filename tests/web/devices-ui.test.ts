/// <reference lib="dom" />
// Devices and rules as an owner changes them, in headless Chromium at a desktop and a phone
// width, against the production web app and a real ingest (built-in MQTT broker): the key dialog
// that asks before closing on a key never copied, rename, offline timeout, tags, metric names and
// units, a rule on a metric never reported (warned, accepted, "no data"), a rule edited with every
// option, and key rotation: the old key works through its grace, then (the test moving the grace's
// end in the database) is refused over MQTT and HTTP and its connected client is disconnected.
// Screenshots go to test-artifacts/screenshots/.
import { useTestDatabase } from "@pulseboard/devstack/test";
import { launchChromium, screenshot, signUpInBrowser } from "@pulseboard/devstack/test/browser";
import { reapAll, type SpawnedProcess, spawnTs } from "@pulseboard/devstack/test/process";
import { type RunningWeb, startWeb } from "@pulseboard/devstack/test/web";
import { findFreePort } from "@pulseboard/runtime/ports";
import mqtt from "mqtt";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const database = useTestDatabase();

let web: RunningWeb;
let ingest: SpawnedProcess;
let browser: Browser;
let mqttUrl: string;
let ingestUrl: string;

beforeAll(async () => {
  const ingestPort = await findFreePort();
  const mqttPort = await findFreePort();
  mqttUrl = `mqtt://127.0.0.1:${mqttPort}`;
  ingestUrl = `http://127.0.0.1:${ingestPort}`;
  ingest = spawnTs("apps/ingest", "src/server.ts", {
    PATH: process.env.PATH,
    HOST: "127.0.0.1",
    DATABASE_URL: database.current.url,
    DATABASE_URL_DIRECT: database.current.directUrl,
    INGEST_PORT: String(ingestPort),
    MQTT_PORT: String(mqttPort),
    MQTT_WS_PORT: String(await findFreePort()),
    // No alerter here: evaluation messages go nowhere, which the ingest only logs.
    ALERTER_URL: "http://127.0.0.1:9",
    QSTASH_CURRENT_SIGNING_KEY: "sig_current_for_tests",
    QSTASH_NEXT_SIGNING_KEY: "sig_next_for_tests",
    // Key lookups cached 300 ms: also how often connected clients' keys are checked again.
    DEVICE_KEY_CACHE_MS: "300",
  });
  [web] = await Promise.all([
    startWeb(database.current, { PUBLIC_MQTT_URL: mqttUrl, PUBLIC_INGEST_URL: ingestUrl }),
    ingest.waitFor(/ingest HTTP listening/, 30_000),
  ]);
  browser = await launchChromium();
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await web?.stop();
  await reapAll();
});

const publish = (key: string, body: unknown) =>
  fetch(`${ingestUrl}/v1/readings`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
    body: JSON.stringify(body),
  });

/** Whether the dialog element holding `testId` is open. */
const dialogOpen = (page: Page, testId: string) =>
  page.evaluate(
    (id) => document.querySelector(`[data-testid="${id}"]`)?.closest("dialog")?.open ?? false,
    testId,
  );

describe.each([
  { name: "desktop", viewport: { width: 1366, height: 900 } },
  { name: "phone", viewport: { width: 390, height: 844 } },
])("devices and rules on a $name", ({ name, viewport }) => {
  it("provision, settings, rules with every option, key rotation", async () => {
    const context = await browser.newContext({ viewport });
    await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: web.url });
    const page = await context.newPage();
    await signUpInBrowser(page, web.url, "Dana", `dana-${name}-${Date.now()}@example.com`);

    // --- The key dialog does not close on a key that was never copied.
    await page.goto(`${web.url}/dashboard/devices`);
    await page.getByRole("button", { name: "Add device" }).click();
    await page.getByLabel("Name").fill("Greenhouse");
    await page.getByRole("button", { name: "Create device" }).click();
    const key = (await page.getByTestId("device-key").textContent())?.trim() ?? "";
    expect(key).toMatch(/^dk_/);
    await page.keyboard.press("Escape");
    await page.getByTestId("uncopied-warning").waitFor();
    expect(await dialogOpen(page, "provisioned")).toBe(true);
    // A second Escape, with no click between, does not get past the warning either.
    await page.keyboard.press("Escape");
    await page.waitForTimeout(200);
    expect(await dialogOpen(page, "provisioned")).toBe(true);
    await screenshot(page, `30-key-not-copied-${name}`);
    await page.getByRole("button", { name: "Back to the key" }).click();
    await page.getByRole("button", { name: "Copy key: copy to clipboard" }).click();
    await page.getByTestId("provisioned").getByText("Copied", { exact: true }).waitFor();
    await page.getByRole("button", { name: "Done" }).click();
    expect(await dialogOpen(page, "provisioned")).toBe(false);
    const [device] = await database.current.sql<{ id: string }[]>`
      select d.id from devices d join "user" u on u.id = d.owner_id where u.name = 'Dana' and d.name = 'Greenhouse'
      order by d.created_at desc limit 1`;
    const deviceId = device?.id ?? "";

    // Readings, so the device has metrics.
    expect((await publish(key, { temperature: 21.5, humidity: 40 })).status).toBe(202);
    await page.goto(`${web.url}/dashboard/devices/${deviceId}`);

    // --- Rename, offline timeout, tags.
    const settings = page.getByRole("form", { name: "Device settings" });
    await settings.getByLabel("Name").fill("Greenhouse north");
    await settings.getByLabel("Offline timeout", { exact: true }).fill("15");
    await settings.getByLabel("Offline timeout unit").selectOption("min");
    await settings.getByLabel("Tags (comma-separated)").fill("greenhouse, north");
    await settings.getByRole("button", { name: "Save" }).click();
    await page.getByRole("status").filter({ hasText: "Offline after 15 min" }).waitFor();
    await expect.poll(() => page.getByTestId("device-name").textContent()).toBe("Greenhouse north");
    await expect.poll(() => page.getByTestId("device-tags").textContent()).toBe("greenhousenorth");
    const [stored] = await database.current.sql<{ name: string; silence_seconds: number; tags: string[] }[]>`
      select name, silence_seconds, tags from devices where id = ${deviceId}`;
    expect(stored).toEqual({ name: "Greenhouse north", silence_seconds: 900, tags: ["greenhouse", "north"] });

    // --- Metric names and units: defaults for well-known names, the owner's where set.
    await expect.poll(() => page.getByLabel("Unit of temperature").inputValue()).toBe("°C");
    await page.getByLabel("Display name of humidity").fill("Air humidity");
    await page.getByRole("button", { name: "Save names and units" }).click();
    await page.getByRole("status").filter({ hasText: "Saved names and units." }).waitFor();
    await expect.poll(() => page.locator(".page-head").textContent()).toContain("Air humidity 40 %");
    await expect.poll(() => page.locator(".page-head").textContent()).toContain("temperature 21.5 °C");

    // The device list filters by tag.
    await page.getByTestId("device-tags").getByRole("link", { name: "north" }).click();
    await page.waitForURL(/tag=north/);
    await expect.poll(() => page.getByTestId("device-row").count()).toBe(1);
    await page.goto(`${web.url}/dashboard/devices?tag=nowhere`);
    await expect.poll(() => page.getByTestId("device-row").count()).toBe(0);
    await page.goto(`${web.url}/dashboard/devices/${deviceId}`);

    // --- A rule on a metric the device never reported: warned while typing and once saved.
    const newRule = page.getByRole("form", { name: "New rule" });
    await newRule.getByLabel("Metric").fill("tempreature");
    await newRule.getByTestId("metric-warning").waitFor();
    await newRule.getByLabel("Threshold").fill("30");
    await newRule.getByRole("button", { name: "Add rule" }).click();
    await page.getByTestId("rule-saved-warning").waitFor();
    const row = page.getByTestId("rule-row").first();
    await expect.poll(() => row.getAttribute("data-state")).toBe("no data");
    expect(await row.textContent()).toContain("never reported tempreature");
    await screenshot(page, `31-rule-never-reported-${name}`);

    // --- Edit it, with every option.
    await row.getByRole("button", { name: "Edit" }).click();
    const edit = page.getByRole("form", { name: "Edit rule" });
    await edit.getByLabel("Name (optional)").fill("Too hot");
    await edit.getByLabel("Metric").fill("temperature");
    await edit.getByLabel("Aggregate").selectOption("max");
    await edit.getByLabel("Window", { exact: true }).fill("10");
    await edit.getByLabel("Window unit").selectOption("min");
    await edit.getByLabel("Comparison").selectOption("gte");
    await edit.getByLabel("Threshold").fill("35");
    await edit.getByLabel("Resolves past (optional)").fill("32");
    await edit.getByLabel("With no data").selectOption("fire");
    await screenshot(page, `32-rule-edit-${name}`);
    await edit.getByRole("button", { name: "Save rule" }).click();
    await expect.poll(() => row.textContent()).toContain("Too hot: max(temperature) over 10 min ≥ 35");
    expect(await row.textContent()).toContain("resolves past 32");
    expect(await row.textContent()).toContain("no data: fire");
    await expect.poll(() => row.getAttribute("data-state")).toBe("ok");
    const [rule] = await database.current.sql`
      select name, metric, aggregate, window_seconds, comparator, threshold::float8, recovery_threshold::float8, no_data
      from alert_rules where device_id = ${deviceId}`;
    expect(rule).toEqual({
      name: "Too hot",
      metric: "temperature",
      aggregate: "max",
      window_seconds: 600,
      comparator: "gte",
      threshold: 35,
      recovery_threshold: 32,
      no_data: "fire",
    });
    await screenshot(page, `33-rules-${name}`);

    // --- Key rotation: a new key shown once, the old one kept for an hour.
    const old = await mqtt.connectAsync(mqttUrl, { username: key, reconnectPeriod: 0 });
    try {
      await page.getByRole("button", { name: "Replace key" }).click();
      await page.getByLabel("The old key keeps working for").selectOption("3600");
      await page.getByRole("dialog").getByRole("button", { name: "Replace key" }).click();
      const newKey =
        (await page.getByTestId("rotated").getByTestId("device-key").textContent())?.trim() ?? "";
      expect(newKey).toMatch(/^dk_/);
      expect(newKey).not.toBe(key);
      expect(await page.getByTestId("old-key-until").textContent()).toContain("The old key works until");
      await page.keyboard.press("Escape");
      await page.getByTestId("rotated").getByTestId("uncopied-warning").waitFor();
      expect(await dialogOpen(page, "rotated")).toBe(true);
      await page.getByTestId("rotated").getByRole("button", { name: "Copy curl: copy to clipboard" }).click();
      await page.getByTestId("rotated").getByText("Copied", { exact: true }).waitFor();
      await page.keyboard.press("Escape");
      await expect.poll(() => dialogOpen(page, "rotated")).toBe(false);
      await page.getByTestId("old-key-grace").waitFor();
      await screenshot(page, `34-key-replaced-${name}`);

      // Through the grace: both keys, both transports.
      await old.publishAsync(`devices/${key}/readings`, JSON.stringify({ temperature: 22 }), { qos: 1 });
      expect((await publish(key, { temperature: 22.5 })).status).toBe(202);
      expect((await publish(newKey, { temperature: 23 })).status).toBe(202);

      // The grace ends (moved in the database): the old key is refused, its client disconnected.
      const closed = new Promise<void>((resolve) => old.once("close", () => resolve()));
      await database.current.sql`
        update devices set previous_key_expires_at = now() - interval '1 second' where id = ${deviceId}`;
      await Promise.race([
        closed,
        new Promise((_, reject) =>
          setTimeout(() => reject(new Error("old key's client not disconnected")), 5000),
        ),
      ]);
      const refused = await mqtt
        .connectAsync(mqttUrl, { username: key, reconnectPeriod: 0 })
        .then((c) => c.endAsync().then(() => undefined))
        .catch((e: { code?: number }) => e.code);
      expect(refused).toBe(5);
      expect((await publish(key, { temperature: 24 })).status).toBe(401);
      expect((await publish(newKey, { temperature: 25 })).status).toBe(202);
      await page.reload();
      expect(await page.getByTestId("old-key-grace").count()).toBe(0);
    } finally {
      await old.endAsync(true);
    }
    await context.close();
  }, 180_000);
});

// The device page tells its owner why messages were refused: a device publishes bad messages over
// MQTT to the real ingest, which writes the counts per interval; the page (next build + start, in
// headless Chromium) and GET /api/devices/:id show them. Another account sees nothing of it.
import { useTestDatabase } from "@pulseboard/devstack/test";
import { launchChromium, screenshot, signUpInBrowser } from "@pulseboard/devstack/test/browser";
import { reapAll } from "@pulseboard/devstack/test/process";
import { type RunningWeb, signUp, startWeb } from "@pulseboard/devstack/test/web";
import mqtt from "mqtt";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningIngest, startIngest, until } from "../../apps/ingest/test/harness";
import { api } from "./helpers";

const database = useTestDatabase();
let web: RunningWeb;
let ingest: RunningIngest;
let browser: Browser;

beforeAll(async () => {
  ingest = await startIngest(database.current.url);
  const mqttUrl = new URL(ingest.mqttUrl);
  web = await startWeb(database.current, {
    PUBLIC_MQTT_URL: `mqtt://${mqttUrl.host}`,
    PUBLIC_INGEST_URL: ingest.httpUrl,
  });
  browser = await launchChromium();
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await web?.stop();
  await ingest?.close();
  await reapAll();
});

describe("rejected messages on the device page", () => {
  it("shows the count per reason and the last rejection; another owner gets nothing", async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    await signUpInBrowser(page, web.url, "Ida Integrator", `ida-${Date.now()}@example.com`);
    const created = await page.request.post(`${web.url}/api/devices`, { data: { name: "Bench sensor" } });
    const { id, deviceKey: key } = (await created.json()) as { id: string; deviceKey: string };

    // Nothing refused yet.
    await page.goto(`${web.url}/dashboard/devices/${id}`);
    expect(await page.getByTestId("rejected-count").textContent()).toBe("0");

    // Three bad bodies over MQTT, connected with the key as username (as the dialog's line does).
    const device = await mqtt.connectAsync(ingest.mqttUrl, { username: key, reconnectPeriod: 0 });
    try {
      const topic = `devices/${key}/readings`;
      await device.publishAsync(topic, '{"temperature": "warm"}', { qos: 1 });
      await device.publishAsync(topic, '{"temperature": "warm"}', { qos: 1 });
      await device.publishAsync(topic, "{temperature: 21}", { qos: 1 });
    } finally {
      await device.endAsync();
    }
    await until(
      () => database.current.sql<{ n: number }[]>`
        select coalesce(sum(count), 0)::int as n from device_rejections where device_id = ${id}`,
      (rows) => rows[0]?.n === 3,
    );

    await page.reload();
    expect(await page.getByTestId("rejected-count").textContent()).toBe("3");
    const rows = page.getByTestId("rejection-row");
    expect(await rows.count()).toBe(2);
    expect(await rows.first().getAttribute("data-reason")).toBe("bad_value");
    expect(await rows.first().textContent()).toContain("Value2");
    expect(await page.getByTestId("last-rejection").textContent()).toContain(
      "Last rejected: Invalid JSON at",
    );
    await screenshot(page, "30-device-rejections");

    // The API says the same.
    const answer = await page.request.get(`${web.url}/api/devices/${id}`);
    const body = (await answer.json()) as {
      rejections: {
        last24h: { reason: string; count: number }[];
        last: { reason: string; at: string } | null;
      };
    };
    expect(body.rejections.last24h).toEqual([
      { reason: "bad_value", count: 2 },
      { reason: "invalid_json", count: 1 },
    ]);
    expect(body.rejections.last?.reason).toBe("invalid_json");
    expect(Date.now() - Date.parse(body.rejections.last?.at ?? "")).toBeLessThan(120_000);
    expect(JSON.stringify(body)).not.toContain(key);

    // Another account: the device does not exist for it.
    const stranger = await signUp(web.url, "Stranger");
    expect((await api(web.url, stranger, "GET", `/api/devices/${id}`)).status).toBe(404);
    await context.close();
  });
});

/// <reference lib="dom" />
// The device page's charts (uPlot) in headless Chromium, at a desktop and a phone width: range
// presets, bucket size in words, units, the crosshair's bucket figures, drag to zoom (refetched at
// a finer bucket) and back, two metrics of different units on one chart with two y axes, and the
// CSV download of the points shown.
import { readFileSync } from "node:fs";
import { useTestDatabase } from "@pulseboard/devstack/test";
import { launchChromium, screenshot } from "@pulseboard/devstack/test/browser";
import { reapAll } from "@pulseboard/devstack/test/process";
import { type RunningWeb, signUp, startWeb, type TestUser } from "@pulseboard/devstack/test/web";
import { READINGS_CHANNEL } from "@pulseboard/schema/live";
import type { Browser, Locator, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api } from "./helpers";

const database = useTestDatabase();
const HOUR = 3600_000;
let web: RunningWeb;
let alice: TestUser;
let deviceId: string;
let browser: Browser;
let ruleId: string;
let cellarId: string;

const iso = (ms: number) => new Date(ms).toISOString();

/** A reading of `metric` every `stepSeconds` over the last `hours`, values from `expr` of g (the index). */
async function insert(metric: string, hours: number, stepSeconds: number, expr: "temperature" | "humidity") {
  const from = Date.now() - hours * HOUR;
  const count = Math.floor((hours * 3600) / stepSeconds);
  // 18–27 °C and 35–57 %, slowly varying with noise, with a two-hour hole three hours ago (a gap).
  await database.current.sql`
    insert into sensor_readings (device_id, metric, value, recorded_at, received_at)
    select ${deviceId}, ${metric},
           case when ${expr}::text = 'temperature' then 22 + 4 * sin(g / 90.0) + random() else 45 + 10 * cos(g / 120.0) + 2 * random() end,
           t, t
    from generate_series(0, ${count - 1}) g,
         lateral (select ${iso(from)}::timestamptz + make_interval(secs => g * ${stepSeconds}) as t) x
    where t < now() - interval '5 hours' or t > now() - interval '3 hours'`;
}

beforeAll(async () => {
  web = await startWeb(database.current);
  alice = await signUp(web.url, "Alice");
  const device = await api(web.url, alice, "POST", "/api/devices", { name: "Greenhouse" });
  deviceId = device.body.id;
  await insert("temperature", 26, 60, "temperature");
  await insert("humidity", 26, 60, "humidity");
  // Another device of Alice's, to overlay: a cooler temperature over the last 26 h too.
  cellarId = (await api(web.url, alice, "POST", "/api/devices", { name: "Cellar" })).body.id;
  await database.current.sql`
    insert into sensor_readings (device_id, metric, value, recorded_at, received_at)
    select ${cellarId}, 'temperature', 12 + 2 * sin(g / 60.0), t, t
    from generate_series(0, ${26 * 60 - 1}) g,
         lateral (select now() - interval '26 hours' + make_interval(mins => g) as t) x`;
  // And a third, with no readings: compared all the same (an empty series).
  expect((await api(web.url, alice, "POST", "/api/devices", { name: "Attic" })).status).toBe(201);
  const rule = await api(web.url, alice, "POST", `/api/devices/${deviceId}/rules`, {
    metric: "temperature",
    aggregate: "avg",
    comparator: "gt",
    threshold: 25,
    windowSeconds: 60,
  });
  expect(rule.status).toBe(201);
  ruleId = rule.body.id;
  browser = await launchChromium();
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await web?.stop();
  await reapAll();
});

interface Seen {
  url: URL;
  bucketSeconds: number;
}

async function openDevice(viewport: { width: number; height: number }) {
  const context = await browser.newContext({
    viewport,
    acceptDownloads: true,
    hasTouch: viewport.width < 600,
  });
  await context.addCookies(
    alice.cookie.split("; ").map((pair) => {
      const [name = "", ...value] = pair.split("=");
      return { name, value: value.join("="), url: web.url };
    }),
  );
  const page = await context.newPage();
  const seen: Seen[] = [];
  page.on("response", async (response) => {
    const url = new URL(response.url());
    if (!url.pathname.endsWith("/readings")) return;
    const body = (await response.json().catch(() => null)) as { bucketSeconds?: number } | null;
    seen.push({ url, bucketSeconds: body?.bucketSeconds ?? -1 });
  });
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  await page.goto(`${web.url}/dashboard/devices/${deviceId}?range=24h`);
  return { context, page, seen, errors };
}

const attr = async (chart: Locator, name: string) => (await chart.getAttribute(name)) ?? "";
const span = async (chart: Locator) =>
  Date.parse(await attr(chart, "data-to")) - Date.parse(await attr(chart, "data-from"));

/** Waits until the chart shows loaded points with this bucket. */
async function settled(chart: Locator, bucketSeconds: number) {
  await expect
    .poll(async () => [await attr(chart, "data-loading"), await attr(chart, "data-bucket-seconds")], {
      timeout: 15_000,
    })
    .toEqual(["false", String(bucketSeconds)]);
  expect(Number(await attr(chart, "data-points"))).toBeGreaterThan(0);
}

async function walk(page: Page, seen: Seen[], name: string) {
  const chart = page.getByTestId("chart-temperature");
  await chart.waitFor();
  // 24 h of minute readings: 5-minute buckets, in words, with units in the title and legend.
  await settled(chart, 300);
  expect(await chart.getByTestId("chart-bucket").textContent()).toBe("5 min buckets");
  expect(await chart.locator("h3").textContent()).toContain("temperature (°C)");
  expect(await chart.getByTestId("chart-legend").textContent()).toContain("temperature min–max");
  expect(await page.getByTestId("chart-humidity").locator("h3").textContent()).toContain("humidity (%)");
  const dayPoints = Number(await attr(chart, "data-points"));
  // 24 h of 5-minute buckets less the two-hour hole, give or take the partial ends.
  expect(dayPoints).toBeGreaterThan(250);
  expect(dayPoints).toBeLessThanOrEqual(266);
  await screenshot(page, `chart-ui-${name}-24h`);

  // Presets: 1 h gets 10-s buckets, in words.
  await page.getByRole("button", { name: "1 h", exact: true }).click();
  await page.waitForURL(/range=1h/);
  await settled(chart, 10);
  expect(await chart.getByTestId("chart-bucket").textContent()).toBe("10 s buckets");
  expect(Math.abs((await span(chart)) - HOUR)).toBeLessThan(60_000);
  await page.getByRole("button", { name: "24 h", exact: true }).click();
  await page.waitForURL(/range=24h/);
  await settled(chart, 300);
  expect(Math.abs((await span(chart)) - 24 * HOUR)).toBeLessThan(60_000);

  // The crosshair: the hovered bucket's time and its min, avg, max with units, and count.
  const over = chart.locator(".u-over");
  await over.scrollIntoViewIfNeeded();
  const box = await over.boundingBox();
  if (!box) throw new Error("no plot area");
  const values = chart.getByTestId("chart-values");
  const latest = await values.first().textContent();
  expect(await chart.getByTestId("chart-hover-time").textContent()).toContain("Latest bucket");
  await page.mouse.move(box.x + box.width * 0.25, box.y + box.height / 2);
  await expect
    .poll(() => chart.getByTestId("chart-hover-time").textContent())
    .toMatch(/\d{1,2}:\d{2}.*–.*\d{1,2}:\d{2}/);
  const hovered = (await values.first().textContent()) ?? "";
  expect(hovered).toMatch(/^min -?[\d.,]+ °C · avg -?[\d.,]+ °C · max -?[\d.,]+ °C · count (\d+)$/);
  // Minute readings in 5-minute buckets: five each.
  expect(hovered.match(/count (\d+)$/)?.[1]).toBe("5");
  expect(hovered).not.toBe(latest);
  await screenshot(page, `chart-ui-${name}-crosshair`);

  // Drag to zoom over a quarter of the plot: refetched for that window, at a finer bucket.
  const before = seen.length;
  await page.mouse.move(box.x + box.width * 0.55, box.y + box.height / 2);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width * 0.65, box.y + box.height / 2, { steps: 5 });
  await page.mouse.move(box.x + box.width * 0.8, box.y + box.height / 2, { steps: 5 });
  await page.mouse.up();
  await expect.poll(() => attr(chart, "data-zoomed")).toBe("true");
  await expect.poll(() => attr(chart, "data-loading")).toBe("false");
  // (A response body reaches this listener a moment after the page.)
  const zoomed = () =>
    seen
      .slice(before)
      .find((r) => r.url.searchParams.get("metric") === "temperature" && !r.url.searchParams.has("since"));
  await expect.poll(() => zoomed() !== undefined, { timeout: 5_000 }).toBe(true);
  const zoomRequest = zoomed();
  if (!zoomRequest) throw new Error(`no zoomed request: ${seen.slice(before).map((r) => r.url.search)}`);
  const asked =
    Date.parse(zoomRequest.url.searchParams.get("to") ?? "") -
    Date.parse(zoomRequest.url.searchParams.get("from") ?? "");
  // A quarter of 24 h, roughly (the plot's margins aside).
  expect(asked).toBeGreaterThan(3 * HOUR);
  expect(asked).toBeLessThan(9 * HOUR);
  expect(zoomRequest.url.searchParams.has("bucket")).toBe(false);
  expect(zoomRequest.bucketSeconds).toBeLessThan(300);
  expect(Number(await attr(chart, "data-bucket-seconds"))).toBe(zoomRequest.bucketSeconds);
  expect(await span(chart)).toBe(asked);
  expect(page.url()).toMatch(/from=.*&to=|to=.*&from=/);
  expect(await chart.getByTestId("chart-bucket").textContent()).toMatch(/^\d+ (s|min) buckets$/);
  await screenshot(page, `chart-ui-${name}-zoomed`);
  await chart.getByRole("button", { name: "Reset zoom" }).click();
  await expect.poll(() => attr(chart, "data-zoomed")).toBe("false");
  await settled(chart, 300);
  expect(Math.abs((await span(chart)) - 24 * HOUR)).toBeLessThan(60_000);
  expect(await chart.getByRole("button", { name: "Reset zoom" }).count()).toBe(0);
  expect(page.url()).toMatch(/range=24h/);

  // The CSV of the points shown: the header with units, a row per bucket.
  const [download] = await Promise.all([
    page.waitForEvent("download"),
    chart.getByRole("button", { name: "CSV" }).click(),
  ]);
  expect(download.suggestedFilename()).toMatch(
    /-temperature-\d{4}-\d{2}-\d{2}T\d{4}Z-\d{4}-\d{2}-\d{2}T\d{4}Z\.csv$/,
  );
  const file = await download.path();
  const lines = readFileSync(file, "utf8").trimEnd().split("\n");
  expect(lines[0]).toBe(
    "bucket_start,temperature min (°C),temperature avg (°C),temperature max (°C),temperature count",
  );
  expect(lines.length - 1).toBe(Number(await attr(chart, "data-points")));
  expect(lines[1]).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:00\.000Z,[\d.]+,[\d.]+,[\d.]+,\d+$/);

  // Two metrics of different units on one chart: two series, two y axes, both in the legend.
  const combine = page.getByTestId("chart-combine");
  await combine.getByLabel("temperature").check();
  await combine.getByLabel("humidity").check();
  await expect.poll(() => attr(chart, "data-series")).toBe("2");
  expect(await attr(chart, "data-axes")).toBe("2");
  expect(await page.getByTestId("chart-humidity").count()).toBe(0);
  await settled(chart, 300);
  const legend = (await chart.getByTestId("chart-legend").textContent()) ?? "";
  for (const text of ["temperature (°C)", "humidity (%)", "temperature min–max", "humidity min–max"])
    expect(legend).toContain(text);
  // The second series was asked for with the first one's bucket.
  const humidityBucket = () =>
    seen
      .filter((r) => r.url.searchParams.get("metric") === "humidity")
      .at(-1)
      ?.url.searchParams.get("bucket");
  await expect.poll(humidityBucket, { timeout: 5_000 }).toBe("300");
  await chart.locator(".u-over").scrollIntoViewIfNeeded();
  const combined = await chart.locator(".u-over").boundingBox();
  if (!combined) throw new Error("no plot area");
  await page.mouse.move(combined.x + combined.width * 0.9, combined.y + combined.height / 2);
  await expect.poll(() => values.nth(1).textContent()).toMatch(/^min [\d.,]+ % · avg [\d.,]+ % · max/);
  expect(await values.nth(0).textContent()).toMatch(/°C · count \d+$/);
  await screenshot(page, `chart-ui-${name}-combined`);
  await combine.getByLabel("humidity").uncheck();
  await combine.getByLabel("temperature").uncheck();
  await expect.poll(() => attr(chart, "data-series")).toBe("1");
  await page.getByTestId("chart-humidity").waitFor();

  // Another device's same metric overlaid: the same unit, so one axis; asked at the same bucket.
  await page.getByLabel("Compare with").selectOption({ label: "Cellar" });
  await expect.poll(() => attr(chart, "data-series")).toBe("2");
  expect(await attr(chart, "data-axes")).toBe("1");
  await settled(chart, 300);
  expect(await chart.getByTestId("chart-legend").textContent()).toContain("Cellar · temperature (°C)");
  const cellar = () =>
    seen.filter(
      (r) => r.url.pathname.includes(cellarId) && r.url.searchParams.get("metric") === "temperature",
    );
  await expect.poll(() => cellar().at(-1)?.url.searchParams.get("bucket"), { timeout: 5_000 }).toBe("300");
  await chart.locator(".u-over").scrollIntoViewIfNeeded();
  await screenshot(page, `chart-ui-${name}-compare`);
  // A third device beside them: three series.
  await page.getByLabel("Compare with").selectOption({ label: "Attic" });
  await expect.poll(() => attr(chart, "data-series")).toBe("3");
  expect(await chart.getByTestId("chart-legend").textContent()).toContain("Attic · temperature (°C)");
  await page.getByRole("button", { name: "Stop comparing with Attic" }).click();
  await page.getByRole("button", { name: "Stop comparing with Cellar" }).click();
  await expect.poll(() => attr(chart, "data-series")).toBe("1");
}

/** On a touch screen: a sideways swipe across the plot zooms to the window swiped over. */
async function swipeToZoom(page: Page) {
  const chart = page.getByTestId("chart-temperature");
  await settled(chart, 300);
  const over = chart.locator(".u-over");
  await over.scrollIntoViewIfNeeded();
  const box = await over.boundingBox();
  if (!box) throw new Error("no plot area");
  const y = box.y + box.height / 2;
  const touch = (x: number) => [{ identifier: 1, clientX: x, clientY: y }];
  const a = box.x + box.width * 0.2;
  const b = box.x + box.width * 0.45;
  await over.dispatchEvent("touchstart", {
    touches: touch(a),
    changedTouches: touch(a),
    targetTouches: touch(a),
  });
  for (const x of [a + 20, (a + b) / 2, b])
    await over.dispatchEvent("touchmove", {
      touches: touch(x),
      changedTouches: touch(x),
      targetTouches: touch(x),
    });
  await over.dispatchEvent("touchend", { touches: [], changedTouches: touch(b), targetTouches: [] });
  await expect.poll(() => attr(chart, "data-zoomed")).toBe("true");
  await expect.poll(() => attr(chart, "data-loading")).toBe("false");
  // A quarter of the plot's width of 24 h: about 6 hours, at a finer bucket than 5 minutes.
  const zoomedSpan = await span(chart);
  expect(zoomedSpan).toBeGreaterThan(4 * HOUR);
  expect(zoomedSpan).toBeLessThan(8 * HOUR);
  expect(Number(await attr(chart, "data-bucket-seconds"))).toBeLessThan(300);
  await screenshot(page, "chart-ui-phone-swipe-zoomed");
  await chart.getByRole("button", { name: "Reset zoom" }).click();
  await expect.poll(() => attr(chart, "data-zoomed")).toBe("false");
}

describe("the device charts", () => {
  for (const [name, viewport] of [
    ["desktop", { width: 1366, height: 900 }],
    ["phone", { width: 390, height: 844 }],
  ] as const) {
    it(`zoom, crosshair, presets, combined metrics and CSV at ${viewport.width}×${viewport.height}`, async () => {
      const { context, page, seen, errors } = await openDevice(viewport);
      try {
        await walk(page, seen, name);
        if (name === "phone") await swipeToZoom(page);
        // The chart fits its card: no sideways scrolling on a phone.
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        expect(overflow).toBeLessThanOrEqual(0);
        expect(errors).toEqual([]);
      } finally {
        await context.close();
      }
    }, 120_000);
  }

  it("shares a chart's range into a new community thread, drawn there from its frozen points", async () => {
    await database.current.sql`
      insert into categories (slug, name) values ('show-and-tell', 'Show and tell') on conflict (slug) do nothing`;
    const { context, page, errors } = await openDevice({ width: 1366, height: 900 });
    try {
      const chart = page.getByTestId("chart-temperature");
      await settled(chart, 300);
      const shown = Number(await attr(chart, "data-points"));
      await chart.getByRole("button", { name: "Share" }).click();
      const form = page.getByRole("form", { name: "Share to community" });
      await form.getByLabel("Category").selectOption("show-and-tell");
      await form.getByLabel("Title").fill("My greenhouse today");
      await form.getByLabel("Your note (Markdown)").fill("The afternoon peak is the sun on the glass.");
      await form.getByRole("button", { name: "Share", exact: true }).click();
      await page.waitForURL(/\/community\/t\/[0-9a-f-]+/);
      const card = page.getByTestId("snapshot");
      await card.waitFor();
      expect(await card.getAttribute("data-kind")).toBe("chart");
      const drawn = card.getByTestId("chart-temperature");
      await expect.poll(() => attr(drawn, "data-loading")).toBe("false");
      // The day's 5-minute buckets, as the dashboard showed them: nothing fetched for them.
      expect(Math.abs(Number(await attr(drawn, "data-points")) - shown)).toBeLessThanOrEqual(1);
      expect(await drawn.locator("h3").textContent()).toContain("Greenhouse · temperature (°C)");
      await drawn.locator(".u-over").scrollIntoViewIfNeeded();
      await screenshot(page, "chart-ui-shared-snapshot");
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  }, 60_000);

  it("around an alert: its fired and resolved markers, the range past now drawn and kept live", async () => {
    const fired = Date.now() - 10 * 60_000;
    const resolved = Date.now() - 5 * 60_000;
    const [alert] = await database.current.sql<{ id: string }[]>`
      insert into alerts (rule_id, device_id, status, triggered_at, resolved_at, value)
      values (${ruleId}, ${deviceId}, 'resolved', ${iso(fired)}, ${iso(resolved)}, 26)
      returning id`;
    const context = await browser.newContext({ viewport: { width: 1366, height: 900 } });
    await context.addCookies(
      alice.cookie.split("; ").map((pair) => {
        const [name = "", ...value] = pair.split("=");
        return { name, value: value.join("="), url: web.url };
      }),
    );
    const page = await context.newPage();
    const since: URL[] = [];
    page.on("request", (request) => {
      const url = new URL(request.url());
      if (url.pathname.endsWith("/readings") && url.searchParams.has("since")) since.push(url);
    });
    try {
      await page.goto(`${web.url}/dashboard/devices/${deviceId}?alert=${alert?.id}`);
      const chart = page.getByTestId("chart-temperature");
      await expect.poll(() => attr(chart, "data-loading"), { timeout: 15_000 }).toBe("false");
      // Both markers in the range, which runs past now (drawn empty) and is centred on the firing.
      expect(await attr(chart, "data-markers")).toBe("2");
      const from = Date.parse(await attr(chart, "data-from"));
      const to = Date.parse(await attr(chart, "data-to"));
      expect(to).toBeGreaterThan(Date.now() + 10 * 60_000);
      expect(Math.abs((from + to) / 2 - fired)).toBeLessThan(1000);
      expect(await chart.getByTestId("chart-legend").textContent()).toContain("alert fired, resolved");
      await chart.locator(".u-over").scrollIntoViewIfNeeded();
      await screenshot(page, "chart-ui-alert");

      // Live: a new reading is fetched (since the last bucket) into the fixed range.
      await page
        .locator('[data-testid="live-state"][data-state="open"]')
        .first()
        .waitFor({ timeout: 15_000 });
      const points = Number(await attr(chart, "data-points"));
      await database.current.sql`
        insert into sensor_readings (device_id, metric, value, recorded_at, received_at)
        values (${deviceId}, 'temperature', 30, now(), now())`;
      const hint = JSON.stringify([{ o: alice.id, d: deviceId, m: ["temperature"] }]);
      await database.current.sql`select pg_notify(${READINGS_CHANNEL}, ${hint})`;
      await expect
        .poll(() => since.some((u) => u.searchParams.get("metric") === "temperature"), {
          timeout: 15_000,
        })
        .toBe(true);
      await expect.poll(async () => Number(await attr(chart, "data-points"))).toBe(points + 1);
      expect(since.find((u) => u.searchParams.get("metric") === "temperature")?.searchParams.get("to")).toBe(
        iso(to),
      );
    } finally {
      await context.close();
    }
  }, 60_000);
});

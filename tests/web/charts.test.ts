/// <reference lib="dom" />
// The chart API over the roll-up tiers, through the production web app: ranges capped at 400 days,
// buckets no finer than the stored tiers keep for the range (a 400 naming the limit), `since`
// (only the buckets from the last one the client has, that one re-read), a statement timeout
// answered 503 with Retry-After; and in headless Chromium, a live chart that fetches only its new
// buckets and appends them.
import { useTestDatabase } from "@pulseboard/devstack/test";
import { launchChromium, screenshot } from "@pulseboard/devstack/test/browser";
import { reapAll } from "@pulseboard/devstack/test/process";
import { type RunningWeb, signUp, startWeb, type TestUser } from "@pulseboard/devstack/test/web";
import { READINGS_CHANNEL } from "@pulseboard/schema/live";
import type { Browser } from "playwright-core";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api } from "./helpers";

const database = useTestDatabase();
const DAY = 86_400_000;
const MINUTE = 60_000;
let web: RunningWeb;
let alice: TestUser;
let deviceId: string;
let browser: Browser | undefined;

const readings = (query: Record<string, string | number>) =>
  api(
    web.url,
    alice,
    "GET",
    `/api/devices/${deviceId}/readings?${new URLSearchParams(
      Object.entries({ metric: "temperature", ...query }).map(([k, v]) => [k, String(v)]),
    )}`,
  );
const iso = (ms: number) => new Date(ms).toISOString();

/** `count` readings every `stepSeconds` from `fromMs`, values `first`, `first + 1`, …; received when recorded. */
async function insert(fromMs: number, count: number, stepSeconds: number, first = 0) {
  await database.current.sql`
    insert into sensor_readings (device_id, metric, value, recorded_at, received_at)
    select ${deviceId}, 'temperature', ${first} + g, t, least(t, now())
    from generate_series(0, ${count - 1}) g,
         lateral (select ${iso(fromMs)}::timestamptz + make_interval(secs => g * ${stepSeconds}) as t) x`;
}

beforeAll(async () => {
  web = await startWeb(database.current, { CHART_STATEMENT_TIMEOUT_MS: "500" });
  alice = await signUp(web.url, "Alice");
  const device = await api(web.url, alice, "POST", "/api/devices", { name: "Greenhouse" });
  deviceId = device.body.id;
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await web?.stop();
  await reapAll();
});

describe("chart ranges", () => {
  it("are at most 400 days", async () => {
    const to = Date.now();
    const res = await readings({ from: iso(to - 401 * DAY), to: iso(to) });
    expect(res.status).toBe(400);
    expect(res.body.error).toBe("invalid query: to: the range is at most 400 days");
    expect((await readings({ from: iso(to - 400 * DAY), to: iso(to) })).status).toBe(200);
  });

  it("get buckets no finer than the stored tiers keep for them; asking finer is a 400 naming the limit", async () => {
    const now = Date.now();
    // 40 days ago: past RAW_RETENTION_DAYS (30), within MINUTE_RETENTION_DAYS (400).
    const monthAgo = { from: iso(now - 40 * DAY), to: iso(now - 40 * DAY + 3600_000) };
    expect((await readings(monthAgo)).body.bucketSeconds).toBe(60);
    for (const bucket of [10, 90]) {
      const res = await readings({ ...monthAgo, bucket });
      expect(res.status).toBe(400);
      expect(res.body).toEqual({ error: expect.stringContaining("RAW_RETENTION_DAYS"), field: "bucket" });
    }
    expect((await readings({ ...monthAgo, bucket: 120 })).body.bucketSeconds).toBe(120);
    // 500 days ago: only whole hours.
    const longAgo = { from: iso(now - 500 * DAY), to: iso(now - 500 * DAY + 2 * 3600_000) };
    expect((await readings(longAgo)).body.bucketSeconds).toBe(3600);
    const res = await readings({ ...longAgo, bucket: 60 });
    expect(res.status).toBe(400);
    expect(res.body.error).toContain("MINUTE_RETENTION_DAYS");
    // Within raw retention, any bucket.
    const hour = { from: iso(now - 3600_000), to: iso(now) };
    expect((await readings({ ...hour, bucket: 10 })).body.bucketSeconds).toBe(10);
  });
});

describe("since", () => {
  it("returns only the buckets from the last one the client has, re-reading that one", async () => {
    const t0 = Math.floor(Date.now() / MINUTE) * MINUTE - 20 * MINUTE;
    await insert(t0, 30, 10); // five minutes, six readings each
    const window = { from: iso(t0 - 3600_000), to: iso(t0 + 10 * MINUTE), bucket: 60 };
    const full = await readings(window);
    expect(full.status).toBe(200);
    expect(full.body.points.map((p: { count: number }) => p.count)).toEqual([6, 6, 6, 6, 6]);
    const last = full.body.points.at(-1);

    // Two more readings in the last minute (a lagging bucket), three in the next one.
    await insert(t0 + 4 * MINUTE + 5_000, 2, 20, 100);
    await insert(t0 + 5 * MINUTE, 3, 10, 200);
    const update = await readings({ ...window, since: last.t });
    expect(update.status).toBe(200);
    expect(update.body.since).toBe(new Date(last.t).toISOString());
    const again = await readings(window);
    // The last bucket again (now with 8), the new one, and nothing before.
    expect(update.body.points).toEqual(again.body.points.slice(-2));
    expect(update.body.points.map((p: { t: string; count: number }) => [p.t, p.count])).toEqual([
      [last.t, 8],
      [iso(t0 + 5 * MINUTE).replace(".000Z", "Z"), 3],
    ]);
    // `since` must be a bucket start of the bucket asked for.
    const off = await readings({ ...window, since: iso(Date.parse(last.t) + 1_000) });
    expect(off.status).toBe(400);
    expect(off.body).toEqual({ error: expect.stringContaining("since must be the start"), field: "since" });
    const late = await readings({ ...window, since: window.to });
    expect(late.status).toBe(400);
    expect(late.body.error).toBe("invalid query: since: since must be before to");
  });
});

describe("statement timeout", () => {
  it("a chart that cannot be computed within CHART_STATEMENT_TIMEOUT_MS answers 503 with Retry-After", async () => {
    const now = Date.now();
    const week = { from: iso(now - 7 * DAY), to: iso(now), bucket: 3600 };
    const holder = postgres(database.current.directUrl, { max: 1 });
    try {
      await holder.begin(async (tx) => {
        // A migration's lock, say: the chart's statements wait for it, then give up.
        await tx`lock table reading_rollups_1h in access exclusive mode`;
        const started = Date.now();
        const res = await readings(week);
        expect(res.status).toBe(503);
        expect(res.body).toEqual({ error: expect.stringMatching(/took longer than 500 ms/) });
        expect(Date.now() - started).toBeLessThan(5_000);
        const raw = await fetch(
          `${web.url}/api/devices/${deviceId}/readings?${new URLSearchParams({ metric: "temperature", ...week, bucket: "3600" })}`,
          {
            headers: { cookie: alice.cookie },
          },
        );
        expect(raw.status).toBe(503);
        expect(raw.headers.get("retry-after")).toBe("1");
      });
    } finally {
      await holder.end();
    }
    expect((await readings(week)).status).toBe(200);
  });
});

describe("a live chart", () => {
  it("fetches only the new buckets when readings arrive, and appends them", async () => {
    // The last five minutes, a reading every 10 s (10-s buckets on the 1-hour chart).
    await insert(Date.now() - 5 * MINUTE, 30, 10, 400);
    browser = await launchChromium();
    const context = await browser.newContext();
    await context.addCookies(
      alice.cookie.split("; ").map((pair) => {
        const [name = "", ...value] = pair.split("=");
        return { name, value: value.join("="), url: web.url };
      }),
    );
    const page = await context.newPage();
    const requests: { url: URL; points: number }[] = [];
    page.on("response", async (response) => {
      const url = new URL(response.url());
      if (!url.pathname.endsWith("/readings")) return;
      const body = (await response.json().catch(() => null)) as { points?: unknown[] } | null;
      requests.push({ url, points: body?.points?.length ?? -1 });
    });
    await page.goto(`${web.url}/dashboard/devices/${deviceId}?range=1h`);
    const chart = page.getByTestId("chart-temperature");
    await chart.waitFor();
    const shown = async () => Number(await chart.getAttribute("data-points"));
    await expect.poll(shown, { timeout: 15_000 }).toBeGreaterThan(0);
    const before = await shown();
    // The live stream is open (a hint sent before it is is not stored for it).
    await page.locator('[data-testid="live-state"][data-state="open"]').first().waitFor({ timeout: 15_000 });
    expect(requests.filter((r) => r.url.searchParams.has("since"))).toEqual([]);

    // A new reading now, then the hint the ingest sends after a flush.
    await insert(Date.now(), 1, 1, 300);
    const hint = JSON.stringify([{ o: alice.id, d: deviceId, m: ["temperature"] }]);
    await database.current.sql`select pg_notify(${READINGS_CHANNEL}, ${hint})`;
    await expect
      .poll(shown, {
        timeout: 15_000,
        message: JSON.stringify(requests.map((r) => [r.url.search, r.points])),
      })
      .toBe(before + 1);
    // (Its response body reaches this listener a moment after the page.)
    await expect.poll(() => requests.some((r) => r.url.searchParams.has("since"))).toBe(true);
    const update = requests.find((r) => r.url.searchParams.has("since"));
    // The update asked for the chart's own bucket from its last bucket on: that one and the new one.
    expect(update?.url.searchParams.get("bucket")).toBe("10");
    expect(update?.points).toBe(2);
    // What the chart shows is what a full read of the window gives.
    const full = await readings({
      from: update?.url.searchParams.get("from") ?? "",
      to: update?.url.searchParams.get("to") ?? "",
    });
    expect(full.body.points).toHaveLength(before + 1);
    await screenshot(page, "chart-live-append");
    await context.close();
  }, 90_000);
});

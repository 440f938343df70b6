// The app a person keeps using, in Chromium at 390×844 (a phone) and 1366×900: the navigation
// fits (a menu on the phone) and nothing scrolls sideways; a refused form names its field as the
// form labels it, and an ended session links to sign-in and back; the time zone set in settings
// moves the heat map; numbers read one way; password change; dark mode; pages of workouts;
// keyboard use (skip link, the delete dialog holding and returning focus); account deletion with
// its data; and an axe-core scan of every main page in both themes with no serious or critical
// violation. Screenshots land in test-artifacts/screenshots.
import { useTestDatabase } from "@pulseboard/devstack/test";
import {
  axeViolations,
  launchChromium,
  screenshot,
  signUpInBrowser,
} from "@pulseboard/devstack/test/browser";
import { reapAll } from "@pulseboard/devstack/test/process";
import { clientAddress, type RunningWeb, startWeb } from "@pulseboard/devstack/test/web";
import { seedExerciseCatalog } from "@pulseboard/schema/seed";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { insertReadings } from "./helpers";

const database = useTestDatabase();
let web: RunningWeb;
let browser: Browser;

const PASSWORD = "correct horse battery";
const LONG_NAME = `Greenhouse-north-bench-sensor-with-a-very-long-name-${"x".repeat(40)}`;

beforeAll(async () => {
  await seedExerciseCatalog(database.current.db);
  web = await startWeb(database.current);
  browser = await launchChromium();
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await web?.stop();
  await reapAll();
});

const SIZES = [
  { name: "phone", viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true },
  { name: "desktop", viewport: { width: 1366, height: 900 }, isMobile: false, hasTouch: false },
] as const;

async function newContext(
  size: (typeof SIZES)[number],
  colorScheme: "light" | "dark" = "light",
  timezoneId = "UTC",
): Promise<BrowserContext> {
  return browser.newContext({
    viewport: size.viewport,
    isMobile: size.isMobile,
    hasTouch: size.hasTouch,
    timezoneId,
    locale: "en-US",
    colorScheme,
    // A client address of its own (the test is the trusted proxy): sign-up limits are per address.
    extraHTTPHeaders: { "x-forwarded-for": clientAddress() },
  });
}

/** Signs up a new person with a device (long name), a rule, an alert and a workout. */
async function personWithData(page: Page, label: string): Promise<{ email: string; deviceId: string }> {
  const email = `${label}-${Date.now()}-${Math.random().toString(36).slice(2, 6)}@example.com`;
  await signUpInBrowser(page, web.url, label, email);
  const device = await page.request.post(`${web.url}/api/devices`, { data: { name: LONG_NAME } });
  const { id: deviceId } = (await device.json()) as { id: string };
  const rule = await page.request.post(`${web.url}/api/devices/${deviceId}/rules`, {
    data: { metric: "temperature", comparator: "gt", threshold: 30, aggregate: "avg", windowSeconds: 60 },
  });
  const { id: ruleId } = (await rule.json()) as { id: string };
  await insertReadings(
    database.current,
    deviceId,
    "temperature",
    new Date(Date.now() - 30 * 60_000),
    30,
    60,
    (i) => 20 + i / 3,
  );
  await database.current.sql`
    insert into alerts (rule_id, device_id, status, value) values (${ruleId}, ${deviceId}, 'firing', 3975.5)`;
  const exercises = (await (await page.request.get(`${web.url}/api/exercises`)).json()) as { id: string }[];
  const logged = await page.request.post(`${web.url}/api/workouts`, {
    data: {
      performedAt: new Date(Date.now() - 2 * 3600_000).toISOString(),
      sets: [{ exerciseId: exercises[0]?.id, setNumber: 1, reps: 5, weightKg: 795 }],
    },
  });
  expect(logged.status()).toBe(201);
  return { email, deviceId };
}

/** True when the page is no wider than the window: nothing scrolls sideways. */
async function fitsWidth(page: Page): Promise<boolean> {
  return page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);
}

const MAIN_PAGES = [
  "/dashboard",
  "/dashboard/devices",
  "/dashboard/alerts",
  "/dashboard/workouts",
  "/dashboard/workouts/new",
  "/dashboard/plans",
  "/dashboard/exercises",
  "/dashboard/progress",
  "/community",
  "/settings",
];

describe.each(SIZES)("at $viewport.width×$viewport.height", (size) => {
  it("navigation reaches every page; nothing scrolls sideways; numbers read one way", async () => {
    const context = await newContext(size);
    const page = await context.newPage();
    const { deviceId } = await personWithData(page, `nav-${size.name}`);
    await page.goto(`${web.url}/dashboard`);
    const menu = page.getByRole("button", { name: /Menu/ });
    const community = page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Community" });
    if (size.name === "phone") {
      // The links sit behind the menu, which opens them all and closes on Escape.
      expect(await community.isVisible()).toBe(false);
      await menu.click();
      expect(await menu.getAttribute("aria-expanded")).toBe("true");
      expect(await page.getByRole("navigation", { name: "Main" }).getByRole("link").count()).toBe(8);
      await screenshot(page, `40-nav-menu-${size.name}`);
      await page.keyboard.press("Escape");
      expect(await community.isVisible()).toBe(false);
      expect(await page.evaluate(() => document.activeElement?.className)).toBe("nav-menu-button");
      await menu.click();
    } else {
      expect(await menu.isVisible()).toBe(false);
    }
    await community.click();
    await page.waitForURL(`${web.url}/community`);
    for (const path of [...MAIN_PAGES, `/dashboard/devices/${deviceId}`]) {
      await page.goto(`${web.url}${path}`);
      expect({ path, fits: await fitsWidth(page) }).toEqual({ path, fits: true });
    }
    // A number is written the same way on every page: the alert's value, the workout's volume.
    await page.goto(`${web.url}/dashboard`);
    expect(await page.getByText("value 3,975.5").count()).toBe(1);
    expect(await page.getByTestId("firing-count").textContent()).toBe("1");
    // "Firing alerts" is said once on the overview.
    expect(await page.getByText("Firing alerts").count()).toBe(1);
    await page.goto(`${web.url}/dashboard/workouts`);
    expect(await page.getByTestId("workout-row").textContent()).toContain("3,975 kg");
    await page.goto(`${web.url}/dashboard/progress`);
    expect(await page.locator("body").textContent()).toContain("3,975 kg");
    // Two sessions that share a start time are two points of the progress charts, side by side.
    const [logged] = (await (await page.request.get(`${web.url}/api/workouts`)).json()) as {
      performedAt: string;
    }[];
    const exercises = (await (await page.request.get(`${web.url}/api/exercises`)).json()) as { id: string }[];
    await page.request.post(`${web.url}/api/workouts`, {
      data: {
        performedAt: logged?.performedAt,
        sets: [{ exerciseId: exercises[0]?.id, setNumber: 1, reps: 5, weightKg: 800 }],
      },
    });
    await page.goto(`${web.url}/dashboard/progress`);
    const xs = await page
      .getByRole("img", { name: "volume per session" })
      .locator("circle")
      .evaluateAll((circles) => circles.map((c) => c.getAttribute("cx")));
    expect(xs).toHaveLength(2);
    expect(new Set(xs).size).toBe(2);
    await page.goto(`${web.url}/dashboard/devices`);
    await screenshot(page, `41-devices-cards-${size.name}`);
    await context.close();
  }, 120_000);

  it("a refused form names its field; an ended session links to sign-in and back", async () => {
    const context = await newContext(size);
    const page = await context.newPage();
    await personWithData(page, `forms-${size.name}`);
    await page.goto(`${web.url}/dashboard/workouts/new`);
    await page.getByRole("button", { name: "Add set" }).click();
    await page.getByLabel("Weight").first().fill("2000");
    await page.getByRole("button", { name: "Save workout" }).click();
    const error = page.getByTestId("form-error");
    await error.waitFor();
    expect(await error.textContent()).toMatch(/^Weight \(kg\) of .+ set 1 must be at most 1,000 kg\.$/);
    // The main button stays in reach at the bottom of a phone's screen (sticky), wherever the form is scrolled.
    if (size.name === "phone") {
      const save = page.getByRole("button", { name: "Save workout" });
      expect(await save.evaluate((b) => getComputedStyle(b.parentElement as Element).position)).toBe(
        "sticky",
      );
    }
    await screenshot(page, `42-form-error-${size.name}`);

    // Signed out meanwhile (the cookie gone): the form says so and links to sign-in and back.
    await context.clearCookies();
    await page.getByLabel("Weight").first().fill("100");
    await page.getByRole("button", { name: "Save workout" }).click();
    const link = error.getByRole("link", { name: "Sign in again" });
    await link.waitFor();
    expect(await link.getAttribute("href")).toBe(
      `/sign-in?next=${encodeURIComponent("/dashboard/workouts/new")}`,
    );
    // A page whose session is gone while its cookie stays (revoked, forged) sends to sign-in and back.
    await context.addCookies([{ name: "better-auth.session_token", value: "revoked.value", url: web.url }]);
    await page.goto(`${web.url}/dashboard/workouts?month=2026-11`);
    await page.waitForURL(/\/sign-in\?/);
    expect(new URL(page.url()).searchParams.get("next")).toBe("/dashboard/workouts?month=2026-11");
    await context.close();
  }, 120_000);

  it("time zone moves the heat map; password change; dark mode; pages of workouts", async () => {
    const context = await newContext(size);
    const page = await context.newPage();
    const { email } = await personWithData(page, `tz-${size.name}`);
    // The browser's zone (UTC) was stored on the first visit.
    expect(await (await page.request.get(`${web.url}/api/settings`)).json()).toEqual({
      timeZone: "UTC",
      stored: true,
    });

    // A workout at 22:00 UTC yesterday: yesterday in UTC, today in Tokyo.
    const today = new Date();
    today.setUTCHours(0, 0, 0, 0);
    const at = new Date(today.getTime() - 2 * 3600_000);
    const exercises = (await (await page.request.get(`${web.url}/api/exercises`)).json()) as { id: string }[];
    await page.request.post(`${web.url}/api/workouts`, {
      data: {
        performedAt: at.toISOString(),
        sets: [{ exerciseId: exercises[1]?.id, setNumber: 1, reps: 3 }],
      },
    });
    const day = (d: Date) => d.toISOString().slice(0, 10);
    const yesterday = day(at);
    const tokyoToday = day(new Date(at.getTime() + 9 * 3600_000));
    await page.goto(`${web.url}/dashboard/workouts`);
    const countOn = (d: string) => page.locator(`[data-day="${d}"]`).getAttribute("data-count");
    const before = { yesterday: await countOn(yesterday), tokyoToday: await countOn(tokyoToday) };

    await page.goto(`${web.url}/settings`);
    await page.getByRole("combobox", { name: "Time zone" }).selectOption("Asia/Tokyo");
    await page.getByRole("button", { name: "Save time zone" }).click();
    await page.getByText("Saved: dates now show in Asia/Tokyo").waitFor();
    await page.goto(`${web.url}/dashboard/workouts`);
    const after = { yesterday: await countOn(yesterday), tokyoToday: await countOn(tokyoToday) };
    // Each workout sits on its day in the zone: the 22:00 UTC one moved from yesterday to today.
    const times = (
      (await (await page.request.get(`${web.url}/api/workouts`)).json()) as { performedAt: string }[]
    ).map((w) => new Date(w.performedAt));
    const dayIn = (d: Date, timeZone: string) => d.toLocaleDateString("en-CA", { timeZone });
    const expected = (timeZone: string, d: string) =>
      String(times.filter((t) => dayIn(t, timeZone) === d).length);
    expect(dayIn(at, "UTC")).toBe(yesterday);
    expect(dayIn(at, "Asia/Tokyo")).toBe(tokyoToday);
    expect(before).toEqual({
      yesterday: expected("UTC", yesterday),
      tokyoToday: expected("UTC", tokyoToday),
    });
    expect(after).toEqual({
      yesterday: expected("Asia/Tokyo", yesterday),
      tokyoToday: expected("Asia/Tokyo", tokyoToday),
    });
    expect(Number(after.tokyoToday)).toBeGreaterThan(Number(before.tokyoToday));
    expect(await page.locator("body").textContent()).toContain("in Asia/Tokyo days");
    // Every date is on the Tokyo clock too: the 22:00 UTC workout is listed at 07:00.
    const shownAt = at.toLocaleString("en-US", {
      timeZone: "Asia/Tokyo",
      dateStyle: "medium",
      timeStyle: "short",
    });
    expect(await page.locator(`time[datetime="${at.toISOString()}"]`).textContent()).toBe(shownAt);
    await screenshot(page, `43-heatmap-tokyo-${size.name}`);

    // Pages of workouts: 25 a page, then the older ones.
    const many = Array.from({ length: 26 }, (_, i) => ({
      performedAt: new Date(Date.now() - (i + 3) * 86_400_000).toISOString(),
      sets: [{ exerciseId: exercises[0]?.id, setNumber: 1, reps: 5, weightKg: 50 }],
    }));
    for (const data of many) await page.request.post(`${web.url}/api/workouts`, { data });
    await page.goto(`${web.url}/dashboard/workouts`);
    expect(await page.getByTestId("workout-row").count()).toBe(25);
    await page.getByRole("link", { name: "Older workouts →" }).click();
    await page.waitForURL(/cursor=/);
    expect(await page.getByTestId("workout-row").count()).toBe(28 - 25);
    await page.getByRole("link", { name: "← Newest workouts" }).click();
    await page.waitForURL(`${web.url}/dashboard/workouts`);

    // Dark mode: the toggle, kept across pages.
    await page.getByTestId("theme-toggle").click();
    expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe("dark");
    await page.reload();
    expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe("dark");
    const background = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    expect(background).toBe("rgb(11, 17, 32)");
    await screenshot(page, `44-dark-${size.name}`);
    await page.getByTestId("theme-toggle").click(); // light
    await page.getByTestId("theme-toggle").click(); // system

    // Password change: the old one stops working, the new one signs in.
    await page.goto(`${web.url}/settings`);
    await page.getByLabel("Current password").fill("wrong password here");
    await page.getByLabel("New password (at least 8 characters)").fill("a new battery staple");
    await page.getByLabel("New password again").fill("a new battery staple");
    await page.getByRole("button", { name: "Change password" }).click();
    await page.getByText("The current password is not right.").waitFor();
    await page.getByLabel("Current password").fill(PASSWORD);
    await page.getByRole("button", { name: "Change password" }).click();
    await page.getByText("Password changed.").waitFor();
    const signIn = async (password: string) =>
      page.request.post(`${web.url}/api/auth/sign-in/email`, {
        data: { email, password },
        headers: { origin: web.url },
      });
    expect((await signIn(PASSWORD)).status()).toBe(401);
    expect((await signIn("a new battery staple")).status()).toBe(200);
    await context.close();
  }, 180_000);
});

describe("keyboard, account deletion and accessibility", () => {
  it.each(SIZES)(
    "the skip link and the delete dialog work from the keyboard; deletion takes the data ($name)",
    async (size) => {
      const context = await newContext(size);
      const page = await context.newPage();
      const { email, deviceId } = await personWithData(page, `delete-${size.name}`);
      const [user] = await database.current.sql<
        { id: string }[]
      >`select id from "user" where email = ${email}`;
      const userId = user?.id ?? "";

      // The first Tab reaches the skip link, which takes focus to the page's content.
      await page.goto(`${web.url}/dashboard`);
      await page.keyboard.press("Tab");
      expect(await page.evaluate(() => document.activeElement?.textContent)).toBe("Skip to content");
      await screenshot(page, `45-skip-link-${size.name}`);
      await page.keyboard.press("Enter");
      expect(await page.evaluate(() => document.activeElement?.id)).toBe("main");

      // The delete dialog says what goes, keeps focus inside, and gives it back on Escape.
      await page.goto(`${web.url}/settings`);
      const opener = page.getByRole("button", { name: "Delete account…" });
      await opener.focus();
      await page.keyboard.press("Enter");
      const dialog = page.getByRole("dialog", { name: "Delete your account?" });
      await dialog.waitFor();
      expect(await dialog.getByTestId("deletion-footprint").textContent()).toMatch(
        /1 device with all their readings, 1 rule.*1 workout and 0 plans.*0 threads/s,
      );
      for (let i = 0; i < 6; i++) {
        await page.keyboard.press("Tab");
        expect(await page.evaluate(() => Boolean(document.activeElement?.closest("dialog")))).toBe(true);
      }
      await screenshot(page, `46-delete-dialog-${size.name}`);
      await page.keyboard.press("Escape");
      expect(await page.evaluate(() => document.activeElement?.textContent)).toBe("Delete account…");

      // A wrong password changes nothing; the right one deletes the account and its data.
      await opener.click();
      await dialog.getByLabel("Your password, to confirm").fill("not my password");
      await dialog.getByRole("button", { name: "Delete my account and its data" }).click();
      await dialog.getByText("The password is not right.").waitFor();
      expect(await database.current.sql`select 1 from "user" where id = ${userId}`).toHaveLength(1);
      await dialog.getByLabel("Your password, to confirm").fill(PASSWORD);
      await dialog.getByRole("button", { name: "Delete my account and its data" }).click();
      await page.waitForURL(`${web.url}/sign-up?deleted=1`);
      await page.getByTestId("account-deleted").waitFor();
      const left = await database.current.sql<{ users: number; devices: number; workouts: number }[]>`
      select (select count(*)::int from "user" where id = ${userId}) as users,
             (select count(*)::int from devices where id = ${deviceId}) as devices,
             (select count(*)::int from workout_logs where user_id = ${userId}) as workouts`;
      expect(left).toEqual([{ users: 0, devices: 0, workouts: 0 }]);
      // Its readings are queued for the background purge (no other query can reach them now).
      expect(
        await database.current.sql`select 1 from device_purges where device_id = ${deviceId}`,
      ).toHaveLength(1);
      await context.close();
    },
    120_000,
  );

  it.each(["light", "dark"] as const)(
    "every main page passes an axe-core scan in the %s theme",
    async (theme) => {
      const context = await newContext(SIZES[1], theme);
      const page = await context.newPage();
      const { deviceId } = await personWithData(page, `axe-${theme}`);
      const found: Record<string, unknown> = {};
      for (const path of [...MAIN_PAGES, `/dashboard/devices/${deviceId}`]) {
        await page.goto(`${web.url}${path}`);
        await page.waitForLoadState("networkidle");
        const violations = await axeViolations(page);
        if (violations.length > 0) found[path] = violations;
      }
      await page.goto(`${web.url}/dashboard`);
      await screenshot(page, `47-overview-${theme}`);
      expect(found).toEqual({});
      // Signed out: sign-in and the community as a reader.
      await context.clearCookies();
      for (const path of ["/sign-in", "/sign-up", "/community"]) {
        await page.goto(`${web.url}${path}`);
        const violations = await axeViolations(page);
        if (violations.length > 0) found[path] = violations;
      }
      expect(found).toEqual({});
      await context.close();
    },
    180_000,
  );
});

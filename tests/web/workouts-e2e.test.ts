import { useTestDatabase } from "@pulseboard/devstack/test";
import { launchChromium, screenshot, signUpInBrowser } from "@pulseboard/devstack/test/browser";
import { reapAll } from "@pulseboard/devstack/test/process";
import { type RunningWeb, startWeb } from "@pulseboard/devstack/test/web";
import { seedExerciseCatalog } from "@pulseboard/schema/seed";
import { createProfile } from "@pulseboard/simulator";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { insertReadings } from "./helpers";

const database = useTestDatabase();
let web: RunningWeb;
let browser: Browser;

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

describe("workouts in a browser, on a phone", () => {
  it("plan, log with a wearable, history, records, heart rate", async () => {
    const context = await browser.newContext({
      viewport: { width: 390, height: 844 },
      isMobile: true,
      hasTouch: true,
    });
    const page = await context.newPage();
    await signUpInBrowser(page, web.url, "Pat Phone", `pat-${Date.now()}@example.com`);

    // A plan: bench press, 3 × 5.
    await page.goto(`${web.url}/dashboard/plans`);
    const planForm = page.getByRole("form", { name: "New plan" });
    await planForm.getByLabel("Plan name").fill("Push day");
    await planForm.getByLabel("Exercise 1").selectOption({ label: "Barbell Bench Press" });
    await planForm.getByLabel("Sets").fill("3");
    await planForm.getByLabel("Reps").fill("5");
    await planForm.getByRole("button", { name: "Create plan" }).click();
    await page.getByTestId("plan-card").waitFor();
    await screenshot(page, "20-plans-phone");

    // The demo wearable (the simulator's wearable profile, as `pnpm start` runs it) reporting
    // heart rate every 5 s over the last 70 minutes: its readings stored as the ingest would.
    const device = await page.request.post(`${web.url}/api/devices`, { data: { name: "Wrist HR" } });
    const { id: deviceId } = (await device.json()) as { id: string };
    const from = Date.now() - 70 * 60_000;
    const wearable = createProfile("wearable", { seed: 7, startMs: from });
    await insertReadings(database.current, deviceId, "heart_rate", new Date(from), 840, 5, (i) => {
      return wearable.sample(from + i * 5000).values.heart_rate ?? 0;
    });

    // Log from the plan: its sets are pre-filled; weights typed on the phone.
    await page.getByRole("link", { name: "Log from this plan" }).click();
    await page.waitForURL(/\/dashboard\/workouts\/new\?plan=/);
    const rows = page.getByTestId("set-row");
    expect(await rows.count()).toBe(3);
    for (const [i, kg] of ["60", "62.5", "65"].entries()) await rows.nth(i).getByLabel("Weight").fill(kg);
    await page.getByLabel(/Wearable/).selectOption({ label: "Wrist HR" });
    await screenshot(page, "21-log-workout-phone");
    await page.getByRole("button", { name: "Save workout" }).click();
    await page.waitForURL(/\/dashboard\/workouts\/[0-9a-f-]{36}$/);

    // The session: sets grouped by exercise, records marked, heart rate beside it.
    await page.getByTestId("exercise-group").waitFor();
    expect(await page.getByTestId("records").textContent()).toContain("Barbell Bench Press 5-rep max 65 kg");
    expect(await page.getByText("PR").count()).toBeGreaterThan(0);
    await page.getByTestId("heart-rate").waitFor();
    expect(
      Number(
        await page
          .getByTestId("hr-avg")
          .textContent()
          .then((t) => t?.replace(/\D+/g, "")),
      ),
    ).toBeGreaterThan(60);
    await page.waitForFunction(
      () =>
        Number(document.querySelector('[data-testid="chart-heart_rate"]')?.getAttribute("data-points")) > 0,
      undefined,
      { timeout: 15_000 },
    );
    await screenshot(page, "22-workout-session-phone");

    // The history lists it, and its day is marked on the heat map (the UTC day it started: the
    // form's default start is an hour ago, which can be yesterday).
    await page.goto(`${web.url}/dashboard/workouts`);
    const row = page.getByTestId("workout-row");
    expect(await row.count()).toBe(1);
    expect(await row.textContent()).toContain("Push day");
    const [saved] = (await (await page.request.get(`${web.url}/api/workouts`)).json()) as {
      performedAt: string;
    }[];
    const day = saved?.performedAt.slice(0, 10);
    expect(await page.locator(`[data-day="${day}"]`).getAttribute("data-count")).toBe("1");
    expect(await page.locator('[data-count="1"]').count()).toBe(1);
    await screenshot(page, "23-workout-history-phone");

    // Progress shows the record list for the exercise.
    await page.goto(`${web.url}/dashboard/progress`);
    expect(await page.getByTestId("record-list").textContent()).toContain("5-rep max: 65 kg");
    await screenshot(page, "24-progress-phone");

    // Pounds instead: stored in kg, shown in lb (65 kg = 143.3 lb).
    await page.goto(`${web.url}/settings`);
    await page.getByLabel("Weights in").selectOption("lb");
    await page.getByRole("button", { name: "Save preferences" }).click();
    await page.getByText("Preferences saved.").waitFor();
    await page.goto(`${web.url}/dashboard/progress`);
    expect(await page.getByTestId("record-list").textContent()).toContain("5-rep max: 143.3 lb");
    await context.close();
  }, 120_000);
});

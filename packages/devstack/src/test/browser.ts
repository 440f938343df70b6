// Headless Chromium for the browser tests: Debian's /usr/bin/chromium driven by playwright-core
// (nothing downloads a browser of its own), with screenshots saved as test artifacts.
import { existsSync, mkdirSync } from "node:fs";
import { type Browser, chromium, type Page } from "playwright-core";
import { REPO_ROOT } from "../paths";

const CHROMIUM = "/usr/bin/chromium";
const SCREENSHOTS = `${REPO_ROOT}test-artifacts/screenshots`;

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: run scripts/ensure-chromium.sh`);
  mkdirSync(SCREENSHOTS, { recursive: true });
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
  });
}

/** A full-page screenshot, test-artifacts/screenshots/<name>.png. */
export async function screenshot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: `${SCREENSHOTS}/${name}.png`, fullPage: true });
}

/** Signs up through the sign-up page, as a person would; ends on /dashboard. */
export async function signUpInBrowser(
  page: Page,
  baseUrl: string,
  name: string,
  email: string,
): Promise<void> {
  await page.goto(`${baseUrl}/sign-up`);
  await page.getByLabel("Name").fill(name);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill("correct horse battery");
  await page.getByRole("button", { name: "Create account" }).click();
  await page.waitForURL(`${baseUrl}/dashboard`);
}

// The web app for tests, as production runs it: one `next build` per test run (shared by every
// test file that needs it, built by whichever asks first), then a server.ts per test file on
// a free port against that file's database.
import { findFreePort } from "@pulseboard/runtime/ports";
import { inject } from "vitest";
import { ensureWebBuild as ensureBuild, WEB_DIR, WebBuildError } from "../web-build";
import { type ClerkTestInstance, createClerkTestInstance } from "./clerk";
import type { TestDatabase } from "./database";
import { type SpawnedProcess, spawnProcess } from "./process";

declare module "vitest" {
  export interface ProvidedContext {
    /** The web build's dist dir for this run, relative to apps/web. */
    webDistDir: string;
  }
}

export { WEB_DIR };
export const TEST_AUTH_SECRET = "test-secret-for-the-web-app-at-least-32-chars";

/** apps/web/server.ts (the production server, as `pnpm start` and the image run it). */
function webServer(args: string[], env: NodeJS.ProcessEnv): SpawnedProcess {
  return spawnProcess(process.execPath, ["--import", "tsx", "server.ts", ...args], {
    cwd: WEB_DIR,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      NEXT_TELEMETRY_DISABLED: "1",
      NEXT_DIST_DIR: inject("webDistDir"),
      ...env,
    },
  });
}

/**
 * The run's production build, made by whichever test file asks first (the others wait for it),
 * the same way `pnpm start` makes its own: `pnpm start` in a test reuses it.
 */
export async function ensureWebBuild(timeoutMs = 300_000): Promise<void> {
  try {
    await ensureBuild({ distDir: inject("webDistDir"), env: {}, timeoutMs });
  } catch (error) {
    if (error instanceof WebBuildError) throw new Error(`next build failed:\n${error.output}`);
    throw error;
  }
}

export interface RunningWeb {
  url: string;
  port: number;
  process: SpawnedProcess;
  stop(): Promise<unknown>;
}

/**
 * The production server against the database (pooled and direct URLs), production settings. The
 * test process is its trusted proxy (TRUSTED_PROXIES=127.0.0.1): a test picks its client address
 * with X-Forwarded-For (clientAddress()), so rate limits do not couple unrelated tests.
 */
export async function startWeb(database: TestDatabase, env: NodeJS.ProcessEnv = {}): Promise<RunningWeb> {
  await ensureWebBuild();
  const port = await findFreePort();
  const url = `http://localhost:${port}`;
  const proc = webServer(["--port", String(port), "--hostname", "127.0.0.1"], {
    NODE_ENV: "production",
    TRUSTED_PROXIES: "127.0.0.1",
    DATABASE_URL: database.url,
    DATABASE_URL_DIRECT: database.directUrl,
    BETTER_AUTH_SECRET: TEST_AUTH_SECRET,
    BETTER_AUTH_URL: url,
    LOG_LEVEL: "warn",
    ...env,
  });
  await proc.waitFor(/Ready in/, 60_000);
  return { url, port, process: proc, stop: () => proc.stop() };
}

export interface TestUser {
  email: string;
  password: string;
  /** `Cookie` header value carrying the session. */
  cookie: string;
  id: string;
}

let addressCounter = 0;
/** A client address of its own, so sign-up/sign-in rate limits do not couple unrelated tests. */
export function clientAddress(): string {
  addressCounter += 1;
  return `10.${(process.pid >> 8) & 255}.${process.pid & 255}.${addressCounter & 255}`;
}

/** Signs up a fresh account through the real auth endpoint; returns its session cookie. */
export async function signUp(baseUrl: string, name = "Test User"): Promise<TestUser> {
  const email = `user-${Date.now()}-${Math.random().toString(36).slice(2, 8)}@example.com`;
  const password = "correct horse battery";
  const res = await fetch(`${baseUrl}/api/auth/sign-up/email`, {
    method: "POST",
    headers: { "content-type": "application/json", origin: baseUrl, "x-forwarded-for": clientAddress() },
    body: JSON.stringify({ email, password, name }),
  });
  if (!res.ok) throw new Error(`sign-up failed: HTTP ${res.status} ${await res.text()}`);
  const body = (await res.json()) as { user: { id: string } };
  const cookie = res.headers
    .getSetCookie()
    .map((c) => c.split(";")[0])
    .join("; ");
  if (!/session_token=/.test(cookie)) throw new Error(`sign-up set no session cookie: ${cookie}`);
  return { email, password, cookie, id: body.user.id };
}

/** An identity provider the web app can run with, as the tests drive it. */
export interface TestIdentity {
  name: "better-auth" | "clerk";
  /** The web app's env for it (startWeb's second argument). */
  env: Record<string, string>;
  /** A new user, signed in: their `Cookie` header carries the session. */
  signUp(baseUrl: string, name?: string): Promise<TestUser>;
  /** A cookie that looks like a session and is not one. */
  forgedCookie: string;
}

export const betterAuthIdentity: TestIdentity = {
  name: "better-auth",
  env: {},
  signUp,
  forgedCookie: "__Secure-better-auth.session_token=forged.value; better-auth.session_token=forged.value",
};

/** Clerk as the tests drive it: users created by signed webhook, signed in by session token. */
export function clerkIdentity(
  instance: ClerkTestInstance = createClerkTestInstance(),
): TestIdentity & { instance: ClerkTestInstance } {
  return {
    name: "clerk",
    env: instance.env(),
    signUp: (baseUrl, name) => instance.signUp(baseUrl, name),
    forgedCookie: `__session=${instance.token({ sub: "user_forged" }).replace(/\.[^.]+$/, ".Zm9yZ2Vk")}; __client_uat=1`,
    instance,
  };
}

/** Both providers: a suite that must hold under each runs once per entry. */
export function testIdentities(): TestIdentity[] {
  return [betterAuthIdentity, clerkIdentity()];
}

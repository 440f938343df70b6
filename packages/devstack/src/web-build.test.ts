import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { buildEnv, webBuildFingerprint } from "./web-build";

let root: string;
const write = (path: string, text: string) => {
  mkdirSync(dirname(join(root, path)), { recursive: true });
  writeFileSync(join(root, path), text);
};

beforeEach(() => {
  root = mkdtempSync("/tmp/pulseboard-fingerprint-");
  write("apps/web/src/app/page.tsx", "export default function Page() {}");
  write("packages/schema/src/index.ts", "export const a = 1;");
  write("packages/runtime/src/env.ts", "export const b = 2;");
  write("docs/device-protocol.md", "# Device protocol");
  write("pnpm-lock.yaml", "lockfileVersion: '9.0'");
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

describe("webBuildFingerprint", () => {
  it("is the same for the same sources and build-time variables, whatever else is set", () => {
    expect(webBuildFingerprint({ DATABASE_URL: "postgres://a" }, root)).toBe(webBuildFingerprint({}, root));
  });

  it.each([
    ["a page", "apps/web/src/app/page.tsx"],
    ["a package the app compiles", "packages/schema/src/index.ts"],
    ["the runtime package", "packages/runtime/src/env.ts"],
    ["the docs it renders", "docs/device-protocol.md"],
    ["the lockfile", "pnpm-lock.yaml"],
  ])("changes when %s changes", (_, path) => {
    const before = webBuildFingerprint({}, root);
    write(path, "changed");
    expect(webBuildFingerprint({}, root)).not.toBe(before);
  });

  it("changes when a file is added or a NEXT_PUBLIC_ variable is set or changed", () => {
    const before = webBuildFingerprint({}, root);
    write("apps/web/src/lib/new.ts", "export {}");
    const added = webBuildFingerprint({}, root);
    expect(added).not.toBe(before);
    const publicVar = webBuildFingerprint({ NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY: "pk_1" }, root);
    expect(publicVar).not.toBe(added);
    expect(webBuildFingerprint({ NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY: "pk_2" }, root)).not.toBe(publicVar);
  });

  it("ignores builds, installs, tests and benchmarks", () => {
    const before = webBuildFingerprint({}, root);
    write("apps/web/.next/server/app.js", "built");
    write("apps/web/.next-test-123/x.js", "built");
    write("apps/web/node_modules/next/index.js", "installed");
    write("apps/web/next-env.d.ts", "generated");
    write("apps/web/src/lib/format.test.ts", "a test");
    write("packages/schema/test/x.test.ts", "a test");
    write("packages/schema/bench/rollups.ts", "a bench");
    expect(webBuildFingerprint({}, root)).toBe(before);
  });
});

describe("buildEnv", () => {
  it("passes the build only the basics and the NEXT_PUBLIC_ variables, in production mode", () => {
    expect(
      buildEnv(
        {
          PATH: "/bin",
          HOME: "/root",
          DATABASE_URL: "postgres://secret",
          NEXT_PUBLIC_X: "1",
          NODE_ENV: "development",
        },
        ".next",
      ),
    ).toEqual({
      PATH: "/bin",
      HOME: "/root",
      NODE_ENV: "production",
      NEXT_TELEMETRY_DISABLED: "1",
      NEXT_DIST_DIR: ".next",
      NEXT_PUBLIC_X: "1",
    });
  });
});

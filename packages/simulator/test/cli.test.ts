import { execFile } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterEach, describe, expect, it } from "vitest";
import { ArgsError, parseCliArgs } from "../src/args";
import { type IngestStub, startIngestStub } from "./ingest-stub";

const CLI = fileURLToPath(new URL("../src/cli.ts", import.meta.url));
const PACKAGE = fileURLToPath(new URL("..", import.meta.url));
const KEY = "dk_SECRETSECRETSECRETSECRETSECRET12";

function argsError(argv: string[]): string {
  try {
    parseCliArgs(argv);
  } catch (error) {
    if (error instanceof ArgsError) return error.message;
    throw error;
  }
  throw new Error("expected an ArgsError");
}

describe("CLI arguments", () => {
  it("parses an MQTT run with defaults, after pnpm's `--`", () => {
    expect(parseCliArgs(["--", "--keys", "dk_a, dk_b", "--interval-ms", "250", "--qos", "0"])).toEqual({
      devices: [
        { key: "dk_a", profile: "environment" },
        { key: "dk_b", profile: "environment" },
      ],
      transport: { kind: "mqtt", url: "mqtt://127.0.0.1:1883", qos: 0 },
      intervalMs: 250,
      durationMs: undefined,
      maxMessages: undefined,
      ratePerSecond: undefined,
      shape: undefined,
      seed: 1,
    });
  });

  it("reads keys from a file and parses an HTTP run", () => {
    const file = join(mkdtempSync(join(tmpdir(), "sim-")), "keys.txt");
    writeFileSync(file, "# demo devices\ndk_one\n\n  dk_two  \n");
    const config = parseCliArgs([
      "--keys-file",
      file,
      "--transport",
      "http",
      "--url",
      "http://127.0.0.1:3001",
      "--profile",
      "wearable",
      "--readings-per-request",
      "100",
      "--duration-s",
      "1.5",
      "--rate",
      "500",
    ]);
    expect(config?.devices).toEqual([
      { key: "dk_one", profile: "wearable" },
      { key: "dk_two", profile: "wearable" },
    ]);
    expect(config?.transport).toEqual({
      kind: "http",
      url: "http://127.0.0.1:3001",
      readingsPerRequest: 100,
    });
    expect(config).toMatchObject({ durationMs: 1500, ratePerSecond: 500 });
  });

  it("says what is wrong in one line", () => {
    expect(argsError([])).toBe("give device keys with --keys or --keys-file");
    expect(argsError(["--keys", "dk_a", "--qos", "2"])).toBe("--qos must be 0 or 1");
    expect(argsError(["--keys", "dk_a", "--interval-ms", "soon"])).toBe("--interval-ms must be a number");
    expect(argsError(["--keys", "dk_a", "--interval-ms", "0"])).toBe("--interval-ms must be positive");
    expect(argsError(["--keys", "dk_a", "--profile", "toaster"])).toBe(
      "--profile must be environment or wearable",
    );
    expect(argsError(["--keys", "dk_a", "--transport", "http", "--url", "mqtt://x"])).toBe(
      "--url does not match --transport",
    );
    expect(argsError(["--keys", "dk_a", "--readings-per-request", "10"])).toBe(
      "--readings-per-request applies to --transport http",
    );
    expect(argsError(["--keys", "dk_a/b"])).toBe("device keys must not contain / + # or spaces");
    expect(argsError(["--keys-file", "/nonexistent/keys.txt"])).toBe(
      "--keys-file /nonexistent/keys.txt: no such file",
    );
    expect(argsError(["--keys", "dk_a", "--bogus"])).toMatch(/Unknown option '--bogus'/);
  });
});

describe("pnpm simulate", () => {
  let ingest: IngestStub | undefined;
  afterEach(async () => {
    await ingest?.close();
  });

  const run = (args: string[]) =>
    promisify(execFile)(process.execPath, ["--import", "tsx", CLI, ...args], { cwd: PACKAGE }).then(
      (r) => ({ code: 0, stderr: r.stderr }),
      (e: { code: number; stderr: string }) => ({ code: e.code, stderr: e.stderr }),
    );

  it("runs devices, prints totals on stderr, never the full key", async () => {
    ingest = await startIngestStub();
    const { code, stderr } = await run([
      "--keys",
      `${KEY},dk_other`,
      "--transport",
      "http",
      "--url",
      ingest.url,
      "--interval-ms",
      "20",
      "--max-messages",
      "3",
    ]);
    expect(code).toBe(0);
    expect(ingest.requests).toHaveLength(6);
    expect(stderr).toContain("dk_SECR…");
    expect(stderr).not.toContain(KEY);
    expect(stderr).toMatch(/done in [\d.]+ s: 6 sent, 6 acked \(24 readings\), 0 failed/);
  });

  it("stops with one line and exit code 2 on a bad argument", async () => {
    const { code, stderr } = await run(["--keys", KEY, "--qos", "5"]);
    expect(code).toBe(2);
    expect(stderr.trim().split("\n")).toEqual(["simulate: --qos must be 0 or 1 (--help for usage)"]);
  });
});

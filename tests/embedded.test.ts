// A process that started the embedded PostgreSQL must keep its own exit code (a failing test run
// must fail) and must not leave PostgreSQL running, even when it crashes. The server runs in a
// process group of its own (so Ctrl-C reaches the apps first), so it is checked by its pid file.
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { runningServerPid } from "@pulseboard/devstack/embedded";
import { groupAlive, reapAll, spawnTs } from "@pulseboard/devstack/test/process";
import { findFreePort } from "@pulseboard/runtime/ports";
import { afterAll, describe, expect, it } from "vitest";

afterAll(reapAll);

describe("embedded PostgreSQL in a process", () => {
  it.each([
    ["stops it and sets exit code 3", "await pg.stop();\nprocess.exitCode = 3;", 3],
    ["crashes without stopping it", "throw new Error('boom');", 1],
  ])("keeps the process's exit code and leaves no server behind when it %s", async (_, ending, expected) => {
    const dir = mkdtempSync("/tmp/pulseboard-embedded-exit-");
    chmodSync(dir, 0o755);
    const script = `${dir}/script.mts`;
    writeFileSync(
      script,
      `import { startEmbeddedPostgres } from "${process.cwd()}/packages/devstack/src/embedded.ts";
const pg = await startEmbeddedPostgres({ dataDir: "${dir}/data", port: ${await findFreePort()}, durable: false });
${ending}
`,
    );
    try {
      const proc = spawnTs("", script, { PATH: process.env.PATH });
      const { code } = await proc.exited;
      expect(code, proc.output()).toBe(expected);
      const pid = proc.child.pid ?? 0;
      for (let i = 0; i < 50 && groupAlive(pid); i++) await new Promise((r) => setTimeout(r, 100));
      expect(groupAlive(pid)).toBe(false);
      for (let i = 0; i < 100 && runningServerPid(`${dir}/data`); i++)
        await new Promise((r) => setTimeout(r, 100));
      expect(runningServerPid(`${dir}/data`), "PostgreSQL left running").toBeUndefined();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { createLogger } from "../src/logger";

function capture() {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString().split("\n").filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  return { lines, destination };
}

describe("logger", () => {
  it("writes JSON lines with the process name and a module per child", () => {
    const { lines, destination } = capture();
    const log = createLogger({ name: "ingest", destination });
    log.child({ module: "mqtt" }).info({ deviceId: "d1" }, "reading accepted");
    expect(lines[0]).toMatchObject({
      name: "ingest",
      module: "mqtt",
      deviceId: "d1",
      msg: "reading accepted",
      level: 30,
    });
  });

  it("redacts device keys, auth headers, passwords and secrets wherever they are logged", () => {
    const { lines, destination } = capture();
    const log = createLogger({ name: "ingest", destination });
    log.warn(
      {
        deviceKey: "dk_live_secret_1",
        key: "dk_live_secret_2",
        req: {
          headers: {
            authorization: "Bearer dk_live_secret_3",
            cookie: "session=abc",
            "upstash-signature": "jwt",
          },
        },
        headers: { authorization: "Bearer dk_live_secret_4" },
        body: { password: "hunter2", secret: "whsec_1", token: "tok_1" },
      },
      "rejected",
    );
    const text = JSON.stringify(lines);
    for (const secret of ["dk_live_secret", "hunter2", "whsec_1", "tok_1", "session=abc", '"jwt"']) {
      expect(text).not.toContain(secret);
    }
    expect(text).toContain("[redacted]");
  });

  it("honours the level", () => {
    const { lines, destination } = capture();
    const log = createLogger({ name: "alerter", level: "warn", destination });
    log.info("hidden");
    log.warn("shown");
    expect(lines.map((l) => l.msg)).toEqual(["shown"]);
  });
});

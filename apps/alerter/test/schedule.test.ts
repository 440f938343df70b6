// `pnpm alerter:schedule` against a fake QStash speaking its wire format (real HTTP).
import { createServer, type IncomingHttpHeaders } from "node:http";
import { reapAll, spawnTs } from "@pulseboard/devstack/test/process";
import { afterAll, describe, expect, it } from "vitest";

afterAll(reapAll);

describe("pnpm alerter:schedule", () => {
  it("creates the sweep schedule with a fixed id, idempotently", async () => {
    const requests: { method: string; path: string; headers: IncomingHttpHeaders; body: string }[] = [];
    const qstash = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        requests.push({
          method: req.method ?? "",
          path: req.url ?? "",
          headers: req.headers,
          body: Buffer.concat(chunks).toString(),
        });
        res.writeHead(200, { "content-type": "application/json" });
        res.end(JSON.stringify({ scheduleId: req.headers["upstash-schedule-id"] ?? "scd_new" }));
      });
    });
    await new Promise<void>((r) => qstash.listen(0, "127.0.0.1", r));
    const address = qstash.address();
    const env = {
      PATH: process.env.PATH,
      QSTASH_TOKEN: "qstash_test_token",
      QSTASH_URL: `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`,
      ALERTER_PUBLIC_URL: "https://alerter.example.com",
      SWEEP_CRON: "*/2 * * * *",
    };
    try {
      for (let run = 0; run < 2; run++) {
        const proc = spawnTs("apps/alerter", "src/schedule.ts", env);
        expect((await proc.exited).code, proc.output()).toBe(0);
        expect(proc.output()).toContain(
          'schedule pulseboard-sweep: POST https://alerter.example.com/v1/sweep on "*/2 * * * *"',
        );
      }
      expect(requests).toHaveLength(2);
      for (const r of requests) {
        expect(r.method).toBe("POST");
        expect(r.path).toBe("/v2/schedules/https://alerter.example.com/v1/sweep");
        expect(r.headers.authorization).toBe("Bearer qstash_test_token");
        expect(r.headers["upstash-cron"]).toBe("*/2 * * * *");
        expect(r.headers["upstash-schedule-id"]).toBe("pulseboard-sweep");
        expect(r.body).toBe("{}");
      }
    } finally {
      qstash.close();
    }
  });

  it("without QSTASH_TOKEN, stops with one line", async () => {
    const proc = spawnTs("apps/alerter", "src/schedule.ts", {
      PATH: process.env.PATH,
      ALERTER_PUBLIC_URL: "https://a.example.com",
    });
    expect((await proc.exited).code).toBe(1);
    expect(proc.stderr().trim()).toBe(
      "alerter:schedule: invalid environment: QSTASH_TOKEN is required (the schedule lives in QStash)",
    );
  });
});

// The HTTP transport against a real node:http server on a free port.
import { parseReadingsPayload } from "@pulseboard/schema/telemetry";
import { afterEach, describe, expect, it } from "vitest";
import type { SentReading } from "../src/profiles";
import { runSimulation } from "../src/simulator";
import { type IngestStub, startIngestStub } from "./ingest-stub";

const open: IngestStub[] = [];
async function stub(statusFor?: Parameters<typeof startIngestStub>[0]) {
  const s = await startIngestStub(statusFor);
  open.push(s);
  return s;
}
afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close()));
});

const KEY_A = "dk_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
const KEY_B = "dk_BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB";

describe("HTTP transport", () => {
  it("POSTs batches of 100 readings with the device's bearer key, counting 202s", async () => {
    const ingest = await stub();
    const acks: string[] = [];
    const sim = await runSimulation({
      devices: [
        { key: KEY_A, profile: "environment" },
        { key: KEY_B, profile: "wearable" },
      ],
      transport: { kind: "http", url: `${ingest.url}/`, readingsPerRequest: 100 },
      intervalMs: 30,
      maxMessages: 4,
      seed: 1,
      onAck: (key, sentAt, ackedAt) => {
        expect(ackedAt).toBeGreaterThanOrEqual(sentAt);
        acks.push(key);
      },
    });
    const totals = await sim.done;

    expect(totals).toMatchObject({ sent: 8, acked: 8, failed: 0, readingsAcked: 800, errors: {} });
    expect(acks.sort()).toEqual([...Array(4).fill(KEY_A), ...Array(4).fill(KEY_B)]);
    expect(ingest.requests).toHaveLength(8);
    for (const r of ingest.requests) {
      expect(r).toMatchObject({ method: "POST", path: "/v1/readings", contentType: "application/json" });
      expect(r.accepted).toBe(100);
      expect((r.body as { readings: unknown[] }).readings).toHaveLength(100);
    }
    for (const key of [KEY_A, KEY_B]) {
      const mine = ingest.requests.filter((r) => r.authorization === `Bearer ${key}`);
      expect(mine).toHaveLength(4);
      // Every (metric, ts) is new: the ingest would store a repeat only once.
      const seen = new Set<string>();
      for (const r of mine) {
        for (const x of (r.body as { readings: { metric: string; ts: number }[] }).readings) {
          seen.add(`${x.metric}@${x.ts}`);
        }
      }
      expect(seen.size).toBe(400);
    }
    // Keep-alive: connections are reused rather than opened per request.
    expect(ingest.connections).toBeLessThan(ingest.requests.length);
  });

  it("sends one {ts, values} sample per request by default", async () => {
    const ingest = await stub();
    const sim = await runSimulation({
      devices: [{ key: KEY_A, profile: "wearable" }],
      transport: { kind: "http", url: ingest.url },
      intervalMs: 20,
      maxMessages: 2,
      seed: 3,
    });
    expect(await sim.done).toMatchObject({ sent: 2, acked: 2, readingsAcked: 4 });
    for (const r of ingest.requests) {
      expect(r.body).toEqual({
        ts: expect.any(Number),
        values: { heart_rate: expect.any(Number), steps: expect.any(Number) },
      });
    }
  });

  it("reports with each 202 exactly the readings its request carried, none of a refused one", async () => {
    // 10 readings per request of a 4-metric device: 3 samples, the third cut after 2 readings.
    const ingest = await stub((key) => (key === KEY_B ? 503 : undefined));
    const acked: { key: string; readings: readonly SentReading[] }[] = [];
    const sim = await runSimulation({
      devices: [
        { key: KEY_A, profile: "environment" },
        { key: KEY_B, profile: "environment" },
      ],
      transport: { kind: "http", url: ingest.url, readingsPerRequest: 10 },
      intervalMs: 30,
      maxMessages: 3,
      seed: 4,
      onAck: (key, _sentAt, _ackedAt, readings) => acked.push({ key, readings }),
    });
    expect(await sim.done).toMatchObject({ acked: 3, failed: 3, readingsAcked: 30 });
    expect(acked.map((a) => a.key)).toEqual([KEY_A, KEY_A, KEY_A]);
    // What the server read from the accepted requests, as (metric, value, ts), in order.
    const received = ingest.requests
      .filter((r) => r.authorization === `Bearer ${KEY_A}`)
      .flatMap((r) => {
        const parsed = parseReadingsPayload(r.body, new Date());
        if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
        return parsed.readings.map((x) => ({ metric: x.metric, value: x.value, ts: x.recordedAt.getTime() }));
      });
    const reported = acked.flatMap((a) => a.readings);
    expect(reported).toHaveLength(30);
    // Requests of one device may be answered out of order: compare as sets, each reading once.
    const byKey = (r: SentReading) => `${r.metric}@${r.ts}`;
    expect([...reported].sort((a, b) => byKey(a).localeCompare(byKey(b)))).toEqual(
      [...received].sort((a, b) => byKey(a).localeCompare(byKey(b))),
    );
    expect(new Set(reported.map(byKey)).size).toBe(30);
    expect(reported.filter((r) => r.metric === "co2")).toHaveLength(6);
  });

  it("counts 401, 400 and timeouts as failed, by status", async () => {
    const ingest = await stub((key) => ({ dk_unknown: 401, dk_bad: 400, dk_slow: "hang" as const })[key]);
    const sim = await runSimulation({
      devices: [
        { key: "dk_unknown", profile: "environment" },
        { key: "dk_bad", profile: "environment" },
        { key: "dk_slow", profile: "environment" },
        { key: KEY_A, profile: "environment" },
      ],
      transport: { kind: "http", url: ingest.url },
      intervalMs: 20,
      maxMessages: 2,
      // Long enough that an answered request never times out on a loaded machine (100 ms did,
      // once, under CI load); only the stub's hanging device does.
      requestTimeoutMs: 1500,
      seed: 1,
    });
    const totals = await sim.done;
    expect(totals).toMatchObject({
      sent: 8,
      acked: 2,
      failed: 6,
      errors: { http_401: 2, http_400: 2, http_timeout: 2 },
    });
  });

  it("rejects options the ingest could never accept before sending anything", async () => {
    const base = { devices: [{ key: KEY_A, profile: "environment" as const }], intervalMs: 100, seed: 1 };
    await expect(
      runSimulation({
        ...base,
        transport: { kind: "http", url: "http://127.0.0.1:9", readingsPerRequest: 1001 },
      }),
    ).rejects.toThrow(/readingsPerRequest/);
    await expect(
      runSimulation({
        ...base,
        shape: "values",
        transport: { kind: "http", url: "http://127.0.0.1:9", readingsPerRequest: 8 },
      }),
    ).rejects.toThrow(/shape `values`/);
    await expect(
      runSimulation({ ...base, devices: [], transport: { kind: "http", url: "http://127.0.0.1:9" } }),
    ).rejects.toThrow(/no devices/);
  });

  it("keeps a global rate cap across devices", async () => {
    const ingest = await stub();
    // 10 devices every 10 ms would be 1000 messages/s; the cap holds them to 100/s.
    const sim = await runSimulation({
      devices: Array.from({ length: 10 }, (_, i) => ({ key: `dk_${i}`, profile: "environment" as const })),
      transport: { kind: "http", url: ingest.url },
      intervalMs: 10,
      ratePerSecond: 100,
      durationMs: 500,
      seed: 1,
    });
    const totals = await sim.done;
    expect(totals.sent).toBeGreaterThanOrEqual(30); // timers may run late on a busy machine, never early
    expect(totals.sent).toBeLessThanOrEqual(60);
    expect(totals.acked).toBe(totals.sent);
  });
});

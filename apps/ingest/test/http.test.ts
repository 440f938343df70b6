// POST /v1/readings against a real database.
import { connect as connectTcp } from "node:net";
import { useTestDatabase } from "@pulseboard/devstack/test";
import { startTcpProxy } from "@pulseboard/devstack/test/tcp-proxy";
import { createPooledClient } from "@pulseboard/schema/client";
import { MAX_READINGS_PER_MESSAGE } from "@pulseboard/schema/telemetry";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { countReadings, provisionDevice, type RunningIngest, startIngest, until } from "./harness";

const database = useTestDatabase();
let ingest: RunningIngest;
// After an outage the pooled client reconnects with postgres-js's default backoff: its delay grows
// with every failed connection attempt of the pool (3^n / 100 s, capped at 20 s), and a slow
// machine makes more attempts fail during the cut. Recovery is therefore waited for up to
// RECOVERY_MS, not a fixed number of tries (and the test is given 90 s: requests made during the
// cut wait out the same backoff before they fail).
const RECOVERY_MS = 45_000;

beforeAll(async () => {
  ingest = await startIngest(database.current.url);
});
afterAll(() => ingest?.close());

function post(key: string | undefined, body: unknown, raw?: string) {
  return fetch(`${ingest.httpUrl}/v1/readings`, {
    method: "POST",
    headers: { "content-type": "application/json", ...(key ? { authorization: `Bearer ${key}` } : {}) },
    body: raw ?? JSON.stringify(body),
  });
}

/**
 * Sends a POST with a 64 MB body in 64 KiB chunks over a raw socket until the server answers and
 * hangs up; returns the status it answered and the bytes written before the close.
 */
async function streamBody(
  key: string,
  framing: "content-length" | "chunked",
): Promise<{ status: number; sent: number }> {
  const total = 64 * 1024 * 1024;
  const url = new URL(ingest.httpUrl);
  const socket = connectTcp(Number(url.port), url.hostname);
  socket.on("error", () => {});
  await new Promise((resolve) => socket.once("connect", resolve));
  let answer = "";
  socket.on("data", (d: Buffer) => {
    answer += d.toString();
  });
  const gone = new Promise<void>((resolve) => socket.once("close", () => resolve()));
  let open = true;
  void gone.then(() => {
    open = false;
  });
  const length = framing === "chunked" ? "transfer-encoding: chunked" : `content-length: ${total}`;
  socket.write(
    `POST /v1/readings HTTP/1.1\r\nhost: ${url.host}\r\nauthorization: Bearer ${key}\r\ncontent-type: application/json\r\n${length}\r\n\r\n`,
  );
  const chunk = Buffer.alloc(64 * 1024, 0x20);
  let sent = 0;
  while (open && sent < total) {
    const piece =
      framing === "chunked"
        ? Buffer.concat([Buffer.from(`${chunk.length.toString(16)}\r\n`), chunk, Buffer.from("\r\n")])
        : chunk;
    if (!socket.write(piece)) await Promise.race([new Promise((r) => socket.once("drain", r)), gone]);
    sent += chunk.length;
  }
  await Promise.race([gone, new Promise((r) => setTimeout(r, 5000))]);
  socket.destroy();
  return { status: Number(/^HTTP\/1\.1 (\d{3})/.exec(answer)?.[1] ?? 0), sent };
}

describe("POST /v1/readings", () => {
  it("stores each payload shape as the right rows and answers 202 {accepted}", async () => {
    const { deviceId, key } = await provisionDevice(database.current.db);
    const ts = Date.now() - 60_000;
    const cases: [unknown, number][] = [
      [{ temperature: 21.5, humidity: 40 }, 2],
      [{ ts, values: { temperature: 20.25 } }, 1],
      [[{ pressure: 1013 }, { ts: ts + 1, values: { temperature: 19 } }], 2],
      [
        {
          readings: [
            { metric: "co2", value: 415, ts: new Date(ts + 2).toISOString() },
            { metric: "co2", value: 416 },
          ],
        },
        2,
      ],
    ];
    for (const [body, n] of cases) {
      const res = await post(key, body);
      expect(res.status, JSON.stringify(body)).toBe(202);
      expect(await res.json()).toEqual({ accepted: n });
    }
    const rows = await database.current.sql<{ metric: string; value: number; recorded_at: Date }[]>`
      select metric, value::float8 as value, recorded_at from sensor_readings where device_id = ${deviceId} order by recorded_at, metric`;
    expect(rows).toHaveLength(7);
    const at = (value: number) => new Date(rows.find((r) => r.value === value)?.recorded_at ?? 0).getTime();
    expect(at(20.25)).toBe(ts);
    expect(at(415)).toBe(ts + 2);
  });

  it("202 only once the rows are visible to another connection", async () => {
    const { deviceId, key } = await provisionDevice(database.current.db);
    const other = createPooledClient(database.current.url, { max: 1 });
    try {
      for (let i = 0; i < 20; i++) {
        const res = await post(key, { ts: Date.now() - 1000 * i, values: { seq: i } });
        expect(res.status).toBe(202);
        const [row] = await other<
          { n: number }[]
        >`select count(*)::int as n from sensor_readings where device_id = ${deviceId}`;
        expect(row?.n).toBe(i + 1);
      }
    } finally {
      await other.end();
    }
  });

  it("rejects every bad input of the contract with 400 and its reasons, storing nothing", async () => {
    const { deviceId, key } = await provisionDevice(database.current.db);
    const bad: [string, string][] = [
      ['{"temperature": NaN}', "the body is not valid JSON"],
      ['{"temperature": 1e999}', "temperature: value must be a finite number"],
      ['{"temperature": "21.5"}', "temperature: value must be a finite number"],
      ['{"sensor": {"temperature": 21}}', "sensor: value must be a finite number"],
      ['{"bad name": 1}', "metric name must be"],
      [
        JSON.stringify({ ts: Date.now() + 6 * 60_000, values: { t: 1 } }),
        "more than 5 minutes in the future",
      ],
      ["{}", "the message holds no readings"],
      ["[]", "the message holds no readings"],
      [
        JSON.stringify({
          readings: Array.from({ length: MAX_READINGS_PER_MESSAGE + 1 }, () => ({ metric: "t", value: 1 })),
        }),
        "at most 1000",
      ],
      ['[{"t": 1}, {"t": "x"}]', "[1].t: value must be a finite number"],
      ["not json", "the body is not valid JSON"],
    ];
    for (const [raw, reason] of bad) {
      const res = await post(key, undefined, raw);
      expect(res.status, raw.slice(0, 60)).toBe(400);
      const body = (await res.json()) as { error: string; reasons: string[] };
      expect(body.reasons.join(" | "), raw.slice(0, 60)).toContain(reason);
    }
    expect(await countReadings(database.current, deviceId)).toBe(0);
  });

  it("401 without a key, with an unknown key, and for a deleted device within seconds", async () => {
    expect((await post(undefined, { t: 1 })).status).toBe(401);
    expect((await post("dk_not-a-real-key-000000000000000000", { t: 1 })).status).toBe(401);
    expect((await post("garbage", { t: 1 })).status).toBe(401);
    const { deviceId, key } = await provisionDevice(database.current.db);
    expect((await post(key, { t: 1 })).status).toBe(202);
    await database.current.sql`delete from devices where id = ${deviceId}`;
    // The key cache in this harness keeps answers for 300 ms.
    await new Promise((r) => setTimeout(r, 400));
    const res = await post(key, { t: 2 });
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ error: "unknown device key" });
  });

  it("a flood of unknown keys is answered by one batched lookup, not one query per message", async () => {
    // Its own ingest: answers cached for a minute, so the second round below is from the cache
    // however long the first took.
    const flood = await startIngest(database.current.url, { DEVICE_KEY_CACHE_MS: 60_000 });
    try {
      const { resolver } = flood.app;
      const send = (k: string) =>
        fetch(`${flood.httpUrl}/v1/readings`, {
          method: "POST",
          headers: { authorization: `Bearer ${k}` },
          body: '{"t": 1}',
        }).then((r) => r.status);
      const keys = Array.from({ length: 300 }, (_, i) => `dk_${String(i).padStart(32, "x")}`);
      const before = resolver.queries;
      // Hold the lookup until every request waits on it: what is asserted does not depend on how
      // fast the requests arrive.
      const release = resolver.hold();
      const answers = Promise.all(keys.map(send));
      await until(
        async () => resolver.waiting,
        (n) => n === keys.length,
      );
      release();
      expect(new Set(await answers)).toEqual(new Set([401]));
      // 300 keys, at most 1000 digests per query: one query.
      expect(resolver.queries - before).toBe(1);
      // Repeated unknown keys are answered from the negative cache.
      await Promise.all(keys.map(send));
      expect(resolver.queries - before).toBe(1);
    } finally {
      await flood.close();
    }
  });

  it("413 for a body over the limit", async () => {
    const { key } = await provisionDevice(database.current.db);
    const res = await post(key, undefined, `{"t": 1, "pad": "${"x".repeat(1_100_000)}"}`);
    expect(res.status).toBe(413);
  });

  it("an unknown key is answered 401 before its body is read, and the connection closed", async () => {
    // 64 MB announced, or chunked with no length: either way the answer comes before the body.
    for (const framing of ["content-length", "chunked"] as const) {
      const { status, sent } = await streamBody("dk_unknownunknownunknownunknown0000", framing);
      expect(status, framing).toBe(401);
      // Loopback buffers take a few MB before the close is noticed; the body was 64 MB.
      expect(sent, framing).toBeLessThan(16 * 1024 * 1024);
    }
  });

  it("a body past the limit is refused (413) without being read whole", async () => {
    const { key } = await provisionDevice(database.current.db);
    const { status, sent } = await streamBody(key, "chunked");
    expect(status).toBe(413);
    expect(sent).toBeLessThan(16 * 1024 * 1024);
  });

  it("stores a re-delivered reading once", async () => {
    const { deviceId, key } = await provisionDevice(database.current.db);
    const body = { ts: Date.now() - 5000, values: { temperature: 21, humidity: 50 } };
    for (let i = 0; i < 3; i++) expect((await post(key, body)).status).toBe(202);
    expect(await countReadings(database.current, deviceId)).toBe(2);
  });

  it("logs rejections once per device per interval, with counts per reason", async () => {
    const { deviceId, key } = await provisionDevice(database.current.db);
    const started = Date.now();
    await Promise.all([
      ...Array.from({ length: 8 }, () => post(key, { t: "x" })),
      post(key, undefined, "not json"),
    ]);
    const burstMs = Date.now() - started;
    // The log is written every 200 ms in this harness: the next write, due before this wait ends,
    // holds the burst's last refusals.
    await new Promise((r) => setTimeout(r, 400));
    const lines = ingest.logs.filter((l) => l.msg === "messages rejected" && l.deviceId === deviceId);
    // One line per interval the burst spanned (one or two on an idle machine, a few more if the
    // nine requests took longer), never one per message.
    expect(lines.length).toBeGreaterThanOrEqual(1);
    expect(lines.length).toBeLessThanOrEqual(Math.min(8, Math.floor(burstMs / 200) + 2));
    const total: Record<string, number> = {};
    for (const line of lines) {
      for (const [reason, n] of Object.entries(line.rejected as Record<string, number>))
        total[reason] = (total[reason] ?? 0) + n;
    }
    expect(total).toEqual({ bad_value: 8, invalid_json: 1 });
  });

  it("exposes Prometheus metrics: accepted, rejected by reason, rows, flush histograms, buffer", async () => {
    const res = await fetch(`${ingest.httpUrl}/metrics`);
    expect(res.headers.get("content-type")).toMatch(/text\/plain/);
    const text = await res.text();
    expect(text).toMatch(/ingest_messages_accepted_total\{transport="http"\} [1-9]/);
    expect(text).toMatch(/ingest_messages_rejected_total\{transport="http",reason="unknown_key"\} [1-9]/);
    expect(text).toMatch(/ingest_rows_written_total [1-9]/);
    expect(text).toMatch(/ingest_flush_rows_bucket\{le="100"\} [1-9]/);
    expect(text).toMatch(/ingest_flush_duration_seconds_count [1-9]/);
    expect(text).toMatch(/ingest_buffer_rows 0/);
    expect(text).toMatch(/ingest_mqtt_connected_clients/);
  });

  it("never logs a device key", async () => {
    const { key } = await provisionDevice(database.current.db);
    await post(key, "nope", "not json");
    await post(key.replace(/.$/, "A"), { t: 1 });
    await new Promise((r) => setTimeout(r, 300));
    const text = JSON.stringify(ingest.logs);
    expect(text).toContain("messages rejected");
    expect(text).not.toContain(key.slice(3, 20));
  });
});

describe("POST /v1/readings, limits and faults", () => {
  it("429 with Retry-After when a device exceeds its rate", async () => {
    // One message per 100 s: no token comes back during the test, however slow the requests.
    const limited = await startIngest(database.current.url, {
      DEVICE_RATE_PER_SECOND: 0.01,
      DEVICE_RATE_BURST: 3,
    });
    try {
      const { key } = await provisionDevice(database.current.db);
      const statuses: number[] = [];
      for (let i = 0; i < 5; i++) {
        const res = await fetch(`${limited.httpUrl}/v1/readings`, {
          method: "POST",
          headers: { authorization: `Bearer ${key}` },
          body: JSON.stringify({ ts: Date.now() - i, values: { t: i } }),
        });
        statuses.push(res.status);
        if (res.status === 429) expect(Number(res.headers.get("retry-after"))).toBeGreaterThan(0);
      }
      expect(statuses).toEqual([202, 202, 202, 429, 429]);
    } finally {
      await limited.close();
    }
  });

  it("503 with Retry-After while the database is down, and recovers by itself", async () => {
    const proxy = await startTcpProxy(Number(new URL(database.current.url).port));
    const url = new URL(database.current.url);
    url.port = String(proxy.port);
    const faulty = await startIngest(url.toString());
    try {
      const { deviceId, key } = await provisionDevice(database.current.db);
      const send = (i: number) =>
        fetch(`${faulty.httpUrl}/v1/readings`, {
          method: "POST",
          headers: { authorization: `Bearer ${key}` },
          body: JSON.stringify({ ts: Date.now() - 10_000 + i, values: { t: i } }),
        });
      expect((await send(0)).status).toBe(202);
      proxy.cut();
      const down = await send(1);
      expect(down.status).toBe(503);
      expect(down.headers.get("retry-after")).toBeTruthy();
      expect((await send(2)).status).toBe(503);
      proxy.restore();
      const status = await until(
        async () => (await send(3)).status,
        (s) => s === 202,
        RECOVERY_MS,
      );
      expect(status).toBe(202);
      expect(await countReadings(database.current, deviceId)).toBe(2);
    } finally {
      await faulty.close();
      await proxy.close();
    }
  }, 90_000);
});

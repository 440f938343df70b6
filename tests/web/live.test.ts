// GET /api/live: a NOTIFY reaches its owner's stream and no one else's; after the server's
// LISTEN connection is killed, or the direct endpoint is down for a while, events resume and
// alert events recorded meanwhile are caught up from the outbox.

import { withDatabase } from "@pulseboard/devstack/embedded";
import { useTestDatabase } from "@pulseboard/devstack/test";
import { reapAll } from "@pulseboard/devstack/test/process";
import { startTcpProxy, type TcpProxy } from "@pulseboard/devstack/test/tcp-proxy";
import { type RunningWeb, signUp, startWeb, type TestUser } from "@pulseboard/devstack/test/web";
import { ALERTS_CHANNEL, READINGS_CHANNEL } from "@pulseboard/schema/live";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api } from "./helpers";

const database = useTestDatabase();
let web: RunningWeb;
let proxy: TcpProxy;
let alice: TestUser;
let bob: TestUser;

interface SseEvent {
  event: string;
  // biome-ignore lint/suspicious/noExplicitAny: response bodies are checked by the assertions
  data: any;
}

/** An open /api/live stream; `next()` waits for the next event matching `filter`. */
async function openStream(user: TestUser) {
  const controller = new AbortController();
  const res = await fetch(`${web.url}/api/live`, {
    headers: { cookie: user.cookie },
    signal: controller.signal,
  });
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toMatch(/^text\/event-stream/);
  const reader = res.body?.pipeThrough(new TextDecoderStream()).getReader();
  if (!reader) throw new Error("no body");
  const events: SseEvent[] = [];
  let comments = 0;
  let buffer = "";
  const waiters = new Set<() => void>();
  void (async () => {
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        buffer += value;
        let cut = buffer.indexOf("\n\n");
        while (cut >= 0) {
          const block = buffer.slice(0, cut);
          buffer = buffer.slice(cut + 2);
          cut = buffer.indexOf("\n\n");
          if (block.startsWith(":")) comments += 1;
          const event = /^event: (.*)$/m.exec(block)?.[1];
          const data = /^data: (.*)$/m.exec(block)?.[1];
          if (event && data) events.push({ event, data: JSON.parse(data) });
          for (const w of waiters) w();
        }
      }
    } catch {
      // aborted
    }
  })();
  let seen = 0;
  return {
    events,
    comments: () => comments,
    async next(filter: (e: SseEvent) => boolean = () => true, timeoutMs = 10_000): Promise<SseEvent> {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        while (seen < events.length) {
          const e = events[seen++] as SseEvent;
          if (filter(e)) return e;
        }
        if (Date.now() > deadline)
          throw new Error(`no matching event in ${timeoutMs} ms; got ${JSON.stringify(events)}`);
        await new Promise<void>((resolve) => {
          const done = () => {
            waiters.delete(done);
            resolve();
          };
          waiters.add(done);
          setTimeout(done, 200);
        });
      }
    },
    close: () => controller.abort(),
  };
}

async function notifyAlert(ownerId: string, eventId: string) {
  const payload = JSON.stringify({
    ownerId,
    kind: "fired",
    alertId: "a-1",
    eventId,
    ruleId: "r-1",
    deviceId: "d-1",
    value: 1,
  });
  await database.current.sql`select pg_notify(${ALERTS_CHANNEL}, ${payload})`;
}

beforeAll(async () => {
  // The direct endpoint goes through a proxy the test can cut; the pooled one does not.
  const direct = new URL(database.current.directUrl);
  proxy = await startTcpProxy(Number(direct.port), direct.hostname);
  direct.port = String(proxy.port);
  web = await startWeb(database.current, {
    DATABASE_URL_DIRECT: withDatabase(direct.toString(), database.current.name),
    LIVE_HEARTBEAT_SECONDS: "1",
    LIVE_CHECK_SECONDS: "1",
  });
  alice = await signUp(web.url, "Alice");
  bob = await signUp(web.url, "Bob");
}, 300_000);

afterAll(async () => {
  await web?.stop();
  await proxy?.close();
  await reapAll();
});

describe("live stream", () => {
  it("delivers a NOTIFY to its owner's stream only, and sends heartbeats", async () => {
    const a = await openStream(alice);
    const b = await openStream(bob);
    await a.next((e) => e.event === "ready");
    await b.next((e) => e.event === "ready");

    await notifyAlert(alice.id, "e-alice-1");
    const readings = JSON.stringify([{ o: alice.id, d: "d-1", m: ["temperature", "humidity"] }]);
    await database.current.sql`select pg_notify(${READINGS_CHANNEL}, ${readings})`;
    await notifyAlert(bob.id, "e-bob-1");

    expect((await a.next((e) => e.event === "alert")).data).toEqual({
      type: "alert",
      kind: "fired",
      alertId: "a-1",
      eventId: "e-alice-1",
      ruleId: "r-1",
      deviceId: "d-1",
      value: 1,
    });
    expect((await a.next((e) => e.event === "reading")).data).toEqual({
      type: "reading",
      deviceId: "d-1",
      metrics: ["temperature", "humidity"],
    });
    // Bob's first alert is his own: Alice's was never sent to him.
    expect((await b.next((e) => e.event === "alert")).data.eventId).toBe("e-bob-1");
    expect(b.events.some((e) => e.event === "reading")).toBe(false);
    expect(a.events.some((e) => e.data?.eventId === "e-bob-1")).toBe(false);

    const before = a.comments();
    await new Promise((r) => setTimeout(r, 2500));
    expect(a.comments()).toBeGreaterThan(before);
    a.close();
    b.close();
  });

  it("resumes after the LISTEN connection is killed", async () => {
    const a = await openStream(alice);
    await a.next((e) => e.event === "ready");
    const killed = await database.current.sql<{ pid: number }[]>`
      select pid from pg_stat_activity
      where application_name = 'pulseboard-web-listen' and datname = current_database()`;
    expect(killed).toHaveLength(1);
    await database.current.sql`select pg_terminate_backend(${killed[0]?.pid as number})`;

    // Keep notifying until one arrives: the hub re-LISTENs on a new connection.
    let n = 0;
    const deadline = Date.now() + 20_000;
    let got: SseEvent | undefined;
    while (!got && Date.now() < deadline) {
      n += 1;
      await notifyAlert(alice.id, `e-after-kill-${n}`);
      got = await a.next((e) => e.event === "alert", 500).catch(() => undefined);
    }
    expect(got?.data.eventId).toMatch(/^e-after-kill-/);
    const [listener] = await database.current.sql<{ pid: number }[]>`
      select pid from pg_stat_activity
      where application_name = 'pulseboard-web-listen' and datname = current_database()`;
    expect(listener?.pid).not.toBe(killed[0]?.pid);
    a.close();
  });

  it("after the direct endpoint was down, catches up on alert events recorded meanwhile", async () => {
    const device = await api(web.url, alice, "POST", "/api/devices", { name: "Probe" });
    const rule = await api(web.url, alice, "POST", `/api/devices/${device.body.id}/rules`, {
      metric: "t",
      comparator: "gt",
      threshold: 1,
    });
    const a = await openStream(alice);
    const b = await openStream(bob);
    await a.next((e) => e.event === "ready");
    await b.next((e) => e.event === "ready");

    proxy.cut();
    // Recorded while the web app cannot listen: its NOTIFY is lost to it.
    const [alert] = await database.current.sql<{ id: string }[]>`
      insert into alerts (rule_id, device_id, status, value) values (${rule.body.id}, ${device.body.id}, 'firing', 5)
      returning id`;
    const [event] = await database.current.sql<{ id: string }[]>`
      insert into alert_events (alert_id, owner_id, kind, value, notice, notice_at)
      values (${alert?.id as string}, ${alice.id}, 'fired', 5, 'sent', now())
      returning id`;
    await notifyAlert(alice.id, event?.id as string);
    await new Promise((r) => setTimeout(r, 2500));
    proxy.restore();

    const resync = await a.next((e) => e.event === "resync", 20_000);
    expect(resync.data).toEqual({ type: "resync" });
    const caught = await a.next((e) => e.event === "alert" && e.data.eventId === event?.id, 20_000);
    expect(caught.data).toMatchObject({
      kind: "fired",
      alertId: alert?.id,
      ruleId: rule.body.id,
      deviceId: device.body.id,
      value: 5,
    });
    // Bob is told to resync but gets none of Alice's events.
    await b.next((e) => e.event === "resync", 20_000);
    expect(b.events.some((e) => e.event === "alert")).toBe(false);
    // And live delivery works again.
    await notifyAlert(alice.id, "e-after-outage");
    expect((await a.next((e) => e.event === "alert")).data.eventId).toBe("e-after-outage");
    a.close();
    b.close();
  }, 60_000);
});

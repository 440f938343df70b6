// The settings page's webhook (issue 12, SSRF): saving a URL whose host is an internal IP literal
// or a localhost name is refused; "send test" never reaches an internal receiver (unless
// WEBHOOK_ALLOW_PRIVATE), answers in generic words and is rate-limited per owner in the
// database. Real PostgreSQL, real listening receivers.
import { Writable } from "node:stream";
import { useTestDatabase } from "@pulseboard/devstack/test";
import { createLogger } from "@pulseboard/runtime/logger";
import { user } from "@pulseboard/schema";
import { saveWebhookUrl } from "@pulseboard/schema/queries/notifications";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startWebhookReceiver, type WebhookReceiver } from "../../apps/alerter/test/harness";
import {
  ADDRESS_NOT_ALLOWED,
  SEND_TEST_LIMIT,
  sendTestWebhook,
  webhookUrlField,
} from "../../apps/web/src/lib/webhook-settings";

const database = useTestDatabase();
const db = () => database.current.db;
let receiver: WebhookReceiver;
const logs: Record<string, unknown>[] = [];
const log = createLogger({
  name: "web",
  level: "debug",
  destination: new Writable({
    write(chunk: Buffer, _e, done) {
      for (const line of chunk.toString().split("\n").filter(Boolean)) logs.push(JSON.parse(line));
      done();
    },
  }),
});

beforeAll(async () => {
  receiver = await startWebhookReceiver();
});
afterAll(() => receiver?.close());

/** An owner whose saved webhook URL is `url` (saved directly: a hostname, or a URL from before). */
async function ownerWith(url: string): Promise<string> {
  const id = crypto.randomUUID();
  await db()
    .insert(user)
    .values({ id, name: "owner", email: `${id}@example.com` });
  await saveWebhookUrl(db(), id, url);
  return id;
}

const port = () => new URL(receiver.url).port;
const spellings = () => [
  `http://127.0.0.1:${port()}/hooks/pulseboard?token=t0k3n`,
  `http://localhost:${port()}/hooks/pulseboard?token=t0k3n`,
  `http://[::ffff:127.0.0.1]:${port()}/hooks/pulseboard?token=t0k3n`,
  `http://2130706433:${port()}/hooks/pulseboard?token=t0k3n`,
];

describe("saving the webhook URL", () => {
  it("refuses internal IP literals in any spelling and localhost names, with a clear message", () => {
    for (const url of [...spellings(), "http://169.254.169.254/latest/meta-data/", "http://[::1]:8080/"]) {
      const parsed = webhookUrlField(false).safeParse(url);
      expect({ url, message: parsed.error?.issues[0]?.message }).toEqual({
        url,
        message: ADDRESS_NOT_ALLOWED,
      });
    }
    expect(webhookUrlField(false).safeParse("https://hooks.example.com/pulseboard").success).toBe(true);
    expect(webhookUrlField(false).safeParse("").success).toBe(true);
    expect(webhookUrlField(false).safeParse("ftp://example.com/").error?.issues[0]?.message).toBe(
      "Use an http:// or https:// URL.",
    );
  });

  it("with WEBHOOK_ALLOW_PRIVATE, a LAN receiver may be saved, but never the metadata service", () => {
    expect(webhookUrlField(true).safeParse(spellings()[0]).success).toBe(true);
    expect(webhookUrlField(true).safeParse("http://192.168.1.20:8080/hook").success).toBe(true);
    expect(webhookUrlField(true).safeParse("http://169.254.169.254/").success).toBe(false);
  });
});

describe("send test", () => {
  it("reaches no internal receiver, in any spelling; the owner reads generic words, the log the reason", async () => {
    const before = receiver.calls.length;
    for (const url of spellings()) {
      const ownerId = await ownerWith(url);
      const answer = await sendTestWebhook(db(), ownerId, { allowPrivate: false, log });
      expect({ url, answer }).toEqual({
        url,
        answer: { ok: false, message: "Not delivered: the address is not allowed." },
      });
    }
    expect(receiver.calls.length).toBe(before);
    const failures = logs.filter((l) => l.msg === "webhook test failed");
    expect(failures.length).toBe(4);
    expect(JSON.stringify(failures)).not.toMatch(/hooks\/pulseboard|t0k3n/);
  });

  it("with WEBHOOK_ALLOW_PRIVATE, the same spellings are delivered", async () => {
    const before = receiver.calls.length;
    for (const url of spellings()) {
      const ownerId = await ownerWith(url);
      const answer = await sendTestWebhook(db(), ownerId, { allowPrivate: true, log });
      expect({ url, answer }).toEqual({
        url,
        answer: { ok: true, message: "Delivered: the receiver answered HTTP 200." },
      });
    }
    expect(receiver.calls.length - before).toBe(4);
    expect(JSON.parse(receiver.calls.at(-1)?.body ?? "{}")).toMatchObject({ type: "test" });
  });

  it("does not tell a closed port from anything else: no socket error reaches the owner", async () => {
    const gone = await startWebhookReceiver();
    await gone.close();
    const ownerId = await ownerWith(gone.url);
    const answer = await sendTestWebhook(db(), ownerId, { allowPrivate: true, log });
    expect(answer).toEqual({ ok: false, message: "Not delivered: the receiver did not answer." });
    expect(logs.find((l) => l.msg === "webhook test failed" && l.ownerId === ownerId)?.reason).toMatch(
      /ECONNREFUSED/,
    );
  });

  it(`allows ${SEND_TEST_LIMIT} tests a minute per owner, counted in the database across concurrent presses`, async () => {
    const ownerId = await ownerWith(receiver.url);
    const other = await ownerWith(receiver.url);
    const before = receiver.calls.length;
    // Twice the limit at once, as from several web instances: the row lock counts each once.
    const answers = await Promise.all(
      Array.from({ length: 2 * SEND_TEST_LIMIT }, () =>
        sendTestWebhook(db(), ownerId, { allowPrivate: true, log }),
      ),
    );
    expect(answers.filter((a) => a.ok)).toHaveLength(SEND_TEST_LIMIT);
    expect(receiver.calls.length - before).toBe(SEND_TEST_LIMIT);
    for (const refused of answers.filter((a) => !a.ok)) {
      expect(refused.message).toMatch(/^Too many tests: at most 5 a minute\. Try again in (5\d|60) s\.$/);
    }
    // Another owner is not held back.
    expect(await sendTestWebhook(db(), other, { allowPrivate: true, log })).toMatchObject({ ok: true });
    // A minute later the owner may test again.
    const later = new Date(Date.now() + 61_000);
    expect(await sendTestWebhook(db(), ownerId, { allowPrivate: true, log, now: later })).toMatchObject({
      ok: true,
    });
  });
});

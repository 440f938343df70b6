// Notification channels as the web app handles them: saving a URL whose host is an internal IP
// literal or a localhost name is refused (issue 12, SSRF); "send test" never reaches an internal
// receiver (unless WEBHOOK_ALLOW_PRIVATE), answers in generic words, is rate-limited per channel
// in the database, signs webhooks in the Standard Webhooks format, and sends e-mail only to a
// confirmed address. Real PostgreSQL, real listening receivers, a real SMTP server.
import { Writable } from "node:stream";
import { type MailSink, type SinkMail, startMailSink } from "@pulseboard/devstack/mail-sink";
import { useTestDatabase } from "@pulseboard/devstack/test";
import { createLogger } from "@pulseboard/runtime/logger";
import { createMailer, type Mailer } from "@pulseboard/runtime/mail";
import { findFreePort } from "@pulseboard/runtime/ports";
import { user } from "@pulseboard/schema";
import { RateLimitedError } from "@pulseboard/schema/errors";
import {
  confirmEmailChannel,
  createChannel,
  listChannels,
  renewConfirmation,
} from "@pulseboard/schema/queries/notifications";
import { eq } from "drizzle-orm";
import { Webhook } from "standardwebhooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startWebhookReceiver, type WebhookReceiver } from "../../apps/alerter/test/harness";
import {
  ADDRESS_NOT_ALLOWED,
  type ChannelIo,
  newChannelBody,
  SEND_TEST_LIMIT,
  sendChannelTest,
  sendConfirmationMail,
  webhookUrlField,
} from "../../apps/web/src/lib/notification-channels";

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

async function newOwner(): Promise<string> {
  const id = crypto.randomUUID();
  await db()
    .insert(user)
    .values({ id, name: "owner", email: `${id}@example.com` });
  return id;
}

/** An owner with a webhook channel to `url` (saved directly: a hostname, or a URL from before). */
async function ownerWith(url: string): Promise<{ ownerId: string; channelId: string; secret: string }> {
  const ownerId = await newOwner();
  const { channel } = await createChannel(db(), ownerId, {
    kind: "webhook",
    name: "Hook",
    url,
    severities: [],
  });
  return { ownerId, channelId: channel.id, secret: channel.secret ?? "" };
}

const io = (allowPrivate: boolean, now?: Date): ChannelIo => ({
  allowPrivate,
  mailer: undefined,
  appUrl: "http://localhost:3000",
  log,
  ...(now ? { now } : {}),
});

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
    expect(webhookUrlField(false).safeParse("").error?.issues[0]?.message).toBe("Enter the URL.");
    // The channel body applies it to Slack URLs too.
    expect(
      newChannelBody(false).safeParse({
        kind: "slack",
        name: "Ops",
        url: spellings()[0],
        severities: ["critical"],
      }).error?.issues[0]?.message,
    ).toBe(ADDRESS_NOT_ALLOWED);
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
      const { ownerId, channelId } = await ownerWith(url);
      const answer = await sendChannelTest(db(), ownerId, channelId, io(false));
      expect({ url, answer }).toEqual({
        url,
        answer: { ok: false, message: "Not delivered: the address is not allowed." },
      });
    }
    expect(receiver.calls.length).toBe(before);
    const failures = logs.filter((l) => l.msg === "channel test failed");
    expect(failures.length).toBe(4);
    expect(JSON.stringify(failures)).not.toMatch(/hooks\/pulseboard|t0k3n/);
  });

  it("with WEBHOOK_ALLOW_PRIVATE, the same spellings are delivered, signed in the Standard Webhooks format", async () => {
    const before = receiver.calls.length;
    let secret = "";
    for (const url of spellings()) {
      const owner = await ownerWith(url);
      secret = owner.secret;
      const answer = await sendChannelTest(db(), owner.ownerId, owner.channelId, io(true));
      expect({ url, answer }).toEqual({
        url,
        answer: { ok: true, message: "Delivered: the receiver answered HTTP 200." },
      });
    }
    expect(receiver.calls.length - before).toBe(4);
    const last = receiver.calls.at(-1);
    const headers = Object.fromEntries(
      ["webhook-id", "webhook-timestamp", "webhook-signature"].map((h) => [h, String(last?.headers[h])]),
    );
    expect(new Webhook(secret).verify(last?.body ?? "", headers)).toMatchObject({ type: "test" });
  });

  it("does not tell a closed port from anything else: no socket error reaches the owner", async () => {
    const gone = await startWebhookReceiver();
    await gone.close();
    const { ownerId, channelId } = await ownerWith(gone.url);
    const answer = await sendChannelTest(db(), ownerId, channelId, io(true));
    expect(answer).toEqual({ ok: false, message: "Not delivered: the receiver did not answer." });
    expect(logs.find((l) => l.msg === "channel test failed" && l.ownerId === ownerId)?.reason).toMatch(
      /ECONNREFUSED/,
    );
  });

  it(`allows ${SEND_TEST_LIMIT} tests a minute per channel, counted in the database across concurrent presses`, async () => {
    const { ownerId, channelId } = await ownerWith(receiver.url);
    const other = await ownerWith(receiver.url);
    const before = receiver.calls.length;
    // Twice the limit at once, as from several web instances: the row lock counts each once.
    const answers = await Promise.all(
      Array.from({ length: 2 * SEND_TEST_LIMIT }, () => sendChannelTest(db(), ownerId, channelId, io(true))),
    );
    expect(answers.filter((a) => a.ok)).toHaveLength(SEND_TEST_LIMIT);
    expect(receiver.calls.length - before).toBe(SEND_TEST_LIMIT);
    for (const refused of answers.filter((a) => !a.ok)) {
      expect(refused.message).toMatch(/^Too many tests: at most 5 a minute\. Try again in (5\d|60) s\.$/);
    }
    // Another owner is not held back.
    expect(await sendChannelTest(db(), other.ownerId, other.channelId, io(true))).toMatchObject({ ok: true });
    // A minute later the owner may test again.
    const later = new Date(Date.now() + 61_000);
    expect(await sendChannelTest(db(), ownerId, channelId, io(true, later))).toMatchObject({ ok: true });
    // Another owner cannot test this owner's channel.
    await expect(sendChannelTest(db(), other.ownerId, channelId, io(true))).rejects.toThrow(
      "channel not found",
    );
  });
});

describe("e-mail channels", () => {
  let sink: MailSink;
  const received: SinkMail[] = [];
  let mailer: Mailer;

  beforeAll(async () => {
    sink = await startMailSink({
      port: await findFreePort(),
      onMessage: async (mail) => {
        received.push(mail);
      },
    });
    mailer = createMailer({ url: sink.url, from: "Pulseboard <alerts@pulseboard.test>" });
  });
  afterAll(async () => {
    mailer?.close();
    await sink?.close();
  });

  const mailIo = (): ChannelIo => ({ allowPrivate: false, mailer, appUrl: "http://localhost:3000", log });

  it("an added address gets a confirmation link and receives nothing until it is confirmed", async () => {
    const ownerId = await newOwner();
    const address = `ops-${ownerId.slice(0, 8)}@example.com`;
    const { channel, confirmToken } = await createChannel(db(), ownerId, {
      kind: "email",
      name: "Ops",
      address,
      severities: ["critical"],
    });
    expect(channel.verifiedAt).toBeNull();
    expect(await sendChannelTest(db(), ownerId, channel.id, mailIo())).toEqual({
      ok: false,
      message: "Not sent: the address is not confirmed yet (use the link we sent).",
    });
    expect(await sendConfirmationMail(address, confirmToken ?? "", mailIo())).toMatchObject({ ok: true });
    const mail = received.find((m) => m.to.includes(address));
    const link = /http:\/\/localhost:3000\/settings\/confirm\?token=([\w%-]+)/.exec(mail?.text ?? "");
    expect(link).not.toBeNull();
    // Only its owner confirms it, once.
    const stranger = await newOwner();
    await expect(confirmEmailChannel(db(), stranger, decodeURIComponent(link?.[1] ?? ""))).rejects.toThrow();
    expect(
      (await confirmEmailChannel(db(), ownerId, decodeURIComponent(link?.[1] ?? ""))).verifiedAt,
    ).not.toBeNull();
    await expect(confirmEmailChannel(db(), ownerId, decodeURIComponent(link?.[1] ?? ""))).rejects.toThrow();
    expect(await sendChannelTest(db(), ownerId, channel.id, mailIo())).toEqual({
      ok: true,
      message: `Sent to ${address}.`,
    });
    expect(received.filter((m) => m.to.includes(address)).map((m) => m.subject)).toEqual([
      "Confirm this address for Pulseboard alerts",
      "Pulseboard test notice",
    ]);
  });

  it("the account e-mail is a channel from the first look: every severity while it is the only one; sent to once verified", async () => {
    const ownerId = await newOwner();
    const [account] = await listChannels(db(), ownerId);
    expect(account).toMatchObject({
      kind: "email",
      isAccount: true,
      severities: ["info", "warning", "critical"],
    });
    expect(await sendChannelTest(db(), ownerId, account?.id ?? "", mailIo())).toMatchObject({
      ok: false,
      message: "Not sent: the address is not confirmed yet (use the link we sent).",
    });
    await db().update(user).set({ emailVerified: true }).where(eq(user.id, ownerId));
    expect(await sendChannelTest(db(), ownerId, account?.id ?? "", mailIo())).toEqual({
      ok: true,
      message: `Sent to ${ownerId}@example.com.`,
    });
    // An owner who already has channels gets it quiet.
    const other = await ownerWith(receiver.url);
    const channels = await listChannels(db(), other.ownerId);
    expect(channels.find((c) => c.isAccount)?.severities).toEqual([]);
    // And one who adds a channel after it: quiet from then on, unless they had set it themselves.
    await createChannel(db(), ownerId, {
      kind: "slack",
      name: "Chat",
      url: "https://chat.example.com/hook",
      severities: ["critical"],
    });
    expect((await listChannels(db(), ownerId)).find((c) => c.isAccount)?.severities).toEqual([]);
  });

  it("a confirmation link is sent again at most once a minute", async () => {
    const ownerId = await newOwner();
    const start = new Date();
    const { channel } = await createChannel(
      db(),
      ownerId,
      { kind: "email", name: "Ops", address: `ops-${ownerId.slice(0, 8)}@example.com`, severities: [] },
      start,
    );
    await expect(
      renewConfirmation(db(), ownerId, channel.id, new Date(start.getTime() + 5_000)),
    ).rejects.toThrow(RateLimitedError);
    const renewed = await renewConfirmation(db(), ownerId, channel.id, new Date(start.getTime() + 61_000));
    expect(renewed.confirmToken).toMatch(/^[\w-]{32}$/);
  });
});

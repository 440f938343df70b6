// The local mail sink receiving from the app's own mailer (@pulseboard/runtime/mail) over real
// SMTP: what onMessage is given, and a failing onMessage answered with a temporary error so that
// the message is sent again rather than lost.
import { connect } from "node:net";
import { createMailer, MAIL_REFUSED, type Mailer } from "@pulseboard/runtime/mail";
import { findFreePort } from "@pulseboard/runtime/ports";
import { afterEach, describe, expect, it } from "vitest";
import { type SinkMail, startMailSink } from "./mail-sink";

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function sink(onMessage: (mail: SinkMail) => Promise<void>) {
  const started = await startMailSink({ port: await findFreePort(), onMessage });
  cleanups.push(() => started.close());
  return started;
}

/** Sends each command (after the greeting) and collects the final reply line to each. */
function smtpConversation(port: number, commands: string[]): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1");
    const replies: string[] = [];
    let buffer = "";
    socket.setEncoding("utf8");
    socket.on("data", (chunk: string) => {
      buffer += chunk;
      for (let end = buffer.indexOf("\r\n"); end >= 0; end = buffer.indexOf("\r\n")) {
        const line = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        // `250-...` continues a multi-line reply; `250 ...` ends it.
        if (line[3] === "-") continue;
        replies.push(line);
        const next = commands[replies.length - 1];
        if (next === undefined) socket.end();
        else socket.write(`${next}\r\n`);
      }
    });
    socket.on("error", reject);
    socket.on("close", () => resolve(replies));
  });
}

function mailer(url: string): Mailer {
  const m = createMailer({ url, from: "Pulseboard <alerts@pulseboard.test>", timeoutMs: 2000 });
  cleanups.push(() => m.close());
  return m;
}

const message = {
  to: "Owner@Example.TEST",
  subject: "Kühlschrank: temperature above 8 °C",
  text: "The fridge is at 9.5 °C since 14:02.",
  html: "<p>The fridge is at <strong>9.5 °C</strong> since 14:02.</p>",
};

describe("startMailSink", () => {
  it("hands the parsed message to onMessage", async () => {
    const received: SinkMail[] = [];
    const started = await sink(async (mail) => {
      received.push(mail);
    });
    expect(started.url).toBe(`smtp://127.0.0.1:${started.port}`);
    const before = Date.now();
    const result = await mailer(started.url).send(message);
    expect(result).toMatchObject({ ok: true });
    expect(received).toHaveLength(1);
    const [mail] = received;
    expect(mail).toMatchObject({
      from: '"Pulseboard" <alerts@pulseboard.test>',
      to: ["owner@example.test"],
      subject: message.subject,
      html: message.html,
    });
    expect(mail?.text.trim()).toBe(message.text);
    if (result.ok) expect(mail?.messageId).toBe(result.messageId);
    expect(mail?.receivedAt.getTime()).toBeGreaterThanOrEqual(before);
    expect(mail?.receivedAt.getTime()).toBeLessThanOrEqual(Date.now());
  });

  it("a plain-text message without From: html null, from the envelope, recipients as delivered", async () => {
    const received: SinkMail[] = [];
    const started = await sink(async (mail) => {
      received.push(mail);
    });
    const replies = await smtpConversation(started.port, [
      "EHLO test",
      "MAIL FROM:<Robot@Pulseboard.test>",
      "RCPT TO:<Visible@Example.test>",
      // A Bcc: in the envelope only, never in the headers.
      "RCPT TO:<Hidden@Example.test>",
      "DATA",
      "To: visible@example.test\r\nSubject: plain\r\n\r\nonly text\r\n.",
      "QUIT",
    ]);
    expect(replies.at(-2)).toMatch(/^250 /);
    expect(received).toHaveLength(1);
    expect(received[0]).toMatchObject({
      messageId: null,
      from: "Robot@Pulseboard.test",
      to: ["visible@example.test", "hidden@example.test"],
      subject: "plain",
      html: null,
    });
    expect(received[0]?.text.trim()).toBe("only text");
  });

  it("when onMessage fails the sender is told to retry, and the retry is not lost", async () => {
    const stored: SinkMail[] = [];
    let failures = 1;
    const started = await sink(async (mail) => {
      if (failures > 0) {
        failures -= 1;
        throw new Error("the database is down");
      }
      stored.push(mail);
    });
    const m = mailer(started.url);
    const first = await m.send(message);
    expect(first).toMatchObject({ ok: false, error: MAIL_REFUSED });
    if (!first.ok) expect(first.detail).toMatch(/451/);
    expect(stored).toEqual([]);

    const retry = await m.send(message);
    expect(retry).toMatchObject({ ok: true });
    expect(stored.map((mail) => mail.subject)).toEqual([message.subject]);
  });

  it("a message over 1 MB is refused and not handed on", async () => {
    const received: SinkMail[] = [];
    const started = await sink(async (mail) => {
      received.push(mail);
    });
    const line = `${"x".repeat(998)}\r\n`;
    const replies = await smtpConversation(started.port, [
      "EHLO test",
      "MAIL FROM:<a@pulseboard.test>",
      "RCPT TO:<b@pulseboard.test>",
      "DATA",
      `Subject: big\r\n\r\n${line.repeat(1100)}.`,
      "QUIT",
    ]);
    expect(replies.at(-2)).toMatch(/^552 /);
    expect(received).toEqual([]);
  });

  it("port 0 takes a free port and says which", async () => {
    const started = await startMailSink({ port: 0, onMessage: async () => {} });
    cleanups.push(() => started.close());
    expect(started.port).toBeGreaterThan(0);
    expect(started.url).toBe(`smtp://127.0.0.1:${started.port}`);
  });
});

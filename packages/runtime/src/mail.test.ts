// The mailer against a real SMTP server (smtp-server on loopback, no TLS, login optional): what
// arrives, a refused recipient, a server that is not there, and the URL's password kept out of
// every error and detail.
import { networkInterfaces } from "node:os";
import { simpleParser } from "mailparser";
import { SMTPServer, type SMTPServerOptions } from "smtp-server";
import { afterEach, describe, expect, it } from "vitest";
import {
  createMailer,
  describeMailError,
  MAIL_NO_ANSWER,
  MAIL_REFUSED,
  type Mailer,
  parseSmtpUrl,
} from "./mail";
import { findFreePort } from "./ports";

interface Received {
  envelopeTo: string[];
  raw: Buffer;
}

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function smtpServer({
  host = "127.0.0.1",
  ...options
}: Partial<SMTPServerOptions> & { host?: string } = {}) {
  const received: Received[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS"],
    disableReverseLookup: true,
    logger: false,
    // Accepts any login: the test is about what the client does with the password.
    allowInsecureAuth: true,
    onAuth: (auth, _session, callback) => callback(null, { user: auth.username }),
    onData(stream, session, callback) {
      const parts: Buffer[] = [];
      stream.on("data", (chunk: Buffer) => parts.push(chunk));
      stream.on("end", () => {
        received.push({
          envelopeTo: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(parts),
        });
        callback();
      });
    },
    ...options,
  });
  const port = await findFreePort(host);
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => resolve());
  });
  cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { port, received };
}

function mailer(url: string, timeoutMs = 2000): Mailer {
  const m = createMailer({ url, from: "Pulseboard <alerts@pulseboard.test>", timeoutMs });
  // Before the server's close: its close waits for the pooled connections.
  cleanups.push(() => m.close());
  return m;
}

const message = {
  to: "owner@example.test",
  subject: "Kühlschrank: temperature above 8 °C",
  text: "The fridge is at 9.5 °C since 14:02.",
  html: "<p>The fridge is at <strong>9.5 °C</strong> since 14:02.</p>",
};

describe("createMailer: sending", () => {
  it("delivers To, Subject, a text part and an HTML part", async () => {
    const { port, received } = await smtpServer();
    const result = await mailer(`smtp://127.0.0.1:${port}`).send({
      ...message,
      headers: { "X-Pulseboard-Alert": "rule-7" },
    });
    expect(result).toMatchObject({ ok: true });
    expect(received).toHaveLength(1);
    expect(received[0]?.envelopeTo).toEqual(["owner@example.test"]);
    const parsed = await simpleParser(received[0]?.raw ?? Buffer.alloc(0));
    expect(parsed.to && !Array.isArray(parsed.to) ? parsed.to.value[0]?.address : null).toBe(
      "owner@example.test",
    );
    expect(parsed.from?.value[0]).toMatchObject({ name: "Pulseboard", address: "alerts@pulseboard.test" });
    expect(parsed.subject).toBe(message.subject);
    expect(parsed.text?.trim()).toBe(message.text);
    expect(parsed.html).toBe(message.html);
    expect(parsed.headers.get("x-pulseboard-alert")).toBe("rule-7");
    if (result.ok) expect(parsed.messageId).toBe(result.messageId);
  });

  it("logs in with the URL's credentials, decoded", async () => {
    const logins: { username: string; password: string }[] = [];
    const { port, received } = await smtpServer({
      onAuth: (auth, _session, callback) => {
        logins.push({ username: auth.username ?? "", password: auth.password ?? "" });
        callback(null, { user: auth.username });
      },
    });
    const result = await mailer(`smtp://alerts%40pulseboard.test:p%40ss%2Fw0rd@127.0.0.1:${port}`).send(
      message,
    );
    expect(result).toMatchObject({ ok: true });
    expect(logins).toEqual([{ username: "alerts@pulseboard.test", password: "p@ss/w0rd" }]);
    expect(received).toHaveLength(1);
  });

  it("a refused recipient (550) is the server refusing the message; the reply is the detail", async () => {
    const { port, received } = await smtpServer({
      onRcptTo: (_address, _session, callback) =>
        callback(Object.assign(new Error("5.1.1 no such mailbox"), { responseCode: 550 })),
    });
    const result = await mailer(`smtp://127.0.0.1:${port}`).send(message);
    expect(result).toMatchObject({ ok: false, error: MAIL_REFUSED });
    if (!result.ok) expect(result.detail).toMatch(/550 5\.1\.1 no such mailbox/);
    expect(received).toEqual([]);
  });

  it("a port nobody listens on is a server that did not answer, within the timeout", async () => {
    const port = await findFreePort();
    const started = Date.now();
    const result = await mailer(`smtp://127.0.0.1:${port}`).send(message);
    expect(result).toMatchObject({ ok: false, error: MAIL_NO_ANSWER });
    if (!result.ok) expect(result.detail).toMatch(/ECONNREFUSED/);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it("a server that never greets is given up after the timeout", async () => {
    const { createServer } = await import("node:net");
    const sockets: import("node:net").Socket[] = [];
    const silent = createServer((socket) => sockets.push(socket));
    const port = await findFreePort();
    await new Promise<void>((resolve) => silent.listen(port, "127.0.0.1", resolve));
    cleanups.push(
      () =>
        new Promise<void>((resolve) => {
          for (const socket of sockets) socket.destroy();
          silent.close(() => resolve());
        }),
    );
    const started = Date.now();
    const result = await mailer(`smtp://127.0.0.1:${port}`, 300).send(message);
    expect(result).toMatchObject({ ok: false, error: MAIL_NO_ANSWER });
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it("the URL's password is in no detail, whatever fails", async () => {
    const refusing = await smtpServer({
      onAuth: (_auth, _session, callback) =>
        callback(Object.assign(new Error("bad login for secret-p4ss"), { responseCode: 535 })),
    });
    const port = await findFreePort();
    for (const url of [
      `smtp://user:secret-p4ss@127.0.0.1:${refusing.port}`,
      `smtp://user:secret-p4ss@127.0.0.1:${port}`,
    ]) {
      const result = await mailer(url).send(message);
      expect(result.ok).toBe(false);
      if (!result.ok) {
        expect(result.detail).not.toContain("secret-p4ss");
        expect(result.error).not.toContain("secret-p4ss");
      }
    }
  });
});

// A non-loopback address of this machine, to play a remote server (none in some sandboxes).
const lanAddress = Object.values(networkInterfaces())
  .flat()
  .find((i) => i && i.family === "IPv4" && !i.internal)?.address;

describe("createMailer: the password on the wire", () => {
  it.skipIf(!lanAddress)("is not sent to a remote server that offers no TLS", async () => {
    const logins: string[] = [];
    const { port, received } = await smtpServer({
      host: lanAddress,
      onAuth: (auth, _session, callback) => {
        logins.push(auth.password ?? "");
        callback(null, { user: auth.username });
      },
    });
    const result = await mailer(`smtp://user:secret-p4ss@${lanAddress}:${port}`).send(message);
    expect(result).toMatchObject({ ok: false, error: MAIL_REFUSED });
    if (!result.ok) expect(result.detail).toMatch(/STARTTLS/);
    expect(logins).toEqual([]);
    expect(received).toEqual([]);
  });
});

describe("createMailer: the URL", () => {
  it("an invalid SMTP_URL throws at once, without its password", () => {
    for (const url of [
      "not a url with secret-p4ss",
      "http://user:secret-p4ss@mail.example.test",
      "smtp://user:secret-p4ss@mail.example.test/path?pool=true",
      "smtp://user:secret-p4ss%zz@mail.example.test",
    ]) {
      let thrown: unknown = null;
      try {
        createMailer({ url, from: "a@example.test" });
      } catch (error) {
        thrown = error;
      }
      expect(thrown, url).toBeInstanceOf(Error);
      expect(String(thrown)).toMatch(/SMTP_URL/);
      expect(String(thrown)).not.toContain("secret-p4ss");
    }
  });

  it("parseSmtpUrl: ports by scheme, decoded credentials, IPv6 hosts", () => {
    expect(parseSmtpUrl("smtp://mail.example.test")).toEqual({
      host: "mail.example.test",
      port: 587,
      secure: false,
      auth: null,
    });
    expect(parseSmtpUrl("smtps://u%40x:p%3Aw@mail.example.test")).toEqual({
      host: "mail.example.test",
      port: 465,
      secure: true,
      auth: { user: "u@x", pass: "p:w" },
    });
    expect(parseSmtpUrl("smtp://[::1]:2525/")).toMatchObject({ host: "::1", port: 2525 });
  });
});

describe("describeMailError", () => {
  it("a reply of 4xx or 5xx is a refusal, a socket error or silence is no answer", () => {
    expect(
      describeMailError({ code: "EENVELOPE", responseCode: 451, response: "451 try later" }, []),
    ).toEqual({
      error: MAIL_REFUSED,
      detail: "EENVELOPE 451 try later",
    });
    expect(
      describeMailError(
        Object.assign(new Error("Greeting never received"), { code: "ETIMEDOUT", command: "CONN" }),
        [],
      ),
    ).toEqual({ error: MAIL_NO_ANSWER, detail: "ETIMEDOUT (CONN) Greeting never received" });
  });

  it("blots out a secret in any spelling", () => {
    const secret = "p@ss/w0rd";
    const error = Object.assign(new Error(`x ${secret} ${encodeURIComponent(secret)} ${btoa(secret)}`), {
      code: "EAUTH",
    });
    expect(describeMailError(error, [secret]).detail).toBe("EAUTH x *** *** ***");
  });
});

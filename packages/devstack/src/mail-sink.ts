// The local SMTP sink `pnpm start` points SMTP_URL at on the embedded defaults, so that alert
// e-mails are seen without leaving the machine: any message is accepted, parsed and handed to
// `onMessage`. If that fails, the SMTP transaction answers 451 (a temporary error): the sender
// keeps the message and tries again, so nothing is lost in between.
import type { ReceivedMail } from "@pulseboard/schema/queries/local-mailbox";
import { simpleParser } from "mailparser";
import { SMTPServer, type SMTPServerDataStream, type SMTPServerSession } from "smtp-server";

/**
 * A received mail, as the local mailbox keeps it: `from` is the From header as written (or the
 * envelope's MAIL FROM without one), `to` the envelope's RCPT TO addresses, lower-cased (Bcc
 * included, as delivered).
 */
export type SinkMail = ReceivedMail;

export interface MailSink {
  port: number;
  /** `smtp://host:port`, for SMTP_URL. */
  url: string;
  close(): Promise<void>;
}

export const SINK_SIZE_LIMIT = 1024 * 1024;
// How long close() lets a sender's open (pooled) connection finish before it is cut with a 421.
const CLOSE_GRACE_MS = 2000;

/** An SMTP error with the reply code smtp-server answers with. */
function smtpError(responseCode: number, message: string): Error {
  return Object.assign(new Error(message), { responseCode });
}

/** The whole message, or null when it went over the limit (what went over is not kept). */
function readMessage(stream: SMTPServerDataStream): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    let length = 0;
    stream.on("data", (chunk: Buffer) => {
      length += chunk.length;
      if (length <= SINK_SIZE_LIMIT) parts.push(chunk);
    });
    stream.once("error", reject);
    stream.once("end", () =>
      resolve(stream.sizeExceeded || length > SINK_SIZE_LIMIT ? null : Buffer.concat(parts)),
    );
  });
}

async function toSinkMail(raw: Buffer, session: SMTPServerSession): Promise<SinkMail> {
  const parsed = await simpleParser(raw);
  const mailFrom = session.envelope.mailFrom;
  return {
    messageId: parsed.messageId ?? null,
    from: parsed.from?.text || (mailFrom ? mailFrom.address : ""),
    to: session.envelope.rcptTo.map((r) => r.address.toLowerCase()),
    subject: parsed.subject ?? "",
    text: parsed.text ?? "",
    html: typeof parsed.html === "string" ? parsed.html : null,
    receivedAt: new Date(),
  };
}

/** Starts the sink on `host:port` (port 0: any free port; the one taken is in the answer). */
export async function startMailSink({
  host = "127.0.0.1",
  port,
  onMessage,
}: {
  host?: string;
  port: number;
  onMessage: (mail: SinkMail) => Promise<void>;
}): Promise<MailSink> {
  const server = new SMTPServer({
    banner: "Pulseboard local mail sink",
    authOptional: true,
    // Plain text on this machine only; no certificate to make or trust.
    disabledCommands: ["STARTTLS"],
    size: SINK_SIZE_LIMIT,
    disableReverseLookup: true,
    closeTimeout: CLOSE_GRACE_MS,
    logger: false,
    onData(stream, session, callback) {
      void (async () => {
        let raw: Buffer | null;
        try {
          raw = await readMessage(stream);
        } catch {
          return callback(smtpError(451, "4.3.0 the message could not be read, try again"));
        }
        if (!raw) return callback(smtpError(552, "5.3.4 the message is over 1 MB"));
        let mail: SinkMail;
        try {
          mail = await toSinkMail(raw, session);
        } catch {
          return callback(smtpError(554, "5.6.0 the message could not be parsed"));
        }
        try {
          await onMessage(mail);
        } catch {
          return callback(smtpError(451, "4.3.0 the message could not be stored, try again"));
        }
        callback();
      })();
    },
  });
  // A sender's dropped connection is the sender's failure to see; the sink keeps serving.
  const ignore = () => {};
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      server.on("error", ignore);
      resolve();
    });
  });
  const address = server.server.address();
  const bound = typeof address === "object" && address ? address.port : port;
  const urlHost = host.includes(":") ? `[${host}]` : host;
  return {
    port: bound,
    url: `smtp://${urlHost}:${bound}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

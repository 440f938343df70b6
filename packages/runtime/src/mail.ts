// E-mail over SMTP (nodemailer, pooled), for alert notifications. Like webhook.ts, sending never
// throws: the owner is told in generic words whether the server did not answer or refused, the
// log gets the SMTP code and reply. SMTP_URL may carry a password: it is never put in an error,
// a detail or a log line, and with credentials a remote server must offer TLS before we log in.
import nodemailer from "nodemailer";

/** What the owner is told. */
export const MAIL_NO_ANSWER = "the mail server did not answer";
export const MAIL_REFUSED = "the mail server refused the message";

export type MailResult =
  | { ok: true; messageId: string }
  | {
      ok: false;
      /** For the owner: MAIL_NO_ANSWER or MAIL_REFUSED. */
      error: string;
      /** For the log: the SMTP command, code and reply, or the socket error; never the password. */
      detail: string;
    };

export interface MailMessage {
  to: string;
  subject: string;
  text: string;
  html: string;
  headers?: Record<string, string>;
}

export interface Mailer {
  send(message: MailMessage): Promise<MailResult>;
  /** Closes the pooled connections; a message being sent finishes first. */
  close(): void;
}

export interface SmtpTarget {
  host: string;
  port: number;
  /** smtps: TLS from the first byte; smtp: plain, upgraded with STARTTLS when offered. */
  secure: boolean;
  auth: { user: string; pass: string } | null;
}

const EXAMPLE = "expected smtp://host:port or smtps://user:password@host:465";

/**
 * SMTP_URL as connection settings. Throws on anything else, with a message that never quotes
 * the URL (it may hold a password).
 */
export function parseSmtpUrl(raw: string): SmtpTarget {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new Error(`SMTP_URL is not a URL (${EXAMPLE})`);
  }
  if (url.protocol !== "smtp:" && url.protocol !== "smtps:") {
    throw new Error(`SMTP_URL's scheme ${url.protocol} is not smtp: or smtps: (${EXAMPLE})`);
  }
  const host = url.hostname.replace(/^\[(.*)\]$/, "$1");
  if (!host) throw new Error(`SMTP_URL has no host (${EXAMPLE})`);
  // nodemailer reads options from a query; we do not, and say so rather than ignore them.
  if ((url.pathname !== "" && url.pathname !== "/") || url.search || url.hash) {
    throw new Error(`SMTP_URL takes no path or query (${EXAMPLE})`);
  }
  const secure = url.protocol === "smtps:";
  let auth: SmtpTarget["auth"] = null;
  if (url.username || url.password) {
    try {
      auth = { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) };
    } catch {
      throw new Error("SMTP_URL's user or password has a malformed %-escape");
    }
  }
  return { host, port: url.port ? Number(url.port) : secure ? 465 : 587, secure, auth };
}

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|localhost)$/i;

// Codes for a message the server (or the envelope check before it) refused, with or without a reply.
const REFUSED_CODES = new Set(["EENVELOPE", "EMESSAGE", "EAUTH"]);

/**
 * What to tell the owner and the log about a failed send. A 4xx/5xx reply is a refusal;
 * anything else (refused connection, timeout, TLS failure without a reply) is no answer.
 * `secrets` (the URL's password) are blotted out of the detail, however spelled.
 */
export function describeMailError(error: unknown, secrets: string[]): { error: string; detail: string } {
  const e = (error ?? {}) as {
    code?: unknown;
    responseCode?: unknown;
    response?: unknown;
    command?: unknown;
  };
  const code = typeof e.code === "string" ? e.code : "";
  const responseCode = typeof e.responseCode === "number" ? e.responseCode : 0;
  const refused = responseCode >= 400 || REFUSED_CODES.has(code);
  const message = error instanceof Error ? error.message : String(error);
  const said = typeof e.response === "string" && e.response ? e.response : message;
  let detail = [code, typeof e.command === "string" && e.command ? `(${e.command})` : "", said]
    .filter(Boolean)
    .join(" ")
    .replace(/\s+/g, " ");
  for (const secret of secrets.filter(Boolean)) {
    for (const form of [secret, encodeURIComponent(secret), Buffer.from(secret).toString("base64")]) {
      detail = detail.replaceAll(form, "***");
    }
  }
  return { error: refused ? MAIL_REFUSED : MAIL_NO_ANSWER, detail };
}

/**
 * A pooled SMTP mailer. Throws at once on an invalid `url` (see parseSmtpUrl); after that, never.
 * `timeoutMs` bounds connecting, the greeting and each silence on the socket (10 s by default).
 */
export function createMailer({
  url,
  from,
  timeoutMs = 10_000,
}: {
  url: string;
  from: string;
  timeoutMs?: number;
}): Mailer {
  const target = parseSmtpUrl(url);
  const transport = nodemailer.createTransport({
    pool: true,
    host: target.host,
    port: target.port,
    secure: target.secure,
    ...(target.auth ? { auth: target.auth } : {}),
    // A password is not sent in the clear to another machine: STARTTLS first, or no login.
    requireTLS: !target.secure && target.auth !== null && !LOOPBACK.test(target.host),
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs,
    dnsTimeout: timeoutMs,
    // A dropped pooled connection is retried once, not five times: the caller has its own retries.
    maxRequeues: 1,
  });
  const secrets = target.auth?.pass ? [target.auth.pass] : [];
  return {
    async send(message) {
      try {
        const info = await transport.sendMail({
          from,
          to: message.to,
          subject: message.subject,
          text: message.text,
          html: message.html,
          ...(message.headers ? { headers: message.headers } : {}),
        });
        return { ok: true, messageId: info.messageId };
      } catch (error) {
        return { ok: false, ...describeMailError(error, secrets) };
      }
    },
    close() {
      transport.close();
    },
  };
}

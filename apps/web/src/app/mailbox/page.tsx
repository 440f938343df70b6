import { listLocalMail } from "@pulseboard/schema/queries/local-mailbox";
import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { LocalTime } from "@/components/local-time";
import { env } from "@/env";
import { db } from "@/lib/db";
import { requireSession } from "@/lib/session";

export const metadata: Metadata = { title: "Mailbox" };

/** The text with its http(s) links made links (confirmation links, the alert's page). */
function linked(text: string) {
  return text.split(/(https?:\/\/[^\s<>"]+)/).map((part, i) =>
    /^https?:\/\//.test(part) ? (
      <a key={i} href={part} rel="noreferrer">
        {part}
      </a>
    ) : (
      part
    ),
  );
}

/**
 * The local mailbox (LOCAL_MAILBOX, on `pnpm start`'s embedded defaults): the mail the local SMTP
 * sink received for the signed-in user's address, newest first. Nothing left the machine.
 */
export default async function MailboxPage() {
  const session = await requireSession();
  if (!env.LOCAL_MAILBOX) notFound();
  const mail = await listLocalMail(db, session.user.id);
  return (
    <div className="stack">
      <div className="page-head">
        <div>
          <h1>Mailbox</h1>
          <p className="muted small">
            Mail to {session.user.email ?? "your address"} that this local Pulseboard sent. It stays on this
            machine: set SMTP_URL to send real mail.
          </p>
        </div>
      </div>
      {mail.length === 0 ? (
        <p className="card">
          No mail yet. A fired alert, a test from Settings → Notifications, or a confirmation link shows here.
        </p>
      ) : (
        <ul className="stack" style={{ listStyle: "none", padding: 0 }}>
          {mail.map((m) => (
            <li key={m.id} className="card" data-testid="mail">
              <details>
                <summary>
                  <strong data-testid="mail-subject">{m.subject}</strong>{" "}
                  <span className="small muted">
                    from {m.sender}, <LocalTime value={m.receivedAt} />
                  </span>
                </summary>
                <pre className="small" style={{ whiteSpace: "pre-wrap" }} data-testid="mail-text">
                  {linked(m.text)}
                </pre>
              </details>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

// The local mailbox (the embedded defaults' SMTP sink writes here; nothing leaves the machine):
// each received mail once per recipient, and what the app shows a signed-in user: the mail
// addressed to their own e-mail, newest first.
import { and, desc, eq, sql } from "drizzle-orm";
import type { Database } from "../client";
import { NotFoundError } from "../errors";
import { user } from "../schema/auth";
import { type LocalMail, localMailbox } from "../schema/telemetry";

export interface ReceivedMail {
  messageId: string | null;
  from: string;
  to: string[];
  subject: string;
  text: string;
  html: string | null;
  receivedAt: Date;
}

/** Keeps a mail the sink received, once per envelope recipient. */
export async function storeReceivedMail(db: Database, mail: ReceivedMail): Promise<void> {
  if (mail.to.length === 0) return;
  await db.insert(localMailbox).values(
    mail.to.map((recipient) => ({
      recipient: recipient.toLowerCase(),
      sender: mail.from,
      subject: mail.subject,
      text: mail.text,
      html: mail.html,
      messageId: mail.messageId,
      receivedAt: mail.receivedAt,
    })),
  );
}

const mine = (userId: string) =>
  sql`${localMailbox.recipient} = (select lower(${user.email}) from ${user} where ${user.id} = ${userId})`;

/** The newest mail addressed to the user's e-mail. */
export function listLocalMail(db: Database, userId: string, limit = 50): Promise<LocalMail[]> {
  return db
    .select()
    .from(localMailbox)
    .where(mine(userId))
    .orderBy(desc(localMailbox.receivedAt), desc(localMailbox.id))
    .limit(limit);
}

export async function getLocalMail(db: Database, userId: string, id: string): Promise<LocalMail> {
  const [row] = await db
    .select()
    .from(localMailbox)
    .where(and(eq(localMailbox.id, id), mine(userId)));
  if (!row) throw new NotFoundError("mail not found");
  return row;
}

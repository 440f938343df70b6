import { isDomainError } from "@pulseboard/schema/errors";
import { confirmEmailChannel } from "@pulseboard/schema/queries/notifications";
import type { Metadata } from "next";
import Link from "next/link";
import { db } from "@/lib/db";
import { first } from "@/lib/params";
import { requireSession } from "@/lib/session";

export const metadata: Metadata = { title: "Confirm an address" };

/**
 * Where an added address's confirmation link leads (signed in: the link confirms the address for
 * the account that added it, and no other). Confirmed, it receives the severities ticked for it.
 */
export default async function ConfirmAddressPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const session = await requireSession();
  const token = first((await searchParams).token) ?? "";
  let message: { ok: boolean; text: string };
  try {
    const channel = await confirmEmailChannel(db, session.user.id, token);
    message = {
      ok: true,
      text: `${channel.address} is confirmed: alert notices for its severities go there now.`,
    };
  } catch (error) {
    if (!isDomainError(error)) throw error;
    message = {
      ok: false,
      text: "This link does not confirm anything: it was used already, replaced by a newer one, or it is another account's. Send a new link from Settings.",
    };
  }
  return (
    <section className="card stack" aria-labelledby="confirm-title">
      <h1 id="confirm-title">Confirm an address</h1>
      <p className={message.ok ? "success" : "error"} role="status" data-testid="confirm-result">
        {message.text}
      </p>
      <p>
        <Link href="/settings">Back to Settings</Link>
      </p>
    </section>
  );
}

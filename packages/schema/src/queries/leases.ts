// Leases (the `leases` table): work one process at a time may do across every instance. A lease is
// taken by an upsert that wins only when no row exists or the row's lease has expired, so two
// takers racing for it get one winner (the row lock orders them); the holder renews it while the
// work runs and gives it up at the end. A holder that dies without giving it up blocks the work
// until the expiry, no longer. Times are the database's clock, so instances' clocks do not matter.
import type { Database } from "../client";

/** Takes the lease `name` for `holder` for `ttlMs`; false when someone else holds it unexpired. */
export async function acquireLease(
  db: Database,
  name: string,
  holder: string,
  ttlMs: number,
): Promise<boolean> {
  const taken = await db.$client`
    insert into leases (name, holder, expires_at)
    values (${name}, ${holder}, now() + make_interval(secs => ${ttlMs / 1000}))
    on conflict (name) do update set holder = excluded.holder, expires_at = excluded.expires_at
    where leases.expires_at < now()
    returning 1`;
  return taken.length > 0;
}

/** Extends `holder`'s lease by `ttlMs` from now; false when it is no longer theirs (it expired and was taken). */
export async function renewLease(
  db: Database,
  name: string,
  holder: string,
  ttlMs: number,
): Promise<boolean> {
  const renewed = await db.$client`
    update leases set expires_at = now() + make_interval(secs => ${ttlMs / 1000})
    where name = ${name} and holder = ${holder}
    returning 1`;
  return renewed.length > 0;
}

/** Gives the lease up, if `holder` still holds it. */
export async function releaseLease(db: Database, name: string, holder: string): Promise<void> {
  await db.$client`delete from leases where name = ${name} and holder = ${holder}`;
}

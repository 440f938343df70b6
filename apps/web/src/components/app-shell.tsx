import Link from "next/link";
import type { ReactNode } from "react";
import { AccountButton } from "./identity";
import { LiveIndicator, LiveProvider } from "./live";
import { NavLinks } from "./nav-links";

/**
 * The app's frame; `who` names the signed-in user (lib/session.ts displayName), null for a reader
 * who is not signed in (the community is open to read): no live stream then, a sign-in link.
 */
export function AppShell({
  who,
  children,
  next,
}: {
  who: string | null;
  children: ReactNode;
  /** Where sign-in returns to, for a reader who is not signed in. */
  next?: string;
}) {
  const header = (
    <header className="topbar">
      <div className="topbar-inner">
        <Link className="brand" href={who === null ? "/community" : "/dashboard"}>
          Pulseboard
        </Link>
        <NavLinks signedIn={who !== null} />
        <div className="user">
          {who === null ? (
            <Link
              className="btn btn-small"
              href={`/sign-in${next ? `?next=${encodeURIComponent(next)}` : ""}`}
            >
              Sign in
            </Link>
          ) : (
            <>
              <LiveIndicator />
              <span className="hide-narrow" data-testid="user-email">
                {who}
              </span>
              <AccountButton />
            </>
          )}
        </div>
      </div>
    </header>
  );
  if (who === null)
    return (
      <>
        {header}
        <main className="page">{children}</main>
      </>
    );
  return (
    <LiveProvider>
      {header}
      <main className="page">{children}</main>
    </LiveProvider>
  );
}

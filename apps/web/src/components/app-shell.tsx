import Link from "next/link";
import type { ReactNode } from "react";
import { AccountButton } from "./identity";
import { LiveIndicator, LiveProvider } from "./live";
import { NavLinks } from "./nav-links";

/** The signed-in pages' frame; `who` names the user (lib/session.ts displayName). */
export function AppShell({ who, children }: { who: string; children: ReactNode }) {
  return (
    <LiveProvider>
      <header className="topbar">
        <div className="topbar-inner">
          <Link className="brand" href="/dashboard">
            Pulseboard
          </Link>
          <NavLinks />
          <div className="user">
            <LiveIndicator />
            <span className="hide-narrow" data-testid="user-email">
              {who}
            </span>
            <AccountButton />
          </div>
        </div>
      </header>
      <main className="page">{children}</main>
    </LiveProvider>
  );
}

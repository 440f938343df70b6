import Link from "next/link";
import type { ReactNode } from "react";
import { LiveIndicator, LiveProvider } from "./live";
import { NavLinks } from "./nav-links";
import { SignOutButton } from "./sign-out-button";

export function AppShell({ email, children }: { email: string; children: ReactNode }) {
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
              {email}
            </span>
            <SignOutButton />
          </div>
        </div>
      </header>
      <main className="page">{children}</main>
    </LiveProvider>
  );
}

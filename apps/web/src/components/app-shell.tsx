import { cookies } from "next/headers";
import Link from "next/link";
import type { ReactNode } from "react";
import { env } from "@/env";
import { requestPrefs } from "@/lib/prefs";
import { displayName, type SessionUser } from "@/lib/session";
import { THEME_COOKIE, themeOf } from "@/lib/theme";
import { AccountButton } from "./identity";
import { LiveIndicator, LiveProvider } from "./live";
import { NavLinks } from "./nav-links";
import { PrefsProvider } from "./prefs";
import { ThemeToggle } from "./theme-toggle";

/**
 * The app's frame: a skip link, the navigation (a menu on a phone), the theme toggle, and the
 * user's time zone and locale for every date and number below (components/prefs.tsx). `user` is
 * null for a reader who is not signed in (the community is open to read): no live stream then,
 * a sign-in link.
 */
export async function AppShell({
  user,
  children,
  next,
}: {
  user: SessionUser | null;
  children: ReactNode;
  /** Where sign-in returns to, for a reader who is not signed in. */
  next?: string;
}) {
  const prefs = await requestPrefs(user?.id ?? null);
  const theme = themeOf((await cookies()).get(THEME_COOKIE)?.value);
  const header = (
    <>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <div className="topbar-inner">
          <Link className="brand" href={user === null ? "/community" : "/dashboard"}>
            Pulseboard
          </Link>
          <NavLinks signedIn={user !== null} mailbox={env.LOCAL_MAILBOX} />
          <div className="user">
            <ThemeToggle initial={theme} />
            {user === null ? (
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
                  {displayName(user)}
                </span>
                <AccountButton />
              </>
            )}
          </div>
        </div>
      </header>
    </>
  );
  const main = (
    <main id="main" tabIndex={-1} className="page">
      {children}
    </main>
  );
  return (
    <PrefsProvider prefs={prefs}>
      {user === null ? (
        <>
          {header}
          {main}
        </>
      ) : (
        <LiveProvider>
          {header}
          {main}
        </LiveProvider>
      )}
    </PrefsProvider>
  );
}

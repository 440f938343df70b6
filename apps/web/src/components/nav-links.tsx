"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";
import { useEffect, useRef, useState } from "react";

const LINKS: { href: string; label: string; exact?: boolean }[] = [
  { href: "/dashboard", label: "Overview", exact: true },
  { href: "/dashboard/devices", label: "Devices" },
  { href: "/dashboard/alerts", label: "Alerts" },
  { href: "/dashboard/workouts", label: "Workouts" },
  { href: "/dashboard/plans", label: "Plans" },
  { href: "/dashboard/exercises", label: "Exercises" },
  { href: "/community", label: "Community" },
  { href: "/settings", label: "Settings" },
];
/** The local mailbox (LOCAL_MAILBOX: the embedded defaults' SMTP sink). */
const MAILBOX: (typeof LINKS)[number] = { href: "/mailbox", label: "Mailbox" };

/**
 * The main navigation; a reader who is not signed in sees only the community. Wide screens show
 * every link; a phone shows a Menu button that opens them all as a list (a disclosure: Escape or
 * a link closes it, focus goes back to the button).
 */
export function NavLinks({ signedIn = true, mailbox = false }: { signedIn?: boolean; mailbox?: boolean }) {
  const pathname = usePathname();
  const [open, setOpen] = useState(false);
  const button = useRef<HTMLButtonElement>(null);
  const links = [...LINKS, ...(mailbox ? [MAILBOX] : [])].filter(
    (link) => signedIn || link.href === "/community",
  );
  const current = links.find((link) =>
    link.exact ? pathname === link.href : pathname.startsWith(link.href),
  );

  // A link followed: the menu closes on the new page.
  useEffect(() => setOpen(false), [pathname]);

  return (
    <nav
      className="nav"
      aria-label="Main"
      data-open={open ? "" : undefined}
      onKeyDown={(event) => {
        if (event.key === "Escape" && open) {
          setOpen(false);
          button.current?.focus();
        }
      }}
    >
      <button
        ref={button}
        type="button"
        className="nav-menu-button"
        aria-expanded={open}
        aria-controls="main-nav-links"
        onClick={() => setOpen(!open)}
      >
        <span aria-hidden="true">☰</span> Menu
        {current ? <span className="nav-current">: {current.label}</span> : null}
      </button>
      <ul id="main-nav-links" className="nav-links">
        {links.map((link) => (
          <li key={link.href}>
            <Link
              href={link.href}
              aria-current={link === current ? "page" : undefined}
              onClick={() => setOpen(false)}
            >
              {link.label}
            </Link>
          </li>
        ))}
      </ul>
    </nav>
  );
}

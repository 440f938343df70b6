"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";

const LINKS = [
  { href: "/dashboard", label: "Overview", exact: true },
  { href: "/dashboard/devices", label: "Devices" },
  { href: "/dashboard/alerts", label: "Alerts" },
  { href: "/dashboard/workouts", label: "Workouts" },
  { href: "/dashboard/plans", label: "Plans" },
  { href: "/dashboard/exercises", label: "Exercises" },
  { href: "/community", label: "Community" },
  { href: "/settings", label: "Settings" },
];

/** The main navigation; a reader who is not signed in sees only the community. */
export function NavLinks({ signedIn = true }: { signedIn?: boolean }) {
  const pathname = usePathname();
  return (
    <nav className="nav" aria-label="Main">
      {LINKS.filter((link) => signedIn || link.href === "/community").map((link) => {
        const active = link.exact ? pathname === link.href : pathname.startsWith(link.href);
        return (
          <Link key={link.href} href={link.href} aria-current={active ? "page" : undefined}>
            {link.label}
          </Link>
        );
      })}
    </nav>
  );
}

import type { ReactNode } from "react";
import { AppShell } from "@/components/app-shell";
import { requireSession } from "@/lib/session";

export default async function MailboxLayout({ children }: { children: ReactNode }) {
  const session = await requireSession();
  return <AppShell user={session.user}>{children}</AppShell>;
}

import type { ReactNode } from "react";
import { AppShell } from "@/components/app-shell";
import { displayName, requireSession } from "@/lib/session";

export default async function DashboardLayout({ children }: { children: ReactNode }) {
  const session = await requireSession();
  return <AppShell who={displayName(session.user)}>{children}</AppShell>;
}

import type { ReactNode } from "react";
import { AppShell } from "@/components/app-shell";
import { currentSession } from "@/lib/session";

// The community is open to read: the frame shows who is signed in, or a sign-in link.
export default async function CommunityLayout({ children }: { children: ReactNode }) {
  const session = await currentSession();
  return <AppShell user={session?.user ?? null}>{children}</AppShell>;
}

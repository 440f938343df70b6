import type { Metadata } from "next";
import Link from "next/link";
import { SignOutControl } from "@/components/identity";
import { currentSession, displayName } from "@/lib/session";

export const metadata: Metadata = { title: "Sign out" };

export default async function SignOutPage() {
  const session = await currentSession();
  return (
    <main className="auth-card card">
      <h1>Sign out</h1>
      {session ? (
        <>
          <p className="muted">Signed in as {displayName(session.user)}.</p>
          <SignOutControl />
        </>
      ) : (
        <p className="muted">
          You are signed out. <Link href="/sign-in">Sign in</Link>
        </p>
      )}
    </main>
  );
}

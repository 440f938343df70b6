import type { Metadata } from "next";
import Link from "next/link";
import { SignOutButton } from "@/components/sign-out-button";
import { currentSession } from "@/lib/session";

export const metadata: Metadata = { title: "Sign out" };

export default async function SignOutPage() {
  const session = await currentSession();
  return (
    <main className="auth-card card">
      <h1>Sign out</h1>
      {session ? (
        <>
          <p className="muted">Signed in as {session.user.email}.</p>
          <SignOutButton className="btn btn-primary" />
        </>
      ) : (
        <p className="muted">
          You are signed out. <Link href="/sign-in">Sign in</Link>
        </p>
      )}
    </main>
  );
}

import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { IdentityForm } from "@/components/identity";
import { currentSession } from "@/lib/session";

export const metadata: Metadata = { title: "Sign in" };

export default async function SignInPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  if (await currentSession()) redirect("/dashboard");
  const { next } = await searchParams;
  return (
    <main className="auth-card card">
      <h1>Sign in</h1>
      <p className="muted small">Your devices, alerts and workouts.</p>
      <IdentityForm mode="sign-in" next={typeof next === "string" ? next : undefined} />
    </main>
  );
}

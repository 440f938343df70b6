import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { Suspense } from "react";
import { AuthForm } from "@/components/auth-form";
import { currentSession } from "@/lib/session";

export const metadata: Metadata = { title: "Sign in" };

export default async function SignInPage() {
  if (await currentSession()) redirect("/dashboard");
  return (
    <main className="auth-card card">
      <h1>Sign in</h1>
      <p className="muted small">Your devices, alerts and workouts.</p>
      <Suspense>
        <AuthForm mode="sign-in" />
      </Suspense>
    </main>
  );
}

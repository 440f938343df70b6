import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { Suspense } from "react";
import { AuthForm } from "@/components/auth-form";
import { currentSession } from "@/lib/session";

export const metadata: Metadata = { title: "Create an account" };

export default async function SignUpPage() {
  if (await currentSession()) redirect("/dashboard");
  return (
    <main className="auth-card card">
      <h1>Create an account</h1>
      <p className="muted small">Email and a password of at least 8 characters.</p>
      <Suspense>
        <AuthForm mode="sign-up" />
      </Suspense>
    </main>
  );
}

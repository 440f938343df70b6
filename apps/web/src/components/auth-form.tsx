"use client";

import Link from "next/link";
import { useRouter, useSearchParams } from "next/navigation";
import { type FormEvent, useState } from "react";
import { authClient } from "@/lib/auth-client";
import { safeNext } from "@/lib/safe-next";

function messageOf(error: { status?: number; message?: string | undefined }): string {
  if (error.status === 429) return "Too many attempts. Wait a few seconds and try again.";
  return error.message || "Something went wrong. Try again.";
}

export function AuthForm({ mode }: { mode: "sign-in" | "sign-up" }) {
  const router = useRouter();
  const params = useSearchParams();
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const email = String(form.get("email") ?? "").trim();
    const password = String(form.get("password") ?? "");
    setPending(true);
    setError(null);
    const result =
      mode === "sign-in"
        ? await authClient.signIn.email({ email, password })
        : await authClient.signUp.email({
            email,
            password,
            name: String(form.get("name") ?? "").trim() || email,
          });
    if (result.error) {
      setPending(false);
      setError(messageOf(result.error));
      return;
    }
    router.replace(safeNext(params.get("next")));
    router.refresh();
  }

  return (
    <form className="form" onSubmit={onSubmit} aria-label={mode === "sign-in" ? "Sign in" : "Sign up"}>
      {mode === "sign-up" && (
        <label className="field">
          <span>Name</span>
          <input name="name" autoComplete="name" required maxLength={100} />
        </label>
      )}
      <label className="field">
        <span>Email</span>
        <input name="email" type="email" autoComplete="email" required />
      </label>
      <label className="field">
        <span>Password</span>
        <input
          name="password"
          type="password"
          autoComplete={mode === "sign-in" ? "current-password" : "new-password"}
          minLength={8}
          required
        />
      </label>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      <button className="btn btn-primary" type="submit" disabled={pending}>
        {mode === "sign-in"
          ? pending
            ? "Signing in…"
            : "Sign in"
          : pending
            ? "Creating…"
            : "Create account"}
      </button>
      <p className="small muted">
        {mode === "sign-in" ? (
          <>
            No account yet? <Link href="/sign-up">Create one</Link>
          </>
        ) : (
          <>
            Have an account? <Link href="/sign-in">Sign in</Link>
          </>
        )}
      </p>
    </form>
  );
}

import { SignIn, SignUp, UserButton, UserProfile } from "@clerk/nextjs";
import { Suspense } from "react";
import { env } from "@/env";
import { safeNext } from "@/lib/safe-next";
import { AuthForm } from "./auth-form";
import { SignOutButton } from "./sign-out-button";

// The pieces of the UI that differ by identity provider (AUTH_PROVIDER): Better Auth's own forms,
// or Clerk's hosted components (loaded from Clerk in the browser).

export const usesClerk = () => env.AUTH_PROVIDER === "clerk";

/** The sign-in or sign-up form; `next` is where to go once signed in. */
export function IdentityForm({ mode, next }: { mode: "sign-in" | "sign-up"; next: string | undefined }) {
  if (usesClerk()) {
    const redirect = safeNext(next ?? null);
    return mode === "sign-in" ? (
      <SignIn routing="hash" signUpUrl="/sign-up" fallbackRedirectUrl={redirect} />
    ) : (
      <SignUp routing="hash" signInUrl="/sign-in" fallbackRedirectUrl={redirect} />
    );
  }
  return (
    <Suspense>
      <AuthForm mode={mode} />
    </Suspense>
  );
}

/** The account control in the app's top bar. */
export function AccountButton() {
  return usesClerk() ? <UserButton /> : <SignOutButton />;
}

/** The sign-out control on /sign-out. */
export function SignOutControl() {
  return usesClerk() ? <UserButton /> : <SignOutButton className="btn btn-primary" />;
}

/** Under Clerk, the account (e-mail, password, MFA) is managed in Clerk's profile component. */
export function ClerkAccountPanel() {
  if (!usesClerk()) return null;
  return (
    <section className="card stack" aria-labelledby="account-title">
      <h2 id="account-title">Account</h2>
      <UserProfile routing="hash" />
    </section>
  );
}

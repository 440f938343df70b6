import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { IdentityForm, usesClerk } from "@/components/identity";
import { currentSession } from "@/lib/session";

export const metadata: Metadata = { title: "Create an account" };

export default async function SignUpPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  if (await currentSession()) redirect("/dashboard");
  const { next, deleted } = await searchParams;
  return (
    <main className="auth-card card" id="main">
      {deleted === "1" && (
        <p className="success" role="status" data-testid="account-deleted">
          Your account and its data were deleted.
        </p>
      )}
      <h1>Create an account</h1>
      {!usesClerk() && <p className="muted small">Email and a password of at least 8 characters.</p>}
      <IdentityForm mode="sign-up" next={typeof next === "string" ? next : undefined} />
    </main>
  );
}

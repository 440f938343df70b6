import Link from "next/link";
import { redirect } from "next/navigation";
import { currentSession } from "@/lib/session";

export default async function HomePage() {
  if (await currentSession()) redirect("/dashboard");
  return (
    <main className="auth-card card">
      <h1>Pulseboard</h1>
      <p className="muted">
        Telemetry from your devices, alerts when it matters, and your workouts beside it.
      </p>
      <div className="row">
        <Link className="btn btn-primary" href="/sign-in">
          Sign in
        </Link>
        <Link className="btn" href="/sign-up">
          Create an account
        </Link>
      </div>
    </main>
  );
}

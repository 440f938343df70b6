import Link from "next/link";

export default function WorkoutNotFound() {
  return (
    <section className="card empty" data-testid="not-found">
      <h1>Workout not found</h1>
      <p>
        There is no such workout among yours. <Link href="/dashboard/workouts">Back to your workouts</Link>
      </p>
    </section>
  );
}

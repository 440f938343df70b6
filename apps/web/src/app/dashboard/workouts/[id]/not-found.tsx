import { NotFoundCard } from "@/components/not-found-card";

export default function WorkoutNotFound() {
  return <NotFoundCard what="Workout" backHref="/dashboard/workouts" backLabel="Back to your workouts" />;
}

"use client";

import { useRouter } from "next/navigation";
import { sendJson } from "./fitness-forms";

export function DeleteWorkoutButton({ workoutId }: { workoutId: string }) {
  const router = useRouter();
  return (
    <button
      type="button"
      className="btn btn-danger"
      onClick={async () => {
        if (!window.confirm("Delete this workout? Logs cannot be edited: log it again if it was wrong."))
          return;
        await sendJson(`/api/workouts/${workoutId}`, "DELETE").catch(() => undefined);
        router.replace("/dashboard/workouts");
        router.refresh();
      }}
    >
      Delete workout
    </button>
  );
}

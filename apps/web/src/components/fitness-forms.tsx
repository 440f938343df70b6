"use client";

import { errorMessage } from "@pulseboard/runtime/errors";
import { useRouter } from "next/navigation";
import { type FormEvent, useState } from "react";
import { sendJson } from "@/lib/send-json";

export function AddExerciseForm({ groups }: { groups: string[] }) {
  const router = useRouter();
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = event.currentTarget;
    const data = new FormData(form);
    try {
      const muscleGroup = String(data.get("muscleGroup") ?? "");
      const created = (await sendJson("/api/exercises", "POST", {
        name: String(data.get("name") ?? ""),
        ...(muscleGroup ? { muscleGroup } : {}),
      })) as { name: string };
      setMessage({ ok: true, text: `Added ${created.name}.` });
      form.reset();
      router.refresh();
    } catch (e) {
      setMessage({ ok: false, text: errorMessage(e) });
    }
  }
  return (
    <form className="form-inline" onSubmit={onSubmit} aria-label="Add exercise">
      <label className="field">
        <span>Name</span>
        <input name="name" required maxLength={100} />
      </label>
      <label className="field">
        <span>Muscle group</span>
        <select name="muscleGroup" defaultValue="">
          <option value="">—</option>
          {groups.map((g) => (
            <option key={g} value={g}>
              {g}
            </option>
          ))}
        </select>
      </label>
      <button className="btn btn-primary" type="submit">
        Add
      </button>
      {message && (
        <p className={message.ok ? "success" : "error"} role="status">
          {message.text}
        </p>
      )}
    </form>
  );
}

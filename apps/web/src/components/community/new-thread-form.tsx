"use client";

import { useRouter } from "next/navigation";
import { type FormEvent, useState } from "react";
import { sendJson } from "@/lib/send-json";
import { FormError } from "../form-error";

/** The form's fields as it labels them, for the errors the API names them in. */
const FIELD_LABELS = { title: "Title", body: "Your question" };

/** Starts a thread in a category: a title and its opening post (Markdown). */
export function NewThreadForm({ slug }: { slug: string }) {
  const router = useRouter();
  const [error, setError] = useState<unknown>(null);
  const [pending, setPending] = useState(false);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    setPending(true);
    setError(null);
    try {
      const created = await sendJson<{ id: string }>(`/api/community/categories/${slug}/threads`, "POST", {
        title: String(data.get("title") ?? ""),
        body: String(data.get("body") ?? ""),
      });
      router.push(`/community/t/${created.id}`);
    } catch (e) {
      setError(e);
      setPending(false);
    }
  }

  return (
    <form className="card stack" onSubmit={onSubmit} aria-label="New thread">
      <h2>Start a thread</h2>
      <label className="field">
        <span>Title</span>
        <input name="title" required maxLength={200} />
      </label>
      <label className="field">
        <span>Post (Markdown)</span>
        <textarea name="body" required maxLength={20000} rows={6} />
      </label>
      <FormError error={error} labels={FIELD_LABELS} />
      <div>
        <button className="btn btn-primary" type="submit" disabled={pending}>
          {pending ? "Posting…" : "Post thread"}
        </button>
      </div>
    </form>
  );
}

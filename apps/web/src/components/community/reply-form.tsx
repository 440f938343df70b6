"use client";

import { useRouter } from "next/navigation";
import { type FormEvent, useState } from "react";
import { sendJson } from "@/lib/send-json";
import { FormError } from "../form-error";

/** The form's fields as it labels them, for the errors the API names them in. */
const FIELD_LABELS = { body: "Your reply" };

/** A reply to the thread (Markdown). */
export function ReplyForm({ threadId }: { threadId: string }) {
  const router = useRouter();
  const [error, setError] = useState<unknown>(null);
  const [pending, setPending] = useState(false);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = event.currentTarget;
    setPending(true);
    setError(null);
    try {
      await sendJson(`/api/community/threads/${threadId}/replies`, "POST", {
        body: String(new FormData(form).get("body") ?? ""),
      });
      form.reset();
      router.refresh();
    } catch (e) {
      setError(e);
    } finally {
      setPending(false);
    }
  }

  return (
    <form className="card stack" onSubmit={onSubmit} aria-label="Reply">
      <label className="field">
        <span>Your reply (Markdown)</span>
        <textarea name="body" required maxLength={20000} rows={5} />
      </label>
      <FormError error={error} labels={FIELD_LABELS} />
      <div>
        <button className="btn btn-primary" type="submit" disabled={pending}>
          {pending ? "Posting…" : "Post reply"}
        </button>
      </div>
    </form>
  );
}

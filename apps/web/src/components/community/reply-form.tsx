"use client";

import { errorMessage } from "@pulseboard/runtime/errors";
import { useRouter } from "next/navigation";
import { type FormEvent, useState } from "react";
import { sendJson } from "@/lib/send-json";

/** A reply to the thread (Markdown). */
export function ReplyForm({ threadId }: { threadId: string }) {
  const router = useRouter();
  const [error, setError] = useState<string | null>(null);
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
      setError(errorMessage(e));
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
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      <div>
        <button className="btn btn-primary" type="submit" disabled={pending}>
          {pending ? "Posting…" : "Post reply"}
        </button>
      </div>
    </form>
  );
}

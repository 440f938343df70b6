"use client";

import { errorMessage } from "@pulseboard/runtime/errors";
import { useRouter } from "next/navigation";
import { type FormEvent, useRef, useState } from "react";
import { keepFocusIn } from "@/lib/focus-trap";
import { sendJson } from "@/lib/send-json";

export type ShareSource =
  | { kind: "chart"; deviceId: string; metric: string; from: string; to: string }
  | { kind: "workout"; workoutId: string };

interface CategoryOption {
  slug: string;
  name: string;
}

/** The thread id in what the owner pasted: a thread's link or its id. */
function threadIdIn(text: string): string | null {
  return /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i.exec(text)?.[0] ?? null;
}

/**
 * "Share to community": a frozen copy of a chart's range or of a workout, with a note, into a new
 * thread (a category and a title) or an existing one (its link).
 */
export function ShareToCommunity({
  source,
  label = "Share to community",
}: {
  source: ShareSource;
  label?: string;
}) {
  const router = useRouter();
  const dialog = useRef<HTMLDialogElement>(null);
  const [categories, setCategories] = useState<CategoryOption[] | null>(null);
  const [where, setWhere] = useState<"new" | "existing">("new");
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);

  async function open() {
    setError(null);
    dialog.current?.showModal();
    if (!categories) {
      try {
        setCategories(await sendJson<CategoryOption[]>("/api/community/categories", "GET"));
      } catch (e) {
        setError(errorMessage(e));
      }
    }
  }

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    let thread: { threadId: string } | { categorySlug: string; title: string };
    if (where === "existing") {
      const threadId = threadIdIn(String(data.get("thread") ?? ""));
      if (!threadId) return setError("Paste the thread's link (or its id).");
      thread = { threadId };
    } else {
      thread = { categorySlug: String(data.get("category") ?? ""), title: String(data.get("title") ?? "") };
    }
    setPending(true);
    setError(null);
    try {
      const shared = await sendJson<{ threadId: string; replyId: string }>("/api/community/share", "POST", {
        source,
        thread,
        body: String(data.get("body") ?? ""),
      });
      router.push(`/community/t/${shared.threadId}#reply-${shared.replyId}`);
    } catch (e) {
      setError(errorMessage(e));
      setPending(false);
    }
  }

  return (
    <>
      <button type="button" className="btn btn-small" onClick={open}>
        {label}
      </button>
      <dialog ref={dialog} aria-labelledby="share-title" onKeyDown={keepFocusIn}>
        <form className="form" onSubmit={onSubmit} aria-label="Share to community">
          <h2 id="share-title">Share to the community</h2>
          <p className="small muted">
            {source.kind === "chart"
              ? "A copy of this chart's points over this range goes into the thread: readers see it without access to your device, and it stays as it is."
              : "A copy of this workout's sets, records and heart rate goes into the thread: readers see it without access to your log."}
          </p>
          <fieldset className="segmented" style={{ padding: 0 }}>
            <legend className="sr-only">Where</legend>
            <button type="button" aria-pressed={where === "new"} onClick={() => setWhere("new")}>
              New thread
            </button>
            <button type="button" aria-pressed={where === "existing"} onClick={() => setWhere("existing")}>
              Existing thread
            </button>
          </fieldset>
          {where === "new" ? (
            <>
              <label className="field">
                <span>Category</span>
                <select name="category" required defaultValue="show-and-tell">
                  {(categories ?? []).map((c) => (
                    <option key={c.slug} value={c.slug}>
                      {c.name}
                    </option>
                  ))}
                </select>
              </label>
              <label className="field">
                <span>Title</span>
                <input name="title" required maxLength={200} />
              </label>
            </>
          ) : (
            <label className="field">
              <span>Thread link</span>
              <input name="thread" required placeholder="https://…/community/t/…" />
            </label>
          )}
          <label className="field">
            <span>Your note (Markdown)</span>
            <textarea name="body" required maxLength={20000} rows={4} />
          </label>
          {error && (
            <p className="error" role="alert">
              {error}
            </p>
          )}
          <div className="row">
            <button className="btn btn-primary" type="submit" disabled={pending}>
              {pending ? "Sharing…" : "Share"}
            </button>
            <button className="btn" type="button" onClick={() => dialog.current?.close()}>
              Cancel
            </button>
          </div>
        </form>
      </dialog>
    </>
  );
}

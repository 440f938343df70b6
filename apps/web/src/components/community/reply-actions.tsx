"use client";

import { errorMessage } from "@pulseboard/runtime/errors";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { sendJson } from "@/lib/send-json";

/** A reply's score with up/down votes (a second press takes the vote back), and delete. */
export function ReplyActions({
  replyId,
  score: initialScore,
  myVote: initialVote,
  canVote,
  canDelete,
  opening,
}: {
  replyId: string;
  score: number;
  myVote: number;
  canVote: boolean;
  canDelete: boolean;
  /** The opening post: deleting it deletes the thread. */
  opening: boolean;
}) {
  const router = useRouter();
  const [state, setState] = useState({ score: initialScore, myVote: initialVote });
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);

  async function vote(value: 1 | -1) {
    const next = state.myVote === value ? 0 : value;
    setPending(true);
    setError(null);
    try {
      setState(
        await sendJson<{ score: number; myVote: number }>(`/api/community/replies/${replyId}/vote`, "PUT", {
          value: next,
        }),
      );
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setPending(false);
    }
  }

  async function remove() {
    if (!window.confirm(opening ? "Delete this thread?" : "Delete this reply?")) return;
    setError(null);
    try {
      const done = await sendJson<{ deleted: "reply" | "thread" }>(
        `/api/community/replies/${replyId}`,
        "DELETE",
      );
      if (done.deleted === "thread") router.push("/community");
      else router.refresh();
    } catch (e) {
      setError(errorMessage(e));
    }
  }

  return (
    <div className="row small">
      <span className="row" style={{ gap: "0.25rem" }}>
        {canVote && (
          <button
            type="button"
            className="btn btn-small"
            aria-pressed={state.myVote === 1}
            aria-label="Vote up"
            disabled={pending}
            onClick={() => vote(1)}
          >
            ▲
          </button>
        )}
        <span data-testid="score" title="Score">
          {state.score}
        </span>
        {canVote && (
          <button
            type="button"
            className="btn btn-small"
            aria-pressed={state.myVote === -1}
            aria-label="Vote down"
            disabled={pending}
            onClick={() => vote(-1)}
          >
            ▼
          </button>
        )}
      </span>
      {canDelete && (
        <button type="button" className="btn btn-small btn-danger" onClick={remove}>
          {opening ? "Delete thread" : "Delete"}
        </button>
      )}
      {error && (
        <span className="error" role="alert">
          {error}
        </span>
      )}
    </div>
  );
}

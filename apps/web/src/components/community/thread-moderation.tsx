"use client";

import { errorMessage } from "@pulseboard/runtime/errors";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { sendJson } from "@/lib/send-json";

/** A moderator's lock/unlock and pin/unpin. */
export function ThreadModeration({
  threadId,
  status,
  isPinned,
}: {
  threadId: string;
  status: "open" | "locked";
  isPinned: boolean;
}) {
  const router = useRouter();
  const [error, setError] = useState<string | null>(null);

  async function change(body: { status?: "open" | "locked"; isPinned?: boolean }) {
    setError(null);
    try {
      await sendJson(`/api/community/threads/${threadId}`, "PATCH", body);
      router.refresh();
    } catch (e) {
      setError(errorMessage(e));
    }
  }

  return (
    <fieldset className="row" aria-label="Moderation" style={{ border: 0, padding: 0, margin: 0 }}>
      <button
        type="button"
        className="btn"
        onClick={() => change({ status: status === "open" ? "locked" : "open" })}
      >
        {status === "open" ? "Lock" : "Unlock"}
      </button>
      <button type="button" className="btn" onClick={() => change({ isPinned: !isPinned })}>
        {isPinned ? "Unpin" : "Pin"}
      </button>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
    </fieldset>
  );
}

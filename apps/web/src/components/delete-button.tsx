"use client";

import { errorMessage } from "@pulseboard/runtime/errors";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { HttpError, sendJson } from "@/lib/send-json";

/**
 * Confirms, DELETEs `url`, then goes to `redirectTo` (or refreshes the page). A 404 counts as
 * done: it was deleted elsewhere (another tab) and is gone either way.
 */
export function DeleteButton({
  url,
  confirmText,
  label,
  redirectTo,
  className = "btn btn-danger",
}: {
  url: string;
  confirmText: string;
  label: string;
  redirectTo?: string;
  className?: string;
}) {
  const router = useRouter();
  const [error, setError] = useState<string | null>(null);
  return (
    <span className="row">
      <button
        type="button"
        className={className}
        onClick={async () => {
          if (!window.confirm(confirmText)) return;
          try {
            await sendJson(url, "DELETE");
          } catch (e) {
            if (!(e instanceof HttpError && e.status === 404))
              return setError(`Could not delete: ${errorMessage(e)}`);
          }
          if (redirectTo) router.replace(redirectTo);
          router.refresh();
        }}
      >
        {label}
      </button>
      {error && <span className="error">{error}</span>}
    </span>
  );
}

"use client";

import { describeError, type FieldLabels } from "@/lib/form-errors";

/**
 * A form's error, in words for people (lib/form-errors.ts): each refused field by its label, and
 * an ended session with a link to sign in that comes back here. Announced to screen readers.
 */
export function FormError({ error, labels }: { error: unknown; labels?: FieldLabels }) {
  if (error === null || error === undefined || error === "") return null;
  const described = describeError(error, labels);
  if (described.kind === "signed-out") {
    // Only ever shown after something the person did, so in the browser.
    const here = `${window.location.pathname}${window.location.search}`;
    return (
      <p className="error" role="alert" data-testid="form-error">
        {described.message} <a href={`/sign-in?next=${encodeURIComponent(here)}`}>Sign in again</a> and you
        will come back here.
      </p>
    );
  }
  return described.messages.length === 1 ? (
    <p className="error" role="alert" data-testid="form-error">
      {described.messages[0]}
    </p>
  ) : (
    <div className="error" role="alert" data-testid="form-error">
      <ul>
        {described.messages.map((m) => (
          <li key={m}>{m}</li>
        ))}
      </ul>
    </div>
  );
}

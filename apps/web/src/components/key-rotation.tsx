"use client";

import { useRouter } from "next/navigation";
import { type FormEvent, useRef, useState } from "react";
import type { ConnectionInfo } from "@/lib/commands";
import { formatDateTime } from "@/lib/format";
import { sendJson } from "@/lib/send-json";
import { FormError } from "./form-error";
import { KeyReveal, UncopiedKeyWarning, useKeyDialogGuard } from "./key-reveal";
import { usePrefs } from "./prefs";

/** The form's fields as it labels them, for the errors the API names them in. */
const FIELD_LABELS = { graceSeconds: "Keep the old key working for" };

/** How long the replaced key may keep working: the owner picks (a leaked key: now). */
export const KEY_GRACE_CHOICES = [
  { seconds: 0, label: "Refuse it now" },
  { seconds: 3600, label: "1 hour" },
  { seconds: 86_400, label: "24 hours" },
  { seconds: 7 * 86_400, label: "7 days" },
  { seconds: 30 * 86_400, label: "30 days" },
] as const;

interface Rotated {
  deviceKey: string;
  previousKeyExpiresAt: string | null;
}

/** Replaces a device's key: the new one shown once, the old one kept for the grace chosen. */
export function KeyRotation({
  deviceId,
  deviceName,
  connection,
}: {
  deviceId: string;
  deviceName: string;
  connection: ConnectionInfo;
}) {
  const router = useRouter();
  const prefs = usePrefs();
  const dialog = useRef<HTMLDialogElement>(null);
  const [rotated, setRotated] = useState<Rotated | null>(null);
  const guard = useKeyDialogGuard(dialog, rotated !== null);
  const [error, setError] = useState<unknown>(null);
  const [pending, setPending] = useState(false);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const graceSeconds = Number(new FormData(event.currentTarget).get("graceSeconds"));
    setPending(true);
    setError(null);
    try {
      setRotated(await sendJson<Rotated>(`/api/devices/${deviceId}/key`, "POST", { graceSeconds }));
      guard.reset();
      router.refresh();
    } catch (e) {
      setError(e);
    } finally {
      setPending(false);
    }
  }

  return (
    <>
      <button
        type="button"
        className="btn"
        onClick={() => {
          setRotated(null);
          guard.reset();
          setError(null);
          dialog.current?.showModal();
        }}
      >
        Replace key
      </button>
      <dialog
        ref={dialog}
        aria-labelledby="rotate-title"
        {...guard.dialogProps}
        onClose={() => {
          setRotated(null);
          guard.reset();
        }}
      >
        {!rotated ? (
          <form className="form" onSubmit={onSubmit}>
            <h2 id="rotate-title">Replace the key of {deviceName}</h2>
            <p className="small">
              For a key that leaked or was lost. A new key is made and shown once; the device must be given
              it. Its readings, rules and alerts stay.
            </p>
            <label className="field">
              <span>The old key keeps working for</span>
              <select name="graceSeconds" defaultValue="3600">
                {KEY_GRACE_CHOICES.map((c) => (
                  <option key={c.seconds} value={c.seconds}>
                    {c.label}
                  </option>
                ))}
              </select>
            </label>
            <p className="small muted">
              After that it is refused over MQTT and HTTP, and clients still connected with it are
              disconnected. Choose “Refuse it now” when someone else may have it.
            </p>
            <FormError error={error} labels={FIELD_LABELS} />
            <div className="row">
              <button className="btn btn-danger" type="submit" disabled={pending}>
                {pending ? "Replacing…" : "Replace key"}
              </button>
              <button className="btn" type="button" onClick={() => dialog.current?.close()}>
                Cancel
              </button>
            </div>
          </form>
        ) : (
          <div className="stack" data-testid="rotated">
            <h2 id="rotate-title">New key for {deviceName}</h2>
            <p className="small" data-testid="old-key-until">
              {rotated.previousKeyExpiresAt
                ? `The old key works until ${formatDateTime(new Date(rotated.previousKeyExpiresAt), prefs)}.`
                : "The old key is refused from now on."}
            </p>
            <KeyReveal deviceKey={rotated.deviceKey} connection={connection} onCopied={guard.onCopied} />
            {guard.warning ? (
              <UncopiedKeyWarning onBack={guard.hideWarning} onClose={() => dialog.current?.close()} />
            ) : (
              <div className="row">
                <button className="btn btn-primary" type="button" onClick={guard.requestClose}>
                  Done
                </button>
              </div>
            )}
          </div>
        )}
      </dialog>
    </>
  );
}

"use client";

import { useRouter } from "next/navigation";
import { type FormEvent, useRef, useState } from "react";
import type { ConnectionInfo } from "@/lib/commands";
import { sendJson } from "@/lib/send-json";
import { FormError } from "./form-error";
import { KeyReveal, UncopiedKeyWarning, useKeyDialogGuard } from "./key-reveal";

/** The form's fields as it labels them, for the errors the API names them in. */
const FIELD_LABELS = { name: "Device name" };

interface Created {
  id: string;
  name: string;
  deviceKey: string;
}

/** Creates a device and shows its key once, with lines to paste into a terminal. */
export function ProvisionDialog({ connection }: { connection: ConnectionInfo }) {
  const router = useRouter();
  const dialog = useRef<HTMLDialogElement>(null);
  const [created, setCreated] = useState<Created | null>(null);
  const guard = useKeyDialogGuard(dialog, created !== null);
  const [error, setError] = useState<unknown>(null);
  const [pending, setPending] = useState(false);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const name = String(new FormData(event.currentTarget).get("name") ?? "");
    setPending(true);
    setError(null);
    try {
      const data = await sendJson<Created>("/api/devices", "POST", { name });
      setCreated(data);
      guard.reset();
      router.refresh();
    } catch (e) {
      setError(e);
    } finally {
      setPending(false);
    }
  }

  function reset() {
    setCreated(null);
    guard.reset();
    setError(null);
  }

  return (
    <>
      <button
        type="button"
        className="btn btn-primary"
        onClick={() => {
          reset();
          dialog.current?.showModal();
        }}
      >
        Add device
      </button>
      <dialog ref={dialog} aria-labelledby="provision-title" {...guard.dialogProps} onClose={reset}>
        {!created ? (
          <form className="form" onSubmit={onSubmit}>
            <h2 id="provision-title">Add a device</h2>
            <label className="field">
              <span>Name</span>
              <input name="name" required maxLength={100} placeholder="Greenhouse sensor" autoFocus />
            </label>
            <FormError error={error} labels={FIELD_LABELS} />
            <div className="row">
              <button className="btn btn-primary" type="submit" disabled={pending}>
                {pending ? "Creating…" : "Create device"}
              </button>
              <button className="btn" type="button" onClick={() => dialog.current?.close()}>
                Cancel
              </button>
            </div>
          </form>
        ) : (
          <div className="stack" data-testid="provisioned">
            <h2 id="provision-title">{created.name} is ready</h2>
            <KeyReveal deviceKey={created.deviceKey} connection={connection} onCopied={guard.onCopied} />
            {guard.warning ? (
              <UncopiedKeyWarning onBack={guard.hideWarning} onClose={() => dialog.current?.close()} />
            ) : (
              <div className="row">
                <a
                  className="btn btn-primary"
                  href={`/dashboard/devices/${created.id}`}
                  onClick={(event) => {
                    // Leaving the page loses the key as closing the dialog would.
                    if (guard.holdUnlessCopied()) event.preventDefault();
                  }}
                >
                  Open device
                </a>
                <button className="btn" type="button" onClick={guard.requestClose}>
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

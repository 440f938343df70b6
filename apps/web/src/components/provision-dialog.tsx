"use client";

import { errorMessage } from "@pulseboard/runtime/errors";
import { useRouter } from "next/navigation";
import { type FormEvent, useRef, useState } from "react";
import { type ConnectionInfo, commandsFor } from "@/lib/commands";
import { sendJson } from "@/lib/send-json";
import { CopyButton } from "./copy-button";

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
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const name = String(new FormData(event.currentTarget).get("name") ?? "");
    setPending(true);
    setError(null);
    try {
      const data = await sendJson<Created>("/api/devices", "POST", { name });
      setCreated(data);
      router.refresh();
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setPending(false);
    }
  }

  function close() {
    dialog.current?.close();
    setCreated(null);
    setError(null);
  }

  const commands = created ? commandsFor(created.deviceKey, connection) : null;
  return (
    <>
      <button
        type="button"
        className="btn btn-primary"
        onClick={() => {
          setCreated(null);
          dialog.current?.showModal();
        }}
      >
        Add device
      </button>
      <dialog ref={dialog} aria-labelledby="provision-title" onClose={() => setCreated(null)}>
        {!created || !commands ? (
          <form className="form" onSubmit={onSubmit}>
            <h2 id="provision-title">Add a device</h2>
            <label className="field">
              <span>Name</span>
              <input name="name" required maxLength={100} placeholder="Greenhouse sensor" autoFocus />
            </label>
            {error && (
              <p className="error" role="alert">
                {error}
              </p>
            )}
            <div className="row">
              <button className="btn btn-primary" type="submit" disabled={pending}>
                {pending ? "Creating…" : "Create device"}
              </button>
              <button className="btn" type="button" onClick={close}>
                Cancel
              </button>
            </div>
          </form>
        ) : (
          <div className="stack" data-testid="provisioned">
            <h2 id="provision-title">{created.name} is ready</h2>
            <p className="notice">
              Copy the device key now: it is shown only once. Pulseboard keeps only a digest of it.
            </p>
            <div className="field">
              <span>Device key</span>
              <div className="row">
                <code data-testid="device-key" style={{ wordBreak: "break-all" }}>
                  {created.deviceKey}
                </code>
                <CopyButton text={created.deviceKey} label="Copy key" />
              </div>
            </div>
            <div className="field">
              <span>Publish over MQTT</span>
              <pre data-testid="mqtt-command">{commands.mqtt}</pre>
              <div>
                <CopyButton text={commands.mqtt} label="Copy mosquitto_pub" />
              </div>
            </div>
            <div className="field">
              <span>Or over HTTP</span>
              <pre data-testid="curl-command">{commands.curl}</pre>
              <div>
                <CopyButton text={commands.curl} label="Copy curl" />
              </div>
            </div>
            <p className="small muted">
              Other payload shapes, timestamps, acknowledgements and every answer:{" "}
              <a href="/docs/device-protocol" target="_blank" rel="noopener noreferrer">
                Device protocol
              </a>
            </p>
            <div className="row">
              <a className="btn btn-primary" href={`/dashboard/devices/${created.id}`}>
                Open device
              </a>
              <button className="btn" type="button" onClick={close}>
                Done
              </button>
            </div>
          </div>
        )}
      </dialog>
    </>
  );
}

"use client";

import { type RefObject, useEffect, useRef, useState } from "react";
import { type ConnectionInfo, commandsFor } from "@/lib/commands";
import { keepFocusIn } from "@/lib/focus-trap";
import { CopyButton } from "./copy-button";

/**
 * A device key shown once, with lines to paste into a terminal. `onCopied` fires when the key
 * reaches the clipboard: by a copy button (each line holds the key) or by selecting and copying.
 */
export function KeyReveal({
  deviceKey,
  connection,
  onCopied,
}: {
  deviceKey: string;
  connection: ConnectionInfo;
  onCopied: () => void;
}) {
  const commands = commandsFor(deviceKey, connection);
  return (
    <div className="stack" onCopy={onCopied}>
      <p className="notice">
        Copy the device key now: it is shown only once. Pulseboard keeps only a digest of it.
      </p>
      <div className="field">
        <span>Device key</span>
        <div className="row">
          <code data-testid="device-key" style={{ wordBreak: "break-all" }}>
            {deviceKey}
          </code>
          <CopyButton text={deviceKey} label="Copy key" onCopied={onCopied} />
        </div>
      </div>
      <div className="field">
        <span>Publish over MQTT</span>
        <pre data-testid="mqtt-command">{commands.mqtt}</pre>
        <div>
          <CopyButton text={commands.mqtt} label="Copy mosquitto_pub" onCopied={onCopied} />
        </div>
      </div>
      <div className="field">
        <span>Or over HTTP</span>
        <pre data-testid="curl-command">{commands.curl}</pre>
        <div>
          <CopyButton text={commands.curl} label="Copy curl" onCopied={onCopied} />
        </div>
      </div>
      <p className="small muted">
        Other payload shapes, timestamps, acknowledgements and every answer:{" "}
        <a href="/docs/device-protocol" target="_blank" rel="noopener noreferrer">
          Device protocol
        </a>
      </p>
    </div>
  );
}

/**
 * Shown in place of a key dialog's buttons when the owner closes it (Escape, Done) before copying
 * the key: the key cannot be shown again.
 */
export function UncopiedKeyWarning({ onClose, onBack }: { onClose: () => void; onBack: () => void }) {
  // Focus moves to the safe choice, so a second Escape or Enter does not lose the key.
  const back = useRef<HTMLButtonElement>(null);
  useEffect(() => back.current?.focus(), []);
  return (
    <div className="stack" role="alertdialog" aria-labelledby="uncopied-title" data-testid="uncopied-warning">
      <p className="error" id="uncopied-title">
        You have not copied the key. Once this closes it cannot be shown again: the only way to a working key
        is to replace it.
      </p>
      <div className="row">
        <button type="button" className="btn btn-primary" onClick={onBack} ref={back}>
          Back to the key
        </button>
        <button type="button" className="btn btn-danger" onClick={onClose}>
          Close without copying
        </button>
      </div>
    </div>
  );
}

/**
 * The guard both key dialogs share: while a key is showing (`showing`) and was never copied,
 * closing (Escape, Done, leaving) shows the warning instead. `copied` is a ref, not state: an
 * Escape right after a copy must see it before the next render. Spread `dialogProps` on the
 * <dialog>: Escape is stopped at the key press, since Chromium lets a page cancel only one close
 * request in a row without a click between, so a second Escape would close past the warning.
 */
export function useKeyDialogGuard(dialog: RefObject<HTMLDialogElement | null>, showing: boolean) {
  const copied = useRef(false);
  const [warning, setWarning] = useState(false);
  /** Closes, unless a key is showing that was never copied: then warns and answers false. */
  function requestClose(): boolean {
    if (showing && !copied.current) {
      setWarning(true);
      return false;
    }
    dialog.current?.close();
    return true;
  }
  return {
    warning,
    requestClose,
    /** A new key is showing: not copied yet. */
    reset() {
      copied.current = false;
      setWarning(false);
    },
    onCopied() {
      copied.current = true;
      setWarning(false);
    },
    hideWarning: () => setWarning(false),
    /** Leaving some other way (a link): true, with the warning shown, when the key was never copied. */
    holdUnlessCopied(): boolean {
      if (copied.current) return false;
      setWarning(true);
      return true;
    },
    dialogProps: {
      onKeyDown: (event: React.KeyboardEvent<HTMLDialogElement>) => {
        keepFocusIn(event);
        if (event.key === "Escape" && !requestClose()) event.preventDefault();
      },
      onCancel: (event: React.SyntheticEvent<HTMLDialogElement>) => {
        if (!requestClose()) event.preventDefault();
      },
    },
  };
}

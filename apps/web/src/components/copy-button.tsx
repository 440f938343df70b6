"use client";

import { type MouseEvent, useState } from "react";

export function CopyButton({
  text,
  label = "Copy",
  onCopied,
}: {
  text: string;
  label?: string;
  /** Called once the text is on the clipboard. */
  onCopied?: () => void;
}) {
  const [state, setState] = useState<"idle" | "copied" | "failed">("idle");
  async function copy(event: MouseEvent<HTMLButtonElement>) {
    const button = event.currentTarget;
    let done = true;
    try {
      await navigator.clipboard.writeText(text);
    } catch {
      // No clipboard API outside secure contexts: a selected textarea and execCommand. It goes
      // beside the button, not at the end of the body: behind a modal dialog that is inert.
      const area = document.createElement("textarea");
      area.value = text;
      area.setAttribute("readonly", "");
      area.style.position = "fixed";
      area.style.opacity = "0";
      (button.parentElement ?? document.body).append(area);
      area.select();
      done = document.execCommand("copy");
      area.remove();
    }
    setState(done ? "copied" : "failed");
    if (done) onCopied?.();
    setTimeout(() => setState("idle"), done ? 1500 : 4000);
  }
  return (
    <button type="button" className="btn btn-small" onClick={copy} aria-label={`${label}: copy to clipboard`}>
      {state === "copied" ? "Copied" : state === "failed" ? "Copy failed: select it and copy" : label}
    </button>
  );
}

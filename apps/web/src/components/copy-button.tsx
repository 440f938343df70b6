"use client";

import { useState } from "react";

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
  const [copied, setCopied] = useState(false);
  async function copy() {
    try {
      await navigator.clipboard.writeText(text);
    } catch {
      // No clipboard API outside secure contexts: fall back to a selected textarea.
      const area = document.createElement("textarea");
      area.value = text;
      document.body.append(area);
      area.select();
      document.execCommand("copy");
      area.remove();
    }
    setCopied(true);
    onCopied?.();
    setTimeout(() => setCopied(false), 1500);
  }
  return (
    <button type="button" className="btn btn-small" onClick={copy} aria-label={`${label}: copy to clipboard`}>
      {copied ? "Copied" : label}
    </button>
  );
}

"use client";

import { useState } from "react";
import { nextTheme, THEME_COOKIE, type Theme } from "@/lib/theme";

const LABELS: Record<Theme, string> = { system: "Theme: system", dark: "Theme: dark", light: "Theme: light" };
const ICONS: Record<Theme, string> = { system: "◐", dark: "☾", light: "☀" };

/** Cycles the theme (lib/theme.ts) for this browser: applied at once, kept for a year. */
export function ThemeToggle({ initial }: { initial: Theme }) {
  const [theme, setTheme] = useState<Theme>(initial);
  return (
    <button
      type="button"
      className="btn btn-small btn-ghost"
      aria-label={`${LABELS[theme]} (change)`}
      title={LABELS[theme]}
      data-testid="theme-toggle"
      onClick={() => {
        const next = nextTheme(theme);
        document.documentElement.dataset.theme = next;
        // biome-ignore lint/suspicious/noDocumentCookie: a one-value preference the server reads
        document.cookie = `${THEME_COOKIE}=${next}; path=/; max-age=31536000; samesite=lax`;
        setTheme(next);
      }}
    >
      <span aria-hidden="true">{ICONS[theme]}</span>
    </button>
  );
}

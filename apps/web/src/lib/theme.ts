// The colour theme: the system's (prefers-color-scheme) unless the person picked light or dark,
// kept in a cookie so the server's HTML already carries it (no flash of the other theme).

export const THEMES = ["system", "light", "dark"] as const;
export type Theme = (typeof THEMES)[number];
export const THEME_COOKIE = "theme";

export function themeOf(value: string | undefined): Theme {
  return THEMES.includes(value as Theme) ? (value as Theme) : "system";
}

/** The next theme of the toggle's cycle: system → dark → light → system. */
export function nextTheme(theme: Theme): Theme {
  return theme === "system" ? "dark" : theme === "dark" ? "light" : "system";
}

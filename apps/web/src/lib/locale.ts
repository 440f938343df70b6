// The locale numbers and dates are written in: the first language of the browser's
// Accept-Language this runtime can format, else English (en-US). One locale per request, used by
// server and client components alike (lib/prefs.ts, components/prefs.tsx), so a number reads the
// same on every page.

export const DEFAULT_LOCALE = "en-US";

/** The first supported language tag of an Accept-Language header, by its q weights. */
export function pickLocale(acceptLanguage: string | null | undefined): string {
  if (!acceptLanguage) return DEFAULT_LOCALE;
  const ranked = acceptLanguage
    .split(",")
    .slice(0, 20)
    .map((part, index) => {
      const [tag = "", ...params] = part.trim().split(";");
      const q = params.map((p) => /^\s*q=([0-9.]+)\s*$/.exec(p)?.[1]).find(Boolean);
      return { tag: tag.trim(), q: q === undefined ? 1 : Number(q), index };
    })
    .filter(
      (r) => r.tag !== "" && r.tag !== "*" && r.q > 0 && /^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$/.test(r.tag),
    )
    .sort((a, b) => b.q - a.q || a.index - b.index);
  for (const { tag } of ranked) {
    try {
      const [supported] = Intl.NumberFormat.supportedLocalesOf([tag]);
      if (supported) return supported;
    } catch {
      // not a well-formed tag: the next one
    }
  }
  return DEFAULT_LOCALE;
}

/** A number as the locale writes it, with at most `digits` decimals. */
export function formatNumber(value: number, locale: string, digits = 2): string {
  return value.toLocaleString(locale, { maximumFractionDigits: digits });
}

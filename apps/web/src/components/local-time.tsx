"use client";

import { formatDateTime } from "@/lib/format";
import { usePrefs } from "./prefs";

/** An instant in the user's time zone and locale (settings), the same in the server's HTML and after hydration. */
export function LocalTime({ value, dateOnly = false }: { value: Date | string | null; dateOnly?: boolean }) {
  const { timeZone, locale, reader } = usePrefs();
  if (!value) return <span>—</span>;
  const date = new Date(value);
  return (
    // Node's and the browser's ICU may space a time differently: the text is the same otherwise.
    <time dateTime={date.toISOString()} suppressHydrationWarning>
      {formatDateTime(date, { timeZone, locale, dateOnly, nameZone: reader })}
    </time>
  );
}

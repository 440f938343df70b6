"use client";

import { useEffect, useState } from "react";

// Server HTML shows UTC; the browser re-renders in the viewer's time zone after hydration.
export function LocalTime({ value }: { value: Date | string | null }) {
  const [local, setLocal] = useState(false);
  useEffect(() => setLocal(true), []);
  if (!value) return <span>—</span>;
  const date = new Date(value);
  const options: Intl.DateTimeFormatOptions = { dateStyle: "medium", timeStyle: "medium" };
  const text = local
    ? date.toLocaleString(undefined, options)
    : `${date.toLocaleString("en-GB", { ...options, timeZone: "UTC" })} UTC`;
  return <time dateTime={date.toISOString()}>{text}</time>;
}

"use client";

import { useRouter } from "next/navigation";
import { createContext, type ReactNode, useContext, useEffect } from "react";
import type { Prefs } from "@/lib/prefs";

// The request's time zone and locale (lib/prefs.ts), for client components: dates and numbers
// come out the same on the server's HTML and in the browser.
const PrefsContext = createContext<Prefs>({
  timeZone: "UTC",
  timeZoneStored: true,
  locale: "en-US",
  reader: true,
});

export function PrefsProvider({ prefs, children }: { prefs: Prefs; children: ReactNode }) {
  return (
    <PrefsContext.Provider value={prefs}>
      {prefs.timeZoneStored ? null : <DetectTimeZone shown={prefs.timeZone} />}
      {children}
    </PrefsContext.Provider>
  );
}

export function usePrefs(): Prefs {
  return useContext(PrefsContext);
}

/**
 * A first visit (just signed up, or a Clerk account new to this app): the browser's zone is
 * stored, unless one was meanwhile (another tab, settings), and the page redrawn in it.
 */
function DetectTimeZone({ shown }: { shown: string }) {
  const router = useRouter();
  useEffect(() => {
    const timeZone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    if (!timeZone) return;
    void fetch("/api/settings", {
      method: "PUT",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ timeZone, detected: true }),
    }).then(async (res) => {
      // Redrawn only when the zone stored differs from the one this page was drawn in.
      const stored = res.ok ? ((await res.json()) as { timeZone?: string }).timeZone : undefined;
      if (stored && stored !== shown) router.refresh();
    });
  }, [router, shown]);
  return null;
}

"use client";

import { useRouter } from "next/navigation";
import { useRef } from "react";
import { type LiveEvent, useLive } from "./live";

/**
 * Re-renders the server components of the page when a matching live event arrives: alert
 * transitions at once, reading hints at most every `readingsEveryMs` (0: ignore readings).
 */
export function LiveRefresh({
  deviceId,
  readingsEveryMs = 0,
}: {
  deviceId?: string;
  readingsEveryMs?: number;
}) {
  const router = useRouter();
  const last = useRef(0);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  useLive((event: LiveEvent) => {
    if (event.type !== "resync" && deviceId && event.deviceId !== deviceId) return;
    if (event.type === "reading") {
      if (readingsEveryMs === 0 || timer.current) return;
      const wait = Math.max(0, last.current + readingsEveryMs - Date.now());
      timer.current = setTimeout(() => {
        timer.current = undefined;
        last.current = Date.now();
        router.refresh();
      }, wait);
      return;
    }
    router.refresh();
  });
  return null;
}

"use client";

import { useRouter } from "next/navigation";
import { useEffect } from "react";

/**
 * Keeps a thread page current: on each new reply (or after the server's live connection came
 * back) the page's data is read again, at most once a second; what the reader is typing stays.
 */
export function ThreadLive({ threadId }: { threadId: string }) {
  const router = useRouter();
  useEffect(() => {
    const source = new EventSource(`/api/community/threads/${threadId}/live`);
    let timer: ReturnType<typeof setTimeout> | undefined;
    const refresh = () => {
      timer ??= setTimeout(() => {
        timer = undefined;
        router.refresh();
      }, 1000);
    };
    const ready = () => document.documentElement.setAttribute("data-thread-live", "open");
    source.addEventListener("ready", ready);
    source.addEventListener("reply", refresh);
    source.addEventListener("resync", refresh);
    return () => {
      source.close();
      clearTimeout(timer);
    };
  }, [threadId, router]);
  return null;
}

"use client";

import type { LiveEvent } from "@pulseboard/schema/live";
import { createContext, type ReactNode, useContext, useEffect, useRef, useState } from "react";

// One EventSource per tab on /api/live; components subscribe to the events they care about.
// EventSource reconnects by itself (the server sends `retry: 3000`); after a reconnect every
// subscriber gets a `resync` so it refetches what it shows.

export type { LiveEvent };

type Handler = (event: LiveEvent) => void;
type LiveState = "connecting" | "open" | "error";

const LiveContext = createContext<{ subscribe(handler: Handler): () => void; state: LiveState } | null>(null);

export function LiveProvider({ children }: { children: ReactNode }) {
  const handlers = useRef(new Set<Handler>());
  const [state, setState] = useState<LiveState>("connecting");

  useEffect(() => {
    const source = new EventSource("/api/live");
    let opened = false;
    const dispatch = (event: LiveEvent) => {
      for (const handler of handlers.current) handler(event);
    };
    source.addEventListener("ready", () => {
      setState("open");
      // A second `ready` means the stream was re-established: what it missed is refetched.
      if (opened) dispatch({ type: "resync" });
      opened = true;
    });
    source.onerror = () => setState("error");
    for (const type of ["reading", "alert", "resync"] as const) {
      source.addEventListener(type, (message) => {
        try {
          dispatch(JSON.parse((message as MessageEvent<string>).data) as LiveEvent);
        } catch {
          // A malformed event is dropped; the next one is independent.
        }
      });
    }
    return () => source.close();
  }, []);

  const [value] = useState(() => ({
    subscribe(handler: Handler) {
      handlers.current.add(handler);
      return () => {
        handlers.current.delete(handler);
      };
    },
  }));
  return <LiveContext.Provider value={{ ...value, state }}>{children}</LiveContext.Provider>;
}

/** Calls `handler` for every live event while the component is mounted. */
export function useLive(handler: Handler) {
  const context = useContext(LiveContext);
  const latest = useRef(handler);
  latest.current = handler;
  useEffect(() => context?.subscribe((event) => latest.current(event)), [context]);
}

export function LiveIndicator() {
  const state = useContext(LiveContext)?.state ?? "connecting";
  const label = state === "open" ? "live" : state === "error" ? "reconnecting" : "connecting";
  return (
    <span className="row small" title={`Live updates: ${label}`} data-testid="live-state" data-state={state}>
      <span className="live-dot" data-state={state} />
      <span className="hide-narrow">{label}</span>
    </span>
  );
}

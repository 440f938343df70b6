import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { describe, expect, it } from "vitest";
import { deadline } from "./abort";

// A full garbage collection on demand (what a loaded process does at any moment).
setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

describe("deadline", () => {
  it("aborts with a TimeoutError after its time, through garbage collections (AbortSignal.any with AbortSignal.timeout does not, on Node 20)", async () => {
    const parent = new AbortController();
    const { signal, done } = deadline(100, parent.signal);
    let reason: unknown;
    signal.addEventListener("abort", () => {
      reason = signal.reason;
    });
    for (let i = 0; i < 5; i++) {
      gc();
      await new Promise((r) => setTimeout(r, 10));
    }
    await new Promise((r) => setTimeout(r, 200));
    expect((reason as DOMException | undefined)?.name).toBe("TimeoutError");
    done();
  });

  it("aborts with the parent's reason when the parent aborts first, and not after done()", async () => {
    const parent = new AbortController();
    const { signal, done } = deadline(10_000, parent.signal);
    parent.abort(new DOMException("stopping", "AbortError"));
    expect(signal.aborted).toBe(true);
    expect((signal.reason as DOMException).name).toBe("AbortError");
    done();

    const other = new AbortController();
    const settled = deadline(20, other.signal);
    settled.done();
    other.abort();
    await new Promise((r) => setTimeout(r, 40));
    expect(settled.signal.aborted).toBe(false);
  });
});

// A signal that aborts after a timeout or when a parent signal aborts, for fetch. Not
// `AbortSignal.any([parent, AbortSignal.timeout(ms)])`: on Node 20 the timeout signal inside it can
// be garbage-collected before it fires (nodejs/node#48951, nodejs/node#54614), and the request then
// hangs past its timeout (a simulator test saw it under CI load). Call `done()` when the request
// settles, so the timer and the listener go.
export interface Deadline {
  signal: AbortSignal;
  done(): void;
}

export function deadline(timeoutMs: number, parent?: AbortSignal): Deadline {
  const controller = new AbortController();
  const timer = setTimeout(
    () => controller.abort(new DOMException(`timed out after ${timeoutMs} ms`, "TimeoutError")),
    timeoutMs,
  );
  const onParent = () => controller.abort(parent?.reason);
  if (parent?.aborted) onParent();
  else parent?.addEventListener("abort", onParent, { once: true });
  return {
    signal: controller.signal,
    done() {
      clearTimeout(timer);
      parent?.removeEventListener("abort", onParent);
    },
  };
}

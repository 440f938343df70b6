// Topic rules of the device protocol, as pure functions.

const READINGS_TOPIC = /^devices\/([^/]+)\/readings$/;

/** The device key in `devices/<device_key>/readings`, or undefined for any other topic. */
export function deviceKeyFromTopic(topic: string): string | undefined {
  return READINGS_TOPIC.exec(topic)?.[1];
}

/** Whether an MQTT topic filter (with + and # wildcards) matches a topic. */
export function filterMatches(filter: string, topic: string): boolean {
  const f = filter.split("/");
  const t = topic.split("/");
  for (let i = 0; i < f.length; i++) {
    if (f[i] === "#") return true;
    if (i >= t.length) return false;
    if (f[i] !== "+" && f[i] !== t[i]) return false;
  }
  return f.length === t.length;
}

/**
 * Device clients may not subscribe to anything that could carry other devices' readings (their
 * topics hold device keys): any filter matching `devices/<x>/readings`, including `#`; nor to the
 * broker's own `$SYS/...` topics (its internals are not the devices' business).
 * `$share/<group>/<filter>` is judged by its filter.
 */
export function isForbiddenSubscription(filter: string): boolean {
  const plain = filter.startsWith("$share/") ? filter.split("/").slice(2).join("/") : filter;
  if (plain === "$SYS" || plain.startsWith("$SYS/")) return true;
  return filterMatches(plain, "devices/x/readings") || plain.startsWith("devices/");
}

/**
 * A topic or filter as it may appear in a log line: whatever follows a `devices/` segment (a
 * device key, `$share/<group>/devices/<key>/...` included) is cut, and anything shaped like a
 * device key elsewhere (a client may put one in a share group's name) is masked.
 */
export function topicForLog(topic: string): string {
  const parts = topic.split("/");
  const at = parts.indexOf("devices");
  const cut = at === -1 ? topic : [...parts.slice(0, at + 1), "…"].join("/");
  return cut.replace(/dk_[A-Za-z0-9_-]+/g, "dk_…");
}

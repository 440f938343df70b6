// Topic rules of the device protocol, as pure functions.

const READINGS_TOPIC = /^devices\/([^/]+)\/readings$/;

/** The device key in `devices/<device_key>/readings`, or undefined for any other topic. */
export function deviceKeyFromTopic(topic: string): string | undefined {
  return READINGS_TOPIC.exec(topic)?.[1];
}

/** Whether a topic is a device's readings topic (`devices/<anything>/readings`). */
export function isReadingsTopic(topic: string): boolean {
  return READINGS_TOPIC.test(topic);
}

/**
 * Device clients may not subscribe to anything that could carry devices' readings (their topics
 * hold device keys): any filter matching `devices/<key>/readings` for some key, including `#` and
 * `+/<key>/readings`; nor to the broker's own `$SYS/...` topics (its internals are not the
 * devices' business). `$share/<group>/<filter>` is judged by its filter. (So no subscriber ever
 * receives a reading, and the broker does not route them: see broker.ts.)
 */
export function isForbiddenSubscription(filter: string): boolean {
  const plain = filter.startsWith("$share/") ? filter.split("/").slice(2).join("/") : filter;
  if (plain === "$SYS" || plain.startsWith("$SYS/")) return true;
  return couldMatchReadingsTopic(plain) || plain.startsWith("devices/");
}

/** Whether a filter matches some `devices/<key>/readings` topic, for any key (`+/dk_x/readings` too). */
function couldMatchReadingsTopic(filter: string): boolean {
  const levels = filter.split("/");
  const pattern = ["devices", undefined, "readings"];
  for (let i = 0; i < levels.length; i++) {
    if (levels[i] === "#") return true;
    if (i >= pattern.length) return false;
    const want = pattern[i];
    if (want !== undefined && levels[i] !== "+" && levels[i] !== want) return false;
  }
  return levels.length === pattern.length;
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

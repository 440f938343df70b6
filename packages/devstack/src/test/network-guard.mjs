// Preloaded into a server under test (NODE_OPTIONS="--import <this file>", with NETWORK_GUARD_LOG
// naming a file): every attempt to reach a host that is not this machine, by name (DNS lookup) or
// by address (a socket connect), is refused and appended to that file as one JSON line. A test
// then asserts the file is empty: nothing left the machine. Plain JavaScript: it runs before tsx.

import dns from "node:dns";
import { appendFileSync } from "node:fs";
import net from "node:net";

const log = process.env.NETWORK_GUARD_LOG;
if (log) {
  const LOCAL_NAMES = new Set(["localhost", "127.0.0.1", "::1", "0.0.0.0", "::"]);
  const isLocal = (host) =>
    host === undefined ||
    host === null ||
    host === "" ||
    LOCAL_NAMES.has(host) ||
    /^127\./.test(host) ||
    host.startsWith("::ffff:127.");
  const record = (kind, host, port) => {
    appendFileSync(log, `${JSON.stringify({ kind, host, port, at: new Date().toISOString() })}\n`);
    return Object.assign(new Error(`network guard: ${kind} ${host}${port ? `:${port}` : ""} refused`), {
      code: "ENETUNREACH",
    });
  };

  const lookup = dns.lookup;
  dns.lookup = function guardedLookup(hostname, options, callback) {
    if (isLocal(hostname)) return lookup.call(this, hostname, options, callback);
    const done = typeof options === "function" ? options : callback;
    const error = record("dns", hostname);
    process.nextTick(() => done(error));
    return {};
  };
  const promisesLookup = dns.promises.lookup;
  dns.promises.lookup = function guardedPromisesLookup(hostname, options) {
    if (isLocal(hostname)) return promisesLookup.call(this, hostname, options);
    return Promise.reject(record("dns", hostname));
  };

  const connect = net.Socket.prototype.connect;
  net.Socket.prototype.connect = function guardedConnect(...args) {
    const first = args[0];
    const options = Array.isArray(first) ? first[0] : first;
    const host =
      typeof options === "object" && options !== null
        ? options.host
        : typeof args[1] === "string"
          ? args[1]
          : undefined;
    const port = typeof options === "object" && options !== null ? options.port : options;
    const path = typeof options === "object" && options !== null ? options.path : undefined;
    if (path === undefined && !isLocal(host)) {
      const error = record("connect", host, port);
      process.nextTick(() => this.destroy(error));
      return this;
    }
    return connect.apply(this, args);
  };
}

// The web app in production: Next's request handler behind an HTTP server we own, for one reason:
// the client address. `next start` keeps any X-Forwarded-For a client sends, so Better Auth's
// per-address sign-in limit could be dodged with a fresh fake address per request (or, behind an
// appending proxy, lock every user out at once). Here each request gets CLIENT_ADDRESS_HEADER from
// the connection and our trusted proxies only (src/lib/client-address.ts), replacing any value a
// client sent, and Better Auth reads that header alone (src/lib/auth.ts).
//   node --import tsx server.ts --port 3000 [--hostname 127.0.0.1]   (pnpm start runs it)
import { createServer } from "node:http";
import { parseArgs } from "node:util";
import next from "next";
import { env } from "./src/env";
import { CLIENT_ADDRESS_HEADER, clientAddress, parseTrustedProxies } from "./src/lib/client-address";

const { values } = parseArgs({
  options: { port: { type: "string", default: "3000" }, hostname: { type: "string" } },
});
const port = Number(values.port);
/** Unset: every interface, as `next start` listens. */
const hostname = values.hostname;
const policy = {
  trustedProxies: parseTrustedProxies(env.TRUSTED_PROXIES),
  ...(env.CLIENT_IP_HEADER ? { clientIpHeader: env.CLIENT_IP_HEADER } : {}),
};

const began = performance.now();
// Next's router resolves the proxy's rewrites against http://<hostname>:<port>, while the proxy
// itself is handed http://localhost:<port> URLs: any other hostname makes a same-page rewrite (what
// Clerk's middleware answers with) look external, and Next then proxies the request to itself over
// HTTP. Next only uses this name internally; where the server listens is set below.
const app = next({ dev: false, dir: import.meta.dirname, hostname: "localhost", port });
const handle = app.getRequestHandler();
try {
  await app.prepare();
} catch (error) {
  // No build yet, a broken build: one line, not a stack.
  process.stderr.write(`web: ${(error as Error).message}\n`);
  process.exit(1);
}

const server = createServer((req, res) => {
  const address = clientAddress(req.socket.remoteAddress, req.headers, policy);
  if (address) req.headers[CLIENT_ADDRESS_HEADER] = address;
  else delete req.headers[CLIENT_ADDRESS_HEADER];
  void handle(req, res);
});
server.on("error", (error: NodeJS.ErrnoException) => {
  process.stderr.write(
    error.code === "EADDRINUSE"
      ? `web: port ${port} is taken; set WEB_PORT or stop what uses it\n`
      : `web: ${error.message}\n`,
  );
  process.exit(1);
});
const ready = () => {
  const where = `http://${hostname ?? "localhost"}:${port}`;
  process.stdout.write(`web: Ready in ${Math.round(performance.now() - began)}ms on ${where}\n`);
};
if (hostname) server.listen(port, hostname, ready);
else server.listen(port, ready);

let stopping = false;
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    server.close(() => {
      void app.close().finally(() => process.exit(0));
    });
    server.closeIdleConnections();
    // Long-lived responses (the live SSE stream) do not end by themselves.
    setTimeout(() => {
      server.closeAllConnections();
    }, 5000).unref();
  });
}

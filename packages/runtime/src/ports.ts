import { createServer } from "node:net";

export interface PortClaim {
  port: number;
  /** What listens there, e.g. "web". */
  label: string;
  /** The variable that moves it, e.g. "WEB_PORT". */
  variable: string;
  host?: string;
}

export class PortInUseError extends Error {
  override name = "PortInUseError";
  constructor(readonly claim: PortClaim) {
    super(`port ${claim.port} (${claim.label}) is already in use: set ${claim.variable} to a free port`);
  }
}

/** Resolves when `port` can be bound on `host`, rejects with PortInUseError when it is taken. */
export function checkPortFree(claim: PortClaim): Promise<void> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", (error: NodeJS.ErrnoException) => {
      reject(error.code === "EADDRINUSE" || error.code === "EACCES" ? new PortInUseError(claim) : error);
    });
    probe.listen({ port: claim.port, host: claim.host ?? "0.0.0.0", exclusive: true }, () => {
      probe.close(() => resolve());
    });
  });
}

/** Ports findFreePort handed out lately: nothing holds them until their user binds them. */
const handedOut = new Set<number>();
const HANDED_OUT_REMEMBERED = 4096;

function probeFreePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen({ port: 0, host }, () => {
      const address = probe.address();
      const port = typeof address === "object" && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

/**
 * A port the OS says is free right now (for tests and scratch servers), and not one this process
 * was given lately: a caller taking several ports before binding any (a worker's HTTP, MQTT and
 * metrics ports) would otherwise be handed the same one twice.
 */
export async function findFreePort(host = "127.0.0.1"): Promise<number> {
  for (let attempt = 0; ; attempt++) {
    const port = await probeFreePort(host);
    if (!handedOut.has(port) || attempt >= 20) {
      handedOut.add(port);
      if (handedOut.size > HANDED_OUT_REMEMBERED) handedOut.delete(handedOut.values().next().value as number);
      return port;
    }
  }
}

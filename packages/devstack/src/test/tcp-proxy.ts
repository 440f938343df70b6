// A TCP proxy in front of a real server, for fault tests: `cut()` drops every connection and
// refuses new ones (the database "goes down"), `restore()` lets them through again;
// `resetWhen` resets (RST, as a server going away mid-query does) the connection whose client
// sends a chunk it matches, before that chunk reaches the server.
import { connect, createServer, type Server, type Socket } from "node:net";

export interface TcpProxy {
  port: number;
  cut(): void;
  restore(): void;
  close(): Promise<void>;
}

export interface TcpProxyOptions {
  resetWhen?: (chunk: Buffer) => boolean;
}

export async function startTcpProxy(
  targetPort: number,
  targetHost = "127.0.0.1",
  { resetWhen }: TcpProxyOptions = {},
): Promise<TcpProxy> {
  const sockets = new Set<Socket>();
  let open = true;
  const server: Server = createServer((client) => {
    if (!open) return client.destroy();
    const upstream = connect(targetPort, targetHost);
    sockets.add(client);
    sockets.add(upstream);
    const drop = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on("error", drop).on("close", drop);
    upstream.on("error", drop).on("close", drop);
    upstream.pipe(client);
    if (!resetWhen) client.pipe(upstream);
    else
      client.on("data", (chunk: Buffer) => {
        if (!resetWhen(chunk)) return void upstream.write(chunk);
        client.resetAndDestroy();
        drop();
      });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  const cut = () => {
    open = false;
    for (const s of sockets) s.destroy();
    sockets.clear();
  };
  return {
    port,
    cut,
    restore() {
      open = true;
    },
    close() {
      cut();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

// A real node:http server standing in for the ingest's `POST /v1/readings`: it validates bodies
// with the protocol's own parser and records what it received.
import { once } from "node:events";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { parseReadingsPayload } from "@pulseboard/schema/telemetry";

export interface Request {
  method: string;
  path: string;
  authorization: string;
  contentType: string;
  body: unknown;
  accepted: number;
}

export interface IngestStub {
  url: string;
  requests: Request[];
  connections: number;
  close(): Promise<void>;
}

/** `statusFor` may answer a key with a fixed status (401 unknown key, ...) or "hang" (never answer). */
export async function startIngestStub(
  statusFor: (key: string) => number | "hang" | undefined = () => undefined,
) {
  const stub: IngestStub = { url: "", requests: [], connections: 0, close: async () => {} };
  const answer = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
  };
  const server = createServer(async (req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const key = (req.headers.authorization ?? "").replace(/^Bearer /, "");
    const fixed = statusFor(key);
    if (fixed === "hang") return;
    const body = JSON.parse(Buffer.concat(chunks).toString()) as unknown;
    const parsed = parseReadingsPayload(body, new Date());
    const accepted = parsed.ok ? parsed.readings.length : 0;
    stub.requests.push({
      method: req.method ?? "",
      path: req.url ?? "",
      authorization: req.headers.authorization ?? "",
      contentType: req.headers["content-type"] ?? "",
      body,
      accepted,
    });
    if (fixed !== undefined) return answer(res, fixed, { error: `status ${fixed}` });
    if (!parsed.ok) return answer(res, 400, { error: parsed.problems });
    answer(res, 202, { accepted });
  });
  server.on("connection", () => {
    stub.connections++;
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  stub.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  stub.close = async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  };
  return stub;
}

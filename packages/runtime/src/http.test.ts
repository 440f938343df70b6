import { createServer, request } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BodyTooLargeError, listen, readBody, sendJson } from "./http";
import { findFreePort, PortInUseError } from "./ports";

const LIMIT = 16;
const server = createServer((req, res) => {
  readBody(req, LIMIT).then(
    (body) => sendJson(res, 200, { body: body.toString("utf8") }),
    (error: unknown) => {
      res.setHeader("connection", "close");
      sendJson(res, error instanceof BodyTooLargeError ? 413 : 500, { error: String(error) });
    },
  );
});
let port = 0;

beforeAll(async () => {
  port = await findFreePort();
  await listen(server, { port, host: "127.0.0.1", label: "test", variable: "TEST_PORT" });
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

/** POSTs `chunks` one by one (no declared length unless given). */
function post(chunks: string[], contentLength?: number): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: "127.0.0.1",
        port,
        method: "POST",
        headers: contentLength === undefined ? {} : { "content-length": contentLength },
      },
      (res) => {
        const parts: Buffer[] = [];
        res.on("data", (c: Buffer) => parts.push(c));
        res.on("end", () =>
          resolve({ status: res.statusCode ?? 0, body: JSON.parse(Buffer.concat(parts).toString()) }),
        );
      },
    );
    req.on("error", reject);
    for (const chunk of chunks) req.write(chunk);
    req.end();
  });
}

describe("readBody", () => {
  it("reads the whole body, in however many chunks, up to the limit", async () => {
    expect(await post(["0123456789", "abcdef"])).toEqual({ status: 200, body: { body: "0123456789abcdef" } });
    expect(await post([])).toEqual({ status: 200, body: { body: "" } });
  });

  it("refuses a body over the limit, declared or sent, and the caller can still answer", async () => {
    expect((await post(["x".repeat(LIMIT + 1)], LIMIT + 1)).status).toBe(413);
    expect((await post(["0123456789", "0123456789"])).status).toBe(413);
  });
});

describe("listen", () => {
  it("a taken port is one clear error naming the variable", async () => {
    const other = createServer();
    const claim = { port, host: "127.0.0.1", label: "test", variable: "TEST_PORT" };
    await expect(listen(other, claim)).rejects.toThrow(PortInUseError);
    await expect(listen(other, claim)).rejects.toThrow(/set TEST_PORT/);
  });
});

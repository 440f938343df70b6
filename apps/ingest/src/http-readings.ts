// POST /v1/readings with `Authorization: Bearer <device_key>`: 202 {accepted} only after commit;
// 400 with the reasons, 401, 413, 429, 503 with Retry-After (docs/device-protocol.md). The key is
// checked before the body is read.
import type { IncomingMessage, ServerResponse } from "node:http";
import { BodyTooLargeError, readBody, sendJson } from "@pulseboard/runtime/http";
import { DatabaseUnavailableError } from "./errors";
import { type Intake, REFUSE, type Refusal } from "./intake";

export function refusalResponse(res: ServerResponse, refusal: Refusal): void {
  const [status, body, headers] = describeRefusal(refusal);
  sendJson(res, status, body, headers);
}

function describeRefusal(refusal: Refusal): [number, unknown, Record<string, string>] {
  switch (refusal.kind) {
    case "invalid":
      return [
        400,
        {
          error: "invalid readings",
          reasons: refusal.problems.map((p) => (p.path ? `${p.path}: ${p.message}` : p.message)),
        },
        {},
      ];
    case "unknown_key":
      return [401, { error: "unknown device key" }, { "www-authenticate": "Bearer" }];
    case "rate_limited":
      return [
        429,
        { error: "too many messages from this device" },
        { "retry-after": String(refusal.retryAfterSeconds) },
      ];
    case "unavailable":
      return [
        503,
        { error: "temporarily unavailable, retry later" },
        { "retry-after": String(refusal.retryAfterSeconds) },
      ];
  }
}

export async function handleReadings(
  req: IncomingMessage,
  res: ServerResponse,
  intake: Intake,
  maxBodyBytes: number,
): Promise<void> {
  const arrivedAt = Date.now();
  const match = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? "");
  if (!match?.[1]) {
    req.resume();
    return sendJson(
      res,
      401,
      { error: "missing device key: send Authorization: Bearer <device_key>" },
      {
        "www-authenticate": "Bearer",
      },
    );
  }
  // The key before the body: an unknown key is answered without reading a byte of it (the
  // connection then closes), so a client without a key cannot make the ingest buffer anything.
  const key = match[1];
  let device: Awaited<ReturnType<Intake["resolveKey"]>>;
  try {
    device = await intake.resolveKey(key);
  } catch (error) {
    if (!(error instanceof DatabaseUnavailableError)) throw error;
    res.setHeader("connection", "close");
    return refusalResponse(res, { kind: "unavailable", retryAfterSeconds: 5 });
  }
  if (!device) {
    intake.reject("http", "unknown_key", undefined, "unknown or malformed device key");
    res.setHeader("connection", "close");
    return refusalResponse(res, { kind: "unknown_key" });
  }
  let body: Buffer;
  try {
    // Refused at once when Content-Length says too much; else read up to the limit and no more.
    body = await readBody(req, maxBodyBytes);
  } catch (error) {
    if (error instanceof BodyTooLargeError) {
      res.setHeader("connection", "close");
      return sendJson(res, 413, { error: `body over ${maxBodyBytes} bytes` });
    }
    throw error;
  }
  const idempotencyKey = req.headers["idempotency-key"];
  const prepared = await intake.prepare(
    "http",
    key,
    body,
    intake.receiveTime(key, arrivedAt),
    REFUSE,
    typeof idempotencyKey === "string" ? idempotencyKey : undefined,
  );
  if (prepared.kind !== "prepared") return refusalResponse(res, prepared);
  const refusal = await intake.store("http", prepared);
  if (refusal) return refusalResponse(res, refusal);
  sendJson(res, 202, { accepted: prepared.rows.length });
}

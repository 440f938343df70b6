// The alerter as an app factory: server.ts around it listens and handles signals.
import { createServer } from "node:http";
import { closeServer, handleHealth, sendJson, type WorkerApp } from "@pulseboard/runtime/http";
import type { Logger } from "@pulseboard/runtime/logger";
import type { SqlClient } from "@pulseboard/schema/client";

export interface AlerterDeps {
  sql: SqlClient;
  log: Logger;
}

export function buildApp({ sql, log }: AlerterDeps): WorkerApp {
  const httpLog = log.child({ module: "http" });
  const server = createServer((req, res) => {
    if (handleHealth(req, res, { ready: () => sql`select 1`, log: httpLog })) return;
    sendJson(res, 404, { error: "not found" });
  });
  return { server, close: () => closeServer(server) };
}

// POST /v1/sweep {} (a QStash cron, or the local timer): see ../sweep.ts;
// 200 {"transitions": n, "redelivered": n}, or {"transitions": 0, "redelivered": 0, "skipped": true}
// when another sweep (on any alerter instance) holds the lease.
import { z } from "zod";
import type { AlerterContext } from "../context";
import { sweep } from "../sweep";
import { type SignedRoute, signedRoute } from "./route";

export function sweepRoute(context: AlerterContext): SignedRoute {
  // Whatever JSON the schedule sends: the sweep takes no arguments.
  return signedRoute(z.unknown(), () => sweep(context));
}

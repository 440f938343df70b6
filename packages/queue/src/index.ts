// The queue the ingest and the alerter publish through: real QStash when QSTASH_TOKEN is set,
// otherwise a local queue that signs, retries and deduplicates the way QStash does.
import type { Logger } from "@pulseboard/runtime/logger";
import { createLocalQueue } from "./local";
import { createQStashQueue } from "./qstash";
import type { Queue, QueueConfig } from "./types";

export { QueueClosedError, QueueFullError, retryDelayMs } from "./local";
export { type SignInput, signLikeQStash } from "./sign";
export type { PublishRequest, PublishResult, Queue, QueueConfig } from "./types";

export function createQueue(config: QueueConfig, log: Logger): Queue {
  const child = log.child({ module: "queue" });
  const { token } = config;
  if (token) {
    child.info({ mode: "qstash" }, "queue: publishing through QStash");
    return createQStashQueue({ ...config, token }, child);
  }
  child.info({ mode: "local" }, "queue: local, delivering in-process and signing like QStash");
  return createLocalQueue(config, child);
}

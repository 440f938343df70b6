// Real QStash: the token is set, so QStash stores, signs, retries and deduplicates.
import type { Logger } from "@pulseboard/runtime/logger";
import { Client } from "@upstash/qstash";
import type { PublishRequest, PublishResult, Queue, QueueConfig } from "./types";

export function createQStashQueue(config: QueueConfig & { token: string }, log: Logger): Queue {
  // devMode false: the token decides; QSTASH_DEV in the environment must not redirect publishes.
  const client = new Client({ token: config.token, baseUrl: config.baseUrl, devMode: false });
  return {
    async publishJSON(req: PublishRequest): Promise<PublishResult> {
      const res = await client.publishJSON({
        url: req.url,
        body: req.body,
        deduplicationId: req.deduplicationId,
        retries: req.retries,
        delay: req.delaySeconds,
        headers: req.headers,
      });
      const deduplicated = res.deduplicated ?? false;
      log.debug({ messageId: res.messageId, deduplicated }, "published to QStash");
      return { messageId: res.messageId, deduplicated };
    },
    // Nothing held locally: every accepted message already lives in QStash.
    async close() {},
  };
}

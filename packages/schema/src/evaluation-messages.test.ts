import { describe, expect, it } from "vitest";
import {
  EVALUATION_MESSAGE_DEVICES,
  EVALUATION_MESSAGE_MAX_DEVICES,
  evaluationMessage,
  evaluationMessages,
} from "./evaluation-messages";

const ids = (n: number) =>
  Array.from({ length: n }, (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`);

describe("evaluation messages", () => {
  it("split any fleet into messages the alerter accepts, every device once, in order", () => {
    for (const n of [1, 249, 250, 251, 1000, 1001, 12_345]) {
      const messages = evaluationMessages(ids(n));
      expect(messages).toHaveLength(Math.ceil(n / EVALUATION_MESSAGE_DEVICES));
      expect(messages.flatMap((m) => m.deviceIds)).toEqual(ids(n));
      for (const message of messages) {
        expect(message.deviceIds.length).toBeLessThanOrEqual(EVALUATION_MESSAGE_DEVICES);
        expect(evaluationMessage.safeParse(message).success).toBe(true);
      }
    }
    expect(evaluationMessages([])).toEqual([]);
  });

  it("the alerter accepts many times what the ingest sends, and refuses more than its limit", () => {
    expect(EVALUATION_MESSAGE_MAX_DEVICES).toBeGreaterThanOrEqual(10 * EVALUATION_MESSAGE_DEVICES);
    expect(evaluationMessage.safeParse({ deviceIds: ids(EVALUATION_MESSAGE_MAX_DEVICES) }).success).toBe(
      true,
    );
    expect(evaluationMessage.safeParse({ deviceIds: ids(EVALUATION_MESSAGE_MAX_DEVICES + 1) }).success).toBe(
      false,
    );
    // 5,000 ids in JSON fit the alerter's 256 KiB body limit.
    expect(JSON.stringify({ deviceIds: ids(EVALUATION_MESSAGE_MAX_DEVICES) }).length).toBeLessThan(
      256 * 1024,
    );
  });
});

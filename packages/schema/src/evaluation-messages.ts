// The evaluation message, from the ingest to the alerter (`POST /v1/evaluate`), in one place for
// the sender and the receiver. The ingest never sends more than EVALUATION_MESSAGE_DEVICES devices
// in one message (a busy interval goes as several), and the alerter accepts many times that, so
// no message of ours is ever refused for its size; the alerter evaluates a message in chunks.
import { z } from "zod";

/** Devices per message the ingest sends at most: a message is about a second's work or less. */
export const EVALUATION_MESSAGE_DEVICES = 250;
/** Devices per message the alerter accepts (about 200 KB of ids, under its body limit). */
export const EVALUATION_MESSAGE_MAX_DEVICES = 5000;

export const evaluationMessage = z.strictObject({
  deviceIds: z.array(z.uuid()).min(1).max(EVALUATION_MESSAGE_MAX_DEVICES),
});

export type EvaluationMessage = z.infer<typeof evaluationMessage>;

/** `deviceIds` as the messages the ingest sends: in order, at most EVALUATION_MESSAGE_DEVICES each. */
export function evaluationMessages(
  deviceIds: readonly string[],
  size = EVALUATION_MESSAGE_DEVICES,
): EvaluationMessage[] {
  const messages: EvaluationMessage[] = [];
  for (let i = 0; i < deviceIds.length; i += size) messages.push({ deviceIds: deviceIds.slice(i, i + size) });
  return messages;
}

// Token mode against a fake QStash on localhost: asserts the request the real @upstash/qstash
// Client sends and that its documented responses come back through publishJSON.
import { afterEach, describe, expect, it } from "vitest";
import { createQueue } from "../src/index";
import { captureLogger, startServer, type TestServer } from "./servers";

const destination = "https://alerter.example.com/v1/evaluate";
let fake: TestServer | undefined;
afterEach(async () => {
  await fake?.close();
});

describe("QStash queue (token set)", () => {
  it("publishes through the real Client and returns QStash's answer", async () => {
    // QStash answers a duplicate with 202 and the existing message's id.
    fake = await startServer((n) =>
      n === 0
        ? { status: 201, json: { messageId: "msg_fake_1", url: destination } }
        : { status: 202, json: { messageId: "msg_fake_1", url: destination, deduplicated: true } },
    );
    const { log } = captureLogger();
    const queue = createQueue(
      { token: "qstash_test_token", baseUrl: fake.url, currentSigningKey: "c", nextSigningKey: "n" },
      log,
    );
    const request = {
      url: destination,
      body: { deviceIds: ["d1"] },
      deduplicationId: "batch-42",
      retries: 2,
      delaySeconds: 5,
      headers: { "X-Pulseboard-Kind": "evaluate" },
    };

    await expect(queue.publishJSON(request)).resolves.toEqual({
      messageId: "msg_fake_1",
      deduplicated: false,
    });
    await expect(queue.publishJSON(request)).resolves.toEqual({
      messageId: "msg_fake_1",
      deduplicated: true,
    });
    await queue.close();

    const [sent] = fake.received;
    expect(sent?.method).toBe("POST");
    expect(sent?.path).toBe(`/v2/publish/${destination}`);
    expect(sent?.headers).toMatchObject({
      authorization: "Bearer qstash_test_token",
      "content-type": "application/json",
      "upstash-deduplication-id": "batch-42",
      "upstash-retries": "2",
      "upstash-delay": "5s",
      "upstash-method": "POST",
      "upstash-forward-x-pulseboard-kind": "evaluate",
    });
    expect(JSON.parse(sent?.body ?? "")).toEqual({ deviceIds: ["d1"] });
  });

  it("rejects when QStash refuses the publish", async () => {
    fake = await startServer(() => ({ status: 401, json: { error: "invalid token" } }));
    const { log } = captureLogger();
    const queue = createQueue(
      { token: "bad", baseUrl: fake.url, currentSigningKey: "c", nextSigningKey: "n" },
      log,
    );
    await expect(queue.publishJSON({ url: destination, body: {} })).rejects.toThrow(/invalid token/);
  });
});

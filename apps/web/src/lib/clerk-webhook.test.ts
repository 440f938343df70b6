import { createClerkTestInstance } from "@pulseboard/devstack/test/clerk";
import { describe, expect, it } from "vitest";
import { verifyClerkWebhook } from "./clerk-webhook";

const clerk = createClerkTestInstance();
const event = { type: "user.deleted", object: "event", data: { id: "user_1", deleted: true } };
const bytes = (text: string) => new TextEncoder().encode(text);

function verify(body: string, headers: Record<string, string>, secret = clerk.webhookSecret) {
  return verifyClerkWebhook(bytes(body), new Headers(headers), secret);
}

describe("verifyClerkWebhook", () => {
  it("accepts a delivery signed as Svix signs it, and returns its JSON", () => {
    const { body, headers } = clerk.delivery(event);
    expect(verify(body, headers)).toEqual({ ok: true, payload: event });
  });

  it("accepts any of several signatures (a secret rotation sends one per secret)", () => {
    const { body, headers } = clerk.delivery(event);
    const other = clerk.delivery(event, { id: headers["svix-id"], secret: `whsec_${"A".repeat(32)}` });
    const both = `${other.headers["svix-signature"]} ${headers["svix-signature"]}`;
    expect(verify(body, { ...headers, "svix-signature": both }).ok).toBe(true);
  });

  it("answers 400 to a delivery without the svix headers, naming them", () => {
    const { body, headers } = clerk.delivery(event);
    const { "svix-id": _, "svix-signature": __, ...rest } = headers;
    expect(verify(body, rest)).toEqual({
      ok: false,
      status: 400,
      error: "missing svix-id, svix-signature header",
    });
  });

  it("answers 401 to a tampered body, another secret, or a timestamp over 5 minutes off", () => {
    const { body, headers } = clerk.delivery(event);
    expect(verify(body.replace("user_1", "user_2"), headers)).toMatchObject({ ok: false, status: 401 });
    expect(verify(body, headers, `whsec_${Buffer.from("another secret").toString("base64")}`)).toMatchObject({
      ok: false,
      status: 401,
    });
    const now = Math.floor(Date.now() / 1000);
    for (const at of [now - 301, now + 301]) {
      const stale = clerk.delivery(event, { at });
      expect(verify(stale.body, stale.headers)).toMatchObject({ ok: false, status: 401 });
    }
    const replayed = clerk.delivery(event);
    expect(verify(replayed.body, { ...replayed.headers, "svix-id": "msg_other" })).toMatchObject({
      status: 401,
    });
  });

  it("answers 400 to a signed body that is not JSON", () => {
    const { body, headers } = clerk.deliveryOfText("{not json");
    expect(verify(body, headers)).toEqual({ ok: false, status: 400, error: "webhook body is not JSON text" });
  });
});

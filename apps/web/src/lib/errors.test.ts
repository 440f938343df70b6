import {
  ConflictError,
  ForbiddenError,
  InvalidError,
  NotFoundError,
  RateLimitedError,
  UnavailableError,
} from "@pulseboard/schema/errors";
import { describe, expect, it } from "vitest";
import { actionError, httpError, runAction } from "./errors";

describe("domain errors as answers", () => {
  it("maps NotFound to 404, Conflict to 409 and Invalid to 400 with its field", () => {
    expect(httpError(new NotFoundError("plan not found", { field: "planId" }))).toEqual({
      status: 404,
      body: { error: "plan not found" },
    });
    expect(httpError(new ConflictError('an exercise named "Row" already exists'))).toEqual({
      status: 409,
      body: { error: 'an exercise named "Row" already exists' },
    });
    expect(httpError(new InvalidError("unknown exercise: x", { field: "exerciseId" }))).toEqual({
      status: 400,
      body: { error: "unknown exercise: x", field: "exerciseId" },
    });
    expect(httpError(new InvalidError("bad"))).toEqual({ status: 400, body: { error: "bad" } });
  });

  it("maps Forbidden to 403 and RateLimited to 429 with Retry-After", () => {
    expect(httpError(new ForbiddenError("moderators only"))).toEqual({
      status: 403,
      body: { error: "moderators only" },
    });
    expect(httpError(new RateLimitedError("too many replies", { retryAfterSeconds: 12.5 }))).toEqual({
      status: 429,
      body: { error: "too many replies" },
      headers: { "retry-after": "13" },
    });
  });

  it("maps Unavailable to 503 with Retry-After in whole seconds", () => {
    expect(httpError(new UnavailableError("too slow", { retryAfterSeconds: 4.2 }))).toEqual({
      status: 503,
      body: { error: "too slow" },
      headers: { "retry-after": "5" },
    });
    expect(httpError(new UnavailableError("x", { retryAfterSeconds: 0 })).headers).toEqual({
      "retry-after": "1",
    });
  });

  it("gives server actions the same message", async () => {
    expect(actionError(new NotFoundError("device not found"))).toEqual({
      ok: false,
      message: "device not found",
    });
    expect(
      await runAction(async () => {
        throw new ConflictError("taken");
      }),
    ).toEqual({ ok: false, message: "taken" });
    expect(await runAction(async () => ({ ok: true, message: "done" }))).toEqual({
      ok: true,
      message: "done",
    });
    await expect(
      runAction(async () => {
        throw new Error("boom");
      }),
    ).rejects.toThrow("boom");
  });
});

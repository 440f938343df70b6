import { describe, expect, it } from "vitest";
import { z } from "zod";
import { humanIssue } from "./validation-messages";

const messages = (schema: z.ZodType, input: unknown) => {
  const result = schema.safeParse(input, { error: humanIssue });
  return result.success ? [] : result.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
};

describe("validation messages for people", () => {
  const set = z.strictObject({
    reps: z.number().int().min(0).max(1000),
    weightKg: z.number().min(0).max(1000).optional(),
    note: z.string().min(1).max(10).optional(),
  });

  it("says what to do instead of zod's defaults", () => {
    expect(messages(set, { reps: 1001, weightKg: -1 })).toEqual([
      "reps: must be 1000 or less",
      "weightKg: must be 0 or more",
    ]);
    expect(messages(set, { weightKg: "heavy" })).toEqual(["reps: is required", "weightKg: must be a number"]);
    expect(messages(set, { reps: 1, note: "" })).toEqual(["note: is required"]);
    expect(messages(set, { reps: 1, note: "a".repeat(11) })).toEqual(["note: must be at most 10 characters"]);
    expect(messages(set, { reps: 1, extra: 1 })).toEqual([": has a field this request does not take: extra"]);
    expect(messages(z.enum(["kg", "lb"]), "st")).toEqual([": must be one of: kg, lb"]);
  });

  it("keeps a schema's own message", () => {
    expect(messages(z.string().max(3, "name is at most 3 characters"), "long")).toEqual([
      ": name is at most 3 characters",
    ]);
  });
});

import { describe, expect, it } from "vitest";
import { describeError, describeIssue, labelFor } from "./form-errors";
import { HttpError } from "./send-json";

const WORKOUT = {
  performedAt: "Started",
  "sets.*.weightKg": "Weight (kg) in set {n}",
  "sets.*.reps": "Reps in set {n}",
};

describe("words for people", () => {
  it("names a field as the form labels it, list items counted from 1", () => {
    expect(labelFor("sets.1.weightKg", WORKOUT)).toBe("Weight (kg) in set 2");
    expect(labelFor("performedAt", WORKOUT)).toBe("Started");
    expect(labelFor("sets.1.other", WORKOUT)).toBeUndefined();
  });

  it("says what is wrong with the field, not the API's path", () => {
    expect(describeIssue({ path: "sets.0.weightKg", message: "must be 1000 or less" }, WORKOUT)).toBe(
      "Weight (kg) in set 1 must be 1000 or less.",
    );
    expect(
      describeIssue({ path: "name", message: "name is at most 100 characters" }, { name: "Device name" }),
    ).toBe("Device name is at most 100 characters.");
    expect(describeIssue({ path: "x", message: "something went wrong" }, {})).toBe("Something went wrong.");
  });

  it("an ended session is said as such; every refused field is listed", () => {
    expect(describeError(new HttpError(401, "sign in first")).kind).toBe("signed-out");
    const refused = new HttpError(400, "invalid workout: …", [
      { path: "sets.0.reps", message: "must be a whole number" },
      { path: "sets.2.weightKg", message: "must be 1000 or less" },
    ]);
    expect(describeError(refused, WORKOUT)).toEqual({
      kind: "problems",
      messages: ["Reps in set 1 must be a whole number.", "Weight (kg) in set 3 must be 1000 or less."],
    });
    expect(describeError(new HttpError(400, "unknown exercise: x", [], "exerciseId"))).toEqual({
      kind: "problems",
      messages: ["Unknown exercise: x"],
    });
    expect(describeError(new HttpError(404, "plan not found", [], "planId"), { planId: "Plan" })).toEqual({
      kind: "problems",
      messages: ["Plan: plan not found"],
    });
  });
});

import { describe, expect, it } from "vitest";
import { type ProgressSet, sessionProgress } from "./progress";

const A = new Date("2026-01-05T10:00:00Z");
const B = new Date("2026-01-08T10:00:00Z");
const set = (logId: string, exerciseId: string, reps: number, weightKg: number | null): ProgressSet => ({
  logId,
  performedAt: logId === "a" ? A : B,
  exerciseId,
  reps,
  weightKg,
});
const epley = { formula: "epley" as const, repCap: 10 };

describe("per-session progress of one exercise", () => {
  it("takes the heaviest set as the best and the highest e1RM, whichever set it comes from", () => {
    const rows = sessionProgress(
      [set("a", "squat", 5, 100), set("a", "squat", 1, 110), set("a", "squat", 10, 90)],
      "squat",
      epley,
    );
    // 110 × 1 is the heaviest; 90 × 10 estimates 120 by Epley, above 110 and 100 × 5 (116.67).
    expect(rows).toEqual([
      { id: "a", at: A, best: { reps: 1, kg: 110 }, e1rm: 120, volume: 500 + 110 + 900 },
    ]);
  });

  it("keeps the first set at the heaviest weight", () => {
    const [row] = sessionProgress([set("a", "squat", 3, 100), set("a", "squat", 5, 100)], "squat", epley);
    expect(row?.best).toEqual({ reps: 3, kg: 100 });
  });

  it("has no best set or e1RM for unloaded sets, and still counts the session", () => {
    expect(sessionProgress([set("a", "pullup", 8, null), set("a", "pullup", 6, 0)], "pullup", epley)).toEqual(
      [{ id: "a", at: A, best: null, e1rm: null, volume: 0 }],
    );
  });

  it("leaves out sets beyond the rep cap from the e1RM (not from the best set) and uses the formula", () => {
    const [capped] = sessionProgress([set("a", "row", 12, 50)], "row", epley);
    expect(capped).toMatchObject({ best: { reps: 12, kg: 50 }, e1rm: null, volume: 600 });
    const [brzycki] = sessionProgress([set("a", "row", 6, 62)], "row", { formula: "brzycki", repCap: 10 });
    expect(brzycki?.e1rm).toBeCloseTo((62 * 36) / 31, 10);
  });

  it("gives one row per session in the sets' order and ignores other exercises", () => {
    const rows = sessionProgress(
      [set("a", "squat", 5, 100), set("a", "bench", 5, 200), set("b", "squat", 5, 102.5)],
      "squat",
      epley,
    );
    expect(rows.map((r) => [r.id, r.best?.kg])).toEqual([
      ["a", 100],
      ["b", 102.5],
    ]);
    expect(sessionProgress([set("a", "squat", 5, 100)], undefined, epley)).toEqual([]);
  });
});

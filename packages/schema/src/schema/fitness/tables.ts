// Fitness tables from seed 000: user-owned plans, a shared exercise catalog, append-only
// workout logs (kept when their plan is deleted) and their per-set rows.
import { type SQLWrapper, sql } from "drizzle-orm";
import {
  check,
  index,
  integer,
  numeric,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";
import { user } from "../auth/tables";
import { devices } from "../telemetry/tables";

export const WEIGHT_UNITS = ["kg", "lb"] as const;
export const E1RM_FORMULAS = ["epley", "brzycki"] as const;

export const workoutPlans = pgTable(
  "workout_plans",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    ownerId: text("owner_id")
      .notNull()
      .references(() => user.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("idx_plan_owner").on(t.ownerId)],
);

/** What makes two exercise names the same: case and runs of spaces do not count. */
export function normalizedExerciseName(name: SQLWrapper) {
  return sql`lower(regexp_replace(btrim(${name}), '[[:space:]]+', ' ', 'g'))`;
}

// Shared catalog, not user-owned: a duplicate name is a schema error, not a soft collision —
// also when it differs only in case or spacing ("Bench  press" is "Bench Press").
export const exercises = pgTable(
  "exercises",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    name: text("name").notNull().unique(),
    muscleGroup: text("muscle_group"),
    /** Who added it (null: seeded); the catalog stays when they leave. */
    createdBy: text("created_by").references(() => user.id, { onDelete: "set null" }),
  },
  (t) => [
    uniqueIndex("uniq_exercise_name_normalized").on(normalizedExerciseName(t.name)),
    index("idx_exercise_muscle_group").on(t.muscleGroup),
  ],
);

// A plan's exercises in order, with targets.
export const planExercises = pgTable(
  "plan_exercises",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    planId: uuid("plan_id")
      .notNull()
      .references(() => workoutPlans.id, { onDelete: "cascade" }),
    exerciseId: uuid("exercise_id")
      .notNull()
      .references(() => exercises.id),
    position: integer("position").notNull(),
    targetSets: integer("target_sets").notNull().default(3),
    targetReps: integer("target_reps").notNull().default(10),
  },
  (t) => [
    uniqueIndex("uniq_plan_exercise_position").on(t.planId, t.position),
    check(
      "plan_exercises_targets_check",
      sql`${t.targetSets} between 1 and 50 and ${t.targetReps} between 1 and 1000`,
    ),
  ],
);

// Per-user fitness preferences: display unit (weights are always stored in kg), e1RM formula and
// rep cap, and what heart-rate zones are computed from.
export const fitnessPreferences = pgTable(
  "fitness_preferences",
  {
    userId: text("user_id")
      .primaryKey()
      .references(() => user.id, { onDelete: "cascade" }),
    weightUnit: text("weight_unit", { enum: WEIGHT_UNITS }).notNull().default("kg"),
    e1rmFormula: text("e1rm_formula", { enum: E1RM_FORMULAS }).notNull().default("epley"),
    repCap: integer("rep_cap").notNull().default(10),
    age: integer("age"),
    maxHeartRate: integer("max_heart_rate"),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    check("fitness_preferences_unit_check", sql`${t.weightUnit} in ('kg','lb')`),
    check("fitness_preferences_formula_check", sql`${t.e1rmFormula} in ('epley','brzycki')`),
    check("fitness_preferences_rep_cap_check", sql`${t.repCap} between 1 and 30`),
    check("fitness_preferences_age_check", sql`${t.age} is null or ${t.age} between 5 and 120`),
    check(
      "fitness_preferences_max_hr_check",
      sql`${t.maxHeartRate} is null or ${t.maxHeartRate} between 100 and 250`,
    ),
  ],
);

export const workoutLogs = pgTable(
  "workout_logs",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    userId: text("user_id")
      .notNull()
      .references(() => user.id, { onDelete: "cascade" }),
    // Set null, not cascade: history outlives the plan it came from.
    planId: uuid("plan_id").references(() => workoutPlans.id, { onDelete: "set null" }),
    performedAt: timestamp("performed_at", { withTimezone: true }).notNull(),
    /** The session's end (its heart-rate window); null for a log without one. */
    endedAt: timestamp("ended_at", { withTimezone: true }),
    /** The wearable worn; the log outlives the device. */
    deviceId: uuid("device_id").references(() => devices.id, { onDelete: "set null" }),
    /** The device's metric to chart beside the workout (default heart_rate). */
    heartRateMetric: text("heart_rate_metric"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index("idx_log_user_time").on(t.userId, t.performedAt),
    // Deleting a device or a plan sets these null in its logs: without an index each deletion
    // scanned every user's logs. Partial: most logs name neither.
    index("idx_log_device").on(t.deviceId).where(sql`${t.deviceId} is not null`),
    index("idx_log_plan").on(t.planId).where(sql`${t.planId} is not null`),
    check("workout_logs_window_check", sql`${t.endedAt} is null or ${t.endedAt} >= ${t.performedAt}`),
  ],
);

export const logSets = pgTable(
  "log_sets",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    logId: uuid("log_id")
      .notNull()
      .references(() => workoutLogs.id, { onDelete: "cascade" }),
    exerciseId: uuid("exercise_id")
      .notNull()
      .references(() => exercises.id),
    setNumber: integer("set_number").notNull(),
    reps: integer("reps").notNull(),
    weightKg: numeric("weight_kg", { mode: "number" }),
  },
  (t) => [
    index("idx_set_log").on(t.logId),
    index("idx_set_exercise").on(t.exerciseId),
    check(
      "log_sets_values_check",
      sql`${t.setNumber} >= 1 and ${t.reps} >= 0 and (${t.weightKg} is null or ${t.weightKg} >= 0)`,
    ),
  ],
);

CREATE TABLE "fitness_preferences" (
	"user_id" text PRIMARY KEY NOT NULL,
	"weight_unit" text DEFAULT 'kg' NOT NULL,
	"e1rm_formula" text DEFAULT 'epley' NOT NULL,
	"rep_cap" integer DEFAULT 10 NOT NULL,
	"age" integer,
	"max_heart_rate" integer,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "fitness_preferences_unit_check" CHECK ("fitness_preferences"."weight_unit" in ('kg','lb')),
	CONSTRAINT "fitness_preferences_formula_check" CHECK ("fitness_preferences"."e1rm_formula" in ('epley','brzycki')),
	CONSTRAINT "fitness_preferences_rep_cap_check" CHECK ("fitness_preferences"."rep_cap" between 1 and 30),
	CONSTRAINT "fitness_preferences_age_check" CHECK ("fitness_preferences"."age" is null or "fitness_preferences"."age" between 5 and 120),
	CONSTRAINT "fitness_preferences_max_hr_check" CHECK ("fitness_preferences"."max_heart_rate" is null or "fitness_preferences"."max_heart_rate" between 100 and 250)
);
--> statement-breakpoint
CREATE TABLE "plan_exercises" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"plan_id" uuid NOT NULL,
	"exercise_id" uuid NOT NULL,
	"position" integer NOT NULL,
	"target_sets" integer DEFAULT 3 NOT NULL,
	"target_reps" integer DEFAULT 10 NOT NULL,
	CONSTRAINT "plan_exercises_targets_check" CHECK ("plan_exercises"."target_sets" between 1 and 50 and "plan_exercises"."target_reps" between 1 and 1000)
);
--> statement-breakpoint
ALTER TABLE "exercises" ADD COLUMN "created_by" text;--> statement-breakpoint
ALTER TABLE "workout_logs" ADD COLUMN "ended_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "workout_logs" ADD COLUMN "device_id" uuid;--> statement-breakpoint
ALTER TABLE "workout_logs" ADD COLUMN "heart_rate_metric" text;--> statement-breakpoint
ALTER TABLE "workout_logs" ADD COLUMN "created_at" timestamp with time zone DEFAULT now() NOT NULL;--> statement-breakpoint
ALTER TABLE "fitness_preferences" ADD CONSTRAINT "fitness_preferences_user_id_user_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."user"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "plan_exercises" ADD CONSTRAINT "plan_exercises_plan_id_workout_plans_id_fk" FOREIGN KEY ("plan_id") REFERENCES "public"."workout_plans"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "plan_exercises" ADD CONSTRAINT "plan_exercises_exercise_id_exercises_id_fk" FOREIGN KEY ("exercise_id") REFERENCES "public"."exercises"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "uniq_plan_exercise_position" ON "plan_exercises" USING btree ("plan_id","position");--> statement-breakpoint
ALTER TABLE "exercises" ADD CONSTRAINT "exercises_created_by_user_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."user"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "workout_logs" ADD CONSTRAINT "workout_logs_device_id_devices_id_fk" FOREIGN KEY ("device_id") REFERENCES "public"."devices"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "uniq_exercise_name_normalized" ON "exercises" USING btree (lower(regexp_replace(btrim("name"), '[[:space:]]+', ' ', 'g')));--> statement-breakpoint
CREATE INDEX "idx_exercise_muscle_group" ON "exercises" USING btree ("muscle_group");--> statement-breakpoint
CREATE INDEX "idx_set_exercise" ON "log_sets" USING btree ("exercise_id");--> statement-breakpoint
ALTER TABLE "log_sets" ADD CONSTRAINT "log_sets_values_check" CHECK ("log_sets"."set_number" >= 1 and "log_sets"."reps" >= 0 and ("log_sets"."weight_kg" is null or "log_sets"."weight_kg" >= 0));--> statement-breakpoint
ALTER TABLE "workout_logs" ADD CONSTRAINT "workout_logs_window_check" CHECK ("workout_logs"."ended_at" is null or "workout_logs"."ended_at" >= "workout_logs"."performed_at");
// One tenant's data can never break another tenant's evaluation. A statement that evaluates many
// devices at once fails as a whole when one device's readings make it fail (a data error such as
// an overflowing aggregate); the devices are then split and evaluated again, down to the one
// device that fails, which is reported and skipped while every other device is evaluated. Errors
// that are not about the data (the database is unreachable, a timeout) are not split: the whole
// evaluation fails and is retried as before.

/** A PostgreSQL data exception (SQLSTATE class 22: out of range, division by zero, ...). */
export function isDataError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" && code.startsWith("22");
}

/** The two halves a failed group of devices is evaluated again as (a single device cannot split). */
export function halves<T>(items: readonly T[]): [T[], T[]] | undefined {
  if (items.length < 2) return undefined;
  const middle = Math.ceil(items.length / 2);
  return [items.slice(0, middle), items.slice(middle)];
}

export interface EvaluationFailure {
  /** What was skipped: one device (its rules could not be read) or one rule (its transition failed). */
  scope: "device" | "rule";
  id: string;
  error: unknown;
}

// Errors in words for people: what the API refused, said with the field named as the form labels
// it ("Weight (kg) in set 2 must be 1000 or less"), and a session that ended said as such. Pure:
// the forms' FormError component (components/form-error.tsx) renders what this returns.
import { HttpError } from "./send-json";

/** A form's labels by field path; `*` matches one list index, `{n}` in the label is it, from 1. */
export type FieldLabels = Record<string, string>;

export interface Issue {
  path: string;
  message: string;
}

/** The label of a dotted path (`sets.1.weightKg`), or undefined when the form has none for it. */
export function labelFor(path: string, labels: FieldLabels): string | undefined {
  if (labels[path]) return labels[path];
  const parts = path.split(".");
  for (const [pattern, label] of Object.entries(labels)) {
    const want = pattern.split(".");
    if (want.length !== parts.length) continue;
    let index: number | undefined;
    const match = want.every((w, i) => {
      const part = parts[i] ?? "";
      if (w === "*" && /^\d+$/.test(part)) {
        index ??= Number(part) + 1;
        return true;
      }
      return w === part;
    });
    if (match) return label.replace("{n}", String(index ?? ""));
  }
  return undefined;
}

/**
 * One problem as a sentence: the field's label, then the API's message without the field's own
 * name when it starts with it ("name is at most 100 characters" → "Device name is at most 100
 * characters.").
 */
export function describeIssue(issue: Issue, labels: FieldLabels): string {
  const label = labelFor(issue.path, labels);
  const key = issue.path.split(".").at(-1) ?? "";
  let message = issue.message.trim();
  if (key && message.toLowerCase().startsWith(`${key.toLowerCase()} `))
    message = message.slice(key.length + 1);
  const sentence = label ? `${label} ${message}` : capitalize(message);
  return /[.!?]$/.test(sentence) ? sentence : `${sentence}.`;
}

export type DescribedError =
  | { kind: "signed-out"; message: string }
  | { kind: "problems"; messages: string[] };

/** What a form shows for an error it caught (a refused request, or a check of its own). */
export function describeError(error: unknown, labels: FieldLabels = {}): DescribedError {
  if (error instanceof HttpError && error.status === 401) {
    return { kind: "signed-out", message: "You are signed out (your session ended)." };
  }
  if (error instanceof HttpError && error.issues.length > 0) {
    return { kind: "problems", messages: error.issues.map((issue) => describeIssue(issue, labels)) };
  }
  // A domain error naming a field the form labels ("unknown exercise", field exerciseId).
  if (error instanceof HttpError && error.field && labelFor(error.field, labels)) {
    return { kind: "problems", messages: [`${labelFor(error.field, labels)}: ${error.message}`] };
  }
  if (error instanceof Error) return { kind: "problems", messages: [capitalize(error.message)] };
  return { kind: "problems", messages: [capitalize(String(error))] };
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

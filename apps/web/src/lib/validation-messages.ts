// What a refused field says when its schema gives no message of its own: what to do, in words
// (zod's defaults read "Too big: expected number to be <=1000"). Used by every parse of a body or
// query (lib/api.ts); the form then puts its label in front (lib/form-errors.ts).
import type { z } from "zod";

type RawIssue = z.core.$ZodRawIssue;

export function humanIssue(issue: RawIssue): string | undefined {
  switch (issue.code) {
    case "invalid_type":
      if (issue.input === undefined) return "is required";
      if (issue.expected === "number" || issue.expected === "int") return "must be a number";
      if (issue.expected === "string") return "must be text";
      if (issue.expected === "boolean") return "must be yes or no (true or false)";
      if (issue.expected === "array") return "must be a list";
      if (issue.expected === "object") return "must be an object";
      return `must be a ${issue.expected}`;
    case "too_big": {
      const max = String(issue.maximum);
      if (issue.origin === "string") return `must be at most ${max} characters`;
      if (issue.origin === "array" || issue.origin === "set") return `must have at most ${max} items`;
      return issue.inclusive === false ? `must be less than ${max}` : `must be ${max} or less`;
    }
    case "too_small": {
      const min = String(issue.minimum);
      if (issue.origin === "string")
        return min === "1" ? "is required" : `must be at least ${min} characters`;
      if (issue.origin === "array" || issue.origin === "set")
        return `needs at least ${min} item${min === "1" ? "" : "s"}`;
      return issue.inclusive === false ? `must be more than ${min}` : `must be ${min} or more`;
    }
    case "not_multiple_of":
      return `must be a multiple of ${String(issue.divisor)}`;
    case "invalid_format":
      if (issue.format === "datetime")
        return "must be a date and time (ISO 8601, such as 2026-12-01T07:00:00Z)";
      if (issue.format === "uuid") return "must be an id";
      if (issue.format === "url") return "must be a web address (https://…)";
      if (issue.format === "email") return "must be an e-mail address";
      return `must be a valid ${issue.format}`;
    case "invalid_value":
      return `must be one of: ${issue.values.map(String).join(", ")}`;
    case "unrecognized_keys":
      return `has a field this request does not take: ${issue.keys.join(", ")}`;
    default:
      return undefined;
  }
}

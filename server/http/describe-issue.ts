import type { z } from "zod";

/** One line naming the first field that failed, e.g. `workspace_id: must be 1-64 letters…`. */
export function describeIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return "invalid request";
  const path = issue.path.length ? issue.path.map(String).join(".") : "body";
  return `${path}: ${issue.message}`;
}

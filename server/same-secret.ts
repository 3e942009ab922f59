// Comparing a secret someone presented (a token, a signature, a CSRF token) with the expected one,
// in time that does not depend on where they differ.
import { timingSafeEqual } from "node:crypto";

export function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

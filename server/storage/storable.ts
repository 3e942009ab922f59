// Postgres text and jsonb cannot hold U+0000 or a lone UTF-16 surrogate ("unsupported Unicode
// escape sequence"), and anything a customer or a webhook sends may contain them. What we store
// has each replaced by U+FFFD, the character that says "something unreadable was here", instead
// of the write failing.

const NUL = "\u0000";

export function storableText(text: string): string {
  const wellFormed = text.isWellFormed() ? text : text.toWellFormed();
  return wellFormed.includes(NUL) ? wellFormed.replaceAll(NUL, "\uFFFD") : wellFormed;
}

function storable(value: unknown): unknown {
  if (typeof value === "string") return storableText(value);
  if (Array.isArray(value)) return value.map(storable);
  // Plain objects only: a Date or anything else with its own toJSON is left to it.
  if (value && typeof value === "object" && !("toJSON" in value)) {
    return Object.fromEntries(Object.entries(value).map(([key, child]) => [storableText(key), storable(child)]));
  }
  return value;
}

/** A value as JSON text a jsonb column accepts. */
export const storableJson = (value: unknown): string => JSON.stringify(storable(value));

// What the app answers to Canvas Kit requests. Every response is built with these types and
// checked against these schemas in tests, including Intercom's 64 KB limits.
import { z } from "zod";
import { Component } from "./components.ts";

/** Intercom's limit for a canvas's content and for its stored_data, each. */
export const MAX_CANVAS_BYTES = 64 * 1024;

export const jsonBytes = (value: unknown): number => Buffer.byteLength(JSON.stringify(value), "utf8");

const withinLimit = (what: string) => (value: unknown, ctx: z.RefinementCtx) => {
  const size = jsonBytes(value);
  if (size > MAX_CANVAS_BYTES) ctx.addIssue({ code: "custom", message: `${what} is ${size} bytes; Intercom allows ${MAX_CANVAS_BYTES}` });
};

export const ContentObject = z.strictObject({ components: z.array(Component).min(1) }).superRefine(withinLimit("content"));
export type ContentObject = z.infer<typeof ContentObject>;

export const StoredData = z.record(z.string(), z.unknown()).superRefine(withinLimit("stored_data"));

export const CanvasObject = z
  .strictObject({
    content: ContentObject.optional(),
    content_url: z.url({ protocol: /^https?$/ }).optional(),
    stored_data: StoredData.optional(),
  })
  .refine((canvas) => Boolean(canvas.content) !== Boolean(canvas.content_url), {
    message: "a canvas has either content (static) or content_url (live), not both or neither",
  });
export type CanvasObject = z.infer<typeof CanvasObject>;

export const CanvasResponse = z.strictObject({
  canvas: CanvasObject,
  event: z.strictObject({ type: z.literal("completed") }).optional(),
  card_creation_options: z.record(z.string(), z.unknown()).optional(),
});
export type CanvasResponse = z.infer<typeof CanvasResponse>;

export const ResultsResponse = z.strictObject({ results: z.record(z.string(), z.unknown()) });
export type ResultsResponse = z.infer<typeof ResultsResponse>;

export const ConfigureResponse = z.union([CanvasResponse, ResultsResponse]);
export type ConfigureResponse = z.infer<typeof ConfigureResponse>;

export const LiveCanvasResponse = z.strictObject({ content: ContentObject });
export type LiveCanvasResponse = z.infer<typeof LiveCanvasResponse>;

export function canvas(components: Component[], stored_data?: Record<string, unknown>): CanvasResponse {
  return stored_data ? { canvas: { content: { components }, stored_data } } : { canvas: { content: { components } } };
}

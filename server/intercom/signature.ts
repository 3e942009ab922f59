// Verification of Intercom's signed requests, kept free of any HTTP framework so the canvas
// routes, the webhook route and the tests all share it.
//
// - Canvas Kit requests carry `X-Body-Signature`: hex HMAC-SHA256 of the raw body, keyed with
//   the app's client secret.
// - Webhook notifications carry `X-Hub-Signature: sha1=<hex HMAC-SHA1 of the raw body>`.
//
// Neither scheme signs a timestamp, so there is no clock to check here; replays are handled
// where they matter (webhooks are de-duplicated by notification id).
import { createHmac, timingSafeEqual } from "node:crypto";

export type Verdict = { ok: true } | { ok: false; reason: string };

export type Headers = Record<string, string | string[] | undefined>;

interface Scheme {
  header: string;
  algorithm: "sha256" | "sha1";
  prefix: string;
}

const CANVAS: Scheme = { header: "x-body-signature", algorithm: "sha256", prefix: "" };
const WEBHOOK: Scheme = { header: "x-hub-signature", algorithm: "sha1", prefix: "sha1=" };

function hmacHex(algorithm: Scheme["algorithm"], secret: string, body: Buffer | string): string {
  return createHmac(algorithm, secret).update(body).digest("hex");
}

function headerValue(headers: Headers, name: string): string | undefined {
  const value = headers[name] ?? headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}

function verify(scheme: Scheme, rawBody: Buffer, headers: Headers, secret: string): Verdict {
  if (!secret) return { ok: false, reason: "no client secret configured" };
  const presented = headerValue(headers, scheme.header)?.trim();
  if (!presented) return { ok: false, reason: `missing ${scheme.header} header` };
  if (!presented.startsWith(scheme.prefix)) return { ok: false, reason: `${scheme.header} does not start with "${scheme.prefix}"` };
  const hex = presented.slice(scheme.prefix.length).toLowerCase();
  const expected = Buffer.from(hmacHex(scheme.algorithm, secret, rawBody), "hex");
  const given = /^[0-9a-f]+$/.test(hex) ? Buffer.from(hex, "hex") : Buffer.alloc(0);
  if (given.length !== expected.length) return { ok: false, reason: `${scheme.header} has the wrong length for ${scheme.algorithm}` };
  return timingSafeEqual(given, expected) ? { ok: true } : { ok: false, reason: `${scheme.header} does not match the body` };
}

export const verifyCanvasSignature = (rawBody: Buffer, headers: Headers, secret: string): Verdict =>
  verify(CANVAS, rawBody, headers, secret);

export const verifyWebhookSignature = (rawBody: Buffer, headers: Headers, secret: string): Verdict =>
  verify(WEBHOOK, rawBody, headers, secret);

/** The `X-Body-Signature` value Intercom would send for this body (used by the preview and tests). */
export const canvasSignature = (body: Buffer | string, secret: string): string => hmacHex("sha256", secret, body);

/** The `X-Hub-Signature` value Intercom would send for this body. */
export const webhookSignature = (body: Buffer | string, secret: string): string => `sha1=${hmacHex("sha1", secret, body)}`;

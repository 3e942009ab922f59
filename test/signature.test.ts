import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { verifyCanvasSignature, verifyWebhookSignature } from "../server/intercom/signature.ts";

const secret = "s3cret-s3cret";
const body = Buffer.from('{"workspace_id":"ecahpwf5","context":{}}');
const sha256 = createHmac("sha256", secret).update(body).digest("hex");
const sha1 = createHmac("sha1", secret).update(body).digest("hex");

describe("Canvas Kit request signatures (X-Body-Signature, hex HMAC-SHA256 of the raw body)", () => {
  it("accepts the signature Intercom computes, in either hex case", () => {
    expect(verifyCanvasSignature(body, { "x-body-signature": sha256 }, secret)).toEqual({ ok: true });
    expect(verifyCanvasSignature(body, { "x-body-signature": sha256.toUpperCase() }, secret)).toEqual({ ok: true });
  });

  it("rejects a missing header, another key, a changed body and a malformed value, with a reason", () => {
    expect(verifyCanvasSignature(body, {}, secret)).toEqual({ ok: false, reason: "missing x-body-signature header" });
    const otherKey = createHmac("sha256", "other").update(body).digest("hex");
    expect(verifyCanvasSignature(body, { "x-body-signature": otherKey }, secret).ok).toBe(false);
    const changed = Buffer.from(body.toString().replace("ecahpwf5", "ecahpwf6"));
    expect(verifyCanvasSignature(changed, { "x-body-signature": sha256 }, secret)).toMatchObject({ ok: false, reason: expect.stringContaining("does not match") });
    expect(verifyCanvasSignature(body, { "x-body-signature": "zz" + sha256.slice(2) }, secret).ok).toBe(false);
    expect(verifyCanvasSignature(body, { "x-body-signature": sha256.slice(0, 40) }, secret)).toMatchObject({ reason: expect.stringContaining("wrong length") });
  });

  it("never accepts anything when no secret is configured", () => {
    expect(verifyCanvasSignature(body, { "x-body-signature": createHmac("sha256", "").update(body).digest("hex") }, "").ok).toBe(false);
  });

  it("does not accept the webhook scheme in place of the canvas one", () => {
    expect(verifyCanvasSignature(body, { "x-body-signature": `sha1=${sha1}` }, secret).ok).toBe(false);
  });
});

describe("webhook signatures (X-Hub-Signature: sha1=<hex HMAC-SHA1>)", () => {
  it("accepts sha1=<hex> and rejects it without the prefix or for another body", () => {
    expect(verifyWebhookSignature(body, { "x-hub-signature": `sha1=${sha1}` }, secret)).toEqual({ ok: true });
    expect(verifyWebhookSignature(body, { "x-hub-signature": sha1 }, secret).ok).toBe(false);
    expect(verifyWebhookSignature(Buffer.from("{}"), { "x-hub-signature": `sha1=${sha1}` }, secret).ok).toBe(false);
  });
});

// Secrets, tokens and contact e-mails never reach the logs (pino redaction), whatever is logged.
import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { createLogger } from "../server/logger.ts";
import { SECRET, fixture, startTestApp } from "./helpers/app.ts";

function capture() {
  const lines: string[] = [];
  const sink = new Writable({ write: (chunk, _encoding, done) => (lines.push(chunk.toString()), done()) });
  return { logger: createLogger("debug", sink), text: () => lines.join("") };
}

describe("log redaction", () => {
  it("redacts secrets, tokens, signatures and e-mails at any depth the app logs them", () => {
    const { logger, text } = capture();
    logger.info({ secret: "s3cr3t-value", token: "tok-123", accessToken: "tok-456", apiKey: "sk-789", email: "a@example.com" }, "top level");
    logger.info({ contact: { email: "b@example.com", name: "B" }, intercom: { token: "tok-abc" } }, "one level down");
    logger.info({ request: { contact: { email: "c@example.com" } } }, "two levels down");
    logger.info({ headers: { authorization: "Bearer tok-def", "x-body-signature": "abcdef", "x-hub-signature": "sha1=abc" } }, "headers");
    const out = text();
    for (const leaked of ["s3cr3t-value", "tok-123", "tok-456", "sk-789", "a@example.com", "b@example.com", "c@example.com", "tok-abc", "Bearer tok-def", "abcdef", "sha1=abc"]) {
      expect(out).not.toContain(leaked);
    }
    expect(out).toContain("[redacted]");
    expect(out).toContain('"name":"B"');
  });

  it("keeps the customer's e-mail and the client secret out of a whole conversation's logs", async () => {
    const app = await startTestApp();
    try {
      await app.canvas("/canvas/messenger/submit", { ...fixture("messenger-submit"), input_values: { question: "I want to talk to a real person" } });
      await app.canvas("/canvas/messenger/submit", fixture("messenger-submit"), { secret: "wrong-secret-value" });
      const logs = app.logs.join("");
      expect(logs).toContain("escalating to a person");
      expect(logs).not.toContain("maria.lopez@example.com");
      expect(logs).not.toContain(SECRET);
      expect(logs).not.toContain("wrong-secret-value");
    } finally {
      await app.close();
    }
  });
});

import { pino, type Logger } from "pino";

export type { Logger };

/** Secrets and contact e-mails must never reach the logs, whatever object is logged. */
const REDACT = [
  "secret",
  "token",
  "accessToken",
  "apiKey",
  "email",
  "*.secret",
  "*.token",
  "*.accessToken",
  "*.apiKey",
  "*.email",
  "*.*.email",
  "headers.authorization",
  'headers["x-body-signature"]',
  'headers["x-hub-signature"]',
];

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino({ level, redact: { paths: REDACT, censor: "[redacted]" }, base: undefined }, destination);
}

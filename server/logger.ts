import { pino, type Logger } from "pino";
import pretty from "pino-pretty";

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

/**
 * JSON lines for log collectors; on a terminal (someone running `npm start`) one readable line
 * each, through pino-pretty in this thread, so nothing is lost at exit.
 */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  const output = destination ?? (process.stdout.isTTY ? pretty({ colorize: true, singleLine: true, translateTime: "SYS:HH:MM:ss", ignore: "pid,hostname" }) : undefined);
  return pino({ level, redact: { paths: REDACT, censor: "[redacted]" }, base: undefined }, output);
}

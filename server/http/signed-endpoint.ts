// Turns a signed Intercom request into a typed call: verify the signature over the raw bytes,
// parse JSON, validate with zod, then hand the result to a plain function. The caller of a
// rejected request learns only the status; the reason goes to the log.
import type { Request, RequestHandler, Response } from "express";
import type { z } from "zod";
import type { Logger } from "../logger.ts";
import type { Headers, Verdict } from "../intercom/signature.ts";
import { describeIssue } from "./describe-issue.ts";

export type Verifier = (rawBody: Buffer, headers: Headers, secret: string) => Verdict;

export interface SignedEndpointOptions<S extends z.ZodType, R> {
  schema: S;
  verify: Verifier;
  secret: string;
  logger: Logger;
  handle: (body: z.infer<S>) => Promise<R> | R;
  /** What to answer when `handle` throws, so the user sees a card rather than Intercom's error. */
  fallback?: (body: z.infer<S>) => R;
  /** Told of every verified request and every rejected one (the Setup page's evidence). */
  witness?: {
    verified(body: z.infer<S>): void;
    rejected(rawBody: Buffer, reason: string): void;
  };
}

function reject(res: Response, status: number, error: string) {
  res.status(status).json({ error });
}

export function signedEndpoint<S extends z.ZodType, R>(options: SignedEndpointOptions<S, R>): RequestHandler {
  const { schema, verify, secret, logger, handle, fallback, witness } = options;
  return async (req: Request, res: Response) => {
    const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const verdict = verify(raw, req.headers, secret);
    if (!verdict.ok) {
      logger.warn({ path: req.path, reason: verdict.reason }, "rejected unsigned or mis-signed request");
      witness?.rejected(raw, verdict.reason);
      return reject(res, 401, "invalid signature");
    }
    let json: unknown;
    try {
      json = JSON.parse(raw.toString("utf8"));
    } catch {
      return reject(res, 400, "body: not valid JSON");
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success) {
      const reason = describeIssue(parsed.error);
      logger.info({ path: req.path, reason }, "rejected invalid request");
      witness?.rejected(raw, `invalid: ${reason}`);
      return reject(res, 400, reason);
    }
    witness?.verified(parsed.data);
    try {
      res.json(await handle(parsed.data));
    } catch (error) {
      logger.error({ path: req.path, err: error }, "request failed");
      if (fallback) res.json(fallback(parsed.data));
      else reject(res, 500, "internal error");
    }
  };
}

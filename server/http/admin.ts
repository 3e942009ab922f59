// Admin endpoints, behind ADMIN_TOKEN (Authorization: Bearer …): sync a Help Center now, and see
// the jobs that were parked after failing too often.
import express, { type Express, type RequestHandler } from "express";
import { WorkspaceId } from "../../canvas/requests.ts";
import type { Logger } from "../logger.ts";
import { sameSecret } from "../same-secret.ts";
import type { JobQueue } from "../storage/queue.ts";

export interface AdminDeps {
  token: string | undefined;
  sync(workspaceId: string): Promise<unknown>;
  queue?: JobQueue;
  logger: Logger;
}

function requireToken(token: string | undefined, logger: Logger): RequestHandler {
  return (req, res, next) => {
    const given = /^Bearer (.+)$/.exec(req.get("authorization") ?? "")?.[1] ?? "";
    if (!token || !sameSecret(given, token)) {
      logger.warn({ path: req.path, configured: Boolean(token) }, "rejected admin request");
      res.status(401).json({ error: token ? "invalid admin token" : "admin endpoints are off: set ADMIN_TOKEN" });
      return;
    }
    next();
  };
}

export function mountAdmin(app: Express, deps: AdminDeps) {
  const router = express.Router();
  router.use(requireToken(deps.token, deps.logger));
  router.post("/sync", async (req, res) => {
    const workspace = WorkspaceId.safeParse(req.query.workspace);
    if (!workspace.success) {
      res.status(400).json({ error: "workspace: a workspace id is required (?workspace=…)" });
      return;
    }
    res.json({ workspace: workspace.data, ...(await deps.sync(workspace.data) as object) });
  });
  router.get("/jobs/parked", async (req, res) => {
    const workspace = typeof req.query.workspace === "string" ? req.query.workspace : undefined;
    res.json({ parked: deps.queue ? await deps.queue.parked(workspace) : [] });
  });
  app.use("/admin", router);
}

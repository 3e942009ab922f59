import { execFile } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { EventLog } from "../server/metrics/events.ts";
import { openDatabase } from "../server/storage/database.ts";

const run = promisify(execFile);

describe("npm run report", () => {
  it("prints the figures of the busiest workspace from the embedded database", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "assistant-report-cli-"));
    try {
      const db = await openDatabase({ dataDir: dir });
      const log = new EventLog(db);
      await log.record({ workspaceId: "ws1", conversationKey: "c1", kind: "customer_message" });
      await log.record({ workspaceId: "ws1", conversationKey: "c1", kind: "bot_answer", data: { confidence: 0.9, by: "extractive", articles: [{ id: "a1", title: "Reset your password" }] } });
      await log.record({ workspaceId: "ws1", conversationKey: "c2", kind: "escalation", data: { reason: "explicit_request" } });
      await db.query(
        `INSERT INTO learned_questions (workspace_id, article_key, question, question_key, source, status, uses) VALUES
         ('ws1', 'a1', 'forgot my login', 'forgot login', 'teammate', 'active', 3), ('ws1', 'a1', 'cant get in', 'cant get', 'customers', 'pending', 0)`,
      );
      await db.close();
      const { stdout } = await run("npx", ["tsx", "server/cli/report.ts"], { env: { ...process.env, DATA_DIR: dir, DATABASE_URL: "" } });
      expect(stdout).toContain("Workspace ws1");
      expect(stdout).toMatch(/Deflection\s+50\.0%/);
      expect(stdout).toMatch(/explicit_request\s+1\s+50\.0%/);
      expect(stdout).toMatch(/1\s+0\s+0\s+Reset your password/);
      expect(stdout).toContain("Learned questions: 1 in use (1 from teammates, 0 from customers), 1 waiting for review, 0 removed");
      expect(stdout).toMatch(/3 uses\s+"forgot my login" -> article a1/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

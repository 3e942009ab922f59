// npm run doctor [-- --workspace <id>]
// Prints the console's Setup lines in the terminal, from the same database as the app: DATABASE_URL
// (beside running instances) or the embedded one in DATA_DIR (of a stopped app: PGlite has one
// owner at a time). Exits 1 while any line is red, so a deploy script can gate on it.
import { existsSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { configFromEnvironment } from "./environment.ts";
import { loadPolicy } from "../assistant/policy.ts";
import { databaseModelTrustStore } from "../answer-decision/model-trusts.ts";
import { createLogger } from "../logger.ts";
import { WorkspaceSettings } from "../settings/workspace-settings.ts";
import { when, type LineStatus } from "../setup/checks.ts";
import { readEvidence, workspacesWithEvidence } from "../setup/evidence.ts";
import { setupStatus } from "../setup/setup-status.ts";
import { openDatabase } from "../storage/database.ts";
import { JobQueue } from "../storage/queue.ts";

const { values } = parseArgs({ options: { workspace: { type: "string" } } });
const config = configFromEnvironment();

if (!config.databaseUrl && existsSync(path.join(config.dataDir, "pglite", "postmaster.pid"))) {
  console.error(`The embedded database in ${config.dataDir} is open by a running app (or one that stopped without closing it). Stop the app (or start and stop it once), or open /console/setup for the same lines.`);
  process.exit(2);
}

const MARKS: Record<LineStatus, string> = { green: "ok  ", amber: "warn", red: "FAIL", grey: "--  " };
const tty = process.stdout.isTTY;
const COLOURS: Record<LineStatus, string> = { green: "\u001b[32m", amber: "\u001b[33m", red: "\u001b[31m", grey: "\u001b[90m" };
const mark = (status: LineStatus) => (tty ? `${COLOURS[status]}${MARKS[status]}\u001b[0m` : MARKS[status]);

const db = await openDatabase({ url: config.databaseUrl, dataDir: config.dataDir });
let red = false;
try {
  const workspaces = values.workspace ? [values.workspace] : await workspacesWithEvidence(db);
  if (!workspaces.length) console.log("Nothing recorded yet: start the app, and the lines fill in as Intercom calls it.");
  const settings = new WorkspaceSettings({ db, defaults: loadPolicy(config.assistantConfigFile), logger: createLogger("silent") });
  const trusts = databaseModelTrustStore(db);
  const queue = new JobQueue(db);
  for (const workspaceId of workspaces) {
    const lines = await setupStatus(workspaceId, {
      db,
      queue,
      factsOf: (id) => readEvidence(db, id),
      ...(config.publicUrl ? { publicUrl: config.publicUrl } : {}),
      ...(config.openai.enabled
        ? {
            model: {
              name: config.openai.chatModel,
              budgetMsFor: async (id: string) => (await settings.policyFor(id)).llm_time_budget_ms,
              // A measurement of another model says nothing of this one.
              trustFor: async (id: string) => {
                const trust = await trusts.read(id);
                return trust?.model === config.openai.chatModel ? trust : undefined;
              },
              isMeasuring: () => false,
            },
          }
        : {}),
    });
    console.log(`\nWorkspace ${workspaceId}`);
    let group = "";
    for (const line of lines) {
      if (line.group !== group) console.log(`\n  ${(group = line.group)}`);
      console.log(`  ${mark(line.status)}  ${line.title}: ${line.evidence}${line.lastSeen ? ` [last seen ${when(line.lastSeen)}]` : ""}`);
      if (line.fix && line.status !== "green") console.log(`        To do: ${line.fix}`);
      for (const job of line.jobs ?? []) console.log(`        ${job.kind} #${job.id}, ${job.attempts} tries, parked ${when(job.parkedAt)}: ${job.lastError}`);
      red ||= line.status === "red";
    }
  }
} finally {
  await db.close();
}
process.exit(red ? 1 : 0);

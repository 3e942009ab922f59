// npm run report [-- --workspace <id>] [--from 2026-11-01] [--to 2026-11-30]
// Prints the report's figures in the terminal, from the same database as the app (DATABASE_URL,
// or the embedded one in DATA_DIR: stop the app first, PGlite has one owner at a time).
import { parseArgs } from "node:util";
import { configFromEnvironment } from "./environment.ts";
import { BUSIEST_WORKSPACE_SQL, periodOf } from "../metrics/period.ts";
import { reportOf } from "../metrics/report-query.ts";
import { openDatabase } from "../storage/database.ts";
import { learnedQuestionsOf } from "../learning/learned-questions.ts";
import { createdDraftsOf } from "../flows/article-drafts.ts";

const { values } = parseArgs({ options: { workspace: { type: "string" }, from: { type: "string" }, to: { type: "string" } } });
const config = configFromEnvironment();
const period = periodOf({ from: values.from, to: values.to });
if ("error" in period) {
  console.error(period.error);
  process.exit(2);
}

const db = await openDatabase({ url: config.databaseUrl, dataDir: config.dataDir });
try {
  const workspace = values.workspace ?? (await db.query<{ workspace_id: string }>(BUSIEST_WORKSPACE_SQL))[0]?.workspace_id;
  if (!workspace) {
    console.log("No conversations recorded yet.");
  } else {
    const report = await reportOf(db, workspace, period);
    const pct = (value: number) => `${(value * 100).toFixed(1)}%`;
    const lines: Array<[string, string]> = [
      ["Conversations", String(report.conversations)],
      ["Involved", `${report.involved} (${pct(report.rates.involvement)})`],
      ["Answer rate", pct(report.rates.answer)],
      ["Deflection", pct(report.rates.deflection)],
      ["Resolution", pct(report.rates.resolution)],
      ["Choices shown", `${report.choices.shown} (${pct(report.choices.pickRate)} picked)`],
      ["CSAT bot only", report.csat.botOnly === null ? "n/a" : `${report.csat.botOnly.toFixed(2)} (${report.csat.botOnlyCount} ratings)`],
      ["CSAT handed over", report.csat.handedOver === null ? "n/a" : `${report.csat.handedOver.toFixed(2)} (${report.csat.handedOverCount} ratings)`],
      ["Median first response", report.medians.firstResponseSeconds === null ? "n/a" : `${report.medians.firstResponseSeconds} s`],
      ["Median resolution time", report.medians.resolutionSeconds === null ? "n/a" : `${report.medians.resolutionSeconds} s`],
    ];
    console.log(`Workspace ${workspace}, ${report.from.slice(0, 10)} to ${report.to.slice(0, 10)}\n`);
    for (const [label, value] of lines) console.log(`${label.padEnd(24)} ${value}`);
    console.log("\nEscalations by reason");
    for (const [reason, { count, rate }] of Object.entries(report.escalationsByReason)) console.log(`  ${reason.padEnd(22)} ${String(count).padStart(5)}  ${pct(rate)}`);
    console.log("\nContent gaps");
    for (const gap of report.contentGaps.slice(0, 10)) {
      console.log(`  ${String(gap.count).padStart(4)}  ${gap.topic}  e.g. "${gap.examples[0]}"${gap.answers.length ? `; ${gap.answers.length} teammate ${gap.answers.length === 1 ? "reply" : "replies"} without an article` : ""}`);
    }
    const drafts = await createdDraftsOf(db, workspace);
    console.log(`
Draft articles created in Intercom: ${drafts.length}`);
    for (const draft of drafts.slice(0, 10)) console.log(`  ${draft.createdAt.toISOString().slice(0, 10)}  "${draft.title}" (Intercom article ${draft.intercomArticleId}, written by ${draft.writtenBy})`);
    console.log("\nArticles (cited / helped / handed over after)");
    for (const article of report.articles.slice(0, 10)) console.log(`  ${String(article.cited).padStart(4)} ${String(article.helped).padStart(4)} ${String(article.handedOverAfter).padStart(4)}  ${article.title}`);
    const learned = await learnedQuestionsOf(db, workspace);
    const count = (status: string) => learned.filter((question) => question.status === status).length;
    console.log(`\nLearned questions: ${count("active")} in use (${learned.filter((q) => q.status === "active" && q.source === "teammate").length} from teammates, ${learned.filter((q) => q.status === "active" && q.source === "customers").length} from customers), ${count("pending")} waiting for review, ${count("removed")} removed`);
    for (const question of learned.filter((q) => q.status === "active").sort((a, b) => b.uses - a.uses).slice(0, 10)) console.log(`  ${String(question.uses).padStart(4)} uses  "${question.question}" -> article ${question.articleKey}`);
  }
} finally {
  await db.close();
}

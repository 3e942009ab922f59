// The setup's evidence on every database the app supports: what two instances record adds up in one
// row per fact, every instance (and `npm run doctor`) reads the same lines, and the lines say what
// an admin needs for the cases the end-to-end test does not drive (a fresh workspace, a model over
// its budget now and then, a queue nobody works, notifications the app cannot read).
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { afterEach, describe, expect, it } from "vitest";
import { createLogger } from "../server/logger.ts";
import { setupLines, type SetupInput } from "../server/setup/checks.ts";
import { APP_WIDE, readEvidence, SetupEvidence, type EvidenceFact } from "../server/setup/evidence.ts";
import { ABANDONED, FAILED } from "../server/setup/record.ts";
import { BACKENDS, openTestDatabase } from "./helpers/databases.ts";

const run = promisify(execFile);
const logger = createLogger("silent");
const WORKSPACE = "ws2inst1";
const NOW = new Date("2026-12-07T12:00:00Z");

async function doctor(env: Record<string, string>) {
  try {
    const { stdout } = await run("npx", ["tsx", "server/cli/doctor.ts", "--workspace", WORKSPACE], { env: { ...process.env, OPENAI_BASE_URL: "", OPENAI_API_KEY: "", ...env } });
    return { code: 0, out: stdout };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, out: failed.stdout + failed.stderr };
  }
}

describe.each(BACKENDS)("setup evidence on %s", (backend) => {
  let cleanup: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await cleanup?.();
    cleanup = undefined;
  });

  it("adds up what two instances saw, and every reader and the doctor see the same", async () => {
    const opened = await openTestDatabase(backend);
    cleanup = opened.cleanup;
    const { db } = opened;
    const first = new SetupEvidence(db, { logger, now: () => new Date("2026-12-07T10:00:00Z") });
    const second = new SetupEvidence(db, { logger, now: () => new Date("2026-12-07T11:00:00Z") });
    first.saw(WORKSPACE, "call:messenger_submit");
    first.saw(WORKSPACE, "call:messenger_submit");
    first.saw(WORKSPACE, "intercom:tag", { status: 200 });
    second.saw(WORKSPACE, "call:messenger_submit");
    second.saw(WORKSPACE, "intercom:tag", { status: 403 });
    second.saw(APP_WIDE, "rejected:canvas", { path: "/canvas/messenger/submit", reason: "x-body-signature does not match the body" });
    // The later instance writes first: the earlier one's older facts must not overwrite its last outcome.
    await second.flush();
    await first.flush();

    const facts = await readEvidence(db, WORKSPACE);
    const fact = (name: string) => facts.find((candidate) => candidate.fact === name);
    expect(fact("call:messenger_submit")).toMatchObject({ seen: 3, firstSeen: new Date("2026-12-07T10:00:00Z"), lastSeen: new Date("2026-12-07T11:00:00Z") });
    expect(fact("intercom:tag")).toMatchObject({ seen: 2, detail: { status: 403 } });
    expect(fact("rejected:canvas")?.workspaceId).toBe(APP_WIDE);

    if (backend === "pglite") {
      // PGlite has one owner: beside a running app the doctor says so instead of opening it.
      const refused = await doctor(opened.env);
      expect(refused.code).toBe(2);
      expect(refused.out).toContain("is open by a running app");
      await db.close();
    }
    const checked = await doctor(opened.env);
    expect(checked.code).toBe(1);
    expect(checked.out).toContain(`Workspace ${WORKSPACE}`);
    expect(checked.out).toMatch(/FAIL {2}Tag conversations: 2 calls, the last at 2026-12-07 11:00 UTC: refused \(403\)\./);
    expect(checked.out).toMatch(/To do: The app lacks the permission “Write tags”/);
    expect(checked.out).toMatch(/ok {4}Messenger cards: 3 signed requests verified/);
    expect(checked.out).toMatch(/ok {4}Signatures: 1 request failed verification .* Every request since passed/);
  }, 120_000);
});

const input = (overrides: Partial<SetupInput> = {}): SetupInput => ({
  now: NOW,
  facts: [],
  topics: ["conversation.user.created", "conversation.rating.added"],
  webhookUrl: "https://assistant.example.com/webhooks/intercom",
  jobs: { parked: [] },
  ...overrides,
});
const seen = (fact: string, detail: Record<string, unknown> = {}, at = NOW): EvidenceFact => ({ workspaceId: WORKSPACE, fact, firstSeen: at, lastSeen: at, seen: 1, detail });
const line = (lines: ReturnType<typeof setupLines>, id: string) => lines.find((candidate) => candidate.id === id)!;

describe("setup lines", () => {
  it("tell a workspace that has seen nothing yet where to start, without calling anything red", () => {
    const lines = setupLines(input());
    expect(lines.filter((candidate) => candidate.status === "red")).toEqual([]);
    expect(line(lines, "messenger")).toMatchObject({ status: "amber", fix: expect.stringContaining("Add apps") });
    expect(line(lines, "webhook-topics")).toMatchObject({ status: "amber", fix: expect.stringContaining("https://assistant.example.com/webhooks/intercom") });
    expect(line(lines, "intercom-token")).toMatchObject({ status: "amber", fix: expect.stringContaining("INTERCOM_ACCESS_TOKEN") });
    expect(line(lines, "intercom-tag").status).toBe("grey");
  });

  it("grade the model by the cards' budget: a late call counts as never answered, a few late ones are amber", () => {
    const model = { name: "m", budgetMs: 2500, measuring: false, cards: 10, writtenByModel: 4 };
    const latency = (samples: number[]) => line(setupLines(input({ model, facts: [{ ...seen("model:calls", { samples }), workspaceId: APP_WIDE }] })), "model-latency");
    expect(latency(Array(19).fill(800).concat([ABANDONED]))).toMatchObject({ status: "amber", evidence: expect.stringContaining("p95 over 2500 ms") });
    expect(latency(Array(20).fill(800))).toMatchObject({ status: "green", evidence: expect.stringContaining("p50 800 ms, p95 800 ms over the last 20 calls") });
    expect(latency([ABANDONED, ABANDONED, 900])).toMatchObject({ status: "red" });
    expect(latency([FAILED, FAILED, 900])).toMatchObject({ status: "red", fix: expect.stringContaining("OPENAI_BASE_URL") });
  });

  it("turn a queue nobody works amber, then red, and notifications the app cannot read amber", () => {
    expect(line(setupLines(input({ jobs: { parked: [], oldestWaitingMs: 30_000 } })), "queue-age").status).toBe("green");
    expect(line(setupLines(input({ jobs: { parked: [], oldestWaitingMs: 5 * 60_000 } })), "queue-age").status).toBe("amber");
    expect(line(setupLines(input({ jobs: { parked: [], oldestWaitingMs: 60 * 60_000 } })), "queue-age")).toMatchObject({ status: "red", evidence: "The oldest waiting job has waited 60 min." });
    const deliveries = line(
      setupLines(input({ facts: [seen("webhook:conversation.user.created", {}, new Date("2026-12-07T09:00:00Z")), seen("invalid:webhook", { reason: "invalid: topic: expected string" })] })),
      "webhook-deliveries",
    );
    expect(deliveries).toMatchObject({ status: "amber", fix: expect.stringContaining("API version") });
  });

  it("take a workspace's own fact over the app-wide one of the same name", () => {
    const lines = setupLines(input({ facts: [{ ...seen("intercom:token", { status: 401 }), workspaceId: APP_WIDE }, seen("intercom:token", { status: 200 })] }));
    expect(line(lines, "intercom-token").status).toBe("green");
  });
});

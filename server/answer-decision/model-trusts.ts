// One accessor for a workspace's measured model trust: read from the database (so every instance
// follows the same measurement), measured again when the model, its endpoint, the prompt or the
// fit it was measured with changed. The probes themselves are run by the assistant's layer
// (server/assistant/model-probes.ts), injected here.
import type { Logger } from "../logger.ts";
import type { Sql } from "../storage/database.ts";
import { ModelTrust, trustOf, type ProbeOutcome } from "./model-trust.ts";

export interface ModelTrustStore {
  read(workspaceId: string): Promise<ModelTrust | undefined>;
  write(workspaceId: string, trust: ModelTrust): Promise<void>;
}

export function databaseModelTrustStore(db: Sql): ModelTrustStore {
  return {
    async read(workspaceId) {
      const [row] = await db.query<{ trust: unknown }>("SELECT trust FROM model_trust WHERE workspace_id = $1", [workspaceId]);
      const trust = ModelTrust.safeParse(row?.trust);
      return trust.success ? trust.data : undefined;
    },
    async write(workspaceId, trust) {
      await db.query(
        `INSERT INTO model_trust (workspace_id, model_key, trust, measured_at) VALUES ($1, $2, $3, now())
         ON CONFLICT (workspace_id) DO UPDATE SET model_key = EXCLUDED.model_key, trust = EXCLUDED.trust, measured_at = now()`,
        [workspaceId, trust.modelKey, JSON.stringify(trust)],
      );
    },
  };
}

export function memoryModelTrustStore(): ModelTrustStore {
  const trusts = new Map<string, ModelTrust>();
  return { read: async (workspaceId) => trusts.get(workspaceId), write: async (workspaceId, trust) => void trusts.set(workspaceId, trust) };
}

/** What a measurement run gives back: every probe's outcome, the calls it made, and the fit it used. */
export interface ProbeRun {
  outcomes: ProbeOutcome[];
  calls: number;
  helpCenterVersion: string;
  /** The fit's answer threshold: where retrieval answers alone, the model's claim has nothing to settle. */
  answerThreshold: number;
}

/** How long an instance keeps the trust it read before reading it again (another instance may have measured). */
const RECHECK_MS = 5000;

export class ModelTrusts {
  private readonly cache = new Map<string, { trust: ModelTrust | undefined; at: number }>();
  private readonly measuring = new Map<string, Promise<ModelTrust>>();

  constructor(
    private readonly deps: {
      store: ModelTrustStore;
      /** The configured model's name, endpoint and prompt digest. */
      modelKey: string;
      model: string;
      probe: (workspaceId: string) => Promise<ProbeRun>;
      logger: Logger;
      /** Told about every measurement read or made, for /metrics. */
      onTrust?: (workspaceId: string, trust: ModelTrust) => void;
    },
  ) {}

  /** The configured model's measured trust in this workspace, or undefined while it is unmeasured. */
  async trustFor(workspaceId: string): Promise<ModelTrust | undefined> {
    const cached = this.cache.get(workspaceId);
    if (cached && Date.now() - cached.at < RECHECK_MS) return cached.trust;
    try {
      const stored = await this.deps.store.read(workspaceId);
      const trust = stored?.modelKey === this.deps.modelKey ? stored : undefined;
      this.cache.set(workspaceId, { trust, at: Date.now() });
      if (trust) this.deps.onTrust?.(workspaceId, trust);
      return trust;
    } catch (error) {
      this.deps.logger.warn({ err: error, workspaceId }, "could not read the model's measured trust; using the last one known");
      return cached?.trust;
    }
  }

  /** Whether a measurement is due: none for this model, one made on another fit, or one that failed (tried again at each sync). */
  async due(workspaceId: string, helpCenterVersion: string): Promise<boolean> {
    const trust = await this.deps.store.read(workspaceId);
    return trust?.modelKey !== this.deps.modelKey || trust.helpCenterVersion !== helpCenterVersion || trust.status === "failed";
  }

  /** After a sync's fit: measures the model when due, in the background of the caller; errors are logged. */
  async refresh(workspaceId: string, helpCenterVersion: string): Promise<void> {
    try {
      if (this.measuring.has(workspaceId) || !(await this.due(workspaceId, helpCenterVersion))) return;
      await this.measure(workspaceId);
    } catch (error) {
      this.deps.logger.error({ err: error, workspaceId }, "could not measure the model's trust; it settles no unsure card");
    }
  }

  /** Measures the model on the workspace's probes now (one run per workspace at a time) and stores the result. */
  measure(workspaceId: string): Promise<ModelTrust> {
    const running = this.measuring.get(workspaceId);
    if (running) return running;
    const run = this.runMeasure(workspaceId).finally(() => this.measuring.delete(workspaceId));
    this.measuring.set(workspaceId, run);
    return run;
  }

  isMeasuring(workspaceId: string): boolean {
    return this.measuring.has(workspaceId);
  }

  private async runMeasure(workspaceId: string): Promise<ModelTrust> {
    const started = Date.now();
    const { outcomes, calls, helpCenterVersion, answerThreshold } = await this.deps.probe(workspaceId);
    const trust = trustOf(outcomes, { modelKey: this.deps.modelKey, model: this.deps.model, helpCenterVersion, seconds: Math.round((Date.now() - started) / 100) / 10, calls }, answerThreshold);
    await this.deps.store.write(workspaceId, trust);
    this.cache.set(workspaceId, { trust, at: Date.now() });
    this.deps.onTrust?.(workspaceId, trust);
    const { status, falseAnswerRate, citationAgreement, settleFrom, refusalsHonoured, probes, seconds } = trust;
    this.deps.logger.info({ workspaceId, model: this.deps.model, status, falseAnswerRate, citationAgreement, settleFrom, refusalsHonoured, probes, calls, seconds }, "measured the model's trust on the help center");
    return trust;
  }
}

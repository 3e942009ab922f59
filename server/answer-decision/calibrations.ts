// One accessor for a workspace's answer-decision model: the one fitted on its Help Center with
// the embedder in use (read from the database, so every instance uses the same one), or the
// shipped prior while none is fitted or the Help Center is too small to fit. After each sync the
// model is refitted when the Help Center, or what the workspace learned, changed materially since
// its fit; a new fit is used at once by the instance that made it and within seconds by every other.
import type { KnowledgeBase } from "../knowledge/knowledge-base.ts";
import type { Logger } from "../logger.ts";
import type { Sql } from "../storage/database.ts";
import { CalibrationModel, FIT_METHOD, priorModel } from "./model.ts";
import { inProcessFit, type Fit } from "./fitters.ts";

/** A share of articles added, removed or edited at least this large calls for a new fit. */
export const MATERIAL_CHANGE = 0.1;
/** So do this many learned questions more (or fewer) than the fit asked, and at least that share of them. */
export const LEARNED_CHANGE = 10;

/** Whether the learned questions changed enough since a fit to call for a new one. */
export const learnedChanged = (fitted: number, now: number) => Math.abs(now - fitted) >= Math.max(LEARNED_CHANGE, MATERIAL_CHANGE * fitted);
/**
 * How long an instance trusts the model it read before asking whether another instance refitted
 * (one indexed timestamp read; the model itself is read again only when it changed).
 */
const RECHECK_MS = 2000;

interface Stored {
  model: CalibrationModel;
  articles: Record<string, string>;
}

/** A stored fit and when it was made, which tells an instance whether the model it holds is still the latest. */
type Fitted = Stored & { fittedAt: string };

/** Share of articles that differ between two versions (added, removed or edited), over the larger. */
export function changedShare(before: Record<string, string>, after: Record<string, string>): number {
  const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
  let changed = 0;
  for (const key of keys) if (before[key] !== after[key]) changed++;
  return keys.size ? changed / Math.max(Object.keys(before).length, Object.keys(after).length, 1) : 0;
}

export interface CalibrationStore {
  read(workspaceId: string, embedderId: string): Promise<Fitted | undefined>;
  fittedAt(workspaceId: string, embedderId: string): Promise<string | undefined>;
  write(workspaceId: string, stored: Stored): Promise<void>;
}

export function databaseCalibrationStore(db: Sql): CalibrationStore {
  return {
    async read(workspaceId, embedderId) {
      const [row] = await db.query<{ model: unknown; articles: Record<string, string>; fitted_at: string }>(
        "SELECT model, articles, fitted_at::text AS fitted_at FROM calibrations WHERE workspace_id = $1 AND embedder_id = $2",
        [workspaceId, embedderId],
      );
      const model = CalibrationModel.safeParse(row?.model);
      return row && model.success ? { model: model.data, articles: row.articles, fittedAt: row.fitted_at } : undefined;
    },
    async fittedAt(workspaceId, embedderId) {
      const [row] = await db.query<{ fitted_at: string }>("SELECT fitted_at::text AS fitted_at FROM calibrations WHERE workspace_id = $1 AND embedder_id = $2", [workspaceId, embedderId]);
      return row?.fitted_at;
    },
    async write(workspaceId, { model, articles }) {
      await db.query(
        `INSERT INTO calibrations (workspace_id, embedder_id, help_center_version, articles, model, fitted_at) VALUES ($1, $2, $3, $4, $5, now())
         ON CONFLICT (workspace_id, embedder_id) DO UPDATE SET help_center_version = EXCLUDED.help_center_version, articles = EXCLUDED.articles, model = EXCLUDED.model, fitted_at = now()`,
        [workspaceId, model.embedderId, model.helpCenterVersion, JSON.stringify(articles), JSON.stringify(model)],
      );
    },
  };
}

/** For an app without a database (some tests): the fits live in this process. */
export function memoryCalibrationStore(): CalibrationStore {
  const fits = new Map<string, Fitted>();
  let writes = 0;
  return {
    read: async (workspaceId, embedderId) => fits.get(`${workspaceId}\0${embedderId}`),
    fittedAt: async (workspaceId, embedderId) => fits.get(`${workspaceId}\0${embedderId}`)?.fittedAt,
    write: async (workspaceId, stored) => void fits.set(`${workspaceId}\0${stored.model.embedderId}`, { ...stored, fittedAt: String(++writes) }),
  };
}

/**
 * The shipped prior as the workspace's fit, when the fit would make it again: the same Help Center
 * (its version digest), embedder and fit method, nothing learned and no synonyms of the workspace's
 * own. The self-calibration is deterministic (seeded by the version), so it is the same model.
 */
export function shippedFit(version: { digest: string; learned: number }, embedderId: string, synonyms: string[][] | undefined, prior: CalibrationModel = priorModel()): CalibrationModel | undefined {
  if (prior.helpCenterVersion !== version.digest || prior.embedderId !== embedderId || prior.method !== FIT_METHOD || version.learned > 0 || synonyms?.length) return undefined;
  return { ...prior, kind: "fitted" };
}

export class Calibrations {
  private readonly cache = new Map<string, { model: CalibrationModel; at: number; fittedAt?: string }>();
  private readonly fitting = new Map<string, Promise<CalibrationModel>>();
  private readonly fit: Fit;

  constructor(
    private readonly deps: {
      knowledge: KnowledgeBase;
      store: CalibrationStore;
      logger: Logger;
      /** The workspace's own synonym groups, which the fit searches with as the assistant does. */
      synonymsFor?: (workspaceId: string) => Promise<string[][] | undefined>;
      /** Told about every model in use, for /metrics. */
      onModel?: (workspaceId: string, model: CalibrationModel) => void;
      /** Where the fit runs (fitters.ts); in this thread unless told otherwise. */
      fit?: Fit;
    },
  ) {
    this.fit = deps.fit ?? inProcessFit(deps.knowledge);
  }

  /** The model the workspace's decisions use now. */
  async modelFor(workspaceId: string): Promise<CalibrationModel> {
    const cached = this.cache.get(workspaceId);
    if (cached && Date.now() - cached.at < RECHECK_MS) return cached.model;
    const { store, knowledge, logger } = this.deps;
    try {
      if (cached?.fittedAt !== undefined && (await store.fittedAt(workspaceId, knowledge.embedderId)) === cached.fittedAt) {
        cached.at = Date.now();
        return cached.model;
      }
      const stored = await store.read(workspaceId, knowledge.embedderId);
      const model = stored?.model ?? cached?.model ?? priorModel();
      this.remember(workspaceId, model, stored?.fittedAt);
      return model;
    } catch (error) {
      logger.warn({ err: error, workspaceId }, "could not read the calibration; using the last one known");
      const model = cached?.model ?? priorModel();
      this.remember(workspaceId, model, cached?.fittedAt);
      return model;
    }
  }

  private remember(workspaceId: string, model: CalibrationModel, fittedAt?: string) {
    this.cache.set(workspaceId, { model, at: Date.now(), ...(fittedAt !== undefined ? { fittedAt } : {}) });
    this.deps.onModel?.(workspaceId, model);
  }

  /**
   * Fits the workspace's model again when its Help Center changed materially since the last fit
   * (or was never fitted with this embedder); resolves with the model in use afterwards.
   */
  refit(workspaceId: string, options: { force?: boolean } = {}): Promise<CalibrationModel> {
    const running = this.fitting.get(workspaceId);
    if (running) return running;
    const run = this.runRefit(workspaceId, options.force ?? false).finally(() => this.fitting.delete(workspaceId));
    this.fitting.set(workspaceId, run);
    return run;
  }

  private async runRefit(workspaceId: string, force: boolean): Promise<CalibrationModel> {
    const { knowledge, store, logger } = this.deps;
    const [version, stored] = await Promise.all([knowledge.helpCenterVersion(workspaceId), store.read(workspaceId, knowledge.embedderId)]);
    const change = stored ? changedShare(stored.articles, version.articles) : 1;
    if (stored && !force && change < MATERIAL_CHANGE && !learnedChanged(stored.model.learnedQuestions, version.learned) && stored.model.method === FIT_METHOD) {
      this.remember(workspaceId, stored.model, stored.fittedAt);
      return stored.model;
    }
    const started = Date.now();
    const synonyms = await this.deps.synonymsFor?.(workspaceId);
    const shipped = shippedFit(version, knowledge.embedderId, synonyms);
    if (shipped) {
      // The shipped prior is this very fit (the bundled demo, the offline embedder, nothing learned,
      // no synonyms of the workspace's own): made once at build time instead of on every first start.
      await store.write(workspaceId, { model: shipped, articles: version.articles });
      this.remember(workspaceId, shipped);
      logger.info({ workspaceId, embedder: shipped.embedderId, thresholds: shipped.thresholds }, "answer decisions: the shipped fit of this help center");
      return shipped;
    }
    const model = await this.fit(workspaceId, { synonyms });
    if (!model) {
      logger.info({ workspaceId, articles: Object.keys(version.articles).length }, "help center too small to calibrate; using the shipped prior");
      this.remember(workspaceId, priorModel());
      return priorModel();
    }
    await store.write(workspaceId, { model, articles: version.articles });
    this.remember(workspaceId, model);
    logger.info({ workspaceId, embedder: model.embedderId, ms: Date.now() - started, thresholds: model.thresholds, quality: model.quality }, "answer decisions calibrated on the help center");
    return model;
  }
}

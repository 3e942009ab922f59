// A workspace is ready to answer once its Help Center is synced and its answer decisions are
// fitted on it: before that, cards would decide with the shipped prior, which hands over about
// three times as many answerable questions. This tracks each workspace's first preparation, so
// /readyz waits for it and a card that arrives meanwhile is handed over honestly.
import type { Readiness } from "../knowledge/knowledge-base.ts";
import type { SyncSummary } from "../knowledge/sync.ts";
import type { Logger } from "../logger.ts";
import type { Calibrations } from "./calibrations.ts";
import type { CalibrationModel } from "./model.ts";

type State = "reading" | "ready" | "failed";

export class WorkspacePreparation {
  private readonly states = new Map<string, State>();

  constructor(
    private readonly deps: {
      knowledge: { sync(workspaceId: string): Promise<SyncSummary>; syncedAt(workspaceId: string): number | undefined };
      calibrations: Pick<Calibrations, "refit">;
      logger: Logger;
      /** Told of the fit in use after each sync, without being waited for (the configured model's measurement). */
      onFitted?: (workspaceId: string, model: CalibrationModel) => void;
      /** Told how each sync ended, with the fit in use after it (the Setup page's evidence). */
      onSynced?: (workspaceId: string, outcome: { summary: SyncSummary; model?: CalibrationModel } | { error: unknown }) => void;
    },
  ) {}

  /**
   * Syncs the workspace's Help Center, then refits its answer decisions when it changed, and
   * resolves once the new fit is in use. A failed sync rejects (the index and fit in use keep
   * serving); a failed fit is logged and the model in use kept.
   */
  async sync(workspaceId: string): Promise<SyncSummary> {
    if (!this.states.has(workspaceId)) this.states.set(workspaceId, "reading");
    let summary: SyncSummary;
    try {
      summary = await this.deps.knowledge.sync(workspaceId);
    } catch (error) {
      if (this.states.get(workspaceId) === "reading") this.states.set(workspaceId, "failed");
      this.deps.onSynced?.(workspaceId, { error });
      throw error;
    }
    const fitted = await this.deps.calibrations.refit(workspaceId).catch((error) => void this.deps.logger.error({ err: error, workspaceId }, "could not calibrate the answer decisions; keeping the model in use"));
    if (fitted) this.deps.onFitted?.(workspaceId, fitted);
    this.deps.onSynced?.(workspaceId, { summary, ...(fitted ? { model: fitted } : {}) });
    this.states.set(workspaceId, "ready");
    return summary;
  }

  syncedAt(workspaceId: string): number | undefined {
    return this.deps.knowledge.syncedAt(workspaceId);
  }

  /** True while the workspace's first sync and fit run: its cards have nothing reliable to decide with. */
  isReading(workspaceId: string): boolean {
    return this.states.get(workspaceId) === "reading";
  }

  /**
   * Ready once no workspace is still on its first sync and fit. One whose sync failed does not
   * hold the instance back: the error is logged and the next sync retries it, while every other
   * workspace is served.
   */
  readiness(): Readiness {
    const reading = [...this.states].filter(([, state]) => state === "reading").map(([workspaceId]) => workspaceId);
    return reading.length ? { ready: false, reason: `still reading the Help Center of ${reading.join(", ")} (sync and calibration)` } : { ready: true };
  }
}

// Syncing a workspace's Help Center: its articles into Chroma (sync.ts), then the index this
// instance searches made to match. One sync per workspace at a time; a second caller joins it.
import type { Logger } from "../logger.ts";
import type { ChromaStore } from "./chroma-store.ts";
import type { Embedder } from "./embedder.ts";
import type { LexicalIndexes } from "./indexes.ts";
import type { HelpCenterSource } from "./sources.ts";
import { syncSnapshot, type SyncProgress, type SyncSummary } from "./sync.ts";

export interface HelpCenterSyncDeps {
  store: ChromaStore;
  embedder: Embedder;
  indexes: LexicalIndexes;
  sourceFor: (workspaceId: string) => HelpCenterSource;
  logger: Logger;
  /** Told about every sync, for the Prometheus metrics. */
  onSynced?: (ok: boolean, seconds: number) => void;
}

export class HelpCenterSync {
  private readonly running = new Map<string, Promise<SyncSummary>>();
  private readonly lastSynced = new Map<string, number>();

  constructor(private readonly deps: HelpCenterSyncDeps) {}

  /** Syncs a workspace's Help Center; a sync already running for it is joined, not repeated. */
  sync(workspaceId: string, onProgress?: (progress: SyncProgress) => void): Promise<SyncSummary> {
    const running = this.running.get(workspaceId);
    if (running) return running;
    const started = Date.now();
    const run = this.run(workspaceId, onProgress).finally(() => this.running.delete(workspaceId));
    run.then(
      () => this.deps.onSynced?.(true, (Date.now() - started) / 1000),
      () => this.deps.onSynced?.(false, (Date.now() - started) / 1000),
    );
    this.running.set(workspaceId, run);
    return run;
  }

  private async run(workspaceId: string, onProgress?: (progress: SyncProgress) => void): Promise<SyncSummary> {
    const { store, embedder, indexes, logger } = this.deps;
    const source = this.deps.sourceFor(workspaceId);
    const started = Date.now();
    const snapshot = await source.fetch();
    const held = await store.articleVersions(workspaceId);
    const summary = await syncSnapshot({ workspaceId, source: source.kind, snapshot, store, embedder, onProgress, held });
    // When nothing changed, Chroma still holds `held`; if the index in use holds those very article
    // versions (another instance may have synced an edit), it is kept: rebuilding 10,000 passages
    // costs seconds, on every scheduled sync. Otherwise cards keep the index in use until the new
    // one is complete.
    const current = summary.synced === 0 && summary.removed === 0 ? indexes.current(workspaceId) : undefined;
    if (!current || !current.holds(held)) await indexes.load(workspaceId);
    this.lastSynced.set(workspaceId, Date.now());
    logger.info({ workspaceId, source: source.kind, ...summary, errors: summary.errors.length, ms: Date.now() - started }, "help center synced");
    return summary;
  }

  /** When this instance last finished syncing the workspace (ms since the epoch), if it has. */
  syncedAt(workspaceId: string): number | undefined {
    return this.lastSynced.get(workspaceId);
  }
}

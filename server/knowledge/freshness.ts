// Keeps each Help Center index fresh without hammering Intercom: a change notification or a busy
// conversation on a stale index asks for a sync, and requests arriving close together make one.
import type { Logger } from "../logger.ts";

export interface Syncable {
  sync(workspaceId: string): Promise<unknown>;
  syncedAt(workspaceId: string): number | undefined;
}

export class HelpCenterFreshness {
  private readonly pending = new Map<string, NodeJS.Timeout>();

  constructor(
    private readonly knowledge: Syncable,
    private readonly logger: Logger,
    private readonly options: { debounceMs: number; maxAgeMs: number } = { debounceMs: 30_000, maxAgeMs: 6 * 60 * 60_000 },
  ) {}

  /** The Help Center changed: sync once things have been quiet for the debounce delay. */
  changed(workspaceId: string): void {
    clearTimeout(this.pending.get(workspaceId));
    const timer = setTimeout(() => {
      this.pending.delete(workspaceId);
      this.knowledge.sync(workspaceId).catch((error) => this.logger.error({ err: error, workspaceId }, "help center sync failed"));
    }, this.options.debounceMs);
    timer.unref();
    this.pending.set(workspaceId, timer);
  }

  /** A conversation arrived: sync if this instance's index is older than the maximum age. */
  traffic(workspaceId: string): void {
    const syncedAt = this.knowledge.syncedAt(workspaceId);
    if (syncedAt === undefined || Date.now() - syncedAt > this.options.maxAgeMs) {
      if (!this.pending.has(workspaceId)) this.changed(workspaceId);
    }
  }

  stop(): void {
    for (const timer of this.pending.values()) clearTimeout(timer);
    this.pending.clear();
  }
}

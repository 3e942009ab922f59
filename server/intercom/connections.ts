// Which workspaces the app can act in, and the Intercom client for each: the private app's own
// workspace (INTERCOM_ACCESS_TOKEN) and every workspace that installed the public app (OAuth).
import type { IntercomClient } from "intercom-client";
import type { Logger } from "../logger.ts";
import type { IntercomCall } from "./capabilities.ts";
import { createIntercomClient } from "./client.ts";
import { intercomDirectory, type CustomerDirectory } from "./directory.ts";
import type { WorkspaceTokens } from "./token-store.ts";

export class IntercomConnections {
  private readonly clients = new Map<string, { token: string; client: IntercomClient }>();

  constructor(
    private readonly options: {
      apiBaseUrl: string;
      /** The private app's token and the workspace it belongs to. */
      own?: { workspaceId: string; client: IntercomClient };
      installed?: WorkspaceTokens;
      logger: Logger;
      /** Told each installed workspace's call outcomes (the Setup page's evidence). */
      onCall?: (workspaceId: string, call: IntercomCall) => void;
    },
  ) {}

  /** True when any workspace is connected (then unconnected workspaces get no Help Center at all). */
  get configured(): boolean {
    return Boolean(this.options.own || this.options.installed);
  }

  clientFor(workspaceId: string): IntercomClient | undefined {
    if (this.options.own?.workspaceId === workspaceId) return this.options.own.client;
    const token = this.options.installed?.get(workspaceId);
    if (!token) return undefined;
    // A reinstall brings a new token, and with it a new client.
    let cached = this.clients.get(workspaceId);
    if (cached?.token !== token) {
      cached = { token, client: createIntercomClient({ token, baseUrl: this.options.apiBaseUrl, onUnauthorized: () => void this.revoked(workspaceId, token), onCall: (call) => this.options.onCall?.(workspaceId, call) }) };
      this.clients.set(workspaceId, cached);
    }
    return cached.client;
  }

  /**
   * Intercom refused an installed workspace's token (401): the app was uninstalled or its access
   * revoked. The token is forgotten, so the workspace is no longer synced or acted in until an
   * admin installs the app again; its Help Center stays searchable for cards Intercom still sends.
   */
  private async revoked(workspaceId: string, token: string): Promise<void> {
    if (this.options.installed?.get(workspaceId) !== token) return;
    this.clients.delete(workspaceId);
    try {
      await this.options.installed.forget(workspaceId, token);
      this.options.logger.error({ workspaceId }, "Intercom no longer accepts this workspace's token (401): the app was uninstalled or its access revoked; it is disconnected until an admin installs the app again");
    } catch (error) {
      this.options.logger.error({ err: error, workspaceId }, "could not forget a revoked Intercom token");
    }
  }

  directoryFor(workspaceId: string): CustomerDirectory | undefined {
    const client = this.clientFor(workspaceId);
    return client ? intercomDirectory(client) : undefined;
  }

  /** Workspaces whose Help Center the app keeps in sync. */
  workspaces(): string[] {
    return [...(this.options.own ? [this.options.own.workspaceId] : []), ...(this.options.installed?.workspaces() ?? [])];
  }
}

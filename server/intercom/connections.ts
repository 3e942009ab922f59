// Which workspaces the app can act in, and the Intercom client for each: the private app's own
// workspace (INTERCOM_ACCESS_TOKEN) and every workspace that installed the public app (OAuth).
import type { IntercomClient } from "intercom-client";
import { createIntercomClient } from "./client.ts";
import { intercomDirectory, type CustomerDirectory } from "./directory.ts";
import type { WorkspaceTokens } from "./token-store.ts";

export class IntercomConnections {
  private readonly clients = new Map<string, IntercomClient>();

  constructor(
    private readonly options: {
      apiBaseUrl: string;
      /** The private app's token and the workspace it belongs to. */
      own?: { workspaceId: string; client: IntercomClient };
      installed?: WorkspaceTokens;
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
    let client = this.clients.get(workspaceId);
    if (!client) this.clients.set(workspaceId, (client = createIntercomClient({ token, baseUrl: this.options.apiBaseUrl })));
    return client;
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

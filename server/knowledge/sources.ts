// Where a workspace's Help Center comes from: Intercom's API (all collections and articles,
// every page), the bundled demo, or nothing (a workspace with no Help Center connected).
import type { IntercomClient } from "intercom-client";
import type { SourceKind } from "./documents.ts";
import { HelpCenterSnapshot, loadDemoHelpCenter } from "./help-center.ts";

export interface HelpCenterSource {
  kind: SourceKind;
  fetch(): Promise<HelpCenterSnapshot>;
}

export const demoSource: HelpCenterSource = { kind: "demo", fetch: loadDemoHelpCenter };

export const emptySource: HelpCenterSource = { kind: "intercom", fetch: async () => ({ collections: [], articles: [] }) };

const PER_PAGE = 50;

export function intercomSource(client: IntercomClient, perPage = PER_PAGE): HelpCenterSource {
  return {
    kind: "intercom",
    async fetch() {
      // The SDK's pages are async iterables that follow pagination to the end.
      const collections: unknown[] = [];
      for await (const collection of await client.helpCenters.collections.list({ per_page: perPage })) collections.push(collection);
      const articles: unknown[] = [];
      for await (const article of await client.articles.list({ per_page: perPage })) articles.push(article);
      return HelpCenterSnapshot.parse({ collections, articles });
    },
  };
}

/**
 * Which source serves a workspace. The preview always reads the demo. When the app is connected to
 * Intercom (a private token or OAuth installs), a connected workspace reads its own Help Center and
 * any other has none: it must never be answered from someone else's. Without any connection (local
 * development) every workspace reads the demo.
 */
export function sourceRouter(options: { previewWorkspaceId: string; clientFor(workspaceId: string): IntercomClient | undefined; connected: boolean }) {
  return (workspaceId: string): HelpCenterSource => {
    if (workspaceId === options.previewWorkspaceId || !options.connected) return demoSource;
    const client = options.clientFor(workspaceId);
    return client ? intercomSource(client) : emptySource;
  };
}

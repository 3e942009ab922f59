// Per-workspace settings: the policy file is every workspace's default, and each workspace's own
// overrides (edited by its admins in the console) sit on top, validated by the same schema. One
// accessor, `policyFor`, is how everything reads a workspace's policy. Every instance reads the
// overrides from the shared database and keeps them for a couple of seconds, so a change applies
// everywhere within seconds; every change is written to an audit log in the same transaction.
import { z } from "zod";
import { AssistantPolicy, type PolicySource } from "../assistant/policy.ts";
import type { Logger } from "../logger.ts";
import type { Database } from "../storage/database.ts";

export const SETTING_NAMES = Object.keys(AssistantPolicy.shape) as Array<keyof AssistantPolicy>;
export type SettingName = (typeof SETTING_NAMES)[number];

/**
 * A workspace's overrides: any of the policy's settings, each replacing the default whole. The
 * schema's own defaults are taken off, so a setting left out stays the policy file's.
 */
export const PolicyOverrides = z
  .object(Object.fromEntries(Object.entries(AssistantPolicy.shape).map(([name, type]) => [name, (type instanceof z.ZodDefault ? type.unwrap() : type).optional()])) as unknown as { [K in keyof AssistantPolicy]: z.ZodOptional<z.ZodType<AssistantPolicy[K]>> })
  .strict();
export type PolicyOverrides = z.infer<typeof PolicyOverrides>;

export interface SettingChange {
  setting: string;
  changedBy: string;
  changedAt: Date;
  oldValue: unknown;
  newValue: unknown;
}

/** How long an instance keeps a workspace's settings before reading them again. */
export const SETTINGS_CACHE_MS = 2000;

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

export class WorkspaceSettings implements PolicySource {
  private readonly cache = new Map<string, { policy: AssistantPolicy; at: number }>();

  constructor(
    private readonly deps: {
      db: Database;
      /** The policy file's values (or the built-in defaults): every workspace's starting point. */
      defaults: AssistantPolicy;
      logger: Logger;
      cacheMs?: number;
    },
  ) {}

  get defaults(): AssistantPolicy {
    return this.deps.defaults;
  }

  async policyFor(workspaceId: string): Promise<AssistantPolicy> {
    const cached = this.cache.get(workspaceId);
    if (cached && Date.now() - cached.at < (this.deps.cacheMs ?? SETTINGS_CACHE_MS)) return cached.policy;
    let policy: AssistantPolicy;
    try {
      policy = this.merged(await this.overridesOf(workspaceId));
    } catch (error) {
      // A database hiccup must not stop the assistant: the last known settings (or the defaults) serve.
      this.deps.logger.warn({ err: error, workspaceId }, "could not read the workspace's settings; using the last known");
      policy = cached?.policy ?? this.deps.defaults;
    }
    this.cache.set(workspaceId, { policy, at: Date.now() });
    return policy;
  }

  async overridesOf(workspaceId: string, sql: Pick<Database, "query"> = this.deps.db): Promise<PolicyOverrides> {
    const [row] = await sql.query<{ overrides: unknown }>("SELECT overrides FROM workspace_settings WHERE workspace_id = $1", [workspaceId]);
    // Stored overrides were valid when written; a setting a later version no longer knows is dropped.
    const parsed = PolicyOverrides.strip().safeParse(row?.overrides ?? {});
    return parsed.success ? parsed.data : {};
  }

  /**
   * Sets some of a workspace's settings (`set`) and returns others to the default (`reset`). The
   * result must be a valid policy, or nothing changes (the zod error says why). Returns the
   * settings that changed.
   */
  async update(workspaceId: string, change: { set?: PolicyOverrides; reset?: SettingName[] }, changedBy: string): Promise<string[]> {
    const set = PolicyOverrides.parse(change.set ?? {});
    const changed = await this.deps.db.transaction(async (tx) => {
      await tx.query("INSERT INTO workspace_settings (workspace_id) VALUES ($1) ON CONFLICT (workspace_id) DO NOTHING", [workspaceId]);
      // Locks the row: two admins saving at once each see the other's change.
      await tx.query("SELECT version FROM workspace_settings WHERE workspace_id = $1 FOR UPDATE", [workspaceId]);
      const before = await this.overridesOf(workspaceId, tx);
      const after: PolicyOverrides = { ...before, ...set };
      for (const name of change.reset ?? []) delete after[name];
      const [old, next] = [this.merged(before), AssistantPolicy.parse({ ...this.deps.defaults, ...after })];
      const differing = SETTING_NAMES.filter((name) => !same(old[name], next[name]) || (name in before) !== (name in after));
      if (differing.length === 0) return [];
      await tx.query("UPDATE workspace_settings SET overrides = $2, version = version + 1, updated_at = now() WHERE workspace_id = $1", [workspaceId, JSON.stringify(after)]);
      for (const name of differing) {
        await tx.query("INSERT INTO settings_audit (workspace_id, changed_by, setting, old_value, new_value) VALUES ($1, $2, $3, $4, $5)", [
          workspaceId,
          changedBy,
          name,
          JSON.stringify(old[name]),
          JSON.stringify(next[name]),
        ]);
      }
      return differing;
    });
    this.cache.delete(workspaceId);
    if (changed.length) this.deps.logger.info({ workspaceId, changedBy, settings: changed }, "workspace settings changed");
    return changed;
  }

  async auditOf(workspaceId: string, limit = 100): Promise<SettingChange[]> {
    const rows = await this.deps.db.query<{ setting: string; changed_by: string; changed_at: Date; old_value: unknown; new_value: unknown }>(
      "SELECT setting, changed_by, changed_at, old_value, new_value FROM settings_audit WHERE workspace_id = $1 ORDER BY changed_at DESC, id DESC LIMIT $2",
      [workspaceId, limit],
    );
    return rows.map((row) => ({ setting: row.setting, changedBy: row.changed_by, changedAt: new Date(row.changed_at), oldValue: row.old_value, newValue: row.new_value }));
  }

  private merged(overrides: PolicyOverrides): AssistantPolicy {
    return AssistantPolicy.parse({ ...this.deps.defaults, ...overrides });
  }
}

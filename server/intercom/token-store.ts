// OAuth access tokens per workspace, sealed with AES-256-GCM under a key derived from
// TOKEN_ENCRYPTION_KEY (the workspace id is bound in as associated data, so a sealed token copied
// to another row does not open). Loaded into memory at start-up; written through on install.
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from "node:crypto";
import type { Database } from "../storage/database.ts";

const FORMAT = "v1";

export class TokenSealer {
  private readonly key: Buffer;

  constructor(secret: string) {
    this.key = Buffer.from(hkdfSync("sha256", secret, "", "help-center-assistant:workspace-tokens", 32));
  }

  seal(workspaceId: string, token: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv("aes-256-gcm", this.key, iv);
    cipher.setAAD(Buffer.from(workspaceId));
    const body = Buffer.concat([cipher.update(token, "utf8"), cipher.final()]);
    return `${FORMAT}.${Buffer.concat([iv, cipher.getAuthTag(), body]).toString("base64url")}`;
  }

  open(workspaceId: string, sealed: string): string {
    const [format, data] = sealed.split(".");
    if (format !== FORMAT || !data) throw new Error("unknown sealed token format");
    const raw = Buffer.from(data, "base64url");
    const decipher = createDecipheriv("aes-256-gcm", this.key, raw.subarray(0, 12));
    decipher.setAAD(Buffer.from(workspaceId));
    decipher.setAuthTag(raw.subarray(12, 28));
    return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString("utf8");
  }
}

export class WorkspaceTokens {
  /** Each workspace's token, and the sealed form stored for it (which says which install it came from). */
  private readonly tokens = new Map<string, { token: string; sealed: string }>();

  constructor(
    private readonly db: Database,
    private readonly sealer: TokenSealer,
  ) {}

  /** Reads every stored token; a row that does not open (another key) is skipped and reported. */
  async load(): Promise<{ loaded: number; unreadable: string[] }> {
    const rows = await this.db.query<{ workspace_id: string; sealed_token: string }>("SELECT workspace_id, sealed_token FROM workspace_tokens");
    const unreadable: string[] = [];
    for (const row of rows) {
      try {
        this.tokens.set(row.workspace_id, { token: this.sealer.open(row.workspace_id, row.sealed_token), sealed: row.sealed_token });
      } catch {
        unreadable.push(row.workspace_id);
      }
    }
    return { loaded: this.tokens.size, unreadable };
  }

  async save(workspaceId: string, token: string): Promise<void> {
    const sealed = this.sealer.seal(workspaceId, token);
    await this.db.query(
      `INSERT INTO workspace_tokens (workspace_id, sealed_token) VALUES ($1, $2)
       ON CONFLICT (workspace_id) DO UPDATE SET sealed_token = $2, installed_at = now()`,
      [workspaceId, sealed],
    );
    this.tokens.set(workspaceId, { token, sealed });
  }

  get(workspaceId: string): string | undefined {
    return this.tokens.get(workspaceId)?.token;
  }

  /**
   * Forgets a token Intercom no longer accepts. Only that token: if the workspace has installed the
   * app again since (here or through another instance), its new token stays.
   */
  async forget(workspaceId: string, token: string): Promise<boolean> {
    const held = this.tokens.get(workspaceId);
    if (!held || held.token !== token) return false;
    this.tokens.delete(workspaceId);
    const deleted = await this.db.query("DELETE FROM workspace_tokens WHERE workspace_id = $1 AND sealed_token = $2 RETURNING workspace_id", [workspaceId, held.sealed]);
    return deleted.length > 0;
  }

  workspaces(): string[] {
    return [...this.tokens.keys()];
  }
}

// Console sessions. An admin who signed in (with Intercom's OAuth, or with the operator's
// ADMIN_TOKEN for a private app) gets a random session id in a signed cookie; the database keeps a
// hash of the id with the workspace and the admin, so every instance knows the session and a sign
// out ends it everywhere. A session of an installed workspace also ends when the workspace
// uninstalls the app: it is valid only while that workspace's installation (its stored token) is
// at least as old as the session. Framework-free: the HTTP edge reads and writes the cookie.
import { createHash, createHmac, hkdfSync, randomBytes } from "node:crypto";
import type { Database } from "../storage/database.ts";
import { sameSecret } from "../same-secret.ts";

export const SESSION_COOKIE = "assistant_console";
/** A console session lasts a working day. */
export const SESSION_TTL_MS = 8 * 60 * 60_000;

export interface ConsoleSession {
  workspaceId: string;
  adminId: string;
  adminName: string;
  /** "intercom": signed in with Intercom (OAuth); "admin_token": the operator's token, for a private app's one workspace. */
  via: "intercom" | "admin_token";
  expiresAt: Date;
  /** The token the session's forms carry (CSRF). */
  csrf: string;
  /** Hash of the session id: what ends it. */
  key: string;
}

const hash = (id: string) => createHash("sha256").update(id).digest("base64url");

export class ConsoleSessions {
  private readonly key: Buffer;

  constructor(
    private readonly db: Database,
    /** The app's client secret (or another long secret): cookies and CSRF tokens are signed with a key derived from it. */
    secret: string,
    private readonly now: () => number = Date.now,
  ) {
    this.key = Buffer.from(hkdfSync("sha256", secret, "", "help-center-assistant:console-sessions", 32));
  }

  private mac(label: string, value: string): string {
    return createHmac("sha256", this.key).update(`${label}\0${value}`).digest("base64url");
  }

  /** Starts a session; returns the cookie value to set. */
  async start(session: Pick<ConsoleSession, "workspaceId" | "adminId" | "adminName" | "via">): Promise<{ cookie: string; expiresAt: Date }> {
    const id = randomBytes(32).toString("base64url");
    const expiresAt = new Date(this.now() + SESSION_TTL_MS);
    // created_at is the database's clock, like an installation's installed_at it is compared with.
    await this.db.query("INSERT INTO console_sessions (id_hash, workspace_id, admin_id, admin_name, via, expires_at) VALUES ($1, $2, $3, $4, $5, $6)", [
      hash(id),
      session.workspaceId,
      session.adminId,
      session.adminName,
      session.via,
      expiresAt,
    ]);
    return { cookie: `${id}.${this.mac("session", id)}`, expiresAt };
  }

  /** The live session a cookie names, or undefined (unsigned, unknown, ended, expired, or its workspace uninstalled the app). */
  async find(cookie: string | undefined): Promise<ConsoleSession | undefined> {
    const [id, signature] = (cookie ?? "").split(".");
    if (!id || !signature) return undefined;
    if (!sameSecret(signature, this.mac("session", id))) return undefined;
    const [row] = await this.db.query<{ id_hash: string; workspace_id: string; admin_id: string; admin_name: string; via: ConsoleSession["via"]; expires_at: Date }>(
      `SELECT s.id_hash, s.workspace_id, s.admin_id, s.admin_name, s.via, s.expires_at
         FROM console_sessions s
        WHERE s.id_hash = $1 AND s.ended_at IS NULL AND s.expires_at > $2
          AND (s.via = 'admin_token' OR EXISTS (SELECT 1 FROM workspace_tokens t WHERE t.workspace_id = s.workspace_id AND t.installed_at <= s.created_at))`,
      [hash(id), new Date(this.now())],
    );
    if (!row) return undefined;
    return { workspaceId: row.workspace_id, adminId: row.admin_id, adminName: row.admin_name, via: row.via, expiresAt: new Date(row.expires_at), csrf: this.mac("csrf", row.id_hash), key: row.id_hash };
  }

  csrfIsValid(session: ConsoleSession, given: unknown): boolean {
    return typeof given === "string" && sameSecret(given, session.csrf);
  }

  async end(session: ConsoleSession): Promise<void> {
    await this.db.query("UPDATE console_sessions SET ended_at = $2 WHERE id_hash = $1 AND ended_at IS NULL", [session.key, new Date(this.now())]);
  }
}

import type { IntercomClient } from "intercom-client";

/** The admin the app acts as in each workspace (`GET /me`), asked once per workspace. */
export class BotIdentity {
  private readonly ids = new Map<string, Promise<string>>();

  adminId(workspaceId: string, client: IntercomClient): Promise<string> {
    let id = this.ids.get(workspaceId);
    if (!id) {
      id = client.admins.identify().then((me) => {
        if (!me?.id) throw new Error("GET /me returned no admin id");
        return String(me.id);
      });
      id.catch(() => this.ids.delete(workspaceId));
      this.ids.set(workspaceId, id);
    }
    return id;
  }
}

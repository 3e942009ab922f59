// The one place the Intercom REST client is built, with the API version pinned.
import { IntercomClient } from "intercom-client";

export const INTERCOM_API_VERSION = "2.14" as const;

export function createIntercomClient(options: {
  token: string;
  baseUrl: string;
  /** Told when Intercom answers 401: the token was revoked or the app uninstalled. */
  onUnauthorized?: () => void;
}): IntercomClient {
  const { onUnauthorized } = options;
  return new IntercomClient({
    token: options.token,
    baseUrl: options.baseUrl,
    version: INTERCOM_API_VERSION,
    timeoutInSeconds: 20,
    maxRetries: 3,
    ...(onUnauthorized
      ? {
          fetch: async (input: Parameters<typeof fetch>[0], init?: RequestInit) => {
            const response = await fetch(input, init);
            if (response.status === 401) onUnauthorized();
            return response;
          },
        }
      : {}),
  });
}

/** The workspace an access token belongs to (`GET /me` → `app.id_code`). */
export async function workspaceOfToken(client: IntercomClient): Promise<string> {
  const me = await client.admins.identify();
  const id = me?.app?.id_code;
  if (!id) throw new Error("GET /me did not say which workspace the access token belongs to");
  return id;
}

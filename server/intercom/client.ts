// The one place the Intercom REST client is built, with the API version pinned.
import { IntercomClient } from "intercom-client";
import { CAPABILITIES, capabilityOf, type IntercomCall } from "./capabilities.ts";

export const INTERCOM_API_VERSION = "2.14" as const;

export function createIntercomClient(options: {
  token: string;
  baseUrl: string;
  /** Told when Intercom answers 401: the token was revoked or the app uninstalled. */
  onUnauthorized?: () => void;
  /** Told the outcome of every call the Setup page follows (server/intercom/capabilities.ts). */
  onCall?: (call: IntercomCall) => void;
}): IntercomClient {
  const { onUnauthorized, onCall } = options;
  const observed = async (input: Parameters<typeof fetch>[0], init?: RequestInit) => {
    const capability = onCall ? capabilityOf(init?.method ?? (input instanceof Request ? input.method : "GET"), input instanceof Request ? input.url : String(input)) : undefined;
    const tell = (status: number) => capability && onCall?.({ capability, status, permission: CAPABILITIES[capability].permission });
    let response: Response;
    try {
      response = await fetch(input, init);
    } catch (error) {
      // An abort is the caller's deadline, not Intercom's answer.
      if (!init?.signal?.aborted) tell(0);
      throw error;
    }
    tell(response.status);
    if (response.status === 401) onUnauthorized?.();
    return response;
  };
  return new IntercomClient({
    token: options.token,
    baseUrl: options.baseUrl,
    version: INTERCOM_API_VERSION,
    timeoutInSeconds: 20,
    maxRetries: 3,
    ...(onUnauthorized || onCall ? { fetch: observed } : {}),
  });
}

/** The workspace an access token belongs to (`GET /me` → `app.id_code`). */
export async function workspaceOfToken(client: IntercomClient): Promise<string> {
  const me = await client.admins.identify();
  const id = me?.app?.id_code;
  if (!id) throw new Error("GET /me did not say which workspace the access token belongs to");
  return id;
}

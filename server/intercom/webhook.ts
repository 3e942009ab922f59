// The envelope of an Intercom webhook notification (developers.intercom.com, "Webhook model").
import { z } from "zod";
import { WorkspaceId } from "../../canvas/requests.ts";

export const WebhookNotification = z.looseObject({
  type: z.literal("notification_event"),
  id: z.string().min(1).max(255),
  topic: z.string().min(1).max(255),
  /** The workspace the notification is about (its app id code). */
  app_id: WorkspaceId,
  data: z.looseObject({ type: z.string().optional(), item: z.unknown() }),
  created_at: z.number().optional(),
  delivery_attempts: z.number().optional(),
  first_sent_at: z.number().optional(),
});
export type WebhookNotification = z.infer<typeof WebhookNotification>;

// The requests Intercom sends to a Canvas Kit app, as zod schemas. Objects are loose: Intercom
// adds fields over time and we must not reject a request for carrying one we do not read. What we
// read is checked strictly, because the signed `workspace_id` is the tenant key for everything.
import { z } from "zod";

/** Intercom workspace ids are short alphanumeric codes; the pattern keeps them safe as storage keys. */
export const WorkspaceId = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, "must be 1-64 letters, digits, _ or -");
export type WorkspaceId = z.infer<typeof WorkspaceId>;

export const Context = z.looseObject({
  conversation_id: z.union([z.number().int(), z.string().regex(/^\d+$/)]).optional(),
  // Documented values are conversation, home, message and operator; a new one must not break us.
  location: z.string().max(64).optional(),
  locale: z.string().max(35).optional(),
  messenger_action_colour: z.string().optional(),
  messenger_background_colour: z.string().optional(),
  referrer: z.string().optional(),
});
export type Context = z.infer<typeof Context>;

const Attributes = z.record(z.string(), z.unknown());

/** The end user or teammate-viewed contact (`user`, `lead`, `contact` or `visitor` in Intercom). */
export const Contact = z.looseObject({
  type: z.string().optional(),
  id: z.string().min(1),
  user_id: z.string().nullish(),
  external_id: z.string().nullish(),
  email: z.string().nullish(),
  name: z.string().nullish(),
  role: z.string().nullish(),
  created_at: z.number().nullish(),
  signed_up_at: z.number().nullish(),
  last_seen_at: z.number().nullish(),
  custom_attributes: Attributes.nullish(),
});
export type Contact = z.infer<typeof Contact>;

export const Admin = z.looseObject({
  type: z.string().optional(),
  id: z.union([z.string(), z.number()]).transform(String),
  name: z.string().nullish(),
  email: z.string().nullish(),
});

export const Conversation = z.looseObject({
  type: z.string().optional(),
  id: z.union([z.string(), z.number()]).transform(String),
});

/** `stored_data` is ours, but it comes back inside the request: treat it as untrusted input. */
export const RequestCanvas = z.looseObject({
  content: z.looseObject({ components: z.array(z.unknown()) }).optional(),
  content_url: z.string().optional(),
  stored_data: z.record(z.string(), z.unknown()).nullish(),
});

export const InputValues = z.record(z.string(), z.union([z.string(), z.array(z.string()), z.number(), z.boolean(), z.null()]));

const base = {
  workspace_id: WorkspaceId,
  workspace_region: z.string().optional(),
  context: Context.default({}),
};

/** Intercom has named the Messenger end user `user`, `customer` and `contact` across versions. */
const endUser = {
  user: Contact.optional(),
  customer: Contact.optional(),
  contact: Contact.optional(),
};

export const MessengerInitializeRequest = z.looseObject({
  ...base,
  ...endUser,
  card_creation_options: z.record(z.string(), z.unknown()).nullish(),
});

export const MessengerSubmitRequest = z.looseObject({
  ...base,
  ...endUser,
  component_id: z.string().min(1).max(255),
  input_values: InputValues.default({}),
  current_canvas: RequestCanvas.nullish(),
});

export const MessengerConfigureRequest = z.looseObject({
  ...base,
  admin: Admin.optional(),
  component_id: z.string().min(1).max(255).optional(),
  input_values: InputValues.default({}),
  current_canvas: RequestCanvas.nullish(),
});

export const LiveCanvasRequest = z.looseObject({
  ...base,
  ...endUser,
  canvas: RequestCanvas.nullish(),
});

export const InboxInitializeRequest = z.looseObject({
  ...base,
  admin: Admin,
  conversation: Conversation.nullish(),
  contact: Contact.nullish(),
  card_creation_options: z.record(z.string(), z.unknown()).nullish(),
});

export const InboxSubmitRequest = z.looseObject({
  ...base,
  admin: Admin,
  conversation: Conversation.nullish(),
  contact: Contact.nullish(),
  component_id: z.string().min(1).max(255),
  input_values: InputValues.default({}),
  current_canvas: RequestCanvas.nullish(),
});

/** Sheets are opened by Intercom with a form POST whose `intercom_data` field holds this JSON. */
export const SheetRequest = z.looseObject({
  ...base,
  ...endUser,
  card_creation_options: z.record(z.string(), z.unknown()).nullish(),
  current_canvas: RequestCanvas.nullish(),
});

export type MessengerInitializeRequest = z.infer<typeof MessengerInitializeRequest>;
export type MessengerSubmitRequest = z.infer<typeof MessengerSubmitRequest>;
export type MessengerConfigureRequest = z.infer<typeof MessengerConfigureRequest>;
export type LiveCanvasRequest = z.infer<typeof LiveCanvasRequest>;
export type InboxInitializeRequest = z.infer<typeof InboxInitializeRequest>;
export type InboxSubmitRequest = z.infer<typeof InboxSubmitRequest>;
export type SheetRequest = z.infer<typeof SheetRequest>;

/** The Messenger end user, whichever name this API version gave it. */
export function endUserOf(request: { user?: Contact; customer?: Contact; contact?: Contact }): Contact | undefined {
  return request.contact ?? request.user ?? request.customer;
}


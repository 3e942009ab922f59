// Canvas Kit components and actions as zod schemas, with the field names of Intercom's own
// SDK types (intercom-client 6.x `dist/api/types/*Component`). The schemas are strict: a typo
// in a field name is a bug that Intercom would silently ignore, so tests should catch it here.
import { z } from "zod";

const Id = z.string().min(1).max(255);
const SaveState = z.enum(["unsaved", "saved", "failed"]);
const HttpUrl = z.url({ protocol: /^https?$/ });

export const SubmitAction = z.strictObject({ type: z.literal("submit") });
export const UrlAction = z.strictObject({ type: z.literal("url"), url: HttpUrl });
export const SheetAction = z.strictObject({ type: z.literal("sheet"), url: HttpUrl });
export const Action = z.discriminatedUnion("type", [SubmitAction, UrlAction, SheetAction]);
export type Action = z.infer<typeof Action>;

export const TextComponent = z.strictObject({
  type: z.literal("text"),
  id: Id.optional(),
  text: z.string().min(1),
  align: z.enum(["left", "center", "right"]).optional(),
  style: z.enum(["header", "paragraph", "muted", "error"]).optional(),
  bottom_margin: z.literal("none").optional(),
});

export const ButtonComponent = z.strictObject({
  type: z.literal("button"),
  id: Id,
  label: z.string().min(1),
  action: Action,
  style: z.enum(["primary", "secondary", "link"]).optional(),
  disabled: z.boolean().optional(),
});

export const InputComponent = z.strictObject({
  type: z.literal("input"),
  id: Id,
  label: z.string().optional(),
  placeholder: z.string().optional(),
  value: z.string().optional(),
  action: Action.optional(),
  save_state: SaveState.optional(),
  disabled: z.boolean().optional(),
});

export const TextareaComponent = z.strictObject({
  type: z.literal("textarea"),
  id: Id,
  label: z.string().optional(),
  placeholder: z.string().optional(),
  value: z.string().optional(),
  error: z.boolean().optional(),
  disabled: z.boolean().optional(),
});

export const Option = z.strictObject({
  type: z.literal("option"),
  id: Id,
  text: z.string().min(1),
  disabled: z.boolean().optional(),
});
export type Option = z.infer<typeof Option>;

/** Single-select and dropdown take 2 to 10 options (Canvas Kit reference). */
const ChoiceOptions = z.array(Option).min(2).max(10);

export const SingleSelectComponent = z.strictObject({
  type: z.literal("single-select"),
  id: Id,
  options: ChoiceOptions,
  label: z.string().optional(),
  value: z.string().optional(),
  save_state: SaveState.optional(),
  disabled: z.boolean().optional(),
  action: Action.optional(),
});

export const DropdownComponent = z.strictObject({
  type: z.literal("dropdown"),
  id: Id,
  options: ChoiceOptions,
  label: z.string().optional(),
  value: z.string().optional(),
  save_state: SaveState.optional(),
  disabled: z.boolean().optional(),
});

// The generated SDK type names the array `option`; the published reference and the Canvas Kit
// builder use `options`, which is what Intercom renders, so that is what we send.
export const CheckboxComponent = z.strictObject({
  type: z.literal("checkbox"),
  id: Id,
  label: z.string().min(1),
  options: z.array(Option).min(1),
  value: z.array(z.string()).optional(),
  save_state: SaveState.optional(),
  disabled: z.boolean().optional(),
});

export const ListItem = z
  .strictObject({
    type: z.literal("item"),
    id: Id,
    title: z.string().min(1),
    subtitle: z.string().optional(),
    tertiary_text: z.string().optional(),
    image: HttpUrl.optional(),
    image_width: z.number().int().positive().optional(),
    image_height: z.number().int().positive().optional(),
    rounded_image: z.boolean().optional(),
    disabled: z.boolean().optional(),
    action: Action.optional(),
  })
  .refine((item) => !item.image || (item.image_width && item.image_height), {
    message: "an item with an image needs image_width and image_height",
  });

export const ListComponent = z.strictObject({
  type: z.literal("list"),
  items: z.array(ListItem).min(1),
  disabled: z.boolean().optional(),
});

export const DataTableItem = z.strictObject({
  type: z.literal("field-value"),
  field: z.string().min(1),
  value: z.string(),
});

export const DataTableComponent = z.strictObject({
  type: z.literal("data-table"),
  items: z.array(DataTableItem).min(1),
});

export const DividerComponent = z.strictObject({
  type: z.literal("divider"),
  id: Id.optional(),
  bottom_margin: z.literal("none").optional(),
});

export const SpacerComponent = z.strictObject({
  type: z.literal("spacer"),
  id: Id.optional(),
  size: z.enum(["xs", "s", "m", "l", "xl"]).optional(),
});

export const ImageComponent = z.strictObject({
  type: z.literal("image"),
  id: Id.optional(),
  url: HttpUrl,
  width: z.number().int().positive(),
  height: z.number().int().positive(),
  align: z.enum(["left", "center", "right", "full_width"]).optional(),
  rounded: z.boolean().optional(),
  bottom_margin: z.literal("none").optional(),
  action: UrlAction.optional(),
});

export const Component = z.union([
  TextComponent,
  ButtonComponent,
  InputComponent,
  TextareaComponent,
  SingleSelectComponent,
  DropdownComponent,
  CheckboxComponent,
  ListComponent,
  DataTableComponent,
  DividerComponent,
  SpacerComponent,
  ImageComponent,
]);
export type Component = z.infer<typeof Component>;

type Props<T extends { type: string }> = Omit<T, "type">;

export const submit = (): Action => ({ type: "submit" });
export const openUrl = (url: string): Action => ({ type: "url", url });
export const openSheet = (url: string): Action => ({ type: "sheet", url });

export const text = (value: string, props: Props<Omit<z.infer<typeof TextComponent>, "text">> = {}) =>
  ({ type: "text", text: value, ...props }) satisfies Component;
export const button = (props: Props<z.infer<typeof ButtonComponent>>) =>
  ({ type: "button", ...props }) satisfies Component;
export const input = (props: Props<z.infer<typeof InputComponent>>) =>
  ({ type: "input", ...props }) satisfies Component;
export const textarea = (props: Props<z.infer<typeof TextareaComponent>>) =>
  ({ type: "textarea", ...props }) satisfies Component;
export const option = (id: string, label: string): Option => ({ type: "option", id, text: label });
export const singleSelect = (props: Props<z.infer<typeof SingleSelectComponent>>) =>
  ({ type: "single-select", ...props }) satisfies Component;
export const dropdown = (props: Props<z.infer<typeof DropdownComponent>>) =>
  ({ type: "dropdown", ...props }) satisfies Component;
export const checkbox = (props: Props<z.infer<typeof CheckboxComponent>>) =>
  ({ type: "checkbox", ...props }) satisfies Component;
export const listItem = (props: Props<z.input<typeof ListItem>>) => ({ type: "item" as const, ...props });
export const list = (items: z.input<typeof ListItem>[], props: { disabled?: boolean } = {}) =>
  ({ type: "list", items, ...props }) satisfies Component;
export const dataTable = (rows: Array<[field: string, value: string]>) =>
  ({
    type: "data-table",
    items: rows.map(([field, value]) => ({ type: "field-value" as const, field, value })),
  }) satisfies Component;
export const divider = (props: Props<z.infer<typeof DividerComponent>> = {}) =>
  ({ type: "divider", ...props }) satisfies Component;
export const spacer = (size: z.infer<typeof SpacerComponent>["size"] = "s") =>
  ({ type: "spacer", size }) satisfies Component;
export const image = (props: Props<z.infer<typeof ImageComponent>>) =>
  ({ type: "image", ...props }) satisfies Component;

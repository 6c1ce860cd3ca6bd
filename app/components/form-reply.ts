/**
 * The wizard's forms, drawn from the server's answer alone. The forms are validated on the server
 * only (wizard/step-forms.server.ts, with Conform and zod), and their answer is Conform's
 * `submission.reply()`: the values as sent and the errors by field name. Reading it needs none of
 * Conform's browser runtime (9 KB gzip on every step), so the steps a client walks through ship
 * only the framework's floor and their own code. The markup is Conform's own: the same ids
 * (`<form id>-<name>`), error ids, `aria-invalid` and `aria-describedby`, so the coach's pages
 * (which keep Conform) and the wizard read alike to assistive technology.
 */

/** What `submission.reply()` holds, as far as the page needs it. */
export type FormReply = {
  status?: "success" | "error";
  initialValue?: Record<string, unknown> | null;
  error?: Record<string, string[] | null> | null;
};

export type FieldMeta = {
  id: string;
  name: string;
  errorId: string;
  /** The field's messages; undefined when it has none. */
  errors: string[] | undefined;
  /** The value to show: as sent when the server answered, else the page's default. */
  initialValue: string | undefined;
};

export type FormMeta = {
  id: string;
  status: FormReply["status"];
  /** Messages about the form as a whole. */
  errors: string[] | undefined;
  field: (name: string) => FieldMeta;
};

/** The form `id`, as the server's `reply` left it (values as sent, errors), else with `defaults`. */
export function formFromReply(
  id: string,
  reply: FormReply | undefined,
  defaults: Record<string, unknown>,
): FormMeta {
  const values = reply?.initialValue ?? defaults;
  const errorsOf = (name: string) => {
    const messages = reply?.error?.[name];
    return messages?.length ? messages : undefined;
  };
  return {
    id,
    status: reply?.status,
    errors: errorsOf(""),
    field: (name) => {
      const fieldId = `${id}-${name}`;
      const value = valueAt(values, name);
      return {
        id: fieldId,
        name,
        errorId: `${fieldId}-error`,
        errors: errorsOf(name),
        // A forged post may repeat a field: the first value is shown.
        initialValue: Array.isArray(value) ? textOf(value[0]) : textOf(value),
      };
    },
  };
}

/** A dotted name's value ("answers.q3") in the nested values a reply carries. */
function valueAt(values: Record<string, unknown>, name: string): unknown {
  return name
    .split(".")
    .reduce<unknown>(
      (at, key) =>
        at !== null && typeof at === "object" ? (at as Record<string, unknown>)[key] : undefined,
      values,
    );
}

const textOf = (value: unknown) => (typeof value === "string" ? value : undefined);

/** What an input, select or textarea carries for its field: id, name, state and its error. */
export function controlProps(field: FieldMeta, describedBy?: string) {
  const invalid = field.errors !== undefined;
  return {
    id: field.id,
    name: field.name,
    "aria-invalid": invalid || undefined,
    "aria-describedby": invalid
      ? `${field.errorId} ${describedBy ?? ""}`.trim()
      : describedBy || undefined,
  };
}

/** A text input or textarea: its control props and the value to show. */
export const textProps = (field: FieldMeta, describedBy?: string) => ({
  ...controlProps(field, describedBy),
  defaultValue: field.initialValue,
});

import type { ReactNode, SelectHTMLAttributes } from "react";
import type { TimezoneGroup } from "~/lib/timezones";

/**
 * A labelled timezone select, its options grouped (from `timezoneGroups`). It never submits by
 * itself: a change of zone reloads the times, and doing that as someone moves through the list with
 * the arrow keys would pull the page from under them. The caller renders the submit button, as
 * `children` to sit beside the select in an `.inline-field` row, or anywhere in its form.
 *
 * `defaultValue` is the zone shown, by its canonical name (the groups' values are canonical). The
 * select keeps what the person picks until it is remounted: give it a `key` of the zone shown to
 * reset it after a submission. Conform's `getSelectProps(field)` can be spread in.
 */
export function TimezoneSelect({
  label,
  groups,
  children,
  selectKey,
  ...select
}: {
  label: ReactNode;
  groups: TimezoneGroup[];
  children?: ReactNode;
  /** Remounts the select alone (to show a new zone) and not the button beside it, which keeps focus. */
  selectKey?: string;
  id: string;
  name: string;
} & Pick<
  SelectHTMLAttributes<HTMLSelectElement>,
  "defaultValue" | "form" | "required" | "autoFocus" | "aria-describedby" | "aria-invalid"
>) {
  const field = (
    <select key={selectKey} {...select}>
      {groups.map((group) => (
        <optgroup key={group.label} label={group.label}>
          {group.options.map((option) => (
            <option key={option.value} value={option.value}>
              {option.label}
            </option>
          ))}
        </optgroup>
      ))}
    </select>
  );
  return (
    <>
      <label htmlFor={select.id}>{label}</label>
      {children ? (
        <div className="inline-field">
          {field}
          {children}
        </div>
      ) : (
        field
      )}
    </>
  );
}

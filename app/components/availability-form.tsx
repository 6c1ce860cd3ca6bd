/**
 * The availability editor's forms and lists (`/coach/coaches/<id>/availability`): weekly hours,
 * days off and special hours, booking rules, and the preview of bookable times. Each form posts
 * with its own `intent` and works without JavaScript; Conform keeps the typed values and puts the
 * server's messages next to their fields (no zod here: the schemas are server-only).
 */
import {
  getFormProps,
  getInputProps,
  getSelectProps,
  useForm,
  type FieldMetadata,
  type SubmissionResult,
} from "@conform-to/react";
import { Form } from "@remix-run/react";
import type { ReactNode } from "react";
import { FieldError, SubmitButton } from "~/components/wizard";

type LastResult = SubmissionResult<string[]> | null | undefined;
type Option = { value: string; label: string };

/** A labelled text field with an optional hint, its error tied to it. */
function TextField({
  field,
  label,
  hint,
  type = "text",
  inputMode,
}: {
  field: FieldMetadata<string>;
  label: ReactNode;
  hint?: string;
  type?: "text" | "date";
  inputMode?: "numeric" | "decimal";
}) {
  const hintId = `${field.id}-hint`;
  return (
    <div className="field">
      <label htmlFor={field.id}>{label}</label>
      {hint ? (
        <p className="hint" id={hintId}>
          {hint}
        </p>
      ) : null}
      <input
        {...getInputProps(field, { type, ariaDescribedBy: hint ? hintId : undefined })}
        inputMode={inputMode}
        autoComplete="off"
      />
      <FieldError id={field.errorId} errors={field.errors} />
    </div>
  );
}

/** One text field per weekday: "09:00–12:30, 13:30–17:00", empty for a day off. */
export function WeeklyHoursForm({
  action,
  weekdays,
  defaults,
  lastResult,
}: {
  action: string;
  weekdays: { field: string; name: string }[];
  defaults: Record<string, string>;
  lastResult: LastResult;
}) {
  const [form, fields] = useForm<Record<string, string>>({
    id: "weekly",
    lastResult,
    defaultValue: defaults,
    shouldValidate: "onBlur",
  });
  return (
    <Form method="post" action={action} {...getFormProps(form)} noValidate>
      <input type="hidden" name="intent" value="weekly" />
      <p className="hint" id="weekly-hint">
        Write each day’s hours as ranges, like 09:00–12:30, 13:30–17:00 (24:00 is the end of the
        day). Leave a day empty when you don’t work.
      </p>
      {weekdays.map((day) => {
        const field = fields[day.field]!;
        return (
          <div className="field" key={day.field}>
            <label htmlFor={field.id}>{day.name}</label>
            <input
              {...getInputProps(field, { type: "text", ariaDescribedBy: "weekly-hint" })}
              autoComplete="off"
            />
            <FieldError id={field.errorId} errors={field.errors} />
          </div>
        );
      })}
      <SubmitButton name="intent" value="weekly" pendingText="Saving…">
        Save weekly hours
      </SubmitButton>
    </Form>
  );
}

export type OverrideItem = { from: string; to: string; dates: string; hours: string | null };

/** The days off and special hours to come, each with its own remove button. */
export function OverrideList({ action, items }: { action: string; items: OverrideItem[] }) {
  if (items.length === 0) return <p>No days off or special hours coming up.</p>;
  return (
    <ul className="override-list">
      {items.map((item) => (
        <li key={item.from}>
          <span className="cell-day">{item.dates}</span>{" "}
          <span>{item.hours ? `special hours ${item.hours}` : "day off"}</span>
          <Form method="post" action={action} className="override-remove">
            <input type="hidden" name="intent" value="remove-override" />
            <input type="hidden" name="from" value={item.from} />
            <input type="hidden" name="to" value={item.to} />
            <button type="submit" className="button">
              Remove<span className="visually-hidden"> {item.dates}</span>
            </button>
          </Form>
        </li>
      ))}
    </ul>
  );
}

/** Adds a day off, a stretch of days off, or special hours on one or more dates. */
export function AddOverrideForm({
  action,
  today,
  lastResult,
}: {
  action: string;
  today: string;
  lastResult: LastResult;
}) {
  const [form, fields] = useForm<Record<"from" | "to" | "kind" | "hours", string>>({
    id: "override",
    lastResult,
    defaultValue: { from: "", to: "", kind: "off", hours: "" },
    shouldValidate: "onBlur",
  });
  const kind = [fields.kind.initialValue ?? "off"].flat()[0];
  return (
    <Form method="post" action={action} {...getFormProps(form)} noValidate>
      <input type="hidden" name="intent" value="add-override" />
      <TextField field={fields.from} label="First date" type="date" hint={`From ${today} on.`} />
      <TextField
        field={fields.to}
        label={
          <>
            Last date <span className="optional">(optional)</span>
          </>
        }
        type="date"
        hint="Leave it empty for a single day. Both dates are included."
      />
      <fieldset
        className="choice-fieldset"
        aria-describedby={fields.kind.errorId}
        aria-invalid={fields.kind.errors ? true : undefined}
      >
        <legend>On those dates</legend>
        <label className="choice-inline">
          <input type="radio" name={fields.kind.name} value="off" defaultChecked={kind === "off"} />{" "}
          Day off
        </label>
        <label className="choice-inline">
          <input
            type="radio"
            name={fields.kind.name}
            value="hours"
            defaultChecked={kind === "hours"}
          />{" "}
          Special hours (instead of the weekly ones)
        </label>
        <FieldError id={fields.kind.errorId} errors={fields.kind.errors} />
      </fieldset>
      <TextField
        field={fields.hours}
        label={
          <>
            Special hours <span className="optional">(for special hours only)</span>
          </>
        }
        hint="Like 10:00–14:00, or several ranges: 09:00–12:00, 14:00–16:00."
      />
      <SubmitButton name="intent" value="add-override" pendingText="Adding…">
        Add
      </SubmitButton>
    </Form>
  );
}

type RulesField =
  | "noticeHours"
  | "windowDays"
  | "bufferBefore"
  | "bufferAfter"
  | "interval"
  | "maxPerDay"
  | "maxPerWeek"
  | "timezone";

/** Notice, window, buffers, interval, limits and the coach's timezone. */
export function BookingRulesForm({
  action,
  defaults,
  intervals,
  timezones,
  lastResult,
}: {
  action: string;
  defaults: Record<RulesField, string>;
  intervals: number[];
  timezones: Option[];
  lastResult: LastResult;
}) {
  const [form, fields] = useForm<Record<RulesField, string>>({
    id: "rules",
    lastResult,
    defaultValue: defaults,
    shouldValidate: "onBlur",
  });
  const selected = (name: "interval" | "timezone") =>
    [fields[name].initialValue ?? defaults[name]].flat()[0];
  return (
    <Form method="post" action={action} {...getFormProps(form)} noValidate>
      <input type="hidden" name="intent" value="rules" />
      <TextField
        field={fields.noticeHours}
        label="Minimum notice, in hours"
        hint="The latest a session can be booked: this long before it starts. 0 for none."
        inputMode="decimal"
      />
      <TextField
        field={fields.windowDays}
        label="Booking window, in days"
        hint="How many days ahead clients can book: today and this many calendar days after it, in your timezone."
        inputMode="numeric"
      />
      <TextField
        field={fields.bufferBefore}
        label="Free time before each session, in minutes"
        inputMode="numeric"
      />
      <TextField
        field={fields.bufferAfter}
        label="Free time after each session, in minutes"
        inputMode="numeric"
      />
      <div className="field">
        <label htmlFor={fields.interval.id}>Sessions can start every</label>
        <select {...getSelectProps(fields.interval)} defaultValue={selected("interval")}>
          {intervals.map((minutes) => (
            <option key={minutes} value={String(minutes)}>
              {minutes} minutes
            </option>
          ))}
        </select>
        <FieldError id={fields.interval.errorId} errors={fields.interval.errors} />
      </div>
      <TextField
        field={fields.maxPerDay}
        label={
          <>
            Most sessions a day <span className="optional">(optional)</span>
          </>
        }
        hint="Once a day has this many, it is no longer offered. Empty for no limit."
        inputMode="numeric"
      />
      <TextField
        field={fields.maxPerWeek}
        label={
          <>
            Most sessions a week <span className="optional">(optional)</span>
          </>
        }
        hint="Weeks run Monday to Sunday in your timezone. Empty for no limit."
        inputMode="numeric"
      />
      <div className="field">
        <label htmlFor={fields.timezone.id}>Timezone</label>
        <p className="hint" id={`${fields.timezone.id}-hint`}>
          Weekly hours and days off are read in this zone. Bookings already made keep their time.
        </p>
        <select
          {...getSelectProps(fields.timezone, { ariaDescribedBy: `${fields.timezone.id}-hint` })}
          defaultValue={selected("timezone")}
        >
          {timezones.map((zone) => (
            <option key={zone.value} value={zone.value}>
              {zone.label}
            </option>
          ))}
        </select>
        <FieldError id={fields.timezone.errorId} errors={fields.timezone.errors} />
      </div>
      <SubmitButton name="intent" value="rules" pendingText="Saving…">
        Save booking rules
      </SubmitButton>
    </Form>
  );
}

export type PreviewDay = {
  date: string;
  heading: string;
  times: { value: string; label: string }[];
};

/** The next two weeks' bookable times, day by day, as plain lists. */
export function PreviewList({ days }: { days: PreviewDay[] }) {
  return (
    <ul className="preview-days">
      {days.map((day) => (
        <li key={day.date}>
          <h3>{day.heading}</h3>
          {day.times.length ? (
            <ul className="slot-list preview-times" role="list">
              {day.times.map((time) => (
                <li key={time.value}>
                  <time dateTime={time.value}>{time.label}</time>
                </li>
              ))}
            </ul>
          ) : (
            <p className="no-slots">No bookable times</p>
          )}
        </li>
      ))}
    </ul>
  );
}

/** Which service the preview shows (a GET form: the choice is in the address). */
export function PreviewServiceForm({
  action,
  services,
  chosen,
}: {
  action: string;
  services: Option[];
  chosen: string;
}) {
  return (
    <Form method="get" action={action} className="filters" preventScrollReset>
      <div className="field">
        <label htmlFor="preview-service">Times for</label>
        <select id="preview-service" name="service" defaultValue={chosen} key={chosen}>
          {services.map((service) => (
            <option key={service.value} value={service.value}>
              {service.label}
            </option>
          ))}
        </select>
      </div>
      <button type="submit" className="button">
        Show
      </button>
    </Form>
  );
}

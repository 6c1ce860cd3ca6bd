/**
 * Free times to pick one from, a day at a time: the week's days as links (each says how many times
 * it has), and the open day's times as one radio group with a single Continue, so a keyboard moves
 * through the times with the arrow keys and a phone shows one short list. Plain links and a plain
 * form: it works the same without JavaScript (the wizard's time step posts the choice; moving a
 * booking asks first, with a GET).
 */
import { Form, Link } from "@remix-run/react";
import type { WeekView } from "~/availability/week.server";
import { FieldError, SubmitButton } from "./wizard";

const dayLink = (week: WeekView, date: string) => `?week=${week.weekStart}&day=${date}`;

export function WeekPicker({
  week,
  method,
  action,
  errors,
}: {
  week: WeekView;
  method: "get" | "post";
  action: string;
  errors?: string[] | null;
}) {
  const { day } = week;
  const noteId = `zone-${day.date}`;
  return (
    <>
      <nav className="week-nav" aria-label="Weeks">
        {week.previousWeek ? (
          <Link to={`?week=${week.previousWeek}`} preventScrollReset>
            ← Previous week
          </Link>
        ) : (
          <span />
        )}
        {week.nextWeek ? (
          <Link to={`?week=${week.nextWeek}`} preventScrollReset>
            Next week →
          </Link>
        ) : null}
      </nav>

      <nav aria-label="Days">
        <ul className="day-picker" role="list">
          {week.days.map((choice) => (
            <li key={choice.date}>
              <DayChoiceLink week={week} choice={choice} open={choice.date === day.date} />
            </li>
          ))}
        </ul>
      </nav>

      <Form method={method} action={action} noValidate>
        {method === "get" ? (
          <>
            <input type="hidden" name="week" value={week.weekStart} />
            <input type="hidden" name="day" value={day.date} />
          </>
        ) : null}
        <fieldset
          className="slot-group"
          aria-describedby={`${noteId} startAt-error`}
          aria-invalid={errors?.length ? true : undefined}
        >
          <legend>
            <h2>{day.heading}</h2>
          </legend>
          <p id={noteId} className="zone-note">
            {day.clockChange ? (
              <>
                The clocks change on this day: times are in {week.zoneLabel}, {day.offsets}.
              </>
            ) : (
              <>
                Times are in {week.zoneLabel} ({day.offsets}).
              </>
            )}
          </p>
          {day.slots.length ? (
            <div className="slot-list">
              {day.slots.map((slot, index) => (
                <label key={slot.value} className="slot">
                  <input
                    // The first time is where the error summary's link lands.
                    id={index === 0 ? "startAt" : undefined}
                    type="radio"
                    name="startAt"
                    value={slot.value}
                    defaultChecked={slot.selected}
                  />
                  <span>{slot.label}</span>
                </label>
              ))}
            </div>
          ) : (
            <p className="no-slots">No free times on this day.</p>
          )}
          <FieldError id="startAt-error" errors={errors} />
        </fieldset>
        {day.slots.length ? <SubmitButton pendingText="Continuing…">Continue</SubmitButton> : null}
      </Form>
      {week.days.every((choice) => choice.count === 0) && week.nextWeek ? (
        <p>
          No free times this week.{" "}
          <Link to={`?week=${week.nextWeek}`}>See next week’s times →</Link>
        </p>
      ) : null}
    </>
  );
}

function DayChoiceLink({
  week,
  choice,
  open,
}: {
  week: WeekView;
  choice: WeekView["days"][number];
  open: boolean;
}) {
  const times =
    choice.count === 0
      ? "no free times"
      : `${choice.count} free time${choice.count === 1 ? "" : "s"}`;
  // Seen: "Tue 24" over "6"; heard: "Tuesday 24 November, 6 free times".
  const body = (
    <>
      <span className="day-name" aria-hidden="true">
        {choice.short}
      </span>
      <span className="day-count" aria-hidden="true">
        {choice.count === 0 ? "none" : choice.count}
      </span>
      <span className="visually-hidden">
        {choice.heading}, {times}
      </span>
    </>
  );
  if (open)
    return (
      <span className="day-choice day-open" aria-current="date">
        {body}
      </span>
    );
  if (choice.count === 0) return <span className="day-choice day-full">{body}</span>;
  return (
    <Link className="day-choice" to={dayLink(week, choice.date)} preventScrollReset>
      {body}
    </Link>
  );
}

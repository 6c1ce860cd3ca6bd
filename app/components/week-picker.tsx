/**
 * A week of free times to pick one from: the weeks before and after as links, each day's times as
 * submit buttons named `startAt`, so picking works as a plain form (the wizard's time step posts
 * it; moving a booking asks first, with a GET).
 */
import { Form, Link } from "@remix-run/react";
import type { WeekView } from "~/availability/week.server";
import { FieldError } from "./wizard";

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
  const hasTimes = week.days.some((day) => day.slots.length > 0);
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

      <FieldError id="startAt-error" errors={errors} />
      <Form method={method} action={action} noValidate aria-describedby="startAt-error">
        {method === "get" ? <input type="hidden" name="week" value={week.weekStart} /> : null}
        {week.days.map((day) => (
          <section key={day.date} className="day" aria-labelledby={`day-${day.date}`}>
            <h2 id={`day-${day.date}`}>{day.heading}</h2>
            {day.slots.length ? (
              <ul className="slot-list" role="list">
                {day.slots.map((slot) => (
                  <li key={slot.value}>
                    <button
                      type="submit"
                      name="startAt"
                      value={slot.value}
                      className={slot.selected ? "slot slot-selected" : "slot"}
                      aria-label={`${slot.accessibleLabel}${slot.selected ? ", your current choice" : ""}`}
                    >
                      {slot.label}
                    </button>
                  </li>
                ))}
              </ul>
            ) : (
              <p className="no-slots">No free times</p>
            )}
          </section>
        ))}
      </Form>
      {!hasTimes && week.nextWeek ? (
        <p>
          <Link to={`?week=${week.nextWeek}`}>See next week’s times →</Link>
        </p>
      ) : null}
    </>
  );
}

/**
 * A booking as its client sees it, on the confirmation page, the manage page and "My bookings":
 * where it takes place, and "Add to calendar".
 */
import { Form } from "@remix-run/react";
import { Fragment } from "react";

/** A booking's place: a link to its video room, or the address line by line. */
export function Place({ location }: { location: string }) {
  if (/^https?:\/\//.test(location)) return <a href={location}>{location}</a>;
  return (
    <>
      {location.split("\n").map((line, index) => (
        <Fragment key={index}>
          {index > 0 ? <br /> : null}
          {line}
        </Fragment>
      ))}
    </>
  );
}

/** Without `ics` (the confirmation page has no manage link yet), the file is asked for by a POST. */
export type CalendarLinks = { ics?: string; google: string; outlook: string };

export function AddToCalendar({ links }: { links: CalendarLinks }) {
  return (
    <section aria-labelledby="calendar-heading">
      <h2 id="calendar-heading">Add to your calendar</h2>
      <ul className="action-list" role="list">
        <li>
          {links.ics ? (
            <a href={links.ics} className="button" download>
              Calendar file (.ics)
            </a>
          ) : (
            <Form method="post" action={CONFIRMED_PATH} reloadDocument>
              <button type="submit" name="go" value="invite.ics" className="button">
                Calendar file (.ics)
              </button>
            </Form>
          )}
        </li>
        <li>
          <a href={links.google} className="button" rel="noopener noreferrer" target="_blank">
            Google Calendar<span className="visually-hidden"> (opens a new tab)</span>
          </a>
        </li>
        <li>
          <a href={links.outlook} className="button" rel="noopener noreferrer" target="_blank">
            Outlook<span className="visually-hidden"> (opens a new tab)</span>
          </a>
        </li>
      </ul>
    </section>
  );
}

const CONFIRMED_PATH = "/book/confirmed";

/** What the confirmation pages say after "booked": emails, reminders, changes, the calendar. */
export function NextSteps({
  steps,
}: {
  steps: { email: string; changeUntil: string | null; calendar: CalendarLinks };
}) {
  return (
    <>
      <section aria-labelledby="next-heading">
        <h2 id="next-heading">What happens next</h2>
        <p>
          We have emailed your confirmation, with a calendar invite, to{" "}
          <strong>{steps.email}</strong>, and we will remind you before the session.
        </p>
        {steps.changeUntil ? (
          <>
            <p>
              You can move or cancel it yourself until {steps.changeUntil}, here or with the link in
              the email.
            </p>
            <ManageButtons />
          </>
        ) : null}
      </section>
      <AddToCalendar links={steps.calendar} />
    </>
  );
}

/**
 * The way from the confirmation page to the manage page's actions: each button asks for a manage
 * link for the booking this browser made (its draft cookie is the key) and follows it.
 */
function ManageButtons() {
  return (
    <Form method="post" action={CONFIRMED_PATH} className="action-list">
      <button type="submit" name="go" value="reschedule" className="button">
        Move to another time
      </button>
      <button type="submit" name="go" value="cancel" className="button">
        Cancel this booking
      </button>
    </Form>
  );
}

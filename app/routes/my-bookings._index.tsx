/**
 * /my-bookings: a client asks for a link to their bookings by email address (the answer is the same
 * whether or not the address has any); after using the link, this page lists them, upcoming and
 * past, each with "Manage" (a POST that makes a manage link and follows it) and "Book again".
 */
import { getFormProps, getInputProps, useForm } from "@conform-to/react";
import { parseWithZod } from "@conform-to/zod/v4";
import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useSearchParams } from "@remix-run/react";
import {
  bookingsLinkSchema,
  LINK_MINUTES,
  listClientBookings,
  manageTokenForClient,
  requestBookingsLink,
  type ClientBooking,
} from "~/booking/my-bookings.server";
import { bookAgainPath } from "~/booking/manage-links.server";
import { statusWord } from "~/components/coach";
import { FieldError, Notice, SubmitButton } from "~/components/wizard";
import { forgetClientEmailCookie, readClientEmail } from "~/http/my-bookings-cookie.server";
import { publicUrl } from "~/http/public-url.server";
import { formatSession } from "~/lib/time-format";
import { getDb } from "~db/database.server";
import type { PageHandle } from "~/components/page-title";
import { ErrorSummary, problemsOf } from "~/components/error-summary";

export const handle: PageHandle = { title: "My bookings" };

export async function loader({ request }: LoaderFunctionArgs) {
  const email = await readClientEmail(request);
  if (!email) return { email: null, upcoming: [], past: [], minutes: LINK_MINUTES };
  const { upcoming, past } = listClientBookings(getDb(), email, new Date());
  return { email, upcoming: upcoming.map(shown), past: past.map(shown), minutes: LINK_MINUTES };
}

function shown(booking: ClientBooking) {
  return {
    id: booking.id,
    title: `${booking.serviceName} with ${booking.coachName}`,
    when: formatSession(booking.startAt, booking.endAt, booking.clientTimezone),
    status: statusWord(booking.status),
    bookAgain: bookAgainPath(booking),
  };
}

export async function action({ request }: ActionFunctionArgs) {
  const form = await request.formData();
  const intent = form.get("intent");
  if (intent === "manage") return manage(request, String(form.get("bookingId") ?? ""));
  if (intent === "forget")
    return redirect("/my-bookings", {
      status: 303,
      headers: { "Set-Cookie": await forgetClientEmailCookie() },
    });
  const submission = parseWithZod(form, { schema: bookingsLinkSchema });
  if (submission.status !== "success") return data(submission.reply(), { status: 400 });
  requestBookingsLink(getDb(), submission.value.email, {
    now: new Date(),
    appUrl: publicUrl(request),
  });
  return redirect("/my-bookings?sent=1", 303);
}

async function manage(request: Request, bookingId: string) {
  const email = await readClientEmail(request);
  const token =
    email && /^bk_[\w-]{1,40}$/.test(bookingId)
      ? manageTokenForClient(getDb(), email, bookingId, new Date())
      : null;
  // The list expired (or the booking is not theirs): back to asking for a link.
  if (!token) return redirect("/my-bookings", 303);
  return redirect(`/bookings/${token}`, 303);
}

export default function MyBookings() {
  const view = useLoaderData<typeof loader>();
  const [params] = useSearchParams();
  return (
    <div className="wizard">
      <h1>My bookings</h1>
      {view.email ? (
        <BookingList view={view} />
      ) : (
        // Asked again after a link was sent: a fresh form, without the last attempt's errors.
        <AskForLink key={params.get("sent") ?? "ask"} minutes={view.minutes} />
      )}
    </div>
  );
}

function AskForLink({ minutes }: { minutes: number }) {
  const lastResult = useActionData<typeof action>();
  const [params] = useSearchParams();
  const [form, fields] = useForm<{ email: string }>({ id: "my-bookings", lastResult });
  return (
    <>
      {params.get("sent") ? (
        <Notice>
          Thank you. If bookings were made with that address, we have emailed it a link to them. It
          works once, for {minutes} minutes. Nothing there? Check the address you booked with, and
          your spam folder.
        </Notice>
      ) : null}
      <p>Enter the email address you booked with, and we will email you a link to your bookings.</p>
      {form.status === "error" ? (
        <ErrorSummary problems={problemsOf({ email: fields.email })} answer={lastResult} />
      ) : null}
      <Form method="post" {...getFormProps(form)} noValidate>
        <div className="field">
          <label htmlFor={fields.email.id}>Email</label>
          <input
            {...getInputProps(fields.email, { type: "email" })}
            autoComplete="email"
            maxLength={254}
          />
          <FieldError id={fields.email.errorId} errors={fields.email.errors} />
        </div>
        <SubmitButton pendingText="Sending…">Email me a link</SubmitButton>
      </Form>
    </>
  );
}

type Shown = ReturnType<typeof shown>;

function BookingList({ view }: { view: { email: string; upcoming: Shown[]; past: Shown[] } }) {
  return (
    <>
      <p>Bookings made with {view.email}.</p>
      <section aria-labelledby="upcoming-heading">
        <h2 id="upcoming-heading">Upcoming</h2>
        {view.upcoming.length ? (
          <BookingCards bookings={view.upcoming} manage />
        ) : (
          <p>Nothing booked ahead.</p>
        )}
      </section>
      <section aria-labelledby="past-heading">
        <h2 id="past-heading">Past and cancelled</h2>
        {view.past.length ? <BookingCards bookings={view.past} /> : <p>None yet.</p>}
      </section>
      <Form method="post">
        <button type="submit" name="intent" value="forget" className="button">
          Done: forget my address on this device
        </button>
      </Form>
    </>
  );
}

function BookingCards({ bookings, manage = false }: { bookings: Shown[]; manage?: boolean }) {
  return (
    <ul className="card-list" role="list">
      {bookings.map((booking) => (
        <li key={booking.id} className="card">
          <h3>{booking.title}</h3>
          <p>{booking.when}</p>
          <p className="card-meta">{booking.status}</p>
          <div className="action-list">
            {manage ? (
              <Form method="post">
                <input type="hidden" name="bookingId" value={booking.id} />
                <button type="submit" name="intent" value="manage" className="button">
                  Manage
                  <span className="visually-hidden">
                    {" "}
                    {booking.title}, {booking.when}
                  </span>
                </button>
              </Form>
            ) : null}
            <Link to={booking.bookAgain} className="button">
              Book again<span className="visually-hidden">: {booking.title}</span>
            </Link>
          </div>
        </li>
      ))}
    </ul>
  );
}

/**
 * /bookings/<token>: the client's booking, from the link in their emails, on any device. It shows
 * the session in the client's timezone with its place, "Add to calendar", and, while the policy
 * allows, the way to move or cancel it; after that, why not and whom to ask. A wrong token is a 404
 * that says nothing about any booking.
 */
import { type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { calendarLinks, changeDeadline } from "~/booking/self-service.server";
import { bookAgainPath, manageUrlOf } from "~/booking/manage-links.server";
import { AddToCalendar, Place } from "~/components/booking";
import { statusWord } from "~/components/coach";
import { Notice, SummaryRow } from "~/components/wizard";
import { notFound } from "~/http/auth.server";
import { publicUrl } from "~/http/public-url.server";
import { formatPrice } from "~/lib/format";
import { formatSession } from "~/lib/time-format";
import { describePolicy } from "~/catalogue/policy.server";
import { managedBookingWithRefund } from "~/payments/cancellation.server";
import { getDb } from "~db/database.server";
import type { PageHandle } from "~/components/page-title";

export const handle: PageHandle = { title: "Your booking" };

export const meta: MetaFunction = () => [
  // The address is the key to the booking: never in a search engine.
  { name: "robots", content: "noindex" },
];

export async function loader({ request, params }: LoaderFunctionArgs) {
  const token = params.token ?? "";
  const now = new Date();
  const managed = managedBookingWithRefund(getDb(), token, now);
  if (!managed) throw notFound();
  const { booking, practice } = managed;
  const zone = booking.clientTimezone;
  const base = `/bookings/${token}`;
  const upcoming = booking.status === "confirmed" && booking.endAt > now;
  const done = new URL(request.url).searchParams.get("done");
  return {
    base,
    firstName: booking.clientName.split(" ")[0] ?? booking.clientName,
    status: booking.status,
    statusWord: statusWord(booking.status),
    session: booking.serviceName,
    coach: booking.coachName,
    when: formatSession(booking.startAt, booking.endAt, zone),
    location: booking.location,
    price: formatPrice(booking.priceMinor, booking.currency),
    paid: booking.priceMinor > 0,
    refunded: managed.refundedMinor ? formatPrice(managed.refundedMinor, booking.currency) : null,
    started: booking.startAt <= now,
    calendar: upcoming
      ? {
          ics: `${base}/invite.ics`,
          ...calendarLinks(booking, manageUrlOf(publicUrl(request), token)),
        }
      : null,
    changeUntil: changeDeadline(managed),
    cannotChange: managed.cannotChange,
    refundNow: formatPrice(managed.refundNowMinor, booking.currency),
    policy: describePolicy(managed.policy, { paid: booking.priceMinor > 0 }),
    practice,
    bookAgain: bookAgainPath(booking),
    done: done === "moved" || done === "cancelled" ? done : null,
  };
}

export default function ManageBooking() {
  const view = useLoaderData<typeof loader>();
  return (
    <div className="wizard">
      <h1>
        {view.status === "cancelled"
          ? "Your booking is cancelled"
          : `Your booking, ${view.firstName}`}
      </h1>
      {view.done === "moved" ? (
        <Notice>
          Your session is moved to {view.when}. We have emailed you the updated calendar invite.
        </Notice>
      ) : null}
      {view.done === "cancelled" ? (
        <Notice>
          Your session is cancelled
          {view.refunded
            ? `, and ${view.refunded} is refunded to the card you paid with (it can take a few days to show).`
            : "."}{" "}
          We have emailed you to confirm.
        </Notice>
      ) : null}
      <dl className="summary">
        <SummaryRow term="Session">{view.session}</SummaryRow>
        <SummaryRow term="Coach">{view.coach}</SummaryRow>
        <SummaryRow term="When">{view.when}</SummaryRow>
        {view.location ? (
          <SummaryRow term="Where">
            <Place location={view.location} />
          </SummaryRow>
        ) : null}
        <SummaryRow term="Price">{view.price}</SummaryRow>
        {view.refunded ? <SummaryRow term="Refunded">{view.refunded}</SummaryRow> : null}
        <SummaryRow term="Status">{view.statusWord}</SummaryRow>
      </dl>

      {view.calendar ? <AddToCalendar links={view.calendar} /> : null}

      <section aria-labelledby="change-heading">
        <h2 id="change-heading">Change or cancel</h2>
        {view.changeUntil ? (
          <>
            <p>You can move or cancel this booking yourself until {view.changeUntil}.</p>
            <ul className="action-list" role="list">
              <li>
                <Link to={`${view.base}/reschedule`} className="button">
                  Move to another time
                </Link>
              </li>
              <li>
                <Link to={`${view.base}/cancel`} className="button">
                  Cancel this booking
                </Link>
              </li>
            </ul>
            {view.paid ? <p>If you cancel now, you get {view.refundNow} back.</p> : null}
          </>
        ) : (
          <p>
            <WhyNot view={view} />
          </p>
        )}
        {view.changeUntil
          ? view.policy.map((line) => (
              <p key={line} className="hint">
                {line}
              </p>
            ))
          : null}
      </section>

      <p>
        <Link to={view.bookAgain} className="button button-primary">
          Book again
        </Link>
      </p>
    </div>
  );
}

function WhyNot({ view }: { view: ReturnType<typeof useLoaderData<typeof loader>> }) {
  const contact = view.practice.contactEmail ? (
    <>
      contact {view.practice.name} at{" "}
      <a href={`mailto:${view.practice.contactEmail}`}>{view.practice.contactEmail}</a>
    </>
  ) : (
    <>contact {view.practice.name} directly</>
  );
  if (view.cannotChange === "too_late")
    return view.started ? (
      <>This session has started, so it can no longer be changed here.</>
    ) : (
      <>
        The session is too close to change online: the practice asks for notice. To move or cancel
        it now, {contact}.
      </>
    );
  if (view.status === "cancelled")
    return <>This booking was cancelled; there is nothing to change.</>;
  return (
    <>
      This booking can no longer be changed here ({view.statusWord.toLowerCase()}). For anything
      about it, {contact}.
    </>
  );
}

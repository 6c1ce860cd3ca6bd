/**
 * /book/confirmed: a free session's confirmation, for the browser that booked it (its draft cookie).
 * It says what happens next and offers the manage page's actions: each is a POST that gets this
 * browser a manage link for the booking and follows it (the paid confirmation, /book/return, posts
 * here too).
 */
import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { summariseBooking } from "~/booking/queries.server";
import {
  findManagedBookingOfDraft,
  manageTokenForDraft,
  nextSteps,
} from "~/booking/self-service.server";
import { NextSteps, Place } from "~/components/booking";
import { SummaryRow } from "~/components/wizard";
import { readDraftId } from "~/wizard/draft-cookie.server";
import { getDb } from "~db/database.server";
import type { PageHandle } from "~/components/page-title";

export const handle: PageHandle = { title: "Booking confirmed" };

export async function loader({ request }: LoaderFunctionArgs) {
  const draftId = await readDraftId(request);
  const managed = draftId ? findManagedBookingOfDraft(getDb(), draftId, new Date()) : null;
  if (!managed) throw redirect("/book");
  return {
    ...summariseBooking(managed.booking),
    location: managed.booking.location,
    next: nextSteps(managed),
  };
}

/** Where each button of the confirmation pages leads, under the booking's manage link. */
const DESTINATIONS: Record<string, string> = {
  manage: "",
  reschedule: "/reschedule",
  cancel: "/cancel",
  "invite.ics": "/invite.ics",
};

export async function action({ request }: ActionFunctionArgs) {
  const go = String((await request.formData()).get("go") ?? "manage");
  const draftId = await readDraftId(request);
  const token = draftId ? manageTokenForDraft(getDb(), draftId, new Date()) : null;
  // No booking made by this browser (another browser, or a cookie gone): nothing to manage here.
  if (!token) throw redirect("/book", 303);
  return redirect(`/bookings/${token}${DESTINATIONS[go] ?? ""}`, 303);
}

export default function Confirmed() {
  const booking = useLoaderData<typeof loader>();
  return (
    <div className="wizard">
      <p className="step-indicator">Booked</p>
      <h1>You’re booked in, {booking.name.split(" ")[0]}</h1>
      <dl className="summary">
        <SummaryRow term="Session">{booking.service}</SummaryRow>
        <SummaryRow term="Coach">{booking.coach}</SummaryRow>
        <SummaryRow term="When">{booking.when}</SummaryRow>
        {booking.location ? (
          <SummaryRow term="Where">
            <Place location={booking.location} />
          </SummaryRow>
        ) : null}
        <SummaryRow term="Price">{booking.price}</SummaryRow>
        <SummaryRow term="Email">{booking.email}</SummaryRow>
      </dl>
      <NextSteps steps={booking.next} />
      <p>
        <Link to="/" className="button">
          Back to the home page
        </Link>
      </p>
    </div>
  );
}

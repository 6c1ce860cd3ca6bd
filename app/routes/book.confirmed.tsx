import { redirect, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { findBookingView, summariseBooking } from "~/booking/queries.server";
import { readDraftId } from "~/wizard/draft-cookie.server";
import { SummaryRow } from "~/components/wizard";
import { getDb } from "~db/database.server";

export const meta: MetaFunction = () => [{ title: "Booking confirmed" }];

/** Readable only with the draft cookie that made the booking. */
export async function loader({ request }: LoaderFunctionArgs) {
  const draftId = await readDraftId(request);
  const booking = draftId ? findBookingView(getDb(), { draftId }) : null;
  if (!booking || booking.status !== "confirmed") throw redirect("/book");
  return summariseBooking(booking);
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
        <SummaryRow term="Price">{booking.price}</SummaryRow>
        <SummaryRow term="Email">{booking.email}</SummaryRow>
      </dl>
      <p>
        <Link to="/" className="button">
          Back to the home page
        </Link>
      </p>
    </div>
  );
}

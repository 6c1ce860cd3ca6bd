import { redirect, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { Fragment } from "react";
import { findBooking, findBookingView, summariseBooking } from "~/booking/queries.server";
import { readDraftId } from "~/wizard/draft-cookie.server";
import { SummaryRow } from "~/components/wizard";
import { getDb } from "~db/database.server";

export const meta: MetaFunction = () => [{ title: "Booking confirmed" }];

/** Readable only with the draft cookie that made the booking. */
export async function loader({ request }: LoaderFunctionArgs) {
  const db = getDb();
  const draftId = await readDraftId(request);
  const booking = draftId ? findBookingView(db, { draftId }) : null;
  if (!booking || booking.status !== "confirmed") throw redirect("/book");
  // Where it takes place, as fixed when booked (a room of its own, the coach's link, an address).
  return { ...summariseBooking(booking), location: findBooking(db, booking.id)?.location ?? null };
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
      <p>
        <Link to="/" className="button">
          Back to the home page
        </Link>
      </p>
    </div>
  );
}

/** A booking's place: a link to its video room, or the address line by line. */
function Place({ location }: { location: string }) {
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

import { data, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { findBookingBySession } from "~/booking/queries.server";
import { findManagedBookingOfDraft, nextSteps } from "~/booking/self-service.server";
import { NextSteps, Place } from "~/components/booking";
import { SummaryRow } from "~/components/wizard";
import { publicUrl } from "~/http/public-url.server";
import { describeReturn, type ReturnDetails, type ReturnView } from "~/payments/return-page.server";
import { getStripe } from "~/lib/stripe.server";
import { readDraftId } from "~/wizard/draft-cookie.server";
import { getDb } from "~db/database.server";

/** While a delayed payment settles, the page reloads itself: no JavaScript needed. */
const PROCESSING_REFRESH_SECONDS = 5;

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: data ? TITLES[data.state] : "Your booking" },
  ...(data?.state === "processing" || data?.state === "unavailable"
    ? [{ httpEquiv: "refresh", content: String(PROCESSING_REFRESH_SECONDS) } as const]
    : []),
];

const STATUS: Record<ReturnView["state"], number> = {
  confirmed: 200,
  processing: 200,
  refunded: 200,
  failed: 200,
  not_paid: 200,
  problem: 200,
  unknown: 404,
  invalid: 400,
  unavailable: 503,
};

const TITLES: Record<ReturnView["state"], string> = {
  confirmed: "Booking confirmed",
  processing: "Payment processing",
  refunded: "That time was just taken: you have been refunded",
  failed: "Your payment didn’t go through",
  not_paid: "Payment not completed",
  problem: "We need to check your payment",
  unknown: "We couldn’t find that payment",
  invalid: "That link doesn’t look right",
  unavailable: "Checking your payment…",
};

export async function loader({ request }: LoaderFunctionArgs) {
  const db = getDb();
  const sessionId = new URL(request.url).searchParams.get("session_id");
  const viewerDraftId = await readDraftId(request);
  const view = await describeReturn(db, getStripe(), sessionId, {
    appUrl: publicUrl(request),
    viewerDraftId,
  });
  // Where it takes place and what comes next, only with the rest of the details (to the browser
  // that booked).
  const shown = "details" in view && view.details !== null && sessionId !== null;
  const location = shown ? (findBookingBySession(db, sessionId)?.location ?? null) : null;
  const managed =
    shown && view.state === "confirmed" && viewerDraftId
      ? findManagedBookingOfDraft(db, viewerDraftId, new Date())
      : null;
  return data(
    { ...view, sessionId, location, next: managed ? nextSteps(managed) : null },
    { status: STATUS[view.state], headers: { "Cache-Control": "no-store" } },
  );
}

export default function ReturnPage() {
  const view = useLoaderData<typeof loader>();
  return (
    <div className="wizard">
      <h1>{TITLES[view.state]}</h1>
      {"details" in view ? (
        view.details ? (
          <Details
            view={{ ...view, details: view.details }}
            location={view.location}
            next={view.next}
          />
        ) : (
          <ForSomeoneElse state={view.state} />
        )
      ) : (
        <Explanation state={view.state} />
      )}
    </div>
  );
}

/** The link opened in a browser that did not make the booking: no personal data, just the state. */
function ForSomeoneElse({ state }: { state: "confirmed" | "processing" }) {
  return (
    <>
      <p>
        {state === "confirmed"
          ? "This booking is confirmed. The details are in the confirmation email."
          : "The payment for this booking is on its way. An email will confirm the booking."}
      </p>
      <p>
        <Link to="/" className="button">
          Back to the home page
        </Link>
      </p>
    </>
  );
}

function Details({
  view,
  location,
  next,
}: {
  view: { state: "confirmed" | "processing"; details: ReturnDetails; sessionId: string | null };
  location: string | null;
  next: ReturnType<typeof nextSteps> | null;
}) {
  const { details } = view;
  return (
    <>
      {view.state === "confirmed" ? (
        <p>
          Thank you{details.name ? `, ${details.name.split(" ")[0]}` : ""}. Your payment went
          through and your session is booked.
        </p>
      ) : (
        <p role="status">
          Your payment is on its way. This page checks again every {PROCESSING_REFRESH_SECONDS}{" "}
          seconds; your time is kept for you meanwhile.
        </p>
      )}
      <dl className="summary">
        {details.service ? <SummaryRow term="Session">{details.service}</SummaryRow> : null}
        {details.coach ? <SummaryRow term="Coach">{details.coach}</SummaryRow> : null}
        {details.when ? <SummaryRow term="When">{details.when}</SummaryRow> : null}
        {location ? (
          <SummaryRow term="Where">
            <Place location={location} />
          </SummaryRow>
        ) : null}
        {details.price ? (
          <SummaryRow term={view.state === "confirmed" ? "Paid" : "Price"}>
            {details.price}
          </SummaryRow>
        ) : null}
        {details.email ? <SummaryRow term="Email">{details.email}</SummaryRow> : null}
      </dl>
      {view.state === "processing" ? (
        <p>
          <a href={`/book/return?session_id=${encodeURIComponent(view.sessionId ?? "")}`}>
            Check now
          </a>
        </p>
      ) : (
        <>
          {next ? <NextSteps steps={next} /> : null}
          <p>
            <Link to="/" className="button">
              Back to the home page
            </Link>
          </p>
        </>
      )}
    </>
  );
}

function Explanation({ state }: { state: ReturnView["state"] }) {
  const text: Record<string, string> = {
    refunded:
      "Your payment arrived after that time had gone to someone else. We’ve refunded you in full and emailed you. Please pick another time.",
    failed:
      "Nothing was charged. You can try again; your details are kept if you use this browser.",
    not_paid: "Nothing was charged. You can go back and pay when you’re ready.",
    problem:
      "Your payment needs a quick check by the practice before the booking is confirmed. We’ll be in touch by email.",
    unknown: "Nothing here matches that payment. If you were charged, please contact the practice.",
    invalid: "The address is incomplete. If you were paying, go back to your booking.",
    unavailable:
      "We couldn’t reach the payment provider to check. This page will try again in a few seconds.",
  };
  const next =
    state === "refunded"
      ? { to: "/book/time", label: "Pick another time" }
      : { to: "/book/review", label: "Back to your booking" };
  return (
    <>
      <p>{text[state]}</p>
      {state === "unavailable" ? null : (
        <p>
          <Link to={next.to} className="button button-primary">
            {next.label}
          </Link>
        </p>
      )}
    </>
  );
}

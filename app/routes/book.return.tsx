import { data, type LoaderFunctionArgs } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import type { ReactNode } from "react";
import { findBookingBySession } from "~/booking/queries.server";
import { findManagedBookingOfDraft, nextSteps } from "~/booking/self-service.server";
import { NextSteps, Place } from "~/components/booking";
import {
  CheckAgain,
  RecheckNote,
  StatusAnnouncer,
  useRecheckWhile,
} from "~/components/payment-status";
import { SummaryRow } from "~/components/wizard";
import { publicUrl } from "~/http/public-url.server";
import { describeReturn, type ReturnDetails, type ReturnView } from "~/payments/return-page.server";
import { getStripe } from "~/lib/stripe.server";
import { readDraftId } from "~/wizard/draft-cookie.server";
import { getDb } from "~db/database.server";
import type { PageHandle } from "~/components/page-title";

const RETURN_PATH = "/book/return";

/** States that may still change by themselves: the page checks again while it shows one. */
const PENDING: ReadonlySet<ReturnView["state"]> = new Set(["processing", "unavailable"]);

/** No meta refresh while a payment settles: see app/components/payment-status.tsx for why. */
export const handle: PageHandle<{ state: ReturnView["state"] }> = {
  title: (data) => (data ? TITLES[data.state] : "Your booking"),
};

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
  // Nothing checks by itself with JavaScript off: the heading must not say it is checking.
  unavailable: "We couldn’t check your payment yet",
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
  const pending = PENDING.has(view.state) && view.sessionId !== null;
  const recheck = useRecheckWhile(pending);
  const checkAgain = pending ? (
    <>
      <CheckAgain action={RETURN_PATH} sessionId={view.sessionId!} />
      <RecheckNote recheck={recheck} />
    </>
  ) : null;
  return (
    <div className="wizard">
      <h1>{TITLES[view.state]}</h1>
      <StatusAnnouncer state={view.state} announce={(state) => TITLES[state]} recheck={recheck} />
      {"details" in view ? (
        view.details ? (
          <Details
            view={{ ...view, details: view.details }}
            location={view.location}
            next={view.next}
            checkAgain={checkAgain}
          />
        ) : (
          <ForSomeoneElse state={view.state} checkAgain={checkAgain} />
        )
      ) : (
        <Explanation state={view.state} checkAgain={checkAgain} />
      )}
    </div>
  );
}

/** The link opened in a browser that did not make the booking: no personal data, just the state. */
function ForSomeoneElse({
  state,
  checkAgain,
}: {
  state: "confirmed" | "processing";
  checkAgain: ReactNode;
}) {
  return (
    <>
      <p>
        {state === "confirmed"
          ? "This booking is confirmed. The details are in the confirmation email."
          : "The payment for this booking is on its way. An email will confirm the booking once it arrives, so you can close this page."}
      </p>
      {checkAgain}
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
  checkAgain,
}: {
  view: { state: "confirmed" | "processing"; details: ReturnDetails };
  location: string | null;
  next: ReturnType<typeof nextSteps> | null;
  checkAgain: ReactNode;
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
        <p>
          Your payment is on its way, and your time is kept for you meanwhile. We’ll email you as
          soon as the payment is confirmed, so you can close this page.
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
        checkAgain
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

function Explanation({ state, checkAgain }: { state: ReturnView["state"]; checkAgain: ReactNode }) {
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
      "The payment provider didn’t answer just now. If your payment went through, we’ll email you as soon as it’s confirmed, so you can close this page; or check again in a moment.",
  };
  const next =
    state === "refunded"
      ? { to: "/book/time", label: "Pick another time" }
      : { to: "/book/review", label: "Back to your booking" };
  return (
    <>
      <p>{text[state]}</p>
      {state === "unavailable" ? (
        checkAgain
      ) : (
        <p>
          <Link to={next.to} className="button button-primary">
            {next.label}
          </Link>
        </p>
      )}
    </>
  );
}

import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { allows } from "~/booking/lifecycle.server";
import { findBooking } from "~/booking/queries.server";
import {
  cancelBooking,
  markBooking,
  newRequestKey,
  readBookingAction,
  refundBooking,
  type RefundChoice,
} from "~/coach/actions.server";
import { findBookingFor, viewerZone } from "~/coach/bookings.server";
import { refundable } from "~/payments/cancellation.server";
import { Done, StatusBadge, statusWord } from "~/components/coach";
import { FieldError, Notice, SubmitButton, SummaryRow } from "~/components/wizard";
import { forbidden, notFound, requireUser } from "~/http/auth.server";
import { publicUrl } from "~/http/public-url.server";
import { formatPrice } from "~/lib/format";
import { getStripe } from "~/lib/stripe.server";
import { formatDay, formatSession, formatTime } from "~/lib/time-format";
import { getDb } from "~db/database.server";
import type { PageHandle } from "~/components/page-title";

export const handle: PageHandle<{ booking: { client: string } }> = {
  title: (data) => (data ? `${data.booking.client} · Booking` : "Booking"),
};

/** The actions a booking page offers, each confirmed on its own step (`?do=<action>`). */
const ACTIONS = {
  cancel: "Cancel the booking",
  refund: "Refund",
  complete: "Mark as completed",
  no_show: "Mark as a no-show",
  resolve: "Mark as handled",
} as const;
type Action = keyof typeof ACTIONS;

const DONE: Record<Action, string> = {
  cancel: "The booking is cancelled and the client has been emailed.",
  refund: "The refund is made and the client has been emailed.",
  complete: "Marked as completed.",
  no_show: "Marked as a no-show.",
  resolve: "Marked as handled.",
};

/** The booking this user may act on; a 404 or 403 response otherwise. */
async function guardedBooking(request: Request, id: string | undefined) {
  const user = await requireUser(request);
  const story = findBookingFor(getDb(), user, id ?? "");
  if ("refused" in story) throw story.refused === "not_found" ? notFound() : forbidden();
  return { user, story: story.found };
}

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { user, story } = await guardedBooking(request, params.id);
  const db = getDb();
  const zone = viewerZone(db, user);
  const { booking } = story;
  const now = new Date();
  const left = refundable(db, findBooking(db, booking.id)!);
  const started = booking.startAt <= now;
  const offered: Record<Action, boolean> = {
    cancel: allows("cancel", booking.status),
    refund: left > 0 && allows("recordPartialRefund", booking.status),
    complete: started && allows("complete", booking.status),
    no_show: started && allows("markNoShow", booking.status),
    resolve: booking.needsAttention !== null,
  };
  const asked = new URL(request.url).searchParams;
  const confirming = (asked.get("do") ?? "") as Action;
  return {
    booking: {
      id: booking.id,
      status: booking.status,
      statusReason: booking.statusReason,
      needsAttention: booking.needsAttention,
      when: formatSession(booking.startAt, booking.endAt, zone),
      clientWhen:
        booking.clientTimezone === zone
          ? null
          : formatSession(booking.startAt, booking.endAt, booking.clientTimezone),
      client: booking.clientName,
      email: booking.clientEmail,
      notes: booking.clientNotes,
      location: booking.location,
      answers: booking.intakeAnswers
        ? (JSON.parse(booking.intakeAnswers) as {
            question: string;
            kind: string;
            answer: string;
          }[])
        : [],
      service: booking.serviceName,
      coach: booking.coachName,
      price: formatPrice(booking.priceMinor, booking.currency),
      paid: booking.paymentIntentId !== null,
      checkoutSessionId: booking.checkoutSessionId,
      paymentIntentId: booking.paymentIntentId,
      refundable: left > 0 ? formatPrice(left, booking.currency) : null,
    },
    refunds: story.refunds.map((refund) => ({
      id: refund.id,
      amount: formatPrice(refund.amountMinor, refund.currency),
      when: `${formatDay(refund.createdAt, zone)}, ${formatTime(refund.createdAt, zone)}`,
      source: refund.source === "kairos" ? "Kairos" : "Stripe’s dashboard",
      reason: refund.reason,
    })),
    history: story.history.map((event) => ({
      id: event.id,
      when: `${formatDay(event.at, zone)}, ${formatTime(event.at, zone)}`,
      change:
        event.fromStatus === null
          ? `Created as ${statusWord(event.toStatus).toLowerCase()}`
          : event.fromStatus === event.toStatus
            ? statusWord(event.toStatus)
            : `${statusWord(event.fromStatus)} → ${statusWord(event.toStatus)}`,
      actor: event.actor,
      reason: event.reason,
    })),
    offered,
    confirming: confirming in ACTIONS && offered[confirming] ? confirming : null,
    // One key per confirmation form: submitting it twice makes one refund.
    requestKey: newRequestKey(),
    done: (asked.get("done") ?? "") in DONE ? DONE[asked.get("done") as Action] : null,
  };
}

export async function action({ request, params }: ActionFunctionArgs) {
  const { user } = await guardedBooking(request, params.id);
  const db = getDb();
  const form = Object.fromEntries(await request.formData());
  const parsed = readBookingAction(form);
  if (!parsed.success) {
    return data({ message: null, fieldErrors: parsed.errors, values: form }, { status: 400 });
  }
  const booking = findBooking(db, params.id!)!;
  const context = { actor: user, now: new Date(), appUrl: publicUrl(request) };
  const input = parsed.data;
  const outcome =
    input.intent === "cancel" || input.intent === "refund"
      ? await (input.intent === "cancel" ? cancelBooking : refundBooking)(
          db,
          getStripe(),
          booking,
          { choice: refundChoice(input.refund, input.amount), requestKey: input.key },
          context,
        )
      : markBooking(
          db,
          booking,
          ({ complete: "complete", no_show: "markNoShow", resolve: "resolveAttention" } as const)[
            input.intent
          ],
          context,
        );
  if (!outcome.ok) {
    const fieldErrors = outcome.field ? { [outcome.field]: [outcome.message] } : {};
    return data(
      { message: outcome.field ? null : outcome.message, fieldErrors, values: form },
      { status: outcome.status },
    );
  }
  return redirect(`/coach/bookings/${booking.id}?done=${input.intent}`, 303);
}

function refundChoice(kind: "full" | "partial" | "none", amountText = ""): RefundChoice {
  return kind === "partial" ? { kind, amount: amountText } : { kind };
}

export default function BookingPage() {
  const { booking, refunds, history, offered, confirming, requestKey, done } =
    useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  return (
    <div className="coach-page">
      <p className="back-link">
        <Link to="/coach">← Bookings</Link>
      </p>
      <h1>
        {booking.client} <StatusBadge status={booking.status} />
      </h1>
      {done ? <Done>{done}</Done> : null}
      {result?.message ? <Notice tone="error">{result.message}</Notice> : null}
      {booking.needsAttention ? (
        <div className="notice notice-attention">
          <strong>Needs attention:</strong> {booking.needsAttention}
        </div>
      ) : null}

      <dl className="summary">
        <SummaryRow term="Session">{booking.service}</SummaryRow>
        <SummaryRow term="Coach">{booking.coach}</SummaryRow>
        <SummaryRow term="When">
          {booking.when}
          {booking.clientWhen ? (
            <>
              <br />
              <span className="cell-note">For the client: {booking.clientWhen}</span>
            </>
          ) : null}
        </SummaryRow>
        <SummaryRow term="Client">
          {booking.client}
          <br />
          <a href={`mailto:${booking.email}`}>{booking.email}</a>
        </SummaryRow>
        <SummaryRow term="Notes">{booking.notes || "None"}</SummaryRow>
        {booking.location ? (
          <SummaryRow term="Where">
            {/^https:\/\//.test(booking.location) ? (
              <a href={booking.location}>{booking.location}</a>
            ) : (
              booking.location
            )}
          </SummaryRow>
        ) : null}
        {booking.answers.map((answer) => (
          <SummaryRow key={answer.question} term={answer.question}>
            {answer.kind === "consent" ? "Agreed" : answer.answer}
          </SummaryRow>
        ))}
      </dl>

      <h2>Payment</h2>
      <dl className="summary">
        <SummaryRow term="Price">{booking.price}</SummaryRow>
        <SummaryRow term="Paid">{booking.paid ? "Yes, through Stripe" : "No payment"}</SummaryRow>
        {booking.checkoutSessionId ? (
          <SummaryRow term="Checkout Session">
            <code>{booking.checkoutSessionId}</code>
          </SummaryRow>
        ) : null}
        {booking.paymentIntentId ? (
          <SummaryRow term="PaymentIntent">
            <code>{booking.paymentIntentId}</code>
          </SummaryRow>
        ) : null}
        {booking.refundable ? (
          <SummaryRow term="Can still be refunded">{booking.refundable}</SummaryRow>
        ) : null}
      </dl>
      {refunds.length ? (
        <div className="table-scroll">
          <table className="bookings">
            <caption>Refunds</caption>
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Amount</th>
                <th scope="col">Made in</th>
                <th scope="col">Refund</th>
              </tr>
            </thead>
            <tbody>
              {refunds.map((refund) => (
                <tr key={refund.id}>
                  <td>{refund.when}</td>
                  <td>{refund.amount}</td>
                  <td>{refund.source}</td>
                  <td>
                    <code>{refund.id}</code>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}

      <h2>What you can do</h2>
      {confirming ? (
        <Confirm
          action={confirming}
          requestKey={requestKey}
          booking={booking}
          result={result ?? null}
        />
      ) : (
        <ul role="list" className="action-list">
          {(Object.keys(ACTIONS) as Action[])
            .filter((name) => offered[name])
            .map((name) => (
              <li key={name}>
                <Link to={`?do=${name}`} className="button">
                  {ACTIONS[name]}…
                </Link>
              </li>
            ))}
          {!Object.values(offered).some(Boolean) ? (
            <li>Nothing: the booking’s status leaves nothing to do.</li>
          ) : null}
        </ul>
      )}

      <h2>History</h2>
      <ol className="history">
        {history.map((event) => (
          <li key={event.id}>
            <span className="cell-day">{event.when}</span> {event.change}{" "}
            <span className="cell-note">
              by {event.actor}
              {event.reason ? `: ${event.reason}` : ""}
            </span>
          </li>
        ))}
      </ol>
    </div>
  );
}

type ActionResult = {
  message: string | null;
  fieldErrors: Record<string, string[] | undefined>;
  values: Record<string, unknown>;
};

/** The confirmation step of an action: what will happen, and the button that does it. */
function Confirm({
  action,
  requestKey,
  booking,
  result,
}: {
  action: Action;
  requestKey: string;
  booking: { price: string; paid: boolean; refundable: string | null };
  result: ActionResult | null;
}) {
  const errors = result?.fieldErrors ?? {};
  const typed = (name: string) => String(result?.values[name] ?? "");
  const withMoney = (action === "cancel" || action === "refund") && booking.refundable;
  const choices =
    action === "cancel"
      ? [
          ["full", `Refund everything left (${booking.refundable})`],
          ["partial", "Refund part of it"],
          ["none", "No refund"],
        ]
      : [
          ["full", `Refund everything left (${booking.refundable})`],
          ["partial", "Refund part of it"],
        ];
  return (
    <Form method="post" className="confirm" noValidate>
      <h3>{ACTIONS[action]}?</h3>
      <input type="hidden" name="intent" value={action} />
      {action === "cancel" || action === "refund" ? (
        <input type="hidden" name="key" value={typed("key") || requestKey} />
      ) : null}
      {action === "cancel" && !withMoney ? (
        <input type="hidden" name="refund" value="none" />
      ) : null}
      {withMoney ? (
        <fieldset aria-describedby="refund-error">
          <legend>How much to refund</legend>
          {choices.map(([value, label]) => (
            <label key={value} className="choice-inline">
              <input
                type="radio"
                name="refund"
                value={value}
                defaultChecked={(typed("refund") || "full") === value}
              />{" "}
              {label}
            </label>
          ))}
          <FieldError id="refund-error" errors={errors.refund} />
          <div className="field">
            <label htmlFor="amount">Amount to refund, if part</label>
            <input
              id="amount"
              name="amount"
              inputMode="decimal"
              placeholder="22.50"
              defaultValue={typed("amount")}
              aria-describedby="amount-error"
              aria-invalid={errors.amount ? true : undefined}
            />
            <FieldError id="amount-error" errors={errors.amount} />
          </div>
        </fieldset>
      ) : null}
      <p>
        {action === "cancel"
          ? "The client is emailed that the session is cancelled, with any refund."
          : action === "refund"
            ? "The money goes back to the client’s card through Stripe, and they are emailed."
            : "This is recorded in the booking’s history."}
      </p>
      <div className="button-row">
        <SubmitButton pendingText="Working…">{ACTIONS[action]}</SubmitButton>
        <Link to="." className="button">
          Go back
        </Link>
      </div>
    </Form>
  );
}

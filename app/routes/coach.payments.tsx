/**
 * /coach/payments (the owner only): Stripe's Checkout Sessions and refunds of a period held against
 * the bookings (app/coach/reconcile.server.ts), what disagrees grouped by kind with a Repair button
 * where repairing can help, and a plain "they agree" when nothing does. Plain forms: the period is a
 * GET, a repair a POST answered 303 back to the same period with what changed.
 */
import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import {
  describeChecked,
  describeRepair,
  FINDING_KINDS,
  isStripeFailure,
  KIND_TITLES,
  practiceZone,
  readPeriod,
  readFindingRef,
  reconcile,
  repair,
  REPAIR_OUTCOMES,
  type Finding,
  type FindingKind,
  type Money,
  type PeriodErrors,
  type Reconciliation,
} from "~/coach/reconcile.server";
import { FieldError, Notice, SubmitButton } from "~/components/wizard";
import { requireOwner } from "~/http/auth.server";
import { publicUrl } from "~/http/public-url.server";
import { formatPrice } from "~/lib/format";
import { log } from "~/lib/log.server";
import { getStripe } from "~/lib/stripe.server";
import { zoneLabel } from "~/lib/time-format";
import { getDb } from "~db/database.server";
import type { PageHandle } from "~/components/page-title";

export const handle: PageHandle = { title: "Payments · Coach area" };

const PATH = "/coach/payments";

const EXPLANATIONS: Record<FindingKind, string> = {
  paid_without_booking:
    "Stripe took the money, but the booking is missing or not confirmed: a lost webhook, or a client who never came back from paying.",
  amount_mismatch: "Stripe took a different amount or currency than the booking’s price.",
  booking_without_payment:
    "Bookings confirmed here for which Stripe has no payment (by when they were booked).",
  refund_not_recorded:
    "Refunds made in Stripe (in its dashboard, say) that the bookings’ histories don’t show.",
};

const bookingIdPattern = /^[\w-]{1,64}$/;

type PageData = {
  values: { from: string; to: string };
  errors: PeriodErrors;
  zoneName: string;
  done: { message: string; bookingId: string | null } | null;
  report: ReturnType<typeof reportView> | null;
  unreachable: boolean;
};

export async function loader({ request }: LoaderFunctionArgs) {
  await requireOwner(request);
  const db = getDb();
  const url = new URL(request.url);
  const zone = practiceZone(db);
  const values = { from: url.searchParams.get("from") ?? "", to: url.searchParams.get("to") ?? "" };
  const page = { zoneName: zoneLabel(zone), done: repairDone(url), errors: {}, report: null };
  const read = readPeriod(values, { zone, now: new Date() });
  if (!read.ok) {
    const invalid: PageData = { ...page, values, errors: read.errors, unreachable: false };
    return data(invalid, { status: 400 });
  }
  const shown = { from: read.period.fromDay, to: read.period.toDay };
  try {
    const report = await reconcile(db, getStripe(), read.period);
    const body: PageData = {
      ...page,
      values: shown,
      report: reportView(report),
      unreachable: false,
    };
    return data(body);
  } catch (error) {
    if (!isStripeFailure(error)) throw error;
    log.error({ err: error }, "Reconciliation could not read Stripe");
    return data({ ...page, values: shown, unreachable: true } satisfies PageData, { status: 502 });
  }
}

/** What the repair that sent the browser here did, from the outcome code in the address. */
function repairDone(url: URL): PageData["done"] {
  const outcome = REPAIR_OUTCOMES.find((o) => o === url.searchParams.get("repaired"));
  if (!outcome) return null;
  const bookingId = url.searchParams.get("booking");
  return {
    message: describeRepair(outcome),
    bookingId: bookingId && bookingIdPattern.test(bookingId) ? bookingId : null,
  };
}

const price = ({ amountMinor, currency }: Money) => formatPrice(amountMinor, currency);

/** What the page shows of a report: findings grouped by kind, amounts as text. */
function reportView(report: Reconciliation) {
  return {
    ...describeChecked(report),
    groups: FINDING_KINDS.map((kind) => ({
      kind,
      title: KIND_TITLES[kind],
      explanation: EXPLANATIONS[kind],
      findings: report.findings.filter((f) => f.kind === kind).map(findingView),
    })).filter((group) => group.findings.length > 0),
  };
}

function findingView(finding: Finding) {
  return {
    kind: finding.kind,
    id: finding.id,
    bookingId: finding.bookingId,
    stripeId: finding.kind === "refund_not_recorded" ? finding.refundId : finding.sessionId,
    amounts: amountsOf(finding),
    summary: finding.summary,
    repairable: finding.repairable,
    advice: finding.advice,
  };
}

function amountsOf(finding: Finding): string[] {
  switch (finding.kind) {
    case "paid_without_booking":
      return [`Paid ${price(finding.paid)}`];
    case "amount_mismatch":
      return [`Paid ${price(finding.paid)}`, `Booked ${price(finding.booked)}`];
    case "booking_without_payment":
      return [`Booked ${price(finding.booked)}`];
    case "refund_not_recorded":
      return [`Refunded ${price(finding.refunded)}`];
  }
}

export async function action({ request }: ActionFunctionArgs) {
  await requireOwner(request);
  const db = getDb();
  const form = await request.formData();
  const field = (name: string) => {
    const value = form.get(name);
    return typeof value === "string" ? value : undefined;
  };
  // Which finding, and nothing more: amounts and states are read again from Stripe.
  const finding = readFindingRef({ kind: field("kind"), id: field("id") });
  if (!finding)
    return data(
      { error: "That is not a finding this page can repair. Check the period again." },
      { status: 400 },
    );
  try {
    const repaired = await repair(db, getStripe(), finding, { appUrl: publicUrl(request) });
    const period = readPeriod(
      { from: field("from"), to: field("to") },
      { zone: practiceZone(db), now: new Date() },
    );
    const back = new URLSearchParams(
      period.ok ? { from: period.period.fromDay, to: period.period.toDay } : {},
    );
    back.set("repaired", repaired.outcome);
    if (repaired.bookingId) back.set("booking", repaired.bookingId);
    return redirect(`${PATH}?${back}`, 303);
  } catch (error) {
    if (!isStripeFailure(error)) throw error;
    log.error({ err: error, kind: finding.kind }, "A reconciliation repair failed at Stripe");
    return data(
      { error: `Stripe could not be asked, so nothing has changed: ${error.message}` },
      { status: 502 },
    );
  }
}

export default function Payments() {
  const { values, errors, zoneName, done, report, unreachable } = useLoaderData<typeof loader>();
  const failed = useActionData<typeof action>();
  const here = `${PATH}?${new URLSearchParams(values)}`;
  return (
    <div className="coach-page">
      <h1>Payments</h1>
      <p>
        What Stripe says about the money of a period (its Checkout Sessions and refunds), checked
        against the bookings.
      </p>
      {done ? (
        <Notice>
          {done.message}{" "}
          {done.bookingId ? (
            <Link to={`/coach/bookings/${done.bookingId}`}>Open booking {done.bookingId}</Link>
          ) : null}
        </Notice>
      ) : null}
      {failed?.error ? <Notice tone="error">{failed.error}</Notice> : null}
      <PeriodForm values={values} errors={errors} zoneName={zoneName} />
      {unreachable ? (
        <Notice tone="error">
          Stripe could not be reached, so nothing could be compared. Try again in a minute.
        </Notice>
      ) : null}
      {report ? (
        <section aria-labelledby="report-heading">
          <h2 id="report-heading">
            From {values.from} to {values.to}
          </h2>
          <p>{report.checked}</p>
          {report.notKairos ? <p className="hint">{report.notKairos}</p> : null}
          {report.groups.length === 0 ? (
            <Notice>Stripe and the bookings agree for this period.</Notice>
          ) : (
            report.groups.map((group) => (
              <FindingGroup key={group.kind} group={group} action={here} values={values} />
            ))
          )}
        </section>
      ) : null}
    </div>
  );
}

function PeriodForm({
  values,
  errors,
  zoneName,
}: {
  values: { from: string; to: string };
  errors: PeriodErrors;
  zoneName: string;
}) {
  return (
    <Form method="get" action={PATH} noValidate>
      <fieldset>
        <legend>Period (both days included, {zoneName})</legend>
        {(["from", "to"] as const).map((name) => (
          <div className="field" key={name}>
            <label htmlFor={name}>{name === "from" ? "From" : "To"}</label>
            <input
              id={name}
              name={name}
              type="date"
              defaultValue={values[name]}
              aria-describedby={`${name}-error`}
              aria-invalid={errors[name] ? true : undefined}
            />
            <FieldError id={`${name}-error`} errors={errors[name]} />
          </div>
        ))}
      </fieldset>
      <button type="submit" className="button">
        Check
      </button>
    </Form>
  );
}

type Group = NonNullable<PageData["report"]>["groups"][number];

function FindingGroup({
  group,
  action,
  values,
}: {
  group: Group;
  action: string;
  values: { from: string; to: string };
}) {
  const headingId = `${group.kind}-heading`;
  return (
    <section aria-labelledby={headingId}>
      <h3 id={headingId}>
        {group.title} ({group.findings.length})
      </h3>
      <p className="hint">{group.explanation}</p>
      <div className="table-scroll">
        <table>
          <caption className="visually-hidden">{group.title}</caption>
          <thead>
            <tr>
              <th scope="col">Booking</th>
              <th scope="col">In Stripe</th>
              <th scope="col">Amounts</th>
              <th scope="col">What disagrees</th>
              <th scope="col">Repair</th>
            </tr>
          </thead>
          <tbody>
            {group.findings.map((finding) => (
              <tr key={finding.id}>
                <td>
                  {finding.bookingId ? (
                    <Link to={`/coach/bookings/${finding.bookingId}`}>{finding.bookingId}</Link>
                  ) : (
                    "None"
                  )}
                </td>
                <td>
                  <code>{finding.stripeId ?? "None"}</code>
                </td>
                <td>
                  {finding.amounts.map((amount) => (
                    <span key={amount} className="cell-note">
                      {amount}
                    </span>
                  ))}
                </td>
                <td>
                  {finding.summary}
                  <span className="cell-note">{finding.advice}</span>
                </td>
                <td>
                  {finding.repairable ? (
                    <Form method="post" action={action}>
                      <input type="hidden" name="kind" value={finding.kind} />
                      <input type="hidden" name="from" value={values.from} />
                      <input type="hidden" name="to" value={values.to} />
                      {/* The button carries the id: only the pressed one says it is working. */}
                      <SubmitButton
                        name="id"
                        value={finding.id}
                        pendingText="Repairing…"
                        primary={false}
                      >
                        Repair
                        <span className="visually-hidden">
                          {" "}
                          {finding.bookingId ? `booking ${finding.bookingId}` : finding.stripeId}
                        </span>
                      </SubmitButton>
                    </Form>
                  ) : (
                    "By hand"
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

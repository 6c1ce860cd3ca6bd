/**
 * Reconciliation: what Stripe says about the money of a period held against what the bookings say.
 * Webhooks can be lost and a person can refund in Stripe's dashboard, so the owner (on
 * /coach/payments) and an operator (`npm run reconcile`, exit code 1 on any disagreement) need one
 * place that lists the Checkout Sessions and refunds through the API and finds:
 *
 * - `paid_without_booking`: a paid session whose booking is missing or not settled (confirmed,
 *   completed, no-show, cancelled or refunded);
 * - `amount_mismatch`: a paid session whose amount or currency is not its booking's;
 * - `booking_without_payment`: a priced booking confirmed (or completed, or a no-show) whose
 *   session Stripe does not know or does not call paid;
 * - `refund_not_recorded`: a refund of a Kairos payment that is not in our `refunds` table.
 *
 * Sessions and refunds count when Stripe created them in the period; bookings when Kairos did. Only
 * Kairos's own are checked: a session carrying a booking id (every session Kairos makes does) and a
 * refund of a payment that belongs to a booking (by its PaymentIntent, or the booking id Kairos puts
 * in every PaymentIntent's metadata). A Stripe account may also sell other things; reporting their
 * sessions and refunds would make the report disagree forever, with nothing here to record them
 * against. They are counted, not judged.
 *
 * `repair` never trusts what a form carried beyond an id: it runs the same `fulfil` the webhook
 * runs (which re-reads the session from Stripe) or records the refund as Stripe reports it.
 */
import { and, asc, gt, gte, inArray, lt } from "drizzle-orm";
import { DateTime } from "luxon";
import Stripe from "stripe";
import * as z from "zod";
import * as lifecycle from "~/booking/lifecycle.server";
import {
  findBooking,
  findBookingByPaymentIntent,
  findBookingBySession,
  type Booking,
} from "~/booking/queries.server";
import { formatPrice } from "~/lib/format";
import { fulfil, recordStripeRefund } from "~/payments/fulfil.server";
import { knownRefundIds, refundsOf } from "~/payments/refunds.server";
import type { Db, DbOrTx } from "~db/database.server";
import { bookings, coaches, type BookingStatus } from "~db/schema";

type Reader = Pick<DbOrTx, "select">;

// ---- The period -----------------------------------------------------------------------------

/** Instants `[from, to)`, with the days (in `zone`) they were chosen as. */
export type Period = { from: Date; to: Date; fromDay: string; toDay: string; zone: string };

export const DEFAULT_PERIOD_DAYS = 30;
export const MAX_PERIOD_DAYS = 366;

const day = z
  .string()
  // A malformed date is not also said not to exist.
  .regex(/^\d{4}-\d{2}-\d{2}$/, { message: "Enter a date like 2027-03-15.", abort: true })
  .refine((text) => DateTime.fromISO(text).isValid, "That date does not exist.");
const periodSchema = z.object({ from: day.optional(), to: day.optional() });

export type PeriodErrors = { from?: string[]; to?: string[] };

/**
 * The period of two dates (`YYYY-MM-DD`, both days included, read in `zone`). A missing `to` is
 * today; a missing `from` makes the period the 30 days up to `to`.
 */
export function readPeriod(
  input: { from?: string | null; to?: string | null },
  { zone, now }: { zone: string; now: Date },
): { ok: true; period: Period } | { ok: false; errors: PeriodErrors } {
  const parsed = periodSchema.safeParse({
    from: input.from?.trim() || undefined,
    to: input.to?.trim() || undefined,
  });
  if (!parsed.success) return { ok: false, errors: z.flattenError(parsed.error).fieldErrors };
  const today = DateTime.fromJSDate(now, { zone }).startOf("day");
  const last = parsed.data.to ? DateTime.fromISO(parsed.data.to, { zone }) : today;
  const first = parsed.data.from
    ? DateTime.fromISO(parsed.data.from, { zone })
    : last.minus({ days: DEFAULT_PERIOD_DAYS - 1 });
  if (first > last)
    return { ok: false, errors: { to: ["The end date must not be before the start date."] } };
  if (Math.round(last.diff(first, "days").days) + 1 > MAX_PERIOD_DAYS)
    return { ok: false, errors: { from: [`Choose at most ${MAX_PERIOD_DAYS} days at a time.`] } };
  return {
    ok: true,
    period: {
      from: first.toJSDate(),
      to: last.plus({ days: 1 }).toJSDate(),
      fromDay: first.toISODate()!,
      toDay: last.toISODate()!,
      zone,
    },
  };
}

/** The zone the practice's days are read in: its first coach's, else UTC. */
export function practiceZone(db: Reader): string {
  const coach = db
    .select({ timezone: coaches.timezone })
    .from(coaches)
    .orderBy(asc(coaches.id))
    .get();
  return coach?.timezone ?? "UTC";
}

// ---- Findings -------------------------------------------------------------------------------

export const FINDING_KINDS = [
  "paid_without_booking",
  "amount_mismatch",
  "booking_without_payment",
  "refund_not_recorded",
] as const;
export type FindingKind = (typeof FINDING_KINDS)[number];

export const KIND_TITLES: Record<FindingKind, string> = {
  paid_without_booking: "Paid in Stripe, not confirmed here",
  amount_mismatch: "Amount or currency differs",
  booking_without_payment: "Confirmed here, not paid in Stripe",
  refund_not_recorded: "Refunded in Stripe, not recorded here",
};

export type Money = { amountMinor: number; currency: string };

type Common = {
  /**
   * What names the finding, by kind: the Checkout Session's id (`paid_without_booking`,
   * `amount_mismatch`), the booking's (`booking_without_payment`) or the refund's.
   */
  id: string;
  bookingId: string | null;
  bookingStatus: BookingStatus | null;
  /** One sentence: what disagrees. */
  summary: string;
  /** Whether `repair` can bring the two in line. */
  repairable: boolean;
  /** What repair does, or, when it cannot help, what a person should do. */
  advice: string;
};

export type Finding = Common &
  (
    | { kind: "paid_without_booking"; sessionId: string; paid: Money }
    | {
        kind: "amount_mismatch";
        sessionId: string;
        paid: Money;
        booked: Money;
        /** The booking already waits for the coach's attention. */
        flagged: boolean;
      }
    | {
        kind: "booking_without_payment";
        sessionId: string | null;
        booked: Money;
        /** What Stripe says of the booking's session. */
        stripeSays: "no_session" | "unknown_session" | "open" | "expired" | "complete_unpaid";
      }
    | {
        kind: "refund_not_recorded";
        refundId: string;
        chargeId: string | null;
        refunded: Money;
        refundStatus: string;
      }
  );

/** Enough to repair a finding: its kind and the id that names it (a finding is one). */
export type FindingRef = { kind: FindingKind; id: string };

const findingRefSchema = z.object({
  kind: z.enum(FINDING_KINDS),
  id: z.string().regex(/^[\w-]{1,255}$/),
});

/** A finding named by a form (a Repair button), or null when it names none. */
export function readFindingRef(input: { kind?: unknown; id?: unknown }): FindingRef | null {
  const parsed = findingRefSchema.safeParse(input);
  return parsed.success ? parsed.data : null;
}

export type Reconciliation = {
  period: { from: Date; to: Date };
  checked: {
    sessions: number;
    paidSessions: number;
    bookings: number;
    refunds: number;
    /** Listed in the period but not made for a Kairos booking: counted, not judged. */
    notKairos: { sessions: number; refunds: number };
  };
  /** Grouped by kind, in `FINDING_KINDS` order. */
  findings: Finding[];
};

/** Booking statuses a paid session may end in: the money is accounted for. */
const SETTLED: BookingStatus[] = ["confirmed", "completed", "no_show", "cancelled", "refunded"];
/** Booking statuses that say "paid" (a cancelled or refunded one has its money story told). */
const PAID_STATUSES: BookingStatus[] = ["confirmed", "completed", "no_show"];

const money = (amountMinor: number | null | undefined, currency: string | null | undefined) => ({
  amountMinor: amountMinor ?? 0,
  currency: currency ?? "",
});
const price = ({ amountMinor, currency }: Money) =>
  currency ? formatPrice(amountMinor, currency) : String(amountMinor);
const said = (status: string) => status.replaceAll("_", "-");
const seconds = (instant: Date) => Math.floor(instant.getTime() / 1000);
const idOf = (value: string | { id: string } | null | undefined) =>
  typeof value === "string" ? value : (value?.id ?? null);

// ---- Reconciling ----------------------------------------------------------------------------

/** What Stripe's lists return per page; a test may make pages small. */
const PAGE_SIZE = 100;

/**
 * Reconciles the period: every Checkout Session and refund Stripe created in `[from, to)` (listed
 * with auto-pagination) and every priced booking Kairos created then.
 */
export async function reconcile(
  db: Db,
  stripe: Stripe,
  period: { from: Date; to: Date },
  options: { pageSize?: number } = {},
): Promise<Reconciliation> {
  const created = { gte: seconds(period.from), lt: seconds(period.to) };
  const limit = options.pageSize ?? PAGE_SIZE;
  const sessions = await checkSessions(db, stripe, { created, limit });
  const booked = await checkBookings(db, stripe, period, sessions.seen);
  const refunds = await checkRefunds(db, stripe, { created, limit });
  const findings = [...sessions.findings, ...booked.findings, ...refunds.findings];
  return {
    period: { from: period.from, to: period.to },
    checked: {
      sessions: sessions.seen.size,
      paidSessions: sessions.paid,
      bookings: booked.checked,
      refunds: refunds.checked,
      notKairos: { sessions: sessions.notKairos, refunds: refunds.notKairos },
    },
    findings: FINDING_KINDS.flatMap((kind) => findings.filter((f) => f.kind === kind)),
  };
}

type ListWindow = { created: { gte: number; lt: number }; limit: number };

async function checkSessions(db: Db, stripe: Stripe, { created, limit }: ListWindow) {
  const seen = new Map<string, Stripe.Checkout.Session>();
  const findings: Finding[] = [];
  let paid = 0;
  let notKairos = 0;
  for await (const session of stripe.checkout.sessions.list({
    created,
    limit,
    expand: ["data.payment_intent"],
  })) {
    seen.set(session.id, session);
    if (!findBookingBySession(db, session.id) && !referenceOf(session)) {
      notKairos++;
      continue;
    }
    if (session.payment_status !== "paid") continue;
    paid++;
    const finding = checkPaidSession(db, session);
    if (finding) findings.push(finding);
  }
  return { seen, findings, paid, notKairos };
}

/** The booking id Kairos gave the session (client_reference_id, or its metadata). */
function referenceOf(session: Stripe.Checkout.Session): string | null {
  return session.client_reference_id || session.metadata?.booking_id || null;
}

/**
 * The session's booking, and whether it is the session's own: `fulfil` finds a booking by its
 * stored session id, or by the session's booking id when the booking has no session yet.
 */
function bookingOfSession(
  db: Reader,
  session: Stripe.Checkout.Session,
): { booking: Booking; own: boolean } | null {
  const stored = findBookingBySession(db, session.id);
  if (stored) return { booking: stored, own: true };
  const reference = referenceOf(session);
  const byId = reference ? findBooking(db, reference) : null;
  return byId ? { booking: byId, own: byId.checkoutSessionId === null } : null;
}

/** A paid session against its booking: null when they agree. */
function checkPaidSession(db: Reader, session: Stripe.Checkout.Session): Finding | null {
  const paid = money(session.amount_total, session.currency);
  const found = bookingOfSession(db, session);
  const base = { id: session.id, sessionId: session.id, paid };
  if (!found) {
    const reference = referenceOf(session);
    return {
      ...base,
      kind: "paid_without_booking",
      bookingId: null,
      bookingStatus: null,
      summary: `${price(paid)} was paid through Checkout Session ${session.id} for booking ${reference}, which Kairos does not have.`,
      repairable: false,
      advice:
        "There is nothing here to confirm: refund the payment in Stripe’s dashboard, or book the client by hand.",
    };
  }
  const { booking, own } = found;
  const ofBooking = { bookingId: booking.id, bookingStatus: booking.status };
  if (!own) {
    return {
      ...base,
      ...ofBooking,
      kind: "paid_without_booking",
      summary: `${price(paid)} was paid through Checkout Session ${session.id}, but booking ${booking.id} belongs to another session (${booking.checkoutSessionId}).`,
      repairable: false,
      advice: "This looks like a second payment for one booking: refund it in Stripe’s dashboard.",
    };
  }
  // The money has all gone back: whatever was taken, nothing is kept.
  if (booking.status === "refunded") return null;
  const booked = money(booking.priceMinor, booking.currency);
  if (paid.amountMinor !== booked.amountMinor || paid.currency !== booked.currency)
    return amountMismatch(base, booking, booked);
  if (SETTLED.includes(booking.status)) return null;
  return {
    ...base,
    ...ofBooking,
    kind: "paid_without_booking",
    summary: `${price(paid)} was paid through Checkout Session ${session.id}, but booking ${booking.id} is ${said(booking.status)}.`,
    repairable: true,
    advice:
      "Repair asks Stripe again and confirms the booking (or, if its time has gone to someone else meanwhile, refunds the client).",
  };
}

function amountMismatch(
  base: { id: string; sessionId: string; paid: Money },
  booking: Booking,
  booked: Money,
): Finding {
  const flagged = booking.needsAttention !== null;
  // fulfil flags a booking that is still waiting for its payment, once.
  const repairable = !flagged && lifecycle.allows("flagForAttention", booking.status);
  let advice = "Repair asks Stripe again and flags the booking for your attention, unconfirmed.";
  if (!repairable)
    advice = flagged
      ? "The booking waits for your attention. Refund the payment in Stripe’s dashboard (the refund is then recorded here), or settle the difference with the client."
      : `The booking is ${said(booking.status)}: settle the difference with the client, or refund the payment in Stripe’s dashboard.`;
  return {
    ...base,
    kind: "amount_mismatch",
    bookingId: booking.id,
    bookingStatus: booking.status,
    booked,
    flagged,
    summary: `Stripe took ${price(base.paid)} through Checkout Session ${base.sessionId} for booking ${booking.id}, which costs ${price(booked)}.`,
    repairable,
    advice,
  };
}

/** Priced bookings created in the period that say "paid": Stripe must say so too. */
async function checkBookings(
  db: Db,
  stripe: Stripe,
  period: { from: Date; to: Date },
  seen: Map<string, Stripe.Checkout.Session>,
) {
  const candidates = db
    .select()
    .from(bookings)
    .where(
      and(
        gte(bookings.createdAt, period.from),
        lt(bookings.createdAt, period.to),
        gt(bookings.priceMinor, 0),
        inArray(bookings.status, PAID_STATUSES),
      ),
    )
    .orderBy(asc(bookings.createdAt))
    .all();
  const findings: Finding[] = [];
  for (const booking of candidates) {
    const id = booking.checkoutSessionId;
    const listed = id ? seen.get(id) : undefined;
    const session = listed ?? (id ? await retrieveSession(stripe, id) : null);
    if (session?.payment_status === "paid") {
      // A session from outside the period has not been checked against its booking yet.
      const finding = listed ? null : checkPaidSession(db, session);
      if (finding) findings.push(finding);
    } else findings.push(bookingWithoutPayment(booking, session));
  }
  return { findings, checked: candidates.length };
}

/** The session, or null when Stripe has no such session. */
async function retrieveSession(stripe: Stripe, id: string) {
  try {
    return await stripe.checkout.sessions.retrieve(id, { expand: ["payment_intent"] });
  } catch (error) {
    if (isUnknownToStripe(error)) return null;
    throw error;
  }
}

/** Stripe could not be asked, or refused: the caller says so rather than failing as a bug. */
export function isStripeFailure(error: unknown): error is Stripe.errors.StripeError {
  return error instanceof Stripe.errors.StripeError;
}

function isUnknownToStripe(error: unknown): boolean {
  const stripeError = error as Partial<Stripe.errors.StripeError>;
  return stripeError.statusCode === 404 || stripeError.code === "resource_missing";
}

function bookingWithoutPayment(booking: Booking, session: Stripe.Checkout.Session | null): Finding {
  const booked = money(booking.priceMinor, booking.currency);
  const sessionId = booking.checkoutSessionId;
  const stripeSays = !sessionId
    ? "no_session"
    : !session
      ? "unknown_session"
      : session.status === "complete"
        ? "complete_unpaid"
        : session.status === "expired"
          ? "expired"
          : "open";
  const what = {
    no_session: "has no Checkout Session",
    unknown_session: `Stripe does not know its Checkout Session ${sessionId}`,
    open: `Stripe says its Checkout Session ${sessionId} is still open, unpaid`,
    expired: `Stripe says its Checkout Session ${sessionId} expired unpaid`,
    complete_unpaid: `Stripe says its Checkout Session ${sessionId} is complete but not paid`,
  }[stripeSays];
  return {
    kind: "booking_without_payment",
    id: booking.id,
    bookingId: booking.id,
    bookingStatus: booking.status,
    sessionId,
    booked,
    stripeSays,
    summary: `Booking ${booking.id} is ${said(booking.status)} at ${price(booked)}, but ${what}.`,
    // The lifecycle has no event that takes a confirmed booking back for want of payment.
    repairable: false,
    advice:
      "No payment for it reached Stripe: ask the client to pay, or cancel the booking from its page (without a refund).",
  };
}

async function checkRefunds(db: Db, stripe: Stripe, { created, limit }: ListWindow) {
  const known = knownRefundIds(db);
  const findings: Finding[] = [];
  let checked = 0;
  let notKairos = 0;
  for await (const refund of stripe.refunds.list({
    created,
    limit,
    expand: ["data.payment_intent"],
  })) {
    checked++;
    const found = bookingOfRefund(db, refund);
    if (!found) notKairos++;
    else if (!known.has(refund.id)) findings.push(refundNotRecorded(refund, found));
  }
  return { findings, checked, notKairos };
}

/**
 * The booking whose payment a refund gives back: by the PaymentIntent stored on it, or else by the
 * booking id Kairos puts in every PaymentIntent's metadata (`byPayment` false: the booking has not
 * recorded its payment yet, so the refund cannot be recorded against it either).
 */
function bookingOfRefund(
  db: Reader,
  refund: Stripe.Refund,
): { booking: Booking; byPayment: boolean } | null {
  const paymentIntentId = idOf(refund.payment_intent);
  const byPayment = paymentIntentId ? findBookingByPaymentIntent(db, paymentIntentId) : null;
  if (byPayment) return { booking: byPayment, byPayment: true };
  const metadata =
    typeof refund.payment_intent === "object" ? refund.payment_intent?.metadata : undefined;
  const byId = metadata?.booking_id ? findBooking(db, metadata.booking_id) : null;
  return byId ? { booking: byId, byPayment: false } : null;
}

function refundNotRecorded(
  refund: Stripe.Refund,
  { booking, byPayment }: { booking: Booking; byPayment: boolean },
): Finding {
  const refunded = money(refund.amount, refund.currency);
  const status = refund.status ?? "succeeded";
  return {
    kind: "refund_not_recorded",
    id: refund.id,
    refundId: refund.id,
    chargeId: idOf(refund.charge),
    bookingId: booking.id,
    bookingStatus: booking.status,
    refunded,
    refundStatus: status,
    summary: `${price(refunded)} was refunded in Stripe (refund ${refund.id}, ${status}) of booking ${booking.id}’s payment, and Kairos has no record of it.`,
    repairable: byPayment,
    advice: byPayment
      ? "Repair records it in the booking’s history, and marks the booking refunded when all its money has gone back."
      : `Booking ${booking.id} has not recorded its payment yet: repair its Checkout Session first, then this refund.`,
  };
}

// ---- Repairing ------------------------------------------------------------------------------

export const REPAIR_OUTCOMES = [
  "confirmed",
  "flagged",
  "refunded",
  "refund_recorded",
  "expired",
  "processing",
  "payment_failed",
  "unchanged",
] as const;
export type RepairOutcome = (typeof REPAIR_OUTCOMES)[number];

export type RepairResult = { outcome: RepairOutcome; bookingId: string | null; message: string };

const REPAIR_MESSAGES: Record<RepairOutcome, string> = {
  confirmed: "The booking is confirmed, and the client and coach have been emailed.",
  flagged: "The booking is flagged for your attention; it stays unconfirmed.",
  refunded: "The booking is refunded.",
  refund_recorded: "The refund is recorded in the booking’s history.",
  expired: "Stripe says the session ended unpaid: the booking has expired.",
  processing: "The payment is still processing: the booking keeps its time until it settles.",
  payment_failed: "The payment failed: the booking’s time is released.",
  unchanged: "Nothing changed: Stripe says the same as before, and this needs doing by hand.",
};

export function describeRepair(outcome: RepairOutcome): string {
  return REPAIR_MESSAGES[outcome];
}

/**
 * Brings what a finding names in line with Stripe: `fulfil` for a session (the coach as actor), or
 * the charge's refunds recorded for a refund. Only the id is taken from the caller; amounts and
 * states are read again from Stripe. The outcome is what actually changed on the booking.
 */
export async function repair(
  db: Db,
  stripe: Stripe,
  finding: FindingRef,
  options: { appUrl: string; now?: () => Date },
): Promise<RepairResult> {
  switch (finding.kind) {
    case "paid_without_booking":
    case "amount_mismatch":
      return settleSession(db, stripe, finding.id, options);
    case "booking_without_payment": {
      const sessionId = findBooking(db, finding.id)?.checkoutSessionId;
      if (!sessionId) return unchanged(finding.id);
      try {
        return await settleSession(db, stripe, sessionId, options);
      } catch (error) {
        if (isUnknownToStripe(error)) return unchanged(finding.id);
        throw error;
      }
    }
    case "refund_not_recorded":
      return recordRefund(db, stripe, finding.id, options);
  }
}

const unchanged = (bookingId: string | null): RepairResult => result("unchanged", bookingId);
const result = (outcome: RepairOutcome, bookingId: string | null): RepairResult => ({
  outcome,
  bookingId,
  message: describeRepair(outcome),
});

async function settleSession(
  db: Db,
  stripe: Stripe,
  sessionId: string,
  { appUrl, now }: { appUrl: string; now?: () => Date },
): Promise<RepairResult> {
  const booking = await bookingBeforeFulfil(db, stripe, sessionId);
  const before = booking ? stateOf(db, booking.id) : null;
  const fulfilled = await fulfil(db, stripe, sessionId, { actor: "coach", appUrl, now });
  const bookingId = fulfilled.bookingId ?? booking?.id ?? null;
  return result(changeOf(before, bookingId ? stateOf(db, bookingId) : null), bookingId);
}

/** The booking `fulfil` will settle, read before it does (to tell what it then changed). */
async function bookingBeforeFulfil(db: Db, stripe: Stripe, sessionId: string) {
  const stored = findBookingBySession(db, sessionId);
  if (stored) return stored;
  const session = await retrieveSession(stripe, sessionId);
  const found = session ? bookingOfSession(db, session) : null;
  return found?.own ? found.booking : null;
}

async function recordRefund(
  db: Db,
  stripe: Stripe,
  refundId: string,
  { now }: { now?: () => Date },
): Promise<RepairResult> {
  const refund = await stripe.refunds.retrieve(refundId);
  const chargeId = idOf(refund.charge);
  const paymentIntentId = idOf(refund.payment_intent);
  const booking = paymentIntentId ? findBookingByPaymentIntent(db, paymentIntentId) : null;
  if (!chargeId || !booking) return unchanged(booking?.id ?? null);
  const before = stateOf(db, booking.id);
  await recordStripeRefund(db, stripe, chargeId, { now });
  return result(changeOf(before, stateOf(db, booking.id)), booking.id);
}

type BookingState = { status: BookingStatus; needsAttention: string | null; refunds: number };

function stateOf(db: Reader, bookingId: string): BookingState | null {
  const booking = findBooking(db, bookingId);
  if (!booking) return null;
  return {
    status: booking.status,
    needsAttention: booking.needsAttention,
    refunds: refundsOf(db, bookingId).length,
  };
}

const STATUS_OUTCOMES: Partial<Record<BookingStatus, RepairOutcome>> = {
  confirmed: "confirmed",
  refunded: "refunded",
  expired: "expired",
  processing: "processing",
  payment_failed: "payment_failed",
};

function changeOf(before: BookingState | null, after: BookingState | null): RepairOutcome {
  if (!before || !after) return "unchanged";
  if (after.status !== before.status) return STATUS_OUTCOMES[after.status] ?? "unchanged";
  if (after.needsAttention && after.needsAttention !== before.needsAttention) return "flagged";
  if (after.refunds > before.refunds) return "refund_recorded";
  return "unchanged";
}

// ---- The report as text ---------------------------------------------------------------------

const count = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

/** What the report looked at, in words; `notKairos` when Stripe had others' sales too. */
export function describeChecked({ checked }: Reconciliation) {
  const { notKairos } = checked;
  return {
    checked:
      `Checked ${count(checked.sessions, "Checkout Session", "Checkout Sessions")} ` +
      `(${checked.paidSessions} paid), ${count(checked.bookings, "paid booking", "paid bookings")} ` +
      `and ${count(checked.refunds, "refund", "refunds")}.`,
    notKairos:
      notKairos.sessions + notKairos.refunds > 0
        ? `${count(notKairos.sessions, "session", "sessions")} and ${count(notKairos.refunds, "refund", "refunds")} in Stripe were not made for Kairos bookings, so they were not checked.`
        : null,
  };
}

/** The report as lines a person reads in a terminal. */
export function describeReport(report: Reconciliation, period: Period): string[] {
  const { findings } = report;
  const { checked, notKairos } = describeChecked(report);
  const lines = [
    `Reconciliation of ${period.fromDay} to ${period.toDay} (days in ${period.zone})`,
    checked,
    ...(notKairos ? [notKairos] : []),
  ];
  if (findings.length === 0) {
    lines.push("", "Stripe and the bookings agree for this period.");
    return lines;
  }
  lines.push("", `${count(findings.length, "thing disagrees", "things disagree")}:`);
  for (const kind of FINDING_KINDS) {
    const ofKind = findings.filter((finding) => finding.kind === kind);
    if (ofKind.length === 0) continue;
    lines.push("", `${KIND_TITLES[kind]} (${ofKind.length})`);
    for (const finding of ofKind) lines.push(`  - ${finding.summary}`, `    ${finding.advice}`);
  }
  if (findings.some((finding) => finding.repairable))
    lines.push(
      "",
      "The owner can repair those that say so on the Payments page (/coach/payments).",
    );
  return lines;
}

/**
 * What a coach can do to a booking: cancel it (refunding all, part or none of the payment), refund
 * without cancelling, mark it completed or a no-show, and mark what needed attention as handled.
 * Money moves first, through Stripe with an idempotency key per confirmation form (a double submit
 * makes one refund); then the booking lifecycle records the change, the refund and the client's
 * email in one transaction. Each answer says what happened, or why nothing did.
 */
import { randomBytes } from "node:crypto";
import type Stripe from "stripe";
import * as z from "zod";
import type { User } from "~/auth/accounts.server";
import * as lifecycle from "~/booking/lifecycle.server";
import type { Booking } from "~/booking/queries.server";
import { formatPrice, parseAmount } from "~/lib/format";
import { log } from "~/lib/log.server";
import { cancelWithRefund, refundable } from "~/payments/cancellation.server";
import { recordRefunds, refundPayment } from "~/payments/refunds.server";
import { writeTransaction, type Db } from "~db/database.server";

export type ActionOutcome =
  | { ok: true; message: string }
  /** Nothing changed; `field` names the form field the message belongs next to. */
  | { ok: false; status: 400 | 409 | 502; message: string; field?: string };

export type RefundChoice =
  { kind: "full" } | { kind: "none" } | { kind: "partial"; amount: string };

type Context = { actor: User; now: Date; appUrl: string };

const REFUSALS: Record<lifecycle.Refusal["refused"], string> = {
  not_found: "This booking no longer exists.",
  not_allowed: "The booking’s status does not allow that any more.",
  slot_taken: "That time is taken.",
  already_flagged: "This booking is already waiting for you.",
  not_flagged: "Nothing about this booking is waiting for you.",
  not_yet: "The session hasn’t started yet.",
};

function refused(result: lifecycle.Refusal): ActionOutcome {
  const status =
    result.refused === "not_allowed" ? ` (it is ${result.status.replace("_", "-")})` : "";
  return { ok: false, status: 409, message: `${REFUSALS[result.refused]}${status}` };
}

/** The amount a refund choice means, or why it can't be refunded. */
function refundAmount(
  db: Db,
  booking: Booking,
  choice: RefundChoice,
): { amountMinor: number } | ActionOutcome {
  if (choice.kind === "none") return { amountMinor: 0 };
  const left = refundable(db, booking);
  if (left === 0)
    return {
      ok: false,
      status: 409,
      message: "There is no payment left to refund.",
      field: "refund",
    };
  if (choice.kind === "full") return { amountMinor: left };
  const amountMinor = parseAmount(choice.amount, booking.currency);
  if (amountMinor === null || amountMinor === 0)
    return {
      ok: false,
      status: 400,
      message: "Enter an amount like 22.50.",
      field: "amount",
    };
  if (amountMinor > left)
    return {
      ok: false,
      status: 400,
      message: `At most ${formatPrice(left, booking.currency)} can be refunded.`,
      field: "amount",
    };
  return { amountMinor };
}

/** The refund in Stripe; the key makes a repeated confirmation give back the same refund. */
async function refundInStripe(
  stripe: Stripe,
  booking: Booking,
  amountMinor: number,
  requestKey: string,
): Promise<Stripe.Refund | ActionOutcome> {
  try {
    return await refundPayment(stripe, {
      paymentIntentId: booking.paymentIntentId!,
      amountMinor,
      bookingId: booking.id,
      idempotencyKey: `kairos-refund-${booking.id}-${requestKey}`,
    });
  } catch (error) {
    log.error({ err: error, bookingId: booking.id }, "A coach's refund failed at Stripe");
    return stripeFailed(
      (error as Stripe.errors.StripeError).message ?? "Stripe could not be reached.",
    );
  }
}

function stripeFailed(message: string): ActionOutcome {
  return {
    ok: false,
    status: 502,
    message: `Stripe did not make the refund, so nothing has changed: ${message}`,
  };
}

const isOutcome = (value: object): value is ActionOutcome => "ok" in value;

/** A key for one confirmation form: its refund is made once, however often it is submitted. */
export function newRequestKey(): string {
  return randomBytes(16).toString("base64url");
}

export async function cancelBooking(
  db: Db,
  stripe: Stripe,
  booking: Booking,
  { choice, requestKey }: { choice: RefundChoice; requestKey: string },
  { actor, now, appUrl }: Context,
): Promise<ActionOutcome> {
  if (!lifecycle.allows("cancel", booking.status))
    return refused({ ok: false, refused: "not_allowed", status: booking.status });
  const amount = refundAmount(db, booking, choice);
  if ("ok" in amount) return amount;
  const result = await cancelWithRefund(db, stripe, booking, {
    actor: "coach",
    amountMinor: amount.amountMinor,
    idempotencyKey: `kairos-refund-${booking.id}-${requestKey}`,
    reason: (refunded) =>
      `cancelled by ${actor.name}${refunded ? `, refunded ${formatPrice(refunded, booking.currency)}` : ", no refund"}`,
    now,
    appUrl,
  });
  if (!result.ok && result.refused === "stripe_failed") return stripeFailed(result.message);
  if (!result.ok) return refused(result);
  return {
    ok: true,
    message: result.refundedMinor
      ? `Cancelled, and ${formatPrice(result.refundedMinor, booking.currency)} refunded. The client has been emailed.`
      : "Cancelled, with no refund. The client has been emailed.",
  };
}

/** A refund that leaves the booking standing (unless it gives everything back). */
export async function refundBooking(
  db: Db,
  stripe: Stripe,
  booking: Booking,
  { choice, requestKey }: { choice: RefundChoice; requestKey: string },
  { actor, now }: Context,
): Promise<ActionOutcome> {
  if (!lifecycle.allows("recordPartialRefund", booking.status))
    return refused({ ok: false, refused: "not_allowed", status: booking.status });
  const amount = refundAmount(db, booking, choice);
  if ("ok" in amount) return amount;
  if (amount.amountMinor === 0)
    return { ok: false, status: 400, message: "Choose how much to refund.", field: "refund" };
  const refund = await refundInStripe(stripe, booking, amount.amountMinor, requestKey);
  if (isOutcome(refund)) return refund;
  const whole = refund.amount >= refundable(db, booking);
  const reason = `${formatPrice(refund.amount, booking.currency)} refunded by ${actor.name}`;
  const result = writeTransaction(db, (tx) => {
    const fresh = recordRefunds(tx, booking.id, [refund], {
      source: "kairos",
      reason: `refunded by the coach`,
    });
    // The same confirmation sent again: Stripe gave back the same refund, already told.
    if (fresh.length === 0) return { ok: true } as const;
    return whole
      ? lifecycle.recordRefund(tx, booking.id, {
          actor: "coach",
          at: now,
          reason,
          notifyClient: { amountMinor: refund.amount },
        })
      : lifecycle.recordPartialRefund(tx, booking.id, {
          actor: "coach",
          at: now,
          reason,
          amountMinor: refund.amount,
          notifyClient: true,
        });
  });
  if (!result.ok) return refused(result);
  return {
    ok: true,
    message: `${formatPrice(refund.amount, booking.currency)} refunded. The client has been emailed.`,
  };
}

/** Completed, no-show, or what needed attention handled: no money, one lifecycle event. */
export function markBooking(
  db: Db,
  booking: Booking,
  event: "complete" | "markNoShow" | "resolveAttention",
  { actor, now }: Context,
): ActionOutcome {
  const reason = {
    complete: `marked completed by ${actor.name}`,
    markNoShow: `marked a no-show by ${actor.name}`,
    resolveAttention: `marked as handled by ${actor.name}`,
  }[event];
  const result = lifecycle[event](db, booking.id, { actor: "coach", at: now, reason });
  if (!result.ok) return refused(result);
  return {
    ok: true,
    message: {
      complete: "Marked as completed.",
      markNoShow: "Marked as a no-show.",
      resolveAttention: "Marked as handled.",
    }[event],
  };
}

const key = z.string().regex(/^[\w-]{16,64}$/, "This form is out of date: open it again.");
const amount = z.string().max(30).optional();
const bookingActionSchema = z.discriminatedUnion("intent", [
  z.object({
    intent: z.literal("cancel"),
    refund: z.enum(["full", "partial", "none"], { message: "Choose how much to refund." }),
    amount,
    key,
  }),
  z.object({
    intent: z.literal("refund"),
    refund: z.enum(["full", "partial"], { message: "Choose how much to refund." }),
    amount,
    key,
  }),
  z.object({ intent: z.enum(["complete", "no_show", "resolve"]) }),
]);

/** A booking page's posted form, validated: the action and its choices, or errors by field. */
export function readBookingAction(form: Record<string, FormDataEntryValue>) {
  const result = bookingActionSchema.safeParse(form);
  return result.success
    ? ({ success: true, data: result.data } as const)
    : ({
        success: false,
        errors: z.flattenError(result.error).fieldErrors as Record<string, string[]>,
      } as const);
}

/**
 * Stripe's webhook: verify, deduplicate, act. The event types are only triggers; what happens is
 * decided by re-reading the session (or charge) from Stripe in `fulfil`. The event's record in
 * `stripe_events` commits in the same transaction as its effect, so a repeat is answered 200 and
 * changes nothing, and a failure leaves no record and gets Stripe to retry.
 */
import { eq } from "drizzle-orm";
import type Stripe from "stripe";
import { log } from "~/lib/log.server";
import { writeTransaction, type Db, type Tx } from "~db/database.server";
import { placeholder, prepared } from "~db/prepared.server";
import { stripeEvents, webhookFailures } from "~db/schema";
import { fulfil, recordStripeRefund } from "./fulfil.server";

export type WebhookReply = { status: number; body: Record<string, unknown> };

const SESSION_EVENTS = new Set([
  "checkout.session.completed",
  "checkout.session.async_payment_succeeded",
  "checkout.session.async_payment_failed",
  "checkout.session.expired",
]);

export async function handleStripeWebhook(
  db: Db,
  stripe: Stripe,
  request: { payload: string | Buffer; signature: string | null; secret: string; appUrl: string },
): Promise<WebhookReply> {
  if (!request.signature)
    return { status: 400, body: { error: "Missing Stripe-Signature header" } };
  let event: Stripe.Event;
  try {
    // Checks the HMAC and that the signature is at most five minutes old.
    event = stripe.webhooks.constructEvent(request.payload, request.signature, request.secret);
  } catch (error) {
    return {
      status: 400,
      body: { error: `Webhook signature rejected: ${(error as Error).message}` },
    };
  }

  if (seenEvent(db).get({ id: event.id }))
    return { status: 200, body: { received: true, duplicate: true } };

  const receivedAt = new Date();
  const record = (tx: Tx, outcome: string) => {
    recordEvent(tx).run({
      id: event.id,
      type: event.type,
      receivedAt,
      processedAt: new Date(),
      outcome,
    });
  };

  try {
    let outcome: string;
    if (SESSION_EVENTS.has(event.type)) {
      const session = event.data.object as Stripe.Checkout.Session;
      outcome = (
        await fulfil(db, stripe, session.id, {
          actor: "stripe",
          appUrl: request.appUrl,
          onCommit: record,
        })
      ).outcome;
    } else if (event.type === "charge.refunded") {
      const charge = event.data.object as Stripe.Charge;
      outcome = await recordStripeRefund(db, stripe, charge.id, { onCommit: record });
    } else {
      outcome = "ignored";
      writeTransaction(db, (tx) => record(tx, outcome));
    }
    return { status: 200, body: { received: true, outcome } };
  } catch (error) {
    if (isUnknownToStripe(error)) {
      // Signed by Stripe, about an object Stripe no longer has (or another account's): retrying
      // cannot help, so it is recorded as such and acknowledged.
      writeTransaction(db, (tx) => record(tx, "unknown_object"));
      return { status: 200, body: { received: true, outcome: "unknown_object" } };
    }
    // Stripe unreachable, the database busy: nothing was recorded, so Stripe's retry will redo it.
    log.error(
      { err: error, eventId: event.id, eventType: event.type },
      "Stripe webhook failed; Stripe will retry",
    );
    noteFailure(db, event, error);
    return { status: 500, body: { error: "Temporary failure; please retry" } };
  }
}

// Prepared once per connection: every event runs both. (An insert's placeholders are bound through
// the columns' mapping, so its instants are passed as Dates.)
const seenEvent = (db: Db) =>
  prepared(db, "seenStripeEvent", (db) =>
    db
      .select({ id: stripeEvents.id })
      .from(stripeEvents)
      .where(eq(stripeEvents.id, placeholder("id")))
      .prepare(),
  );

const recordEvent = (tx: Tx) =>
  prepared(tx, "recordStripeEvent", (tx) =>
    tx
      .insert(stripeEvents)
      .values({
        id: placeholder("id"),
        type: placeholder("type"),
        receivedAt: placeholder("receivedAt"),
        processedAt: placeholder("processedAt"),
        outcome: placeholder("outcome"),
      })
      .onConflictDoNothing()
      .prepare(),
  );

function isUnknownToStripe(error: unknown): boolean {
  const stripeError = error as Partial<Stripe.errors.StripeError>;
  return stripeError.statusCode === 404 || stripeError.code === "resource_missing";
}

/** Kept for the coach's dashboard until a later delivery of the event succeeds. */
function noteFailure(db: Db, event: Stripe.Event, error: unknown) {
  try {
    db.insert(webhookFailures)
      .values({
        eventId: event.id,
        eventType: event.type,
        error: (error instanceof Error ? error.message : String(error)).slice(0, 500),
        at: new Date(),
      })
      .run();
  } catch {
    // The database itself may be what failed; the log has it.
  }
}

/**
 * The background jobs that clean up after clients, against a real SQLite file and the in-process
 * Stripe emulator through the real SDK (which sends no webhooks, so the sweeper is the only one to
 * settle anything). The hold sweeper settles every lapsed hold by what Stripe says: no session,
 * expired; session still open, expired in Stripe then here, the draft reopened; paid, confirmed
 * with its emails. It leaves live holds and other statuses alone, works oldest first within its
 * batch, settles a hold once when two runs race, and carries on past (and later settles) a hold
 * Stripe could not be asked about. `sweepHoldsJob` and `sweepDraftsJob` do their work when run.
 */
import { describe, expect, it, vi } from "vitest";
import * as lifecycle from "~/booking/lifecycle.server";
import { log } from "~/lib/log.server";
import { startCheckout } from "~/payments/checkout.server";
import { DRAFT_LIFETIME_MS, saveDraft } from "~/wizard/drafts.server";
import {
  APP_URL,
  bookingRow,
  completeDraftFor,
  draftRow,
  eventsOf,
  manageTokenCount,
  forceStatus,
  newBooking,
  offerOf,
  outboxOf,
  rows,
  sessionIdOf,
  withDomainWorld,
} from "../../tests/support/domain";
import { sweepDraftsJob } from "./sweep-drafts.server";
import { sweepHoldsJob, sweepLapsedHolds } from "./sweep-holds.server";

const world = withDomainWorld();
const MINUTE = 60_000;

/** A hold made by the lifecycle alone: Stripe never gave it a Checkout Session. */
function holdWithoutSession() {
  const { db } = world;
  const held = lifecycle.hold(db, newBooking(db, offerOf(db, "coaching-session")), {
    actor: "client",
    at: new Date(),
    reason: "checkout started",
    holdExpiresAt: new Date(Date.now() + 31 * MINUTE),
  });
  if (!held.ok) throw new Error(`could not hold: ${held.refused}`);
  return held.booking.id;
}

/** Pay pressed on a complete draft: a held booking with a real (open) Checkout Session. */
async function holdAtStripe() {
  const { db, stripe } = world;
  const draft = completeDraftFor(db, offerOf(db, "coaching-session"));
  const { redirectTo } = await startCheckout(db, stripe, draft.id, { appUrl: APP_URL });
  const sessionId = sessionIdOf(redirectTo);
  const [booking] = rows<{ id: string }>(
    db,
    "select id from bookings where checkout_session_id = ?",
    sessionId,
  );
  return { bookingId: booking!.id, sessionId, draftId: draft.id };
}

/** The hold's time ran out `minutesAgo` minutes ago (its other fields untouched). */
function lapse(bookingId: string, minutesAgo: number) {
  world.db.$client
    .prepare("update bookings set hold_expires_at = ? where id = ?")
    .run(Date.now() - minutesAgo * MINUTE, bookingId);
}

const sweep = (options: { batch?: number; now?: Date } = {}) =>
  sweepLapsedHolds(world.db, world.stripe, { appUrl: APP_URL, ...options });

const statusOf = (bookingId: string) => bookingRow(world.db, bookingId)!.status;
const stripeStatusOf = (sessionId: string) =>
  world.emulator.ledger.findSession(sessionId)!.session.status;
const allEvents = () => rows(world.db, "select * from booking_events order by id");

/** Silences (and lets a test read) what the sweeper logs about a hold it could not settle. */
function quietConsoleError() {
  return vi.spyOn(log, "error").mockImplementation(() => {});
}

describe("sweepLapsedHolds", () => {
  it("expires a lapsed hold that never had a Checkout Session", async () => {
    const id = holdWithoutSession();
    lapse(id, 1);

    expect(await sweep()).toBe(1);

    expect(bookingRow(world.db, id)).toMatchObject({
      status: "expired",
      status_reason: "hold lapsed without a checkout",
      hold_expires_at: null,
      checkout_session_id: null,
    });
    expect(eventsOf(world.db, id)).toEqual([
      { from_status: null, to_status: "held", actor: "client", reason: "checkout started" },
      {
        from_status: "held",
        to_status: "expired",
        actor: "system",
        reason: "hold lapsed without a checkout",
      },
    ]);
    expect(outboxOf(world.db, id)).toEqual([]);
  });

  it("expires a lapsed hold's open session in Stripe, then the booking, and reopens the draft", async () => {
    const { bookingId, sessionId, draftId } = await holdAtStripe();
    const timeChosen = draftRow(world.db, draftId)!.start_at;
    expect(draftRow(world.db, draftId)).toMatchObject({
      status: "checkout",
      checkout_session_id: sessionId,
    });
    lapse(bookingId, 1);

    expect(await sweep()).toBe(1);

    expect(stripeStatusOf(sessionId)).toBe("expired");
    expect(bookingRow(world.db, bookingId)).toMatchObject({
      status: "expired",
      status_reason: "checkout expired",
      hold_expires_at: null,
      checkout_session_id: sessionId,
    });
    expect(eventsOf(world.db, bookingId).slice(1)).toEqual([
      { from_status: "held", to_status: "expired", actor: "system", reason: "checkout expired" },
    ]);
    // The client carries on from the draft, with the time they chose still in it.
    expect(draftRow(world.db, draftId)).toEqual({
      status: "editing",
      start_at: timeChosen,
      checkout_session_id: null,
    });
    expect(outboxOf(world.db, bookingId)).toEqual([]);
  });

  it("confirms a lapsed hold whose session was paid while its webhook never came", async () => {
    const { bookingId, sessionId, draftId } = await holdAtStripe();
    const paid = world.emulator.ledger.completeCheckoutSession(sessionId, "paid");
    lapse(bookingId, 1);

    expect(await sweep()).toBe(1);

    const booking = bookingRow(world.db, bookingId)!;
    expect(booking).toMatchObject({
      status: "confirmed",
      status_reason: "payment received",
      hold_expires_at: null,
      checkout_session_id: sessionId,
      payment_intent_id: paid.payment_intent,
      needs_attention: null,
    });
    expect(manageTokenCount(world.db, bookingId)).toBe(1);
    expect(eventsOf(world.db, bookingId).slice(1)).toEqual([
      { from_status: "held", to_status: "confirmed", actor: "system", reason: "payment received" },
    ]);
    const [client] = rows<{ client_email: string }>(
      world.db,
      "select client_email from bookings where id = ?",
      bookingId,
    );
    expect(outboxOf(world.db, bookingId)).toEqual([
      `booking_confirmed to ${client!.client_email}`,
      "coach_new_booking to maya@example.com",
    ]);
    expect(draftRow(world.db, draftId)!.status).toBe("completed");
    // Still paid and complete in Stripe: the sweeper did not try to expire it.
    expect(stripeStatusOf(sessionId)).toBe("complete");
  });

  it("leaves unexpired holds and bookings in other statuses alone", async () => {
    const live = holdWithoutSession();
    const liveAtStripe = await holdAtStripe();
    const others = ["processing", "confirmed", "expired", "payment_failed"].map((status) => {
      const id = holdWithoutSession();
      // An expiry in the past on a booking that is no longer held must not bring the sweeper.
      forceStatus(world.db, id, status, Date.now() - 10 * MINUTE);
      return { id, status };
    });
    const before = rows(world.db, "select * from bookings order by id");
    const eventsBefore = allEvents();

    expect(await sweep()).toBe(0);

    expect(rows(world.db, "select * from bookings order by id")).toEqual(before);
    expect(allEvents()).toEqual(eventsBefore);
    expect(statusOf(live)).toBe("held");
    expect(statusOf(liveAtStripe.bookingId)).toBe("held");
    expect(stripeStatusOf(liveAtStripe.sessionId)).toBe("open");
    for (const { id, status } of others) expect(statusOf(id)).toBe(status);
  });

  it("settles at most `batch` holds in one run, the longest lapsed first", async () => {
    const ids = [holdWithoutSession(), holdWithoutSession(), holdWithoutSession()];
    // Lapsed 5, 30 and 15 minutes ago: the oldest are the second and the third.
    lapse(ids[0]!, 5);
    lapse(ids[1]!, 30);
    lapse(ids[2]!, 15);

    expect(await sweep({ batch: 2 })).toBe(2);
    expect(ids.map(statusOf)).toEqual(["held", "expired", "expired"]);

    expect(await sweep({ batch: 2 })).toBe(1);
    expect(ids.map(statusOf)).toEqual(["expired", "expired", "expired"]);
    expect(await sweep({ batch: 2 })).toBe(0);
  });

  it("settles each hold once when two runs race", async () => {
    const bare = holdWithoutSession();
    const open = await holdAtStripe();
    const paid = await holdAtStripe();
    world.emulator.ledger.completeCheckoutSession(paid.sessionId, "paid");
    lapse(open.bookingId, 20);
    lapse(paid.bookingId, 10);
    lapse(bare, 1);
    const consoleError = quietConsoleError();

    const counts = await Promise.all([sweep(), sweep()]);

    expect(counts).toEqual([3, 3]);
    expect(statusOf(bare)).toBe("expired");
    expect(statusOf(open.bookingId)).toBe("expired");
    expect(statusOf(paid.bookingId)).toBe("confirmed");
    // One audit row per change: the hold, and the one settlement.
    for (const id of [bare, open.bookingId, paid.bookingId])
      expect(eventsOf(world.db, id)).toHaveLength(2);
    expect(eventsOf(world.db, paid.bookingId)[1]).toMatchObject({
      from_status: "held",
      to_status: "confirmed",
    });
    // The confirmation emails went out once.
    expect(outboxOf(world.db, paid.bookingId)).toHaveLength(2);
    expect(stripeStatusOf(open.sessionId)).toBe("expired");
    expect(draftRow(world.db, open.draftId)!.status).toBe("editing");
    expect(draftRow(world.db, paid.draftId)!.status).toBe("completed");
    // Losing the race is not a failure.
    expect(consoleError).not.toHaveBeenCalled();
    consoleError.mockRestore();
  });

  it("carries on past a hold Stripe cannot be asked about, and settles it on the next run", async () => {
    const unreachable = await holdAtStripe();
    const open = await holdAtStripe();
    const bare = holdWithoutSession();
    // The unreachable one is the oldest, so Stripe's outage meets it first.
    lapse(unreachable.bookingId, 30);
    lapse(open.bookingId, 20);
    lapse(bare, 10);
    const heldBefore = bookingRow(world.db, unreachable.bookingId);
    const consoleError = quietConsoleError();
    // The retrieve and the SDK's two retries all fail.
    world.emulator.failNextApiRequests(3, 503);

    expect(await sweep()).toBe(3);

    expect(bookingRow(world.db, unreachable.bookingId)).toEqual(heldBefore);
    expect(eventsOf(world.db, unreachable.bookingId)).toHaveLength(1);
    expect(stripeStatusOf(unreachable.sessionId)).toBe("open");
    expect(draftRow(world.db, unreachable.draftId)!.status).toBe("checkout");
    // The others were settled in the same run.
    expect(statusOf(open.bookingId)).toBe("expired");
    expect(stripeStatusOf(open.sessionId)).toBe("expired");
    expect(statusOf(bare)).toBe("expired");
    // The failure was logged, naming the hold.
    expect(consoleError).toHaveBeenCalledTimes(1);
    expect(consoleError.mock.calls[0]![0]).toMatchObject({ bookingId: unreachable.bookingId });
    consoleError.mockRestore();

    expect(await sweep()).toBe(1);
    expect(statusOf(unreachable.bookingId)).toBe("expired");
    expect(stripeStatusOf(unreachable.sessionId)).toBe("expired");
    expect(draftRow(world.db, unreachable.draftId)!.status).toBe("editing");
    expect(eventsOf(world.db, unreachable.bookingId)).toHaveLength(2);
  });

  it("does not throw when Stripe refuses, and leaves the hold for the next run", async () => {
    const { bookingId, sessionId } = await holdAtStripe();
    lapse(bookingId, 5);
    const consoleError = quietConsoleError();
    world.emulator.failNextApiRequests(1, 400);

    await expect(sweep()).resolves.toBe(1);
    expect(statusOf(bookingId)).toBe("held");
    expect(consoleError).toHaveBeenCalledTimes(1);
    consoleError.mockRestore();

    await sweep();
    expect(statusOf(bookingId)).toBe("expired");
    expect(stripeStatusOf(sessionId)).toBe("expired");
  });
});

describe("sweepHoldsJob", () => {
  it("is a job that sweeps the lapsed holds, asking for the Stripe client when it runs", async () => {
    const lapsed = holdWithoutSession();
    const open = await holdAtStripe();
    const live = holdWithoutSession();
    lapse(lapsed, 2);
    lapse(open.bookingId, 1);
    const stripe = vi.fn(() => world.stripe);

    const job = sweepHoldsJob(world.db, stripe, { appUrl: APP_URL, everyMs: 60_000 });
    expect(job).toMatchObject({ name: "sweep-holds", everyMs: 60_000 });
    expect(stripe).not.toHaveBeenCalled();

    await job.run();

    expect(stripe).toHaveBeenCalledTimes(1);
    expect(bookingRow(world.db, lapsed)).toMatchObject({
      status: "expired",
      status_reason: "hold lapsed without a checkout",
    });
    expect(statusOf(open.bookingId)).toBe("expired");
    expect(stripeStatusOf(open.sessionId)).toBe("expired");
    expect(statusOf(live)).toBe("held");
  });
});

describe("sweepDraftsJob", () => {
  it("is a job that deletes drafts past their 24 hours and keeps fresh ones", async () => {
    const { db } = world;
    const now = Date.now();
    const old = saveDraft(
      db,
      null,
      { clientName: "Old" },
      new Date(now - DRAFT_LIFETIME_MS - MINUTE),
    );
    const older = saveDraft(
      db,
      null,
      { clientName: "Older" },
      new Date(now - 3 * DRAFT_LIFETIME_MS),
    );
    const fresh = saveDraft(db, null, { clientName: "Fresh" }, new Date(now - MINUTE));
    const nearlyDue = saveDraft(
      db,
      null,
      { clientName: "Nearly" },
      new Date(now - DRAFT_LIFETIME_MS + 10 * MINUTE),
    );

    const job = sweepDraftsJob(db, 3_600_000);
    expect(job).toMatchObject({ name: "sweep-drafts", everyMs: 3_600_000 });

    expect(await job.run()).toBe("Removed 2 expired booking draft(s)");
    expect(draftRow(db, old.id)).toBeUndefined();
    expect(draftRow(db, older.id)).toBeUndefined();
    expect(draftRow(db, fresh.id)).toBeDefined();
    expect(draftRow(db, nearlyDue.id)).toBeDefined();
    expect(
      rows<{ id: string }>(db, "select id from booking_drafts order by id").map((r) => r.id),
    ).toEqual([fresh.id, nearlyDue.id].sort());

    // Nothing left to remove: nothing worth logging.
    expect(await job.run()).toBeUndefined();
  });
});

/**
 * Pay and Stripe's cancel link, called directly against a real SQLite file and the in-process
 * Stripe emulator through the real SDK. `startCheckout` holds the draft's slot (one `held` booking,
 * its audit row, the draft in checkout) and creates one Checkout Session from the booking (ids only
 * in its metadata, the booking's amount, expiring with the hold); Pay pressed again, or twice at
 * once, reuses both; a changed time releases the old hold and its session; Stripe failing releases
 * the hold and keeps the draft whole; a taken time costs the draft its time only; a free or
 * incomplete draft is refused. `cancelCheckout` expires the session and releases the hold, unless
 * the session was paid meanwhile, and does nothing for a draft that is not at Stripe. The line item
 * says what is paid for: the session and coach, and its time in the client's own zone, named.
 */
import { afterEach, describe, expect, it } from "vitest";
import * as lifecycle from "~/booking/lifecycle.server";
import { formatSession } from "~/lib/time-format";
import { IncompleteDraftError, SlotTakenError } from "~/wizard/draft-booking.server";
import { findDraft, saveDraft } from "~/wizard/drafts.server";
import {
  APP_URL,
  completeDraftFor,
  draftRow,
  eventsOf,
  freeStarts,
  newBooking,
  offerOf,
  outboxOf,
  rows,
  sessionIdOf,
  withDomainWorld,
} from "../../tests/support/domain";
import {
  cancelCheckout,
  CHECKOUT_HOLD_MS,
  CheckoutUnavailableError,
  startCheckout,
} from "./checkout.server";

const world = withDomainWorld();

// A test that makes Stripe fail leaves no failures behind for the next one.
afterEach(() => world.emulator.failNextApiRequests(0));

const coachingSession = () => offerOf(world.db, "coaching-session");

/** Pay pressed on the draft. */
const pressPay = (draftId: string, now = new Date()) =>
  startCheckout(world.db, world.stripe, draftId, { appUrl: APP_URL, now });

type BookingRow = {
  id: string;
  status: string;
  status_reason: string | null;
  start_at: number;
  hold_expires_at: number | null;
  checkout_session_id: string | null;
  price_minor: number;
  currency: string;
};

/** The draft's bookings, oldest first. */
const bookingsOf = (draftId: string) =>
  rows<BookingRow>(
    world.db,
    "select * from bookings where draft_id = ? order by created_at, rowid",
    draftId,
  );

/** The draft as SQLite holds it, with what the client typed. */
const fullDraftRow = (draftId: string) =>
  rows<{
    status: string;
    service_id: number | null;
    coach_id: number | null;
    start_at: number | null;
    client_name: string | null;
    client_email: string | null;
    client_timezone: string | null;
    checkout_session_id: string | null;
  }>(
    world.db,
    `select status, service_id, coach_id, start_at, client_name, client_email, client_timezone,
            checkout_session_id from booking_drafts where id = ?`,
    draftId,
  )[0];

const stripeSession = (sessionId: string) => world.emulator.ledger.findSession(sessionId)!.session;
const sessionsOfBooking = (bookingId: string) =>
  world.emulator.ledger.listSessions().filter((s) => s.client_reference_id === bookingId);
const sessionCount = () => world.emulator.ledger.listSessions().length;

/** Every row Pay may write, to show that nothing changed. */
const everything = () => ({
  bookings: rows(world.db, "select * from bookings order by id"),
  events: rows(world.db, "select * from booking_events order by id"),
  emails: rows(world.db, "select * from email_outbox order by id"),
  drafts: rows(world.db, "select * from booking_drafts order by id"),
});

const only = <T>(items: T[]): T => {
  expect(items).toHaveLength(1);
  return items[0]!;
};

describe("startCheckout", () => {
  it("holds the slot for 31 minutes and sends the client to a session made from the booking", async () => {
    const offer = coachingSession();
    const draft = completeDraftFor(world.db, offer);
    const now = new Date();

    const { redirectTo } = await pressPay(draft.id, now);

    const sessionId = sessionIdOf(redirectTo);
    const booking = only(bookingsOf(draft.id));
    expect(CHECKOUT_HOLD_MS).toBe(31 * 60_000);
    expect(booking).toMatchObject({
      status: "held",
      status_reason: "checkout started",
      start_at: draft.startAt!.getTime(),
      hold_expires_at: now.getTime() + CHECKOUT_HOLD_MS,
      checkout_session_id: sessionId,
      price_minor: offer.service.priceMinor,
      currency: offer.service.currency,
    });
    expect(offer.service.priceMinor).toBeGreaterThan(0);
    expect(eventsOf(world.db, booking.id)).toEqual([
      { from_status: null, to_status: "held", actor: "client", reason: "checkout started" },
    ]);
    expect(outboxOf(world.db, booking.id)).toEqual([]);

    const session = stripeSession(sessionId);
    expect(session).toMatchObject({
      status: "open",
      url: redirectTo,
      client_reference_id: booking.id,
      amount_total: booking.price_minor,
      currency: booking.currency,
      customer_email: draft.clientEmail,
      expires_at: Math.floor(booking.hold_expires_at! / 1000),
      success_url: `${APP_URL}/book/return?session_id={CHECKOUT_SESSION_ID}`,
      cancel_url: `${APP_URL}/book/review?checkout=cancelled`,
    });
    // Ids only: no personal data in Stripe's metadata.
    expect(session.metadata).toEqual({ booking_id: booking.id, draft_id: draft.id });
    expect(JSON.stringify(session.metadata)).not.toContain(draft.clientName!);
    expect(JSON.stringify(session.metadata)).not.toContain(draft.clientEmail!);
    expect(world.emulator.ledger.listLineItems(sessionId).data).toEqual([
      expect.objectContaining({
        quantity: 1,
        amount_total: booking.price_minor,
        description: `${offer.service.name} with ${offer.coach.name}`,
      }),
    ]);

    expect(draftRow(world.db, draft.id)).toEqual({
      status: "checkout",
      start_at: draft.startAt!.getTime(),
      checkout_session_id: sessionId,
    });
  });

  it("names the session, its coach and its time in the client's own zone on the line item and Stripe's page", async () => {
    // Maya coaches from London; this client books from New York.
    const offer = coachingSession();
    expect(offer.coach.timezone).toBe("Europe/London");
    const draft = saveDraft(
      world.db,
      completeDraftFor(world.db, offer).id,
      { clientTimezone: "America/New_York" },
      new Date(),
    );

    const { redirectTo } = await pressPay(draft.id);

    const sessionId = sessionIdOf(redirectTo);
    const booking = only(
      rows<{ start_at: number; end_at: number }>(
        world.db,
        "select start_at, end_at from bookings where draft_id = ?",
        draft.id,
      ),
    );
    const when = formatSession(booking.start_at, booking.end_at, "America/New_York");
    // The clock the client reads, not the coach's: New York's hour, with the zone named.
    const hourIn = (zone: string) =>
      new Intl.DateTimeFormat("en-GB", {
        timeZone: zone,
        hour: "2-digit",
        minute: "2-digit",
        hourCycle: "h23",
      }).format(booking.start_at);
    expect(hourIn("America/New_York")).not.toBe(hourIn("Europe/London"));
    expect(when).toContain(`, ${hourIn("America/New_York")} to `);
    expect(when).toMatch(/ \(New York time\)$/);

    // As the emulator received it: the product made from `product_data`, and the line item
    // that carries the product's name (as Stripe's line items do).
    const item = only(world.emulator.ledger.findSession(sessionId)!.lineItems);
    expect(item.description).toBe("Coaching session with Maya Okafor");
    expect(item.price.product).toMatchObject({
      name: "Coaching session with Maya Okafor",
      description: when,
    });
    // And shown on the hosted page the client pays on.
    const page = await (await fetch(redirectTo)).text();
    expect(page).toContain("Coaching session with Maya Okafor");
    expect(page).toContain(when);
  });

  describe("pressing Pay again", () => {
    it("one after the other: the same hold and the same session", async () => {
      const draft = completeDraftFor(world.db, coachingSession());
      const sessionsBefore = sessionCount();

      const first = await pressPay(draft.id);
      const second = await pressPay(draft.id);

      expect(second.redirectTo).toBe(first.redirectTo);
      const booking = only(bookingsOf(draft.id));
      expect(booking.status).toBe("held");
      expect(only(sessionsOfBooking(booking.id)).id).toBe(sessionIdOf(first.redirectTo));
      expect(sessionCount()).toBe(sessionsBefore + 1);
      expect(eventsOf(world.db, booking.id)).toHaveLength(1);
    });

    it("twice at once (a double-click): one hold and one session", async () => {
      const draft = completeDraftFor(world.db, coachingSession());
      const sessionsBefore = sessionCount();

      const [a, b] = await Promise.all([pressPay(draft.id), pressPay(draft.id)]);

      expect(a.redirectTo).toBe(b.redirectTo);
      const booking = only(bookingsOf(draft.id));
      expect(booking).toMatchObject({
        status: "held",
        checkout_session_id: sessionIdOf(a.redirectTo),
      });
      expect(only(sessionsOfBooking(booking.id)).id).toBe(sessionIdOf(a.redirectTo));
      expect(sessionCount()).toBe(sessionsBefore + 1);
      expect(eventsOf(world.db, booking.id)).toHaveLength(1);
      expect(draftRow(world.db, draft.id)!.checkout_session_id).toBe(sessionIdOf(a.redirectTo));
    });

    it("after the session was paid: to the return page, nothing new held or made", async () => {
      const draft = completeDraftFor(world.db, coachingSession());
      const first = await pressPay(draft.id);
      const sessionId = sessionIdOf(first.redirectTo);
      world.emulator.ledger.completeCheckoutSession(sessionId, "paid");
      const sessionsBefore = sessionCount();

      const again = await pressPay(draft.id);

      expect(again.redirectTo).toBe(`/book/return?session_id=${sessionId}`);
      expect(only(bookingsOf(draft.id)).checkout_session_id).toBe(sessionId);
      expect(sessionCount()).toBe(sessionsBefore);
    });

    it("after the session expired at Stripe: the old hold is released, a new one made", async () => {
      const draft = completeDraftFor(world.db, coachingSession());
      const first = await pressPay(draft.id);
      const oldSession = sessionIdOf(first.redirectTo);
      world.emulator.ledger.expireCheckoutSession(oldSession);

      const again = await pressPay(draft.id);

      const newSession = sessionIdOf(again.redirectTo);
      expect(newSession).not.toBe(oldSession);
      const [old, current] = bookingsOf(draft.id);
      expect(bookingsOf(draft.id)).toHaveLength(2);
      expect(old).toMatchObject({ status: "expired", status_reason: "checkout expired" });
      expect(current).toMatchObject({
        status: "held",
        start_at: draft.startAt!.getTime(),
        checkout_session_id: newSession,
      });
      expect(stripeSession(newSession).status).toBe("open");
      expect(draftRow(world.db, draft.id)).toEqual({
        status: "checkout",
        start_at: draft.startAt!.getTime(),
        checkout_session_id: newSession,
      });
    });
  });

  it("the client changed the time after holding: the old hold and its session end, new ones are made", async () => {
    const offer = coachingSession();
    const draft = completeDraftFor(world.db, offer);
    const first = await pressPay(draft.id);
    const oldSession = sessionIdOf(first.redirectTo);
    const otherTime = freeStarts(world.db, offer).find(
      (start) => start.getTime() !== draft.startAt!.getTime(),
    )!;
    saveDraft(world.db, draft.id, { startAt: otherTime }, new Date());

    const second = await pressPay(draft.id);

    const newSession = sessionIdOf(second.redirectTo);
    expect(newSession).not.toBe(oldSession);
    const [old, current] = bookingsOf(draft.id);
    expect(bookingsOf(draft.id)).toHaveLength(2);
    expect(old).toMatchObject({
      status: "expired",
      status_reason: "changed before paying",
      start_at: draft.startAt!.getTime(),
      hold_expires_at: null,
      checkout_session_id: oldSession,
    });
    expect(eventsOf(world.db, old!.id)).toEqual([
      { from_status: null, to_status: "held", actor: "client", reason: "checkout started" },
      {
        from_status: "held",
        to_status: "expired",
        actor: "client",
        reason: "changed before paying",
      },
    ]);
    expect(stripeSession(oldSession).status).toBe("expired");
    expect(current).toMatchObject({
      status: "held",
      start_at: otherTime.getTime(),
      checkout_session_id: newSession,
    });
    expect(stripeSession(newSession)).toMatchObject({
      status: "open",
      client_reference_id: current!.id,
    });
    expect(draftRow(world.db, draft.id)).toEqual({
      status: "checkout",
      start_at: otherTime.getTime(),
      checkout_session_id: newSession,
    });
  });

  it("the client changed to a time someone else took: SlotTakenError, and the old hold and its session both end", async () => {
    const offer = coachingSession();
    const draft = completeDraftFor(world.db, offer);
    const first = await pressPay(draft.id);
    const oldSession = sessionIdOf(first.redirectTo);
    const otherTime = freeStarts(world.db, offer).find(
      (start) => start.getTime() !== draft.startAt!.getTime(),
    )!;
    saveDraft(world.db, draft.id, { startAt: otherTime }, new Date());
    expect(anotherClientBooks(otherTime).ok).toBe(true);

    await expect(pressPay(draft.id)).rejects.toThrow(SlotTakenError);

    const old = only(bookingsOf(draft.id));
    expect(old).toMatchObject({ status: "expired", status_reason: "changed before paying" });
    // The released hold's payment page must not stay payable.
    expect(stripeSession(oldSession).status).toBe("expired");
    expect(fullDraftRow(draft.id)).toMatchObject({
      status: "editing",
      start_at: null,
      client_email: draft.clientEmail,
    });
  });

  it.each([
    ["down (500, through the SDK's retries)", 5, 500],
    ["refusing the session (400)", 1, 400],
  ])(
    "Stripe %s: CheckoutUnavailableError, the hold released, the draft kept whole",
    async (_, failures, status) => {
      const draft = completeDraftFor(world.db, coachingSession());
      const draftBefore = fullDraftRow(draft.id);
      const sessionsBefore = sessionCount();
      world.emulator.failNextApiRequests(failures, status);

      await expect(pressPay(draft.id)).rejects.toThrow(CheckoutUnavailableError);

      const released = only(bookingsOf(draft.id));
      expect(released).toMatchObject({
        status: "expired",
        hold_expires_at: null,
        checkout_session_id: null,
      });
      expect(released.status_reason).toMatch(/^checkout could not start/);
      expect(eventsOf(world.db, released.id)).toEqual([
        { from_status: null, to_status: "held", actor: "client", reason: "checkout started" },
        {
          from_status: "held",
          to_status: "expired",
          actor: "system",
          reason: released.status_reason,
        },
      ]);
      expect(sessionCount()).toBe(sessionsBefore);
      // Back on the review step with everything filled in, the chosen time too.
      expect(fullDraftRow(draft.id)).toEqual({ ...draftBefore, status: "editing" });
      expect(draftBefore!.start_at).toBe(draft.startAt!.getTime());

      // Ready to try again, and it works.
      world.emulator.failNextApiRequests(0);
      const retried = await pressPay(draft.id);
      expect(bookingsOf(draft.id).map((b) => b.status)).toEqual(["expired", "held"]);
      expect(stripeSession(sessionIdOf(retried.redirectTo)).status).toBe("open");
    },
  );

  it.each([
    ["booked outright", (startAt: Date) => expect(anotherClientBooks(startAt).ok).toBe(true)],
    [
      "held by another client at Stripe",
      async (startAt: Date) => {
        const rival = completeDraftFor(world.db, coachingSession(), startAt);
        await pressPay(rival.id);
      },
    ],
  ])(
    "the time was %s meanwhile: SlotTakenError; the draft loses its time, keeps the rest",
    async (_, takeTheTime) => {
      const draft = completeDraftFor(world.db, coachingSession());
      const draftBefore = fullDraftRow(draft.id)!;
      await takeTheTime(draft.startAt!);
      const sessionsBefore = sessionCount();

      await expect(pressPay(draft.id)).rejects.toThrow(SlotTakenError);

      expect(bookingsOf(draft.id)).toEqual([]);
      expect(sessionCount()).toBe(sessionsBefore);
      expect(fullDraftRow(draft.id)).toEqual({ ...draftBefore, status: "editing", start_at: null });
      expect(draftBefore.client_name).toBe(draft.clientName);
      expect(draftBefore.client_email).toBe(draft.clientEmail);
    },
  );

  it("a free session's draft: IncompleteDraftError, nothing held or made", async () => {
    const draft = completeDraftFor(world.db, offerOf(world.db, "intro-call"));
    const before = everything();
    const sessionsBefore = sessionCount();

    await expect(pressPay(draft.id)).rejects.toThrow(IncompleteDraftError);

    expect(everything()).toEqual(before);
    expect(sessionCount()).toBe(sessionsBefore);
  });

  it("an incomplete draft: IncompleteDraftError, nothing held or made", async () => {
    const offer = coachingSession();
    const draft = saveDraft(
      world.db,
      null,
      {
        serviceId: offer.service.id,
        coachId: offer.coach.id,
        startAt: freeStarts(world.db, offer)[0]!,
        clientName: "Ada Lovelace",
        clientTimezone: "Europe/London",
      },
      new Date(),
    );
    const before = everything();
    const sessionsBefore = sessionCount();

    await expect(pressPay(draft.id)).rejects.toThrow(IncompleteDraftError);

    expect(everything()).toEqual(before);
    expect(sessionCount()).toBe(sessionsBefore);
  });
});

describe("cancelCheckout", () => {
  /** Pay pressed, and the client at Stripe: the draft as the cancel link's request reads it. */
  async function atStripe() {
    const draft = completeDraftFor(world.db, coachingSession());
    const { redirectTo } = await pressPay(draft.id);
    const sessionId = sessionIdOf(redirectTo);
    const booking = only(bookingsOf(draft.id));
    return { draft: findDraft(world.db, draft.id)!, sessionId, bookingId: booking.id };
  }

  const cancel = (draft: NonNullable<ReturnType<typeof findDraft>>) =>
    cancelCheckout(world.db, world.stripe, draft, { appUrl: APP_URL });

  it("the client cancelled at Stripe: session expired, hold released, draft back to review with its time", async () => {
    const { draft, sessionId, bookingId } = await atStripe();
    expect(draft).toMatchObject({ status: "checkout", checkoutSessionId: sessionId });

    expect(await cancel(draft)).toBe("review");

    expect(stripeSession(sessionId).status).toBe("expired");
    expect(only(bookingsOf(draft.id))).toMatchObject({
      id: bookingId,
      status: "expired",
      status_reason: "checkout expired",
      hold_expires_at: null,
    });
    expect(eventsOf(world.db, bookingId).slice(1)).toEqual([
      { from_status: "held", to_status: "expired", actor: "client", reason: "checkout expired" },
    ]);
    expect(draftRow(world.db, draft.id)).toEqual({
      status: "editing",
      start_at: draft.startAt!.getTime(),
      checkout_session_id: null,
    });
  });

  it("the session was paid meanwhile: the paid session is returned and the booking confirmed", async () => {
    const { draft, sessionId, bookingId } = await atStripe();
    world.emulator.ledger.completeCheckoutSession(sessionId, "paid");

    expect(await cancel(draft)).toEqual({ paidSession: sessionId });

    expect(stripeSession(sessionId)).toMatchObject({ status: "complete", payment_status: "paid" });
    expect(only(bookingsOf(draft.id))).toMatchObject({ id: bookingId, status: "confirmed" });
    expect(eventsOf(world.db, bookingId).slice(1)).toEqual([
      { from_status: "held", to_status: "confirmed", actor: "client", reason: "payment received" },
    ]);
    expect(outboxOf(world.db, bookingId)).toHaveLength(2);
    expect(draftRow(world.db, draft.id)!.status).toBe("completed");
  });

  it("a draft that is not at Stripe: review, and nothing happens", async () => {
    const draft = completeDraftFor(world.db, coachingSession());
    const before = everything();
    const sessionsBefore = sessionCount();

    expect(await cancel(draft)).toBe("review");

    expect(everything()).toEqual(before);
    expect(sessionCount()).toBe(sessionsBefore);
  });
});

/** Someone else books a free intro call with the same coach at `startAt`. */
function anotherClientBooks(startAt: Date) {
  return lifecycle.confirmFree(
    world.db,
    newBooking(world.db, offerOf(world.db, "intro-call"), startAt),
    { actor: "client", at: new Date(), reason: "free session", appUrl: APP_URL },
  );
}

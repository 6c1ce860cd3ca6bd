/**
 * From a finished draft to a booking, against a real SQLite file: `confirmFreeBooking` books a
 * complete free draft (confirmed booking, its audit row, the draft completed, a manage token that
 * matches the stored hash, all in one transaction); a time someone else took throws SlotTakenError
 * and costs the draft its time only; a paid, incomplete, expired, finished or unknown draft throws
 * IncompleteDraftError and writes nothing. Also what `requireCompleteDraft` and `newBookingFrom`
 * read from the draft.
 */
import { describe, expect, it } from "vitest";
import * as lifecycle from "~/booking/lifecycle.server";
import {
  APP_URL,
  bookingRow,
  completeDraftFor,
  eventsOf,
  freeStarts,
  newBooking,
  offerOf,
  outboxOf,
  rows,
  withDomainWorld,
} from "../../tests/support/domain";
import {
  confirmFreeBooking,
  IncompleteDraftError,
  newBookingFrom,
  requireCompleteDraft,
  SlotTakenError,
} from "./draft-booking.server";
import { DRAFT_LIFETIME_MS, saveDraft } from "./drafts.server";

const world = withDomainWorld();

/** Every column of a draft, as SQLite holds it. */
const fullDraftRow = (draftId: string) =>
  rows<{
    id: string;
    status: string;
    service_id: number | null;
    coach_id: number | null;
    start_at: number | null;
    client_name: string | null;
    client_email: string | null;
    client_timezone: string | null;
    client_notes: string | null;
    checkout_session_id: string | null;
  }>(world.db, "select * from booking_drafts where id = ?", draftId)[0];

const allBookings = () => rows<{ id: string }>(world.db, "select id from bookings order by id");
const allEvents = () => rows(world.db, "select * from booking_events order by id");
const allEmails = () => rows(world.db, "select * from email_outbox order by id");

/** Runs `act`, expecting it to throw IncompleteDraftError and to change nothing in the database. */
function expectIncompleteAndNothingWritten(draftId: string, act: () => unknown) {
  const before = {
    draft: fullDraftRow(draftId),
    bookings: allBookings(),
    events: allEvents(),
    emails: allEmails(),
  };
  expect(act).toThrow(IncompleteDraftError);
  expect(fullDraftRow(draftId)).toEqual(before.draft);
  expect(allBookings()).toEqual(before.bookings);
  expect(allEvents()).toEqual(before.events);
  expect(allEmails()).toEqual(before.emails);
}

describe("confirmFreeBooking", () => {
  it("confirms a complete free draft: booking, audit row, draft completed, manage token", () => {
    const { db } = world;
    const offer = offerOf(db, "intro-call");
    const draft = saveDraft(
      db,
      null,
      {
        serviceId: offer.service.id,
        coachId: offer.coach.id,
        startAt: freeStarts(db, offer)[0]!,
        clientName: "Ada Lovelace",
        clientEmail: "ada@example.com",
        clientTimezone: "Europe/Paris",
        clientNotes: "About the engine",
      },
      new Date(),
    );
    const now = new Date();

    const { bookingId } = confirmFreeBooking(db, draft.id, { now, appUrl: APP_URL });

    const booking = bookingRow(db, bookingId)!;
    expect(booking).toMatchObject({
      status: "confirmed",
      status_reason: "free session",
      draft_id: draft.id,
      start_at: draft.startAt!.getTime(),
      hold_expires_at: null,
      checkout_session_id: null,
      payment_intent_id: null,
      needs_attention: null,
    });
    expect(
      rows(
        db,
        `select coach_id, service_id, end_at, client_name, client_email, client_timezone,
                client_notes, price_minor, currency, created_at from bookings where id = ?`,
        bookingId,
      )[0],
    ).toEqual({
      coach_id: offer.coach.id,
      service_id: offer.service.id,
      end_at: draft.startAt!.getTime() + 15 * 60_000,
      client_name: "Ada Lovelace",
      client_email: "ada@example.com",
      client_timezone: "Europe/Paris",
      client_notes: "About the engine",
      price_minor: 0,
      currency: "gbp",
      created_at: now.getTime(),
    });
    expect(eventsOf(db, bookingId)).toEqual([
      { from_status: null, to_status: "confirmed", actor: "client", reason: "free session" },
    ]);
    expect(fullDraftRow(draft.id)!.status).toBe("completed");
    expect(allBookings()).toEqual([{ id: bookingId }]);
    // A free booking is confirmed by email to both, like a paid one.
    expect(outboxOf(db, bookingId)).toEqual([
      "booking_confirmed to ada@example.com",
      "coach_new_booking to maya@example.com",
    ]);
  });

  it("refuses a time someone else took: SlotTakenError, no booking, the draft loses its time only", () => {
    const { db } = world;
    const offer = offerOf(db, "intro-call");
    const startAt = freeStarts(db, offer)[0]!;
    const draft = completeDraftFor(db, offer, startAt);
    const before = fullDraftRow(draft.id)!;
    const taken = lifecycle.confirmFree(db, newBooking(db, offer, startAt), {
      actor: "client",
      at: new Date(),
      appUrl: APP_URL,
    });
    if (!taken.ok) throw new Error(`could not take the slot: ${taken.refused}`);

    const now = new Date(Date.now() + 1_000);
    expect(() => confirmFreeBooking(db, draft.id, { now, appUrl: APP_URL })).toThrow(
      SlotTakenError,
    );

    expect(allBookings()).toEqual([{ id: taken.booking.id }]);
    expect(rows(db, "select * from bookings where draft_id = ?", draft.id)).toEqual([]);
    expect(allEvents()).toHaveLength(1);
    expect(fullDraftRow(draft.id)).toEqual({
      ...before,
      start_at: null,
      status: "editing",
      updated_at: now.getTime(),
    });
    expect(fullDraftRow(draft.id)).toMatchObject({
      client_name: before.client_name,
      client_email: before.client_email,
      service_id: offer.service.id,
      coach_id: offer.coach.id,
    });
  });

  it("refuses a paid service with IncompleteDraftError and writes nothing", () => {
    const { db } = world;
    const draft = completeDraftFor(db, offerOf(db, "coaching-session"));
    expectIncompleteAndNothingWritten(draft.id, () =>
      confirmFreeBooking(db, draft.id, { now: new Date(), appUrl: APP_URL }),
    );
    expect(fullDraftRow(draft.id)).toMatchObject({ status: "editing" });
    expect(fullDraftRow(draft.id)!.start_at).not.toBeNull();
  });

  it("refuses a draft without an email with IncompleteDraftError and writes nothing", () => {
    const { db } = world;
    const offer = offerOf(db, "intro-call");
    const draft = saveDraft(
      db,
      null,
      {
        serviceId: offer.service.id,
        coachId: offer.coach.id,
        startAt: freeStarts(db, offer)[0]!,
        clientName: "Ada Lovelace",
        clientTimezone: "Europe/London",
      },
      new Date(),
    );
    expectIncompleteAndNothingWritten(draft.id, () =>
      confirmFreeBooking(db, draft.id, { now: new Date(), appUrl: APP_URL }),
    );
  });

  it("refuses a draft without a time with IncompleteDraftError and writes nothing", () => {
    const { db } = world;
    const offer = offerOf(db, "intro-call");
    const draft = saveDraft(db, completeDraftFor(db, offer).id, { startAt: null }, new Date());
    expectIncompleteAndNothingWritten(draft.id, () =>
      confirmFreeBooking(db, draft.id, { now: new Date(), appUrl: APP_URL }),
    );
  });

  it("refuses an expired draft with IncompleteDraftError and writes nothing", () => {
    const { db } = world;
    const offer = offerOf(db, "intro-call");
    const now = new Date();
    const longAgo = new Date(now.getTime() - DRAFT_LIFETIME_MS - 60_000);
    const draft = completeDraftFor(db, offer, freeStarts(db, offer, now)[0]!, longAgo);
    expectIncompleteAndNothingWritten(draft.id, () =>
      confirmFreeBooking(db, draft.id, { now, appUrl: APP_URL }),
    );
  });

  it("refuses an unknown draft id with IncompleteDraftError and writes nothing", () => {
    const { db } = world;
    const before = { bookings: allBookings(), events: allEvents() };
    expect(() =>
      confirmFreeBooking(db, "no-such-draft", { now: new Date(), appUrl: APP_URL }),
    ).toThrow(IncompleteDraftError);
    expect(allBookings()).toEqual(before.bookings);
    expect(allEvents()).toEqual(before.events);
  });

  it("refuses a draft confirmed already (a second submit): one booking, not two", () => {
    const { db } = world;
    const draft = completeDraftFor(db, offerOf(db, "intro-call"));
    const { bookingId } = confirmFreeBooking(db, draft.id, { now: new Date(), appUrl: APP_URL });
    expectIncompleteAndNothingWritten(draft.id, () =>
      confirmFreeBooking(db, draft.id, { now: new Date(), appUrl: APP_URL }),
    );
    expect(allBookings()).toEqual([{ id: bookingId }]);
    expect(fullDraftRow(draft.id)!.status).toBe("completed");
  });
});

describe("requireCompleteDraft", () => {
  it("returns the open draft and the offer it books", () => {
    const { db } = world;
    const offer = offerOf(db, "deep-dive");
    const draft = completeDraftFor(db, offer);
    const complete = requireCompleteDraft(db, draft.id, new Date());
    expect(complete.draft).toEqual(draft);
    expect(complete.offer).toEqual(offer);
  });

  it("refuses a service the coach does not offer", () => {
    const { db } = world;
    const maya = offerOf(db, "deep-dive");
    const daniel = offerOf(db, "coaching-session", "daniel-reyes");
    // Daniel does not offer the deep dive.
    const draft = saveDraft(
      db,
      completeDraftFor(db, maya).id,
      { coachId: daniel.coach.id },
      new Date(),
    );
    expect(() => requireCompleteDraft(db, draft.id, new Date())).toThrow(IncompleteDraftError);
  });

  it.each(["clientName", "clientEmail", "clientTimezone", "startAt", "serviceId", "coachId"])(
    "refuses a draft without %s",
    (field) => {
      const { db } = world;
      const draft = saveDraft(
        db,
        completeDraftFor(db, offerOf(db, "intro-call")).id,
        { [field]: null },
        new Date(),
      );
      expect(() => requireCompleteDraft(db, draft.id, new Date())).toThrow(IncompleteDraftError);
    },
  );
});

describe("newBookingFrom", () => {
  it("maps the draft's fields onto the booking", () => {
    const { db } = world;
    const offer = offerOf(db, "coaching-session");
    const startAt = freeStarts(db, offer)[0]!;
    const draft = saveDraft(
      db,
      null,
      {
        serviceId: offer.service.id,
        coachId: offer.coach.id,
        startAt,
        clientName: "Grace Hopper",
        clientEmail: "grace@example.com",
        clientTimezone: "America/New_York",
        clientNotes: "Compilers",
      },
      new Date(),
    );
    expect(newBookingFrom(requireCompleteDraft(db, draft.id, new Date()))).toEqual({
      offer,
      startAt,
      draftId: draft.id,
      client: {
        name: "Grace Hopper",
        email: "grace@example.com",
        timezone: "America/New_York",
        notes: "Compilers",
      },
      // The demo's services have no place or questions set.
      location: null,
      answers: [],
    });
  });

  it("gives notes the client never typed as an empty string", () => {
    const { db } = world;
    const offer = offerOf(db, "intro-call");
    const draft = saveDraft(
      db,
      null,
      {
        serviceId: offer.service.id,
        coachId: offer.coach.id,
        startAt: freeStarts(db, offer)[0]!,
        clientName: "Grace Hopper",
        clientEmail: "grace@example.com",
        clientTimezone: "America/New_York",
      },
      new Date(),
    );
    expect(draft.clientNotes).toBeNull();
    const booking = newBookingFrom(requireCompleteDraft(db, draft.id, new Date()));
    expect(booking.client.notes).toBe("");

    // And the booking made from it stores that empty string.
    const { bookingId } = confirmFreeBooking(db, draft.id, { now: new Date(), appUrl: APP_URL });
    expect(rows(db, "select client_notes from bookings where id = ?", bookingId)[0]).toEqual({
      client_notes: "",
    });
  });
});

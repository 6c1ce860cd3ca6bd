/**
 * The booking lifecycle, called directly against a real SQLite file: every event from every status
 * (allowed ones move the booking and write their audit row and emails; refused ones change nothing
 * and say why), the slot check of the events that create, confirm or move a booking, the manage
 * links in the emails, reminders, and that each event commits or rolls back with its caller's
 * transaction.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { writeTransaction } from "~db/database.server";
import { BOOKING_STATUSES, type BookingStatus } from "~db/schema";
import {
  APP_URL,
  bookingRow,
  eventsOf,
  forceStatus,
  freeStarts,
  newBooking,
  offerOf,
  outboxOf,
  rows,
  withDomainWorld,
} from "../../tests/support/domain";
import * as lifecycle from "./lifecycle.server";
import { TRANSITIONS, type LifecycleEvent } from "./lifecycle.server";
import { hashSecretToken } from "~/lib/secret-token.server";
import { bookingIdOfManageToken } from "./manage-links.server";

const world = withDomainWorld();
const at = () => new Date();

/** A paid booking of the demo practice, put straight into `status` (and flagged, if asked). */
function bookingIn(status: BookingStatus, { flagged = false } = {}) {
  const { db } = world;
  const held = lifecycle.hold(db, newBooking(db, offerOf(db, "coaching-session")), {
    actor: "client",
    at: at(),
    holdExpiresAt: new Date(Date.now() + 30 * 60_000),
  });
  if (!held.ok) throw new Error(`could not hold: ${held.refused}`);
  if (status !== "held") forceStatus(db, held.booking.id, status);
  if (flagged)
    db.$client
      .prepare("update bookings set needs_attention = 'look at this' where id = ?")
      .run(held.booking.id);
  return held.booking.id;
}

/** A bookable time of the booking's service and coach other than its own. */
function laterFreeStart(id: string): Date {
  const own = bookingRow(world.db, id)?.start_at;
  const free = freeStarts(world.db, offerOf(world.db, "coaching-session"));
  return free.find((start) => start.getTime() !== own) ?? new Date(Date.now() + 86_400_000);
}

/** A moment after the booking's session has begun. */
const afterStartOf = (id: string) =>
  new Date((bookingRow(world.db, id)?.start_at ?? Date.now()) + 60_000);

/** Each event on an existing booking, called as its callers call it. */
const EVENTS_ON_A_BOOKING: Record<
  Exclude<LifecycleEvent, "hold" | "confirmFree">,
  (bookingId: string) => lifecycle.Moved | lifecycle.Refusal
> = {
  confirmPaid: (id) =>
    lifecycle.confirmPaid(world.db, id, {
      actor: "stripe",
      at: at(),
      paymentIntentId: "pi_test_1",
      checkoutSessionId: "cs_test_1",
      appUrl: APP_URL,
    }),
  markProcessing: (id) =>
    lifecycle.markProcessing(world.db, id, { actor: "stripe", at: at(), paymentIntentId: "pi_1" }),
  failPayment: (id) =>
    lifecycle.failPayment(world.db, id, {
      actor: "stripe",
      at: at(),
      paymentIntentId: "pi_1",
      resumeUrl: () => `${APP_URL}/book/resume/token`,
    }),
  expire: (id) => lifecycle.expire(world.db, id, { actor: "system", at: at(), reason: "lapsed" }),
  refundForSlotConflict: (id) =>
    lifecycle.refundForSlotConflict(world.db, id, {
      actor: "system",
      at: at(),
      paymentIntentId: "pi_1",
      checkoutSessionId: "cs_test_1",
      resumeUrl: () => null,
    }),
  recordRefund: (id) =>
    lifecycle.recordRefund(world.db, id, { actor: "stripe", at: at(), reason: "refunded" }),
  recordPartialRefund: (id) =>
    lifecycle.recordPartialRefund(world.db, id, {
      actor: "coach",
      at: at(),
      amountMinor: 1000,
      notifyClient: true,
    }),
  flagForAttention: (id) =>
    lifecycle.flagForAttention(world.db, id, {
      actor: "stripe",
      at: at(),
      note: "amounts differ",
      paymentIntentId: "pi_1",
    }),
  resolveAttention: (id) =>
    lifecycle.resolveAttention(world.db, id, { actor: "coach", at: at(), reason: "handled" }),
  cancel: (id) =>
    lifecycle.cancel(world.db, id, {
      actor: "coach",
      at: at(),
      refundedMinor: 4500,
      appUrl: APP_URL,
    }),
  reschedule: (id) =>
    lifecycle.reschedule(world.db, id, {
      actor: "client",
      at: at(),
      startAt: laterFreeStart(id),
      appUrl: APP_URL,
    }),
  complete: (id) => lifecycle.complete(world.db, id, { actor: "coach", at: afterStartOf(id) }),
  markNoShow: (id) => lifecycle.markNoShow(world.db, id, { actor: "coach", at: afterStartOf(id) }),
};

/** Bookings an event needs to find it in a state where it applies (beyond its status). */
const PREPARED: Partial<Record<LifecycleEvent, { flagged: boolean }>> = {
  resolveAttention: { flagged: true },
};

/** The emails each event queues (reminders, which depend on how far off the session is, aside). */
const EMAILS: Partial<Record<LifecycleEvent, string[]>> = {
  confirmPaid: ["booking_confirmed", "coach_new_booking"],
  markProcessing: ["payment_processing"],
  failPayment: ["payment_failed"],
  refundForSlotConflict: ["booking_refunded_slot_conflict"],
  recordPartialRefund: ["booking_refunded"],
  cancel: ["booking_cancelled"],
  reschedule: ["booking_rescheduled", "coach_booking_rescheduled"],
};

const kindsQueuedFor = (id: string) =>
  outboxOf(world.db, id)
    .map((line) => line.split(" ")[0])
    .filter((kind) => kind !== "reminder");

describe.each(Object.entries(EVENTS_ON_A_BOOKING))("%s", (name, fire) => {
  const event = name as keyof typeof EVENTS_ON_A_BOOKING;
  const transition = TRANSITIONS[event];

  it.each([...transition.from])(
    "from %s: moves the booking and records who, why, from and to",
    (from) => {
      const id = bookingIn(from, PREPARED[event]);
      const eventsBefore = eventsOf(world.db, id).length;
      const result = fire(id);
      expect(result).toMatchObject({ ok: true, from });
      const to = transition.to ?? from;
      expect(bookingRow(world.db, id)!.status).toBe(to);
      expect(eventsOf(world.db, id).slice(eventsBefore)).toEqual([
        expect.objectContaining({ from_status: from, to_status: to }),
      ]);
      expect(kindsQueuedFor(id)).toEqual(EMAILS[event] ?? []);
      // Only a booking still held keeps its expiry (a flag drops it: see flagForAttention).
      if (to !== "held" || event === "flagForAttention")
        expect(bookingRow(world.db, id)!.hold_expires_at).toBeNull();
      else expect(bookingRow(world.db, id)!.hold_expires_at).not.toBeNull();
    },
  );

  const refusedFrom = BOOKING_STATUSES.filter((status) => !lifecycle.allows(event, status));
  it.each(refusedFrom)("from %s: refused, and nothing changes", (from) => {
    const id = bookingIn(from, PREPARED[event]);
    const before = { row: bookingRow(world.db, id), events: eventsOf(world.db, id) };
    expect(fire(id)).toEqual({ ok: false, refused: "not_allowed", status: from });
    expect(bookingRow(world.db, id)).toEqual(before.row);
    expect(eventsOf(world.db, id)).toEqual(before.events);
    expect(outboxOf(world.db, id)).toEqual([]);
  });

  it("refuses a booking that does not exist", () => {
    expect(fire("bk_nobody")).toEqual({ ok: false, refused: "not_found" });
  });
});

describe("the table", () => {
  it("covers every status, and every event's statuses exist", () => {
    const reached = new Set<string>();
    for (const transition of Object.values(TRANSITIONS)) {
      for (const status of [...transition.from, transition.to])
        if (status) expect(BOOKING_STATUSES).toContain(status);
      if (transition.to) reached.add(transition.to);
      transition.from.forEach((status) => reached.add(status));
    }
    expect([...reached].sort()).toEqual([...BOOKING_STATUSES].sort());
  });

  // When these fail, paste the expected text into docs/architecture.md.
  const doc = () => readFileSync(new URL("../../docs/architecture.md", import.meta.url), "utf8");

  it("is the state diagram in docs/architecture.md", () => {
    const drawn = doc().match(/```mermaid\n(stateDiagram-v2\n[\s\S]*?)```/)?.[1];
    expect(drawn).toBe(renderStateDiagram());
  });

  it("is the table of events in docs/architecture.md", () => {
    const listed = doc().match(/<!-- events:start -->\n([\s\S]*?)<!-- events:end -->/)?.[1];
    expect(listed).toBe(renderEventTable());
  });
});

/** The status changes of the table as a Mermaid state diagram: one arrow per (from, event). */
function renderStateDiagram(): string {
  const lines = ["stateDiagram-v2"];
  for (const [event, { from, to }] of Object.entries(TRANSITIONS)) {
    if (!to) continue; // events that keep the status are in the table below it
    if (from.length === 0) lines.push(`  [*] --> ${to} : ${event}`);
    for (const status of from) lines.push(`  ${status} --> ${to} : ${event}`);
  }
  return `${lines.join("\n")}\n`;
}

/** Every event of the table: where it may start, where it ends, what it means. */
function renderEventTable(): string {
  const rows = Object.entries(TRANSITIONS).map(
    ([event, { from, to, means }]) =>
      `| \`${event}\` | ${from.length ? from.join(", ") : "(new booking)"} | ${to ?? "(unchanged)"} | ${means} |`,
  );
  return `| event | from | to | means |\n| --- | --- | --- | --- |\n${rows.join("\n")}\n`;
}

describe("hold and confirmFree", () => {
  it("hold creates a held booking with its first audit row, no manage link and no email", () => {
    const { db } = world;
    const booking = newBooking(db, offerOf(db, "coaching-session"));
    const expiry = new Date(Date.now() + 31 * 60_000);
    const held = lifecycle.hold(db, booking, { actor: "client", at: at(), holdExpiresAt: expiry });
    expect(held.ok).toBe(true);
    if (!held.ok) return;
    expect(bookingRow(db, held.booking.id)).toMatchObject({
      status: "held",
      hold_expires_at: expiry.getTime(),
      start_at: booking.startAt.getTime(),
    });
    expect(eventsOf(db, held.booking.id)).toEqual([
      { from_status: null, to_status: "held", actor: "client", reason: "hold" },
    ]);
    expect(manageTokensOf(held.booking.id)).toEqual([]);
    expect(outboxOf(db, held.booking.id)).toEqual([]);
  });

  it("confirmFree confirms a free session and emails the client and the coach", () => {
    const { db } = world;
    const confirmed = lifecycle.confirmFree(db, newBooking(db, offerOf(db, "intro-call")), {
      actor: "client",
      at: at(),
      reason: "free session",
      appUrl: APP_URL,
    });
    expect(confirmed.ok).toBe(true);
    if (!confirmed.ok) return;
    expect(bookingRow(db, confirmed.booking.id)!.status).toBe("confirmed");
    expect(kindsQueuedFor(confirmed.booking.id)).toEqual([
      "booking_confirmed",
      "coach_new_booking",
    ]);
  });

  it("the client's email carries a manage link whose token is stored only as its hash", () => {
    const { db } = world;
    const id = bookingIn("held");
    EVENTS_ON_A_BOOKING.confirmPaid(id);
    const token = manageTokenIn(clientEmailOf(id, "booking_confirmed"));
    expect(token).toMatch(/^[\w-]{43}$/); // 256 bits of base64url
    expect(manageTokensOf(id)).toEqual([hashSecretToken(token)]);
    expect(bookingIdOfManageToken(db, token)).toBe(id);
    const everything = JSON.stringify([
      rows(db, "select * from bookings"),
      rows(db, "select * from manage_tokens"),
    ]);
    expect(everything).not.toContain(token);
    expect(
      bookingIdOfManageToken(
        db,
        token.replace(/.$/, (c) => (c === "A" ? "B" : "A")),
      ),
    ).toBe(null);
  });

  it("confirmFree will not confirm a paid session", () => {
    const { db } = world;
    expect(() =>
      lifecycle.confirmFree(db, newBooking(db, offerOf(db, "coaching-session")), {
        actor: "client",
        at: at(),
        appUrl: APP_URL,
      }),
    ).toThrow(/not free/);
  });

  it.each(["held", "processing", "confirmed"] as const)(
    "both refuse a time another booking holds (%s), and insert nothing",
    (status) => {
      const { db } = world;
      const offer = offerOf(db, "intro-call");
      const taken = bookingIn(status);
      const startAt = new Date(bookingRow(db, taken)!.start_at);
      const count = () => rows(db, "select id from bookings").length;
      const before = count();
      expect(
        lifecycle.hold(db, newBooking(db, offer, startAt), {
          actor: "client",
          at: at(),
          holdExpiresAt: new Date(Date.now() + 60_000),
        }),
      ).toEqual({ ok: false, refused: "slot_taken" });
      expect(
        lifecycle.confirmFree(db, newBooking(db, offer, startAt), {
          actor: "client",
          at: at(),
          appUrl: APP_URL,
        }),
      ).toEqual({ ok: false, refused: "slot_taken" });
      expect(count()).toBe(before);
    },
  );

  it.each(["expired", "payment_failed", "refunded", "cancelled"] as const)(
    "a %s booking does not hold its time",
    (status) => {
      const { db } = world;
      const earlier = bookingIn(status);
      const startAt = new Date(bookingRow(db, earlier)!.start_at);
      const offer = offerOf(db, "intro-call");
      expect(
        lifecycle.confirmFree(db, newBooking(db, offer, startAt), {
          actor: "client",
          at: at(),
          appUrl: APP_URL,
        }),
      ).toMatchObject({ ok: true });
    },
  );

  it("a lapsed hold does not hold its time", () => {
    const { db } = world;
    const earlier = bookingIn("held");
    forceStatus(db, earlier, "held", Date.now() - 1000);
    const startAt = new Date(bookingRow(db, earlier)!.start_at);
    expect(
      lifecycle.confirmFree(db, newBooking(db, offerOf(db, "intro-call"), startAt), {
        actor: "client",
        at: at(),
        appUrl: APP_URL,
      }),
    ).toMatchObject({ ok: true });
  });

  it("refuse a time outside the coach's hours", () => {
    const { db } = world;
    const offer = offerOf(db, "intro-call");
    const first = freeStarts(db, offer)[0]!;
    const offHours = new Date(first.getTime() - 7 * 60_000); // not on the slot grid
    expect(
      lifecycle.confirmFree(db, newBooking(db, offer, offHours), {
        actor: "client",
        at: at(),
        appUrl: APP_URL,
      }),
    ).toEqual({ ok: false, refused: "slot_taken" });
  });
});

describe("confirmPaid", () => {
  it("refuses when the hold lapsed and someone else took the slot", () => {
    const { db } = world;
    const lapsed = bookingIn("expired");
    const startAt = new Date(bookingRow(db, lapsed)!.start_at);
    const other = lifecycle.confirmFree(db, newBooking(db, offerOf(db, "intro-call"), startAt), {
      actor: "client",
      at: at(),
      appUrl: APP_URL,
    });
    expect(other.ok).toBe(true);
    expect(EVENTS_ON_A_BOOKING.confirmPaid(lapsed)).toEqual({ ok: false, refused: "slot_taken" });
    expect(bookingRow(db, lapsed)!.status).toBe("expired");
  });

  it("stores the payment and the session", () => {
    const { db } = world;
    const id = bookingIn("held");
    const confirmed = lifecycle.confirmPaid(db, id, {
      actor: "stripe",
      at: at(),
      paymentIntentId: "pi_test_9",
      checkoutSessionId: "cs_test_9",
      appUrl: APP_URL,
    });
    expect(confirmed.ok).toBe(true);
    expect(bookingRow(db, id)).toMatchObject({
      payment_intent_id: "pi_test_9",
      checkout_session_id: "cs_test_9",
    });
  });
});

describe("flagForAttention", () => {
  it("flags once: the note and payment are stored, the hold dropped, and a repeat is refused", () => {
    const { db } = world;
    const id = bookingIn("held");
    expect(EVENTS_ON_A_BOOKING.flagForAttention(id)).toMatchObject({ ok: true });
    expect(bookingRow(db, id)).toMatchObject({
      status: "held",
      needs_attention: "amounts differ",
      payment_intent_id: "pi_1",
      hold_expires_at: null,
    });
    expect(eventsOf(db, id).at(-1)).toEqual({
      from_status: "held",
      to_status: "held",
      actor: "stripe",
      reason: "amounts differ",
    });
    expect(EVENTS_ON_A_BOOKING.flagForAttention(id)).toEqual({
      ok: false,
      refused: "already_flagged",
    });
    expect(eventsOf(db, id)).toHaveLength(2);
  });
});

describe("recordRefund", () => {
  it("keeps slot_conflict as the reason of a booking refunded for a conflict", () => {
    const { db } = world;
    const id = bookingIn("held");
    db.$client.prepare("update bookings set status_reason = 'slot_conflict' where id = ?").run(id);
    forceStatus(db, id, "confirmed");
    lifecycle.recordRefund(db, id, { actor: "stripe", at: at(), reason: "refunded in Stripe" });
    expect(bookingRow(db, id)!.status_reason).toBe("slot_conflict");
  });
});

describe("transactions", () => {
  it("an event inside a caller's transaction rolls back with it, audit row and emails too", () => {
    const { db } = world;
    const id = bookingIn("held");
    expect(() =>
      writeTransaction(db, (tx) => {
        const moved = lifecycle.confirmPaid(tx, id, {
          actor: "stripe",
          at: at(),
          paymentIntentId: "pi_1",
          checkoutSessionId: "cs_test_1",
          appUrl: APP_URL,
        });
        expect(moved.ok).toBe(true);
        throw new Error("the caller's next step failed");
      }),
    ).toThrow(/next step failed/);
    expect(bookingRow(db, id)!.status).toBe("held");
    expect(eventsOf(db, id)).toHaveLength(1);
    expect(outboxOf(db, id)).toEqual([]);
    expect(manageTokensOf(id)).toEqual([]);
  });
});

describe("the coach's events", () => {
  it.each(["complete", "markNoShow"] as const)(
    "%s is refused before the session has started, changing nothing",
    (event) => {
      const id = bookingIn("confirmed");
      const before = bookingRow(world.db, id);
      expect(lifecycle[event](world.db, id, { actor: "coach", at: at() })).toEqual({
        ok: false,
        refused: "not_yet",
      });
      expect(bookingRow(world.db, id)).toEqual(before);
    },
  );

  it("resolveAttention is refused when nothing is flagged, and clears the flag when something is", () => {
    const plain = bookingIn("confirmed");
    expect(EVENTS_ON_A_BOOKING.resolveAttention(plain)).toEqual({
      ok: false,
      refused: "not_flagged",
    });
    const flagged = bookingIn("confirmed", { flagged: true });
    expect(EVENTS_ON_A_BOOKING.resolveAttention(flagged)).toMatchObject({ ok: true });
    expect(bookingRow(world.db, flagged)!.needs_attention).toBeNull();
  });

  it("a failed payment and a slot-conflict refund are flagged for the coach", () => {
    const failed = bookingIn("processing");
    EVENTS_ON_A_BOOKING.failPayment(failed);
    expect(bookingRow(world.db, failed)!.needs_attention).toMatch(/payment failed/);
    const conflict = bookingIn("expired");
    EVENTS_ON_A_BOOKING.refundForSlotConflict(conflict);
    expect(bookingRow(world.db, conflict)!.needs_attention).toMatch(/refunded in full/);
  });

  it("cancel tells the client what was refunded; a full refund by the coach tells them too", () => {
    const cancelled = bookingIn("confirmed");
    lifecycle.cancel(world.db, cancelled, {
      actor: "coach",
      at: at(),
      refundedMinor: 2250,
      appUrl: APP_URL,
    });
    const [email] = rows<{ text_body: string; recipient: string }>(
      world.db,
      "select text_body, recipient from email_outbox where booking_id = ?",
      cancelled,
    );
    expect(email!.text_body).toContain("We have refunded £22.50 of the £45 you paid");
    const refunded = bookingIn("completed");
    lifecycle.recordRefund(world.db, refunded, {
      actor: "coach",
      at: at(),
      notifyClient: { amountMinor: 4500 },
    });
    expect(outboxOf(world.db, refunded)[0]).toMatch(/^booking_refunded to /);
  });
});

/** The manage-token hashes stored for a booking. */
const manageTokensOf = (id: string) =>
  rows<{ token_hash: string }>(
    world.db,
    "select token_hash from manage_tokens where booking_id = ? order by created_at",
    id,
  ).map((row) => row.token_hash);

function clientEmailOf(id: string, kind: string) {
  return rows<{ text_body: string; html_body: string; status: string; next_attempt_at: number }>(
    world.db,
    "select text_body, html_body, status, next_attempt_at from email_outbox where booking_id = ? and kind = ? order by id",
    id,
    kind,
  );
}

function manageTokenIn(emails: { text_body: string }[]): string {
  const token = emails[0]?.text_body.match(/\/bookings\/([\w-]+)/)?.[1];
  if (!token) throw new Error("no manage link in the email");
  return token;
}

/** A confirmed paid booking whose session starts at `startAt` (far enough off for reminders). */
function confirmedAt(startAt: Date): string {
  const { db } = world;
  const held = lifecycle.hold(db, newBooking(db, offerOf(db, "coaching-session"), startAt), {
    actor: "client",
    at: at(),
    holdExpiresAt: new Date(Date.now() + 30 * 60_000),
  });
  if (!held.ok) throw new Error(`could not hold: ${held.refused}`);
  const confirmed = lifecycle.confirmPaid(db, held.booking.id, {
    actor: "stripe",
    at: at(),
    paymentIntentId: `pi_${held.booking.id}`,
    checkoutSessionId: `cs_${held.booking.id}`,
    appUrl: APP_URL,
  });
  if (!confirmed.ok) throw new Error(`could not confirm: ${confirmed.refused}`);
  return held.booking.id;
}

/** The demo coach's bookable starts at least `days` days from now. */
const startsFromDay = (days: number) =>
  freeStarts(world.db, offerOf(world.db, "coaching-session")).filter(
    (start) => start.getTime() > Date.now() + days * 86_400_000,
  );

describe("reminders", () => {
  it("are queued for the service's offset before the session, to be sent then", () => {
    const start = startsFromDay(3)[0]!;
    const id = confirmedAt(start);
    expect(clientEmailOf(id, "reminder")).toEqual([
      expect.objectContaining({
        status: "pending",
        next_attempt_at: start.getTime() - 24 * 60 * 60_000,
      }),
    ]);
  });

  it("are not queued when the offset has already passed", () => {
    const soon = freeStarts(world.db, offerOf(world.db, "coaching-session")).find(
      (start) => start.getTime() < Date.now() + 24 * 60 * 60_000,
    );
    if (!soon) return expect.fail("the demo coach has no time within a day to test with");
    expect(clientEmailOf(confirmedAt(soon), "reminder")).toEqual([]);
  });

  it("are withdrawn when the session is cancelled", () => {
    const id = confirmedAt(startsFromDay(3)[0]!);
    EVENTS_ON_A_BOOKING.cancel(id);
    expect(clientEmailOf(id, "reminder").map((email) => email.status)).toEqual(["cancelled"]);
  });
});

describe("reschedule", () => {
  it("moves the session, raises the invite's sequence, and sends the new time with a new link", () => {
    const [first, later] = startsFromDay(3).filter((_, i) => i % 4 === 0);
    const id = confirmedAt(first!);
    const before = bookingRow(world.db, id)!;
    const moved = lifecycle.reschedule(world.db, id, {
      actor: "client",
      at: at(),
      startAt: later!,
      appUrl: APP_URL,
    });
    expect(moved).toMatchObject({ ok: true, from: "confirmed" });
    const after = rows<{ start_at: number; end_at: number; ics_sequence: number }>(
      world.db,
      "select start_at, end_at, ics_sequence from bookings where id = ?",
      id,
    )[0]!;
    expect(after).toEqual({
      start_at: later!.getTime(),
      end_at: later!.getTime() + (before.end_at - before.start_at),
      ics_sequence: 1,
    });
    expect(eventsOf(world.db, id).at(-1)).toEqual({
      from_status: "confirmed",
      to_status: "confirmed",
      actor: "client",
      reason: "reschedule",
    });
    // The old reminder is withdrawn; one for the new time waits.
    expect(
      clientEmailOf(id, "reminder").map((email) => [email.status, email.next_attempt_at]),
    ).toEqual([
      ["cancelled", first!.getTime() - 24 * 60 * 60_000],
      ["pending", later!.getTime() - 24 * 60 * 60_000],
    ]);
    // One link per client email: the confirmation, its reminder, the move, the new reminder.
    expect(manageTokensOf(id)).toHaveLength(4);
    expect(
      bookingIdOfManageToken(world.db, manageTokenIn(clientEmailOf(id, "booking_rescheduled"))),
    ).toBe(id);
  });

  it("may move the session into time its own old slot covered", () => {
    world.db.$client.exec("update coaches set slot_interval_minutes = 15");
    const starts = startsFromDay(3);
    const first = starts.findIndex((start, i) => {
      const next = starts[i + 1];
      return next !== undefined && next.getTime() - start.getTime() < 60 * 60_000;
    });
    if (first < 0) return expect.fail("no two starts within an hour of each other");
    const id = confirmedAt(starts[first]!);
    expect(
      lifecycle.reschedule(world.db, id, {
        actor: "client",
        at: at(),
        startAt: starts[first + 1]!,
        appUrl: APP_URL,
      }),
    ).toMatchObject({ ok: true });
  });

  it("is refused for a time someone else holds, or outside the coach's hours, changing nothing", () => {
    const starts = startsFromDay(3);
    const id = confirmedAt(starts[0]!);
    const taken = starts.find((start) => start.getTime() >= starts[0]!.getTime() + 2 * 3_600_000)!;
    confirmedAt(taken);
    const before = { row: bookingRow(world.db, id), emails: outboxOf(world.db, id) };
    const moveTo = (startAt: Date) =>
      lifecycle.reschedule(world.db, id, { actor: "client", at: at(), startAt, appUrl: APP_URL });
    expect(moveTo(taken)).toEqual({ ok: false, refused: "slot_taken" });
    expect(moveTo(new Date(taken.getTime() + 7 * 60_000))).toEqual({
      ok: false,
      refused: "slot_taken",
    });
    expect(bookingRow(world.db, id)).toEqual(before.row);
    expect(outboxOf(world.db, id)).toEqual(before.emails);
  });
});

/**
 * The sending job against a real SQLite file of the demo practice, with a transport that records
 * what it is given (the SMTP path itself is tested in tests/integration/emails.test.ts). Every
 * `now` is passed in: a free intro call booked at NOW for START, its reminder due 24 hours before.
 */
import { describe, expect, it } from "vitest";
import type { QueuedEmail } from "~/email/outbox.server";
import type { Transport } from "~/email/delivery.server";
import * as lifecycle from "~/booking/lifecycle.server";
import {
  APP_URL,
  forceStatus,
  newBooking,
  offerOf,
  rows,
  withDomainWorld,
} from "../../tests/support/domain";
import { sendDueEmails } from "./send-emails.server";

const world = withDomainWorld();

const MINUTE = 60_000;
const NOW = new Date("2027-03-01T09:00:00Z");
/** Monday 15 March 2027, 10:00 in London. */
const START = new Date("2027-03-15T10:00:00Z");
const REMINDER_AT = new Date(START.getTime() - 24 * 60 * MINUTE);
const WAITS = [1 * MINUTE, 5 * MINUTE];

/** A transport that keeps what it sends, or refuses while `refusing` is set. */
function recorder() {
  const sent: QueuedEmail[] = [];
  const transport: Transport & { refusing: boolean } = {
    describe: "recorder",
    refusing: false,
    send: async (email) => {
      if (transport.refusing) throw Object.assign(new Error("refused"), { response: "452 full" });
      sent.push(email);
    },
  };
  return { sent, transport };
}

function bookFreeCall(startAt = START): string {
  const made = lifecycle.confirmFree(
    world.db,
    newBooking(world.db, offerOf(world.db, "intro-call"), startAt),
    {
      actor: "client",
      at: NOW,
      appUrl: APP_URL,
    },
  );
  if (!made.ok) throw new Error(made.refused);
  return made.booking.id;
}

const outbox = (bookingId: string) =>
  rows<{
    kind: string;
    status: string;
    attempts: number;
    last_error: string | null;
    next_attempt_at: number;
  }>(
    world.db,
    "select kind, status, attempts, last_error, next_attempt_at from email_outbox where booking_id = ? order by id",
    bookingId,
  );

const send = (transport: Transport, at: Date) =>
  sendDueEmails(world.db, transport, { now: () => at, retryWaitsMs: WAITS });

describe("sendDueEmails", () => {
  it("sends what is due, once, and the reminder at its time", async () => {
    const id = bookFreeCall();
    const { sent, transport } = recorder();
    expect(await send(transport, NOW)).toEqual({ sent: 2, failed: 0 });
    expect(sent.map((email) => email.kind)).toEqual(["booking_confirmed", "coach_new_booking"]);
    expect(await send(transport, NOW)).toEqual({ sent: 0, failed: 0 });

    expect(await send(transport, new Date(REMINDER_AT.getTime() - 1))).toEqual({
      sent: 0,
      failed: 0,
    });
    expect(await send(transport, REMINDER_AT)).toEqual({ sent: 1, failed: 0 });
    expect(await send(transport, new Date(REMINDER_AT.getTime() + MINUTE))).toEqual({
      sent: 0,
      failed: 0,
    });
    expect(sent.map((email) => email.kind)).toEqual([
      "booking_confirmed",
      "coach_new_booking",
      "reminder",
    ]);
    expect(outbox(id).map((row) => row.status)).toEqual(["sent", "sent", "sent"]);
  });

  it("waits the next retry after each refusal, then gives up as dead", async () => {
    const id = bookFreeCall();
    const { sent, transport } = recorder();
    transport.refusing = true;
    expect(await send(transport, NOW)).toEqual({ sent: 0, failed: 2 });
    const [first] = outbox(id);
    expect(first).toMatchObject({
      status: "pending",
      attempts: 1,
      last_error: "refused (452 full)",
    });
    expect(first!.next_attempt_at).toBe(NOW.getTime() + WAITS[0]!);

    // Not before its time; then the second wait; then no waits are left.
    expect(await send(transport, new Date(NOW.getTime() + WAITS[0]! - 1))).toEqual({
      sent: 0,
      failed: 0,
    });
    const second = new Date(NOW.getTime() + WAITS[0]!);
    expect(await send(transport, second)).toEqual({ sent: 0, failed: 2 });
    expect(outbox(id)[0]!.next_attempt_at).toBe(second.getTime() + WAITS[1]!);
    expect(await send(transport, new Date(second.getTime() + WAITS[1]!))).toEqual({
      sent: 0,
      failed: 2,
    });
    expect(outbox(id).slice(0, 2)).toEqual([
      expect.objectContaining({ status: "dead", attempts: 3 }),
      expect.objectContaining({ status: "dead", attempts: 3 }),
    ]);
    transport.refusing = false;
    expect(await send(transport, new Date(second.getTime() + 60 * MINUTE))).toEqual({
      sent: 0,
      failed: 0,
    });
    expect(sent).toEqual([]);
  });

  it("never sends the reminder of a session no longer confirmed", async () => {
    const id = bookFreeCall();
    const { sent, transport } = recorder();
    await send(transport, NOW);
    forceStatus(world.db, id, "refunded");
    expect(await send(transport, REMINDER_AT)).toEqual({ sent: 0, failed: 0 });
    expect(sent.map((email) => email.kind)).not.toContain("reminder");
    expect(outbox(id).find((row) => row.kind === "reminder")!.status).toBe("cancelled");
  });
});

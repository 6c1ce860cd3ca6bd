import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { signPayload } from "../../stripe-emulator/index";
import { decodeEntities, FormClient, weekStarts } from "./form-client";
import {
  bookingsOf,
  checkAgainOf,
  clientAtPaidReview,
  eventsOf,
  hostedPage,
  lapseHold,
  outboxOf,
  pressPay,
  readDb,
  startPaymentWorld,
  waitFor,
  writeDb,
  type PaymentWorld,
} from "./payment-support";

let world: PaymentWorld;
beforeAll(async () => {
  world = await startPaymentWorld();
});
afterAll(() => world?.stop());
beforeEach(async () => {
  // Every test starts with webhooks flowing normally.
  world.emulator.webhooks.release();
  world.emulator.webhooks.setDelay(0);
  await world.emulator.webhooks.idle();
});

const settled = () => world.emulator.webhooks.idle();
const only = <T>(rows: T[]) => {
  expect(rows).toHaveLength(1);
  return rows[0]!;
};
const stripeEventsOf = (sessionId: string) =>
  world.emulator.ledger.events
    .filter((event) => (event.data.object as { id: string }).id === sessionId)
    .map((event) => event.id);
const recordedEvents = (ids: string[]) =>
  readDb<{ id: string; outcome: string }>(
    world.server,
    `select id, outcome from stripe_events where id in (${ids.map(() => "?").join(",") || "''"})`,
    ...ids,
  );

const CONFIRMED_EMAILS = (email: string) => [
  `booking_confirmed to ${email}`,
  "coach_new_booking to daniel@example.com",
];

describe("paying with JavaScript off", () => {
  it("happy path: Pay, the hosted page, the return page; one confirmed booking, its events and emails", async () => {
    const { client, slot } = await clientAtPaidReview(world.server, "happy@example.com");
    const { sessionId, url } = await pressPay(client);

    const held = only(bookingsOf(world.server, "happy@example.com"));
    expect(held).toMatchObject({
      status: "held",
      checkout_session_id: sessionId,
      start_at: Date.parse(slot),
    });
    const session = world.emulator.ledger.findSession(sessionId)!.session;
    expect(session).toMatchObject({
      amount_total: 4500,
      currency: "gbp",
      client_reference_id: held.id,
      customer_email: "happy@example.com",
      metadata: { booking_id: held.id, draft_id: held.draft_id },
      success_url: `${world.server.url}/book/return?session_id={CHECKOUT_SESSION_ID}`,
      cancel_url: `${world.server.url}/book/review?checkout=cancelled`,
    });
    expect(JSON.stringify(session.metadata)).not.toMatch(/Ada|happy@/);
    expect(session.expires_at - session.created).toBeGreaterThanOrEqual(30 * 60);

    const paid = await hostedPage(url, "pay");
    expect(paid).toEqual({ status: 303, path: `/book/return?session_id=${sessionId}` });
    const page = await client.get(paid.path!);
    expect(page.status).toBe(200);
    expect(page.html).toContain("Booking confirmed");
    expect(decodeEntities(page.html)).toContain("Thank you, Ada");
    expect(page.html).toContain("Coaching session");
    await settled();

    const booking = only(bookingsOf(world.server, "happy@example.com"));
    expect(booking).toMatchObject({
      status: "confirmed",
      payment_intent_id: expect.stringMatching(/^pi_/),
    });
    expect(
      eventsOf(world.server, booking.id).map((e) => `${e.from_status}->${e.to_status}`),
    ).toEqual(["null->held", "held->confirmed"]);
    expect(outboxOf(world.server, booking.id)).toEqual(CONFIRMED_EMAILS("happy@example.com"));
    expect(recordedEvents(stripeEventsOf(sessionId))).toHaveLength(1);

    // A refresh, and the same link opened in another browser: the same confirmation, nothing
    // twice; but only the browser that booked sees whose booking it is.
    const elsewhere = await new FormClient(world.server.url).get(paid.path!);
    expect(elsewhere.html).toContain("Booking confirmed");
    expect(elsewhere.html).toContain("The details are in the confirmation email");
    expect(elsewhere.html).not.toMatch(/happy@example\.com|Ada|Coaching session|Daniel/);
    expect((await client.get(paid.path!)).html).toContain("Booking confirmed");
    expect(bookingsOf(world.server, "happy@example.com")).toHaveLength(1);
    expect(outboxOf(world.server, booking.id)).toHaveLength(2);
    // And the slot is gone for everyone else.
    const other = new FormClient(world.server.url);
    await other.post("/book/service", { service: "coaching-session" });
    await other.post("/book/coach", { coach: "daniel-reyes" });
    expect(await weekStarts(other, "/book/time")).not.toContain(slot);
  });

  it("webhook before return: the webhook confirms, the return page shows it", async () => {
    const { client } = await clientAtPaidReview(world.server, "webhook-first@example.com");
    const { sessionId } = await pressPay(client);
    world.emulator.ledger.completeCheckoutSession(sessionId, "paid");
    await settled();
    const booking = only(bookingsOf(world.server, "webhook-first@example.com"));
    expect(booking.status).toBe("confirmed");
    expect(eventsOf(world.server, booking.id).at(-1)).toMatchObject({ actor: "stripe" });
    expect((await client.get(`/book/return?session_id=${sessionId}`)).html).toContain(
      "Booking confirmed",
    );
    expect(outboxOf(world.server, booking.id)).toEqual(
      CONFIRMED_EMAILS("webhook-first@example.com"),
    );
  });

  it("return before webhook: the return page confirms, the late webhook changes nothing", async () => {
    world.emulator.webhooks.hold();
    const { client } = await clientAtPaidReview(world.server, "return-first@example.com");
    const { sessionId, url } = await pressPay(client);
    const paid = await hostedPage(url, "pay");
    expect((await client.get(paid.path!)).html).toContain("Booking confirmed");
    const booking = only(bookingsOf(world.server, "return-first@example.com"));
    expect(booking.status).toBe("confirmed");
    expect(eventsOf(world.server, booking.id).at(-1)).toMatchObject({ actor: "client" });

    world.emulator.webhooks.release();
    await settled();
    expect(recordedEvents(stripeEventsOf(sessionId))).toEqual([
      expect.objectContaining({ outcome: "already_confirmed" }),
    ]);
    expect(eventsOf(world.server, booking.id)).toHaveLength(2);
    expect(outboxOf(world.server, booking.id)).toHaveLength(2);
  });

  it("webhook never delivered: the return page alone confirms", async () => {
    world.emulator.webhooks.dropNext(1);
    const { client } = await clientAtPaidReview(world.server, "no-webhook@example.com");
    const { url } = await pressPay(client);
    const paid = await hostedPage(url, "pay");
    await settled();
    expect(only(bookingsOf(world.server, "no-webhook@example.com")).status).toBe("held");
    expect((await client.get(paid.path!)).html).toContain("Booking confirmed");
    expect(only(bookingsOf(world.server, "no-webhook@example.com")).status).toBe("confirmed");
  });

  it("client never returns: the webhook alone confirms", async () => {
    const { client } = await clientAtPaidReview(world.server, "no-return@example.com");
    const { url } = await pressPay(client);
    await hostedPage(url, "pay"); // the browser closes before following the redirect
    await settled();
    const booking = only(bookingsOf(world.server, "no-return@example.com"));
    expect(booking.status).toBe("confirmed");
    expect(outboxOf(world.server, booking.id)).toEqual(CONFIRMED_EMAILS("no-return@example.com"));
  });

  it("the same event delivered five more times, at once: one booking, one set of emails, one record", async () => {
    const { client } = await clientAtPaidReview(world.server, "five-times@example.com");
    const { sessionId, url } = await pressPay(client);
    await hostedPage(url, "pay");
    await settled();
    const [eventId] = stripeEventsOf(sessionId);
    world.emulator.webhooks.redeliver(
      world.emulator.ledger.events.find((e) => e.id === eventId)!,
      {
        times: 5,
        concurrent: true,
      },
    );
    await settled();
    const booking = only(bookingsOf(world.server, "five-times@example.com"));
    expect(booking.status).toBe("confirmed");
    expect(eventsOf(world.server, booking.id)).toHaveLength(2);
    expect(outboxOf(world.server, booking.id)).toHaveLength(2);
    expect(recordedEvents([eventId!])).toHaveLength(1);
    const answers = world.emulator.webhooks.deliveries().filter((d) => d.eventId === eventId);
    expect(answers.map((d) => d.outcome)).toEqual([200, 200, 200, 200, 200, 200]);
  });
});

describe("webhook security", () => {
  async function deliver(payload: string, signature: string | null) {
    return fetch(`${world.server.url}/webhooks/stripe`, {
      method: "POST",
      headers: {
        "Content-Type": "application/json",
        ...(signature ? { "Stripe-Signature": signature } : {}),
      },
      body: payload,
    });
  }

  it("rejects a missing, wrong, or stale signature with 400 and records nothing", async () => {
    const event = {
      id: "evt_forged_1",
      object: "event",
      type: "checkout.session.completed",
      data: { object: { id: "cs_test_x" } },
    };
    const payload = JSON.stringify(event);
    expect((await deliver(payload, null)).status).toBe(400);
    expect((await deliver(payload, signPayload(payload, "whsec_not_the_secret"))).status).toBe(400);
    const tenMinutesAgo = Math.floor(Date.now() / 1000) - 600;
    expect(
      (await deliver(payload, signPayload(payload, world.emulator.webhookSecret, tenMinutesAgo)))
        .status,
    ).toBe(400);
    expect(readDb(world.server, "select * from stripe_events where id = 'evt_forged_1'")).toEqual(
      [],
    );
  });

  it("a stale redelivery is refused, and the booking is untouched", async () => {
    const { client } = await clientAtPaidReview(world.server, "stale@example.com");
    const { sessionId } = await pressPay(client);
    world.emulator.webhooks.dropNext(1);
    world.emulator.ledger.completeCheckoutSession(sessionId, "paid");
    await settled();
    const event = world.emulator.ledger.events.find(
      (e) => (e.data.object as { id: string }).id === sessionId,
    )!;
    world.emulator.webhooks.redeliver(event, { signatureAgeSeconds: 600 });
    await settled();
    expect(
      world.emulator.webhooks
        .deliveries()
        .filter((d) => d.eventId === event.id)
        .map((d) => d.outcome),
    ).toEqual(["dropped", 400]);
    expect(only(bookingsOf(world.server, "stale@example.com")).status).toBe("held");
  });

  it("trusts Stripe, not the body: a signed event claiming another amount or status changes nothing it shouldn't", async () => {
    const { client } = await clientAtPaidReview(world.server, "tampered@example.com");
    const { sessionId } = await pressPay(client);
    // A correctly signed body that lies: "paid, 1p" for a session nobody has paid.
    const lie = {
      id: "evt_lie_1",
      object: "event",
      type: "checkout.session.completed",
      data: {
        object: {
          id: sessionId,
          object: "checkout.session",
          payment_status: "paid",
          status: "complete",
          amount_total: 1,
        },
      },
    };
    const payload = JSON.stringify(lie);
    const response = await deliver(payload, signPayload(payload, world.emulator.webhookSecret));
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ outcome: "not_paid" });
    expect(only(bookingsOf(world.server, "tampered@example.com")).status).toBe("held");

    // Once really paid, a lying "expired" event cannot undo the confirmation.
    world.emulator.ledger.completeCheckoutSession(sessionId, "paid");
    await settled();
    const expired = JSON.stringify({
      ...lie,
      id: "evt_lie_2",
      type: "checkout.session.expired",
      data: { object: { id: sessionId } },
    });
    expect(
      (await deliver(expired, signPayload(expired, world.emulator.webhookSecret))).status,
    ).toBe(200);
    expect(only(bookingsOf(world.server, "tampered@example.com")).status).toBe("confirmed");
  });

  it("does not confirm when Stripe's amount differs from the booking's, and flags it for the coach", async () => {
    const { client } = await clientAtPaidReview(world.server, "mismatch@example.com");
    const { sessionId, url } = await pressPay(client);
    writeDb(
      world.server,
      "update bookings set price_minor = 9900 where checkout_session_id = ?",
      sessionId,
    );
    const paid = await hostedPage(url, "pay");
    await settled();
    const booking = only(bookingsOf(world.server, "mismatch@example.com"));
    expect(booking.status).toBe("held");
    expect(booking.needs_attention).toMatch(
      /Stripe reported 4500 gbp paid for a booking of 9900 gbp/,
    );
    const page = await client.get(paid.path!);
    expect(page.html).toContain("We need to check your payment");
    expect(outboxOf(world.server, booking.id)).toEqual([]);
  });

  it("answers unknown event types 200 and ignores them", async () => {
    const payload = JSON.stringify({
      id: "evt_other_1",
      object: "event",
      type: "customer.created",
      data: { object: { id: "cus_1" } },
    });
    const response = await deliver(payload, signPayload(payload, world.emulator.webhookSecret));
    expect(response.status).toBe(200);
    expect(
      readDb(world.server, "select outcome from stripe_events where id = 'evt_other_1'"),
    ).toEqual([{ outcome: "ignored" }]);
  });

  it("answers 500 while Stripe cannot be read, so Stripe retries, and then succeeds", async () => {
    const { client } = await clientAtPaidReview(world.server, "retry@example.com");
    const { sessionId } = await pressPay(client);
    world.emulator.failNextApiRequests(3); // the retrieve, and the SDK's two retries
    world.emulator.ledger.completeCheckoutSession(sessionId, "paid");
    await settled();
    const eventId = stripeEventsOf(sessionId)[0]!;
    const outcomes = world.emulator.webhooks
      .deliveries()
      .filter((d) => d.eventId === eventId)
      .map((d) => d.outcome);
    expect(outcomes[0]).toBe(500);
    expect(outcomes.at(-1)).toBe(200);
    expect(only(bookingsOf(world.server, "retry@example.com")).status).toBe("confirmed");
  });
});

describe("Pay", () => {
  it("when Stripe is down: the hold is released and the review step says so, everything still filled in", async () => {
    const { client } = await clientAtPaidReview(world.server, "down@example.com");
    world.emulator.failNextApiRequests(3);
    const page = await client.post("/book/review", { intent: "pay" });
    expect(page.status).toBe(503);
    expect(decodeEntities(page.html)).toContain(
      "We couldn’t reach our payment provider, so nothing was charged",
    );
    expect(page.html).toContain("down@example.com");
    expect(page.html).toContain("Continue to payment");
    const released = only(bookingsOf(world.server, "down@example.com"));
    expect(released).toMatchObject({ status: "expired" });
    expect(released.status_reason).toMatch(/checkout could not start/);

    // Ready to try again, and it works.
    const { sessionId } = await pressPay(client);
    expect(bookingsOf(world.server, "down@example.com").map((b) => b.status)).toEqual([
      "expired",
      "held",
    ]);
    expect(sessionId).toMatch(/^cs_test_/);
  });

  it("when Stripe refuses the session (4xx): the same clear, retryable error", async () => {
    const { client } = await clientAtPaidReview(world.server, "refused@example.com");
    world.emulator.failNextApiRequests(1, 400);
    const page = await client.post("/book/review", { intent: "pay" });
    expect(page.status).toBe(503);
    expect(only(bookingsOf(world.server, "refused@example.com")).status).toBe("expired");
  });

  it("double-click: two Pays at once make one hold and one session", async () => {
    const { client } = await clientAtPaidReview(world.server, "double@example.com");
    const [a, b] = await Promise.all([
      client.post("/book/review", { intent: "pay" }),
      client.post("/book/review", { intent: "pay" }),
    ]);
    expect([a.status, b.status]).toEqual([303, 303]);
    expect(a.response.headers.get("location")).toBe(b.response.headers.get("location"));
    const booking = only(bookingsOf(world.server, "double@example.com"));
    expect(booking.status).toBe("held");
    expect(
      world.emulator.ledger.listSessions().filter((s) => s.client_reference_id === booking.id),
    ).toHaveLength(1);
    expect(
      readDb(world.server, "select count(*) n from bookings where draft_id = ?", booking.draft_id),
    ).toEqual([{ n: 1 }]);
    // Pressing Pay again later (after the browser's back button) goes to the same session.
    const again = await client.post("/book/review", { intent: "pay" });
    expect(again.response.headers.get("location")).toBe(a.response.headers.get("location"));
  });

  it("cancel and pay again: back on the review step with everything, the session expired, the hold released", async () => {
    const { client } = await clientAtPaidReview(world.server, "cancel@example.com");
    const first = await pressPay(client);
    const cancelled = await hostedPage(first.url, "cancel");
    expect(cancelled).toEqual({ status: 303, path: "/book/review?checkout=cancelled" });
    const review = await client.get(cancelled.path!);
    expect(review.status).toBe(200);
    expect(review.html).toContain("Payment cancelled: nothing was charged");
    expect(review.html).toContain("cancel@example.com");
    expect(world.emulator.ledger.findSession(first.sessionId)!.session.status).toBe("expired");
    expect(only(bookingsOf(world.server, "cancel@example.com")).status).toBe("expired");

    const second = await pressPay(client);
    expect(second.sessionId).not.toBe(first.sessionId);
    const paid = await hostedPage(second.url, "pay");
    expect((await client.get(paid.path!)).html).toContain("Booking confirmed");
    await settled();
    expect(bookingsOf(world.server, "cancel@example.com").map((b) => b.status)).toEqual([
      "expired",
      "confirmed",
    ]);
  });

  it("after the back button from Stripe, the client's own held time is still theirs to choose", async () => {
    const { client, slot } = await clientAtPaidReview(world.server, "back-button@example.com");
    const first = await pressPay(client);
    expect(await weekStarts(client, "/book/time")).toContain(slot);
    expect((await client.post("/book/time", { startAt: slot })).location).toBe("/book/details");
    const again = await pressPay(client);
    expect(again.sessionId).toBe(first.sessionId);
    // Everyone else still sees it taken.
    const other = new FormClient(world.server.url);
    await other.post("/book/service", { service: "coaching-session" });
    await other.post("/book/coach", { coach: "daniel-reyes" });
    expect(await weekStarts(other, "/book/time")).not.toContain(slot);
  });

  it("fifty clients paying for one slot at once: exactly one hold", async () => {
    const first = await clientAtPaidReview(world.server, "crowd-0@example.com", {
      service: "deep-dive",
    });
    const others = await Promise.all(
      Array.from({ length: 49 }, (_, i) =>
        clientAtPaidReview(world.server, `crowd-${i + 1}@example.com`, {
          service: "deep-dive",
          slot: first.slot,
        }),
      ),
    );
    const pages = await Promise.all(
      [first, ...others].map(({ client }) => client.post("/book/review", { intent: "pay" })),
    );
    const toStripe = pages.filter((page) =>
      page.response.headers.get("location")?.includes("/c/pay/"),
    );
    const toTime = pages.filter((page) => page.location === "/book/time?taken=1");
    expect(toStripe).toHaveLength(1);
    expect(toTime).toHaveLength(49);
    const holds = readDb(
      world.server,
      "select id from bookings where start_at = ? and status = 'held'",
      Date.parse(first.slot),
    );
    expect(holds).toHaveLength(1);
  });
});

describe("the return page while Stripe cannot be read", () => {
  it("says so with a 503, promises the email, offers Check again, and confirms once Stripe answers", async () => {
    // The webhook waits, so that only the return page reads Stripe.
    world.emulator.webhooks.hold();
    const { client } = await clientAtPaidReview(world.server, "unreadable@example.com");
    const { sessionId, url } = await pressPay(client);
    const paid = await hostedPage(url, "pay");
    world.emulator.failNextApiRequests(3); // the retrieve, and the SDK's two retries
    const unavailable = await client.get(paid.path!);
    world.emulator.failNextApiRequests(0);
    expect(unavailable.status).toBe(503);
    expect(decodeEntities(unavailable.html)).toContain("We couldn’t check your payment yet");
    expect(unavailable.html).not.toMatch(/http-equiv/i);
    expect(decodeEntities(unavailable.html)).toContain(
      "If your payment went through, we’ll email you as soon as it’s confirmed, so you can close this page",
    );
    expect(checkAgainOf(unavailable.html)).toBe(`/book/return?session_id=${sessionId}`);
    expect(only(bookingsOf(world.server, "unreadable@example.com")).status).toBe("held");

    const checked = await client.get(checkAgainOf(unavailable.html)!);
    expect(checked.status).toBe(200);
    expect(checked.html).toContain("Booking confirmed");
    expect(only(bookingsOf(world.server, "unreadable@example.com")).status).toBe("confirmed");
  });
});

describe("delayed payment methods", () => {
  it("succeeding: processing (slot kept; no reload, an email promised, Check again), then confirmed", async () => {
    world.emulator.ledger.setAsyncPaymentDelay(3000);
    const { client, slot } = await clientAtPaidReview(world.server, "delayed-ok@example.com");
    const { sessionId, url } = await pressPay(client);
    const paid = await hostedPage(url, "pay_delayed");
    const processing = await client.get(paid.path!);
    expect(processing.status).toBe(200);
    expect(processing.html).toContain("Payment processing");
    // Nothing reloads the page under a screen reader: it says what happens next instead, and
    // Check again asks for the same page, with the same session, as a plain GET.
    expect(processing.html).not.toMatch(/http-equiv/i);
    expect(decodeEntities(processing.html)).toContain(
      "We’ll email you as soon as the payment is confirmed, so you can close this page.",
    );
    const checkAgain = checkAgainOf(processing.html);
    expect(checkAgain).toBe(`/book/return?session_id=${sessionId}`);
    expect(checkAgain).toBe(paid.path);
    const checkedAgain = await client.get(checkAgain!);
    expect(checkedAgain.html).toContain("Payment processing");
    expect(checkAgainOf(checkedAgain.html)).toBe(checkAgain);
    expect(only(bookingsOf(world.server, "delayed-ok@example.com")).status).toBe("processing");
    const other = new FormClient(world.server.url);
    await other.post("/book/service", { service: "coaching-session" });
    await other.post("/book/coach", { coach: "daniel-reyes" });
    expect(await weekStarts(other, "/book/time")).not.toContain(slot);

    await waitFor(
      () => only(bookingsOf(world.server, "delayed-ok@example.com")).status,
      (s) => s === "confirmed",
    );
    // Check again, once the payment is through: the confirmation, with nothing left to check.
    const done = await client.get(checkAgain!);
    expect(done.html).toContain("Booking confirmed");
    expect(decodeEntities(done.html)).toContain("Thank you, Ada");
    expect(checkAgainOf(done.html)).toBeNull();
    world.emulator.ledger.setAsyncPaymentDelay(150);
  });

  it("failing: payment_failed, the slot freed, an email with a link to try again", async () => {
    const { client, slot } = await clientAtPaidReview(world.server, "delayed-fail@example.com");
    const { url } = await pressPay(client);
    const paid = await hostedPage(url, "delayed_fails");
    await waitFor(
      () => only(bookingsOf(world.server, "delayed-fail@example.com")).status,
      (s) => s === "payment_failed",
    );
    await settled();
    const booking = only(bookingsOf(world.server, "delayed-fail@example.com"));
    expect(outboxOf(world.server, booking.id)).toEqual([
      "payment_processing to delayed-fail@example.com",
      "payment_failed to delayed-fail@example.com",
    ]);
    const page = await client.get(paid.path!);
    expect(decodeEntities(page.html)).toContain("Your payment didn’t go through");
    expect(page.html).not.toContain("delayed-fail@example.com");
    // The slot is free again, and the client can pay again from their review step.
    expect((await client.get("/book/review")).status).toBe(200);
    const other = new FormClient(world.server.url);
    await other.post("/book/service", { service: "coaching-session" });
    await other.post("/book/coach", { coach: "daniel-reyes" });
    expect(await weekStarts(other, "/book/time")).toContain(slot);
  });
});

describe("events out of order, and late payments", () => {
  it("completed after the hold was released, the slot still free: confirmed", async () => {
    world.emulator.webhooks.hold();
    const { client } = await clientAtPaidReview(world.server, "late-free@example.com");
    const { sessionId, url } = await pressPay(client);
    await hostedPage(url, "pay");
    // Meanwhile the hold lapsed and was released on our side.
    writeDb(
      world.server,
      "update bookings set status = 'expired', hold_expires_at = null where checkout_session_id = ?",
      sessionId,
    );
    world.emulator.webhooks.release();
    await settled();
    expect(only(bookingsOf(world.server, "late-free@example.com")).status).toBe("confirmed");
  });

  it("completed after the hold lapsed and someone else took the slot: exactly one refund, whatever the retries", async () => {
    world.emulator.webhooks.hold();
    const late = await clientAtPaidReview(world.server, "late-taken@example.com", {
      coach: "maya-okafor",
    });
    const { sessionId, url } = await pressPay(late.client);
    const paid = await hostedPage(url, "pay");
    // The hold lapses; another client books and pays for the same time.
    lapseHold(world.server, sessionId);
    const winner = await clientAtPaidReview(world.server, "winner@example.com", {
      coach: "maya-okafor",
      slot: late.slot,
    });
    const winnerPay = await pressPay(winner.client);
    world.emulator.ledger.completeCheckoutSession(winnerPay.sessionId, "paid");
    expect(
      (await winner.client.get(`/book/return?session_id=${winnerPay.sessionId}`)).html,
    ).toContain("Booking confirmed");

    // Now the late payment's event arrives, three times over, and the client comes back too.
    world.emulator.webhooks.release();
    const completed = world.emulator.ledger.events.find(
      (e) =>
        e.type === "checkout.session.completed" &&
        (e.data.object as { id: string }).id === sessionId,
    )!;
    world.emulator.webhooks.redeliver(completed, { times: 3, concurrent: true });
    const page = await late.client.get(paid.path!);
    await settled();
    expect(page.html).toContain("That time was just taken: you have been refunded");

    const booking = only(bookingsOf(world.server, "late-taken@example.com"));
    expect(booking).toMatchObject({ status: "refunded", status_reason: "slot_conflict" });
    const refunds = world.emulator.ledger.events.filter(
      (e) =>
        e.type === "charge.refunded" &&
        (e.data.object as { payment_intent: string }).payment_intent === booking.payment_intent_id,
    );
    expect(refunds).toHaveLength(1);
    expect(outboxOf(world.server, booking.id)).toEqual([
      "booking_refunded_slot_conflict to late-taken@example.com",
    ]);
    expect(only(bookingsOf(world.server, "winner@example.com")).status).toBe("confirmed");
    // The late client's draft is back at the time step, details kept.
    expect((await late.client.get("/book/review")).location).toBe("/book/time");
  });

  it("a delayed payment's events in reverse order (succeeded before completed): confirmed once", async () => {
    world.emulator.webhooks.hold();
    const { client } = await clientAtPaidReview(world.server, "reversed@example.com");
    const { sessionId, url } = await pressPay(client);
    await hostedPage(url, "pay_delayed");
    await waitFor(
      () => world.emulator.ledger.findSession(sessionId)!.session.payment_status,
      (status) => status === "paid",
    );
    const released = world.emulator.webhooks.release("reverse");
    expect(
      released.map((id) => world.emulator.ledger.events.find((e) => e.id === id)!.type),
    ).toEqual(["checkout.session.async_payment_succeeded", "checkout.session.completed"]);
    await settled();
    const booking = only(bookingsOf(world.server, "reversed@example.com"));
    expect(booking.status).toBe("confirmed");
    expect(eventsOf(world.server, booking.id).map((e) => e.to_status)).toEqual([
      "held",
      "confirmed",
    ]);
    expect(
      recordedEvents(released)
        .map((e) => e.outcome)
        .sort(),
    ).toEqual(["already_confirmed", "confirmed"]);
    expect(outboxOf(world.server, booking.id)).toHaveLength(2);
  });

  it("a refund made in Stripe marks the booking refunded", async () => {
    const { client } = await clientAtPaidReview(world.server, "dashboard-refund@example.com");
    const { sessionId, url } = await pressPay(client);
    await hostedPage(url, "pay");
    await settled();
    const paymentIntent = world.emulator.ledger.findSession(sessionId)!.session.payment_intent!;
    world.emulator.ledger.createRefund({ payment_intent: paymentIntent, amount: "1000" });
    await settled();
    expect(only(bookingsOf(world.server, "dashboard-refund@example.com")).status).toBe("confirmed");
    world.emulator.ledger.createRefund({ payment_intent: paymentIntent });
    await settled();
    expect(only(bookingsOf(world.server, "dashboard-refund@example.com"))).toMatchObject({
      status: "refunded",
      status_reason: "refunded in Stripe",
    });
  });
});

describe("the return page without a paid, known session", () => {
  it.each([
    ["no session id", "/book/return", 400, "That link doesn’t look right"],
    [
      "a malformed id",
      "/book/return?session_id=abc%3Cscript%3E",
      400,
      "That link doesn’t look right",
    ],
    [
      "an unknown session",
      "/book/return?session_id=cs_test_a1UnknownSessionIdThatNobodyHas",
      404,
      "We couldn’t find that payment",
    ],
  ])("%s: a friendly page", async (_label, path, status, title) => {
    const page = await new FormClient(world.server.url).get(path);
    expect(page.status).toBe(status);
    expect(decodeEntities(page.html)).toContain(title);
  });

  it("an unpaid or expired session shows no personal data, with a way back to the review", async () => {
    const { client } = await clientAtPaidReview(world.server, "unpaid@example.com");
    const { sessionId } = await pressPay(client);
    for (const path of [`/book/return?session_id=${sessionId}`]) {
      const stranger = await new FormClient(world.server.url).get(path);
      expect(stranger.html).toContain("Payment not completed");
      expect(stranger.html).not.toContain("unpaid@example.com");
      expect(stranger.html).not.toContain("Ada");
      expect(stranger.html).toContain('href="/book/review"');
    }
    world.emulator.ledger.expireCheckoutSession(sessionId);
    await settled();
    const expired = await client.get(`/book/return?session_id=${sessionId}`);
    expect(expired.html).toContain("Payment not completed");
    expect(expired.html).not.toContain("unpaid@example.com");
    // This browser holds the draft: the way back leads to a review step filled in.
    expect((await client.get("/book/review")).html).toContain("unpaid@example.com");
  });
});

describe("the sweeper", () => {
  let sweeping: PaymentWorld;
  beforeAll(async () => {
    sweeping = await startPaymentWorld({ HOUSEKEEPING_INTERVAL_SECONDS: "1" });
  });
  afterAll(() => sweeping?.stop());

  it("confirms a paid session whose webhook and client never came", async () => {
    sweeping.emulator.webhooks.dropNext(1);
    const { client } = await clientAtPaidReview(sweeping.server, "swept-paid@example.com");
    const { sessionId } = await pressPay(client);
    sweeping.emulator.ledger.completeCheckoutSession(sessionId, "paid");
    await sweeping.emulator.webhooks.idle();
    expect(only(bookingsOf(sweeping.server, "swept-paid@example.com")).status).toBe("held");
    lapseHold(sweeping.server, sessionId);
    await waitFor(
      () => only(bookingsOf(sweeping.server, "swept-paid@example.com")).status,
      (s) => s === "confirmed",
    );
    const booking = only(bookingsOf(sweeping.server, "swept-paid@example.com"));
    expect(eventsOf(sweeping.server, booking.id).at(-1)).toMatchObject({
      actor: "system",
      to_status: "confirmed",
    });
  });

  it("expires a lapsed hold whose session is still open, through the API", async () => {
    const { client } = await clientAtPaidReview(sweeping.server, "swept-open@example.com");
    const { sessionId } = await pressPay(client);
    lapseHold(sweeping.server, sessionId);
    await waitFor(
      () => only(bookingsOf(sweeping.server, "swept-open@example.com")).status,
      (s) => s === "expired",
    );
    expect(sweeping.emulator.ledger.findSession(sessionId)!.session.status).toBe("expired");
  });
});

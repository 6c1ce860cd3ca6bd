/**
 * What the owner does to paid bookings from the booking page, over HTTP as a browser with
 * JavaScript off, against a server paying through a Stripe emulator in this process: cancelling
 * with a full, partial or no refund; refunding without cancelling; a confirmation sent twice; bad
 * amounts; every action's refusals; completed and no-show after the start; handling what was
 * flagged; Stripe failing; and a refund made in Stripe's dashboard arriving by webhook. Each test
 * checks the database and the emulator, not only the page.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  bookFreeCall,
  confirmAction,
  historyLines,
  inputValue,
  ownerLogin,
  paidBooking,
  signedIn,
  tableRows,
  text,
} from "./coach-support";
import { errorText, isChecked, type FormClient } from "./form-client";
import {
  clientAtPaidReview,
  eventsOf,
  hostedPage,
  outboxOf,
  pressPay,
  readDb,
  startPaymentWorld,
  waitFor,
  writeDb,
  type BookingRow,
  type PaymentWorld,
} from "./payment-support";

let world: PaymentWorld;
let owner: FormClient;
beforeAll(async () => {
  world = await startPaymentWorld();
  owner = await signedIn(world.server, ownerLogin(world.server));
});
afterAll(() => world?.stop());
beforeEach(async () => {
  world.emulator.failNextApiRequests(0);
  world.emulator.webhooks.release();
  await world.emulator.webhooks.idle();
});

const settled = () => world.emulator.webhooks.idle();
const bookingPath = (booking: BookingRow) => `/coach/bookings/${booking.id}`;

type RefundRow = { id: string; amount_minor: number; currency: string; source: string };
const refundsOf = (booking: BookingRow) =>
  readDb<RefundRow>(
    world.server,
    "select id, amount_minor, currency, source from refunds where booking_id = ? order by created_at, id",
    booking.id,
  );
/** The refunds Stripe (the emulator) holds for the booking's PaymentIntent. */
const stripeRefundsOf = (booking: BookingRow) =>
  world.emulator.ledger
    .listRefunds({ payment_intent: booking.payment_intent_id! })
    .data.map((refund) => ({
      id: refund.id as string,
      amount: refund.amount as number,
      currency: refund.currency as string,
      metadata: refund.metadata as Record<string, string>,
    }));
const row = (booking: BookingRow) =>
  readDb<{ status: string; needs_attention: string | null }>(
    world.server,
    "select status, needs_attention from bookings where id = ?",
    booking.id,
  )[0]!;
const transitions = (booking: BookingRow) =>
  eventsOf(world.server, booking.id).map((e) => `${e.from_status}->${e.to_status} by ${e.actor}`);
const emailsTo = (booking: BookingRow, email: string) =>
  outboxOf(world.server, booking.id).filter((line) => line.endsWith(` to ${email}`));

/** Nothing happened to the booking since `before` (status, history, refunds, emails, Stripe). */
function expectUnchanged(booking: BookingRow, before: ReturnType<typeof snapshot>) {
  expect(snapshot(booking)).toEqual(before);
}
function snapshot(booking: BookingRow) {
  return {
    row: row(booking),
    events: eventsOf(world.server, booking.id),
    refunds: refundsOf(booking),
    stripe: booking.payment_intent_id ? stripeRefundsOf(booking) : [],
    emails: outboxOf(world.server, booking.id),
  };
}

describe("cancelling a paid booking", () => {
  it("with a full refund: refunded in Stripe, cancelled, recorded, in the history, one email", async () => {
    const email = "full-refund@example.com";
    const booking = await paidBooking(world, email);
    const before = await owner.get(bookingPath(booking));
    expect(before.status).toBe(200);
    expect(tableRows(before.html, "Refunds")).toEqual([]);
    expect(text(before.html)).toContain("Price £45");
    expect(text(before.html)).toContain(booking.payment_intent_id!);

    const { confirmation, page } = await confirmAction(owner, booking.id, "cancel", {
      refund: "full",
      amount: "",
    });
    expect(text(confirmation.html)).toContain("Cancel the booking?");
    expect(text(confirmation.html)).toContain("Refund everything left (£45)");
    expect(isChecked(confirmation.html, "full")).toBe(true);
    expect(page.status).toBe(303);
    expect(page.location).toBe(`${bookingPath(booking)}?done=cancel`);

    const stripe = stripeRefundsOf(booking);
    expect(stripe).toEqual([
      expect.objectContaining({
        amount: 4500,
        currency: "gbp",
        metadata: { booking_id: booking.id },
      }),
    ]);
    expect(row(booking).status).toBe("cancelled");
    expect(refundsOf(booking)).toEqual([
      { id: stripe[0]!.id, amount_minor: 4500, currency: "gbp", source: "kairos" },
    ]);
    expect(eventsOf(world.server, booking.id).at(-1)).toEqual({
      from_status: "confirmed",
      to_status: "cancelled",
      actor: "coach",
      reason: "cancelled by Maya Okafor, refunded £45",
    });
    expect(emailsTo(booking, email)).toEqual([
      `booking_confirmed to ${email}`,
      `booking_cancelled to ${email}`,
    ]);

    const done = await owner.get(page.location!);
    expect(text(done.html)).toContain("The booking is cancelled and the client has been emailed.");
    expect(tableRows(done.html, "Refunds")).toEqual([
      expect.stringMatching(new RegExp(`\\| £45 \\| Kairos \\| ${stripe[0]!.id}$`)),
    ]);
    expect(historyLines(done.html).at(-1)).toMatch(
      /Confirmed → Cancelled by coach: cancelled by Maya Okafor, refunded £45$/,
    );
    expect(text(done.html)).not.toContain("Can still be refunded");

    // Stripe's report of the same refund (charge.refunded) changes nothing more.
    await settled();
    expect(row(booking).status).toBe("cancelled");
    expect(refundsOf(booking)).toHaveLength(1);
    expect(outboxOf(world.server, booking.id).filter((l) => /cancelled|refunded/.test(l))).toEqual([
      `booking_cancelled to ${email}`,
    ]);
    expect(
      eventsOf(world.server, booking.id).map((e) => `${e.from_status}->${e.to_status}`),
    ).toEqual(["null->held", "held->confirmed", "confirmed->cancelled"]);
  });

  it("with a partial refund of 22.50: 2250 refunded in Stripe, cancelled, the rest still refundable", async () => {
    const email = "partial-cancel@example.com";
    const booking = await paidBooking(world, email);
    const { page } = await confirmAction(owner, booking.id, "cancel", {
      refund: "partial",
      amount: "22.50",
    });
    expect(page.status).toBe(303);
    expect(stripeRefundsOf(booking).map((r) => r.amount)).toEqual([2250]);
    expect(row(booking).status).toBe("cancelled");
    expect(refundsOf(booking)).toEqual([
      expect.objectContaining({ amount_minor: 2250, currency: "gbp", source: "kairos" }),
    ]);
    expect(eventsOf(world.server, booking.id).at(-1)).toMatchObject({
      from_status: "confirmed",
      to_status: "cancelled",
      reason: "cancelled by Maya Okafor, refunded £22.50",
    });
    expect(emailsTo(booking, email).filter((l) => l.startsWith("booking_cancelled"))).toHaveLength(
      1,
    );
    await settled();
    const shown = await owner.get(page.location!);
    expect(text(shown.html)).toContain("Can still be refunded £22.50");
    expect(tableRows(shown.html, "Refunds")).toEqual([
      expect.stringContaining("| £22.50 | Kairos |"),
    ]);
    expect(row(booking).status).toBe("cancelled");
  });

  it("with no refund: nothing in Stripe, cancelled, the client emailed", async () => {
    const email = "no-refund@example.com";
    const booking = await paidBooking(world, email);
    const { page } = await confirmAction(owner, booking.id, "cancel", {
      refund: "none",
      amount: "",
    });
    expect(page.status).toBe(303);
    expect(stripeRefundsOf(booking)).toEqual([]);
    expect(refundsOf(booking)).toEqual([]);
    expect(row(booking).status).toBe("cancelled");
    expect(eventsOf(world.server, booking.id).at(-1)).toMatchObject({
      to_status: "cancelled",
      reason: "cancelled by Maya Okafor, no refund",
    });
    expect(emailsTo(booking, email)).toEqual([
      `booking_confirmed to ${email}`,
      `booking_cancelled to ${email}`,
    ]);
    const shown = await owner.get(page.location!);
    expect(text(shown.html)).toContain("Can still be refunded £45");

    // Cancelled is final: cancelling again is refused, and says why.
    const before = snapshot(booking);
    const again = await owner.post(bookingPath(booking), {
      intent: "cancel",
      refund: "none",
      key: "k".repeat(22),
    });
    expect(again.status).toBe(409);
    expect(text(again.html)).toContain("The booking’s status does not allow that any more.");
    expectUnchanged(booking, before);
    // Nor is cancelling offered any more.
    expect(shown.html).not.toContain("?do=cancel");
  });
});

describe("refunding without cancelling", () => {
  it("half, then the rest: confirmed with a partial refund, then refunded; each one recorded and emailed", async () => {
    const email = "two-refunds@example.com";
    const booking = await paidBooking(world, email);

    const half = await confirmAction(owner, booking.id, "refund", {
      refund: "partial",
      amount: "22.50",
    });
    expect(text(half.confirmation.html)).toContain("Refund?");
    expect(half.page.status).toBe(303);
    expect(half.page.location).toBe(`${bookingPath(booking)}?done=refund`);
    expect(stripeRefundsOf(booking).map((r) => r.amount)).toEqual([2250]);
    expect(row(booking).status).toBe("confirmed");
    expect(refundsOf(booking)).toEqual([
      expect.objectContaining({ amount_minor: 2250, source: "kairos" }),
    ]);
    expect(eventsOf(world.server, booking.id).at(-1)).toEqual({
      from_status: "confirmed",
      to_status: "confirmed",
      actor: "coach",
      reason: "£22.50 refunded by Maya Okafor",
    });
    expect(emailsTo(booking, email)).toEqual([
      `booking_confirmed to ${email}`,
      `booking_refunded to ${email}`,
    ]);
    await settled();
    const afterHalf = await owner.get(half.page.location!);
    expect(text(afterHalf.html)).toContain("The refund is made and the client has been emailed.");
    expect(text(afterHalf.html)).toContain("Can still be refunded £22.50");
    expect(historyLines(afterHalf.html).at(-1)).toMatch(
      /Confirmed by coach: £22\.50 refunded by Maya Okafor$/,
    );
    // Stripe's report of it adds nothing.
    expect(refundsOf(booking)).toHaveLength(1);
    expect(eventsOf(world.server, booking.id)).toHaveLength(3);

    const rest = await confirmAction(owner, booking.id, "refund", { refund: "full", amount: "" });
    expect(text(rest.confirmation.html)).toContain("Refund everything left (£22.50)");
    expect(rest.page.status).toBe(303);
    expect(stripeRefundsOf(booking).map((r) => r.amount)).toEqual([2250, 2250]);
    expect(row(booking).status).toBe("refunded");
    expect(refundsOf(booking).map((r) => [r.amount_minor, r.source])).toEqual([
      [2250, "kairos"],
      [2250, "kairos"],
    ]);
    expect(eventsOf(world.server, booking.id).at(-1)).toMatchObject({
      from_status: "confirmed",
      to_status: "refunded",
      actor: "coach",
    });
    expect(emailsTo(booking, email)).toEqual([
      `booking_confirmed to ${email}`,
      `booking_refunded to ${email}`,
      `booking_refunded to ${email}`,
    ]);
    await settled();
    expect(row(booking).status).toBe("refunded");
    expect(refundsOf(booking)).toHaveLength(2);
    const shown = await owner.get(bookingPath(booking));
    expect(text(shown.html)).not.toContain("Can still be refunded");
    expect(tableRows(shown.html, "Refunds")).toHaveLength(2);
    expect(historyLines(shown.html).at(-1)).toMatch(/Confirmed → Refunded by coach/);
    expect(shown.html).not.toContain("?do=refund");
  });

  it("the same confirmation submitted twice (same key) makes one refund, one record, one email", async () => {
    const email = "double-submit@example.com";
    const booking = await paidBooking(world, email);
    const first = await confirmAction(owner, booking.id, "refund", {
      refund: "partial",
      amount: "10.00",
    });
    expect(first.page.status).toBe(303);
    const second = await owner.post(first.target, {
      intent: "refund",
      key: first.key!,
      refund: "partial",
      amount: "10.00",
    });
    expect(second.status).toBeLessThan(500);
    await settled();
    expect(stripeRefundsOf(booking).map((r) => r.amount)).toEqual([1000]);
    expect(refundsOf(booking)).toHaveLength(1);
    expect(
      eventsOf(world.server, booking.id).filter((e) => e.reason?.includes("refunded by")),
    ).toHaveLength(1);
    expect(emailsTo(booking, email).filter((l) => l.startsWith("booking_refunded"))).toHaveLength(
      1,
    );
    expect(row(booking).status).toBe("confirmed");
  });

  it("a cancellation sent twice at once (same key): one refund, cancelled once", async () => {
    const email = "double-cancel@example.com";
    const booking = await paidBooking(world, email);
    const confirmation = await owner.get(`${bookingPath(booking)}?do=cancel`);
    const key = confirmation.html.match(/name="key" value="([^"]+)"/)![1]!;
    const form = { intent: "cancel", key, refund: "full", amount: "" };
    const answers = await Promise.all([
      owner.post(`${bookingPath(booking)}?do=cancel`, form),
      owner.post(`${bookingPath(booking)}?do=cancel`, form),
    ]);
    expect(answers.map((a) => a.status)).toContain(303);
    await settled();
    expect(stripeRefundsOf(booking).map((r) => r.amount)).toEqual([4500]);
    expect(refundsOf(booking)).toHaveLength(1);
    expect(row(booking).status).toBe("cancelled");
    expect(transitions(booking).filter((t) => t.endsWith("cancelled by coach"))).toHaveLength(1);
    expect(emailsTo(booking, email).filter((l) => l.startsWith("booking_cancelled"))).toHaveLength(
      1,
    );
  });

  it("a bad amount: 400 with the message next to the field, the typed value kept, nothing refunded", async () => {
    const booking = await paidBooking(world, "bad-amount@example.com");
    const before = snapshot(booking);
    for (const [action, amount, message] of [
      ["refund", "abc", "Enter an amount like 22.50."],
      ["refund", "0", "Enter an amount like 22.50."],
      ["refund", "22.505", "Enter an amount like 22.50."],
      ["refund", "45.01", "At most £45 can be refunded."],
      ["cancel", "abc", "Enter an amount like 22.50."],
      ["cancel", "100", "At most £45 can be refunded."],
    ] as const) {
      const { page, key } = await confirmAction(owner, booking.id, action, {
        refund: "partial",
        amount,
      });
      expect(page.status, `${action} ${amount}`).toBe(400);
      expect(errorText(page.html, "amount-error"), `${action} ${amount}`).toBe(message);
      expect(page.html).toMatch(/<input[^>]*id="amount"[^>]*aria-invalid="true"/);
      expect(inputValue(page.html, "amount"), `${action} ${amount}`).toBe(amount);
      expect(isChecked(page.html, "partial")).toBe(true);
      // The same form, with the same key, to try again.
      expect(page.html).toContain(`name="key" value="${key}"`);
      expect(text(page.html)).toContain(action === "cancel" ? "Cancel the booking?" : "Refund?");
    }
    await settled();
    expectUnchanged(booking, before);
    expect(row(booking).status).toBe("confirmed");
  });

  it("Stripe failing: 502 saying nothing changed, and nothing did", async () => {
    const booking = await paidBooking(world, "stripe-down@example.com");
    const before = snapshot(booking);
    // More failures than the SDK's retries.
    world.emulator.failNextApiRequests(10, 500);
    const { page } = await confirmAction(owner, booking.id, "cancel", {
      refund: "full",
      amount: "",
    });
    world.emulator.failNextApiRequests(0);
    expect(page.status).toBe(502);
    expect(text(page.html)).toContain("Stripe did not make the refund, so nothing has changed");
    expectUnchanged(booking, before);
  });
});

describe("completed, no-show and handled", () => {
  it("before the start, completed and no-show are refused (and not offered); after it, they are done", async () => {
    const booking = await bookFreeCall(world.server, {
      coach: "daniel-reyes",
      email: "attended@example.com",
    });
    const page = await owner.get(bookingPath(booking));
    expect(page.html).not.toContain("?do=complete");
    expect(page.html).not.toContain("?do=no_show");

    const before = snapshot(booking);
    for (const intent of ["complete", "no_show"]) {
      const refused = await owner.post(bookingPath(booking), { intent });
      expect(refused.status, intent).toBe(409);
      expect(text(refused.html), intent).toContain("The session hasn’t started yet.");
    }
    expectUnchanged(booking, before);

    // The session took place yesterday.
    const start = Date.now() - 24 * 3600_000;
    writeDb(
      world.server,
      "update bookings set start_at = ?, end_at = ? where id = ?",
      start,
      start + 15 * 60_000,
      booking.id,
    );
    const offered = await owner.get(bookingPath(booking));
    expect(offered.html).toContain("?do=complete");
    expect(offered.html).toContain("?do=no_show");

    const completed = await confirmAction(owner, booking.id, "complete");
    expect(completed.page.status).toBe(303);
    expect(completed.page.location).toBe(`${bookingPath(booking)}?done=complete`);
    expect(row(booking).status).toBe("completed");
    expect(text((await owner.get(completed.page.location!)).html)).toContain(
      "Marked as completed.",
    );

    const noShow = await confirmAction(owner, booking.id, "no_show");
    expect(noShow.page.status).toBe(303);
    expect(row(booking).status).toBe("no_show");
    const shown = await owner.get(noShow.page.location!);
    expect(text(shown.html)).toContain("Marked as a no-show.");
    expect(historyLines(shown.html).slice(-2)).toEqual([
      expect.stringMatching(/Confirmed → Completed by coach: marked completed by Maya Okafor$/),
      expect.stringMatching(/Completed → No-show by coach: marked a no-show by Maya Okafor$/),
    ]);
    expect(transitions(booking)).toEqual([
      "null->confirmed by client",
      "confirmed->completed by coach",
      "completed->no_show by coach",
    ]);

    // No-show twice is refused.
    const again = await owner.post(bookingPath(booking), { intent: "no_show" });
    expect(again.status).toBe(409);
    expect(text(again.html)).toContain("(it is no-show)");
    expect(row(booking).status).toBe("no_show");
  });

  it("a failed delayed payment is flagged; marking it handled clears it, and again is refused", async () => {
    const email = "delayed-fails@example.com";
    const { client } = await clientAtPaidReview(world.server, email);
    const { url } = await pressPay(client);
    await hostedPage(url, "delayed_fails");
    const [booking] = await waitFor(
      () =>
        readDb<BookingRow>(world.server, "select * from bookings where client_email = ?", email),
      (rows) => rows[0]?.status === "payment_failed" && rows[0].needs_attention !== null,
    );
    await settled();

    const dashboard = text((await owner.get("/coach")).html);
    expect(dashboard).toMatch(/Needs attention \(\d+\)/);
    expect(dashboard).toContain("The client's payment failed.");
    const page = await owner.get(bookingPath(booking!));
    expect(text(page.html)).toContain("Needs attention: The client's payment failed.");

    const handled = await confirmAction(owner, booking!.id, "resolve");
    expect(handled.page.status).toBe(303);
    expect(handled.page.location).toBe(`${bookingPath(booking!)}?done=resolve`);
    expect(row(booking!)).toEqual({ status: "payment_failed", needs_attention: null });
    expect(eventsOf(world.server, booking!.id).at(-1)).toEqual({
      from_status: "payment_failed",
      to_status: "payment_failed",
      actor: "coach",
      reason: "marked as handled by Maya Okafor",
    });
    const shown = await owner.get(handled.page.location!);
    expect(text(shown.html)).toContain("Marked as handled.");
    expect(text(shown.html)).not.toContain("Needs attention:");
    expect(text((await owner.get("/coach")).html)).not.toContain("The client's payment failed.");

    const before = snapshot(booking!);
    const again = await owner.post(bookingPath(booking!), { intent: "resolve" });
    expect(again.status).toBe(409);
    expect(text(again.html)).toContain("Nothing about this booking is waiting for you.");
    expectUnchanged(booking!, before);
  });

  it("handling a booking with nothing flagged is refused", async () => {
    const booking = await paidBooking(world, "nothing-flagged@example.com");
    const page = await owner.get(bookingPath(booking));
    expect(page.html).not.toContain("?do=resolve");
    const before = snapshot(booking);
    const refused = await owner.post(bookingPath(booking), { intent: "resolve" });
    expect(refused.status).toBe(409);
    expect(text(refused.html)).toContain("Nothing about this booking is waiting for you.");
    expectUnchanged(booking, before);
  });
});

describe("a refund made in Stripe's dashboard", () => {
  it("arrives by webhook: recorded from Stripe, in the refunds table and the history; the rest refunds it in full", async () => {
    const email = "dashboard-refund@example.com";
    const booking = await paidBooking(world, email);

    const partial = world.emulator.ledger.createRefund({
      payment_intent: booking.payment_intent_id!,
      amount: "1000",
    });
    await settled();
    await waitFor(
      () => refundsOf(booking),
      (rows) => rows.length === 1,
    );
    expect(refundsOf(booking)).toEqual([
      { id: partial.id, amount_minor: 1000, currency: "gbp", source: "stripe" },
    ]);
    expect(row(booking).status).toBe("confirmed");
    expect(eventsOf(world.server, booking.id).at(-1)).toEqual({
      from_status: "confirmed",
      to_status: "confirmed",
      actor: "stripe",
      reason: "£10 refunded in Stripe",
    });
    const page = await owner.get(bookingPath(booking));
    expect(tableRows(page.html, "Refunds")).toEqual([
      expect.stringMatching(new RegExp(`\\| £10 \\| Stripe’s dashboard \\| ${partial.id}$`)),
    ]);
    expect(historyLines(page.html).at(-1)).toMatch(/Confirmed by stripe: £10 refunded in Stripe$/);
    expect(text(page.html)).toContain("Can still be refunded £35");

    // The rest, through the emulator's control endpoint, as a dashboard user would.
    const response = await fetch(`${world.emulator.url}/_emulator/refunds`, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ payment_intent: booking.payment_intent_id!, amount: "3500" }),
    });
    expect(response.status).toBe(200);
    await settled();
    await waitFor(
      () => row(booking).status,
      (status) => status === "refunded",
    );
    // Two refunds in the same second: their order is not the point.
    const recorded = refundsOf(booking).map((r) => [r.amount_minor, r.source]);
    expect(recorded.sort((a, b) => Number(a[0]) - Number(b[0]))).toEqual([
      [1000, "stripe"],
      [3500, "stripe"],
    ]);
    expect(eventsOf(world.server, booking.id).at(-1)).toMatchObject({
      from_status: "confirmed",
      to_status: "refunded",
      actor: "stripe",
    });
    const shown = await owner.get(bookingPath(booking));
    const shownRefunds = tableRows(shown.html, "Refunds");
    expect(shownRefunds).toHaveLength(2);
    expect(shownRefunds).toEqual(
      expect.arrayContaining([
        expect.stringContaining("| £10 | Stripe’s dashboard |"),
        expect.stringContaining("| £35 | Stripe’s dashboard |"),
      ]),
    );
    expect(historyLines(shown.html).at(-1)).toMatch(/Confirmed → Refunded by stripe/);
    expect(text(shown.html)).not.toContain("Can still be refunded");
    // Whoever refunded in the dashboard told the client; Kairos sends nothing more.
    expect(emailsTo(booking, email)).toEqual([`booking_confirmed to ${email}`]);
  });
});

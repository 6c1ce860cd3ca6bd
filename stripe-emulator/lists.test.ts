import type Stripe from "stripe";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createStripeClient } from "~/lib/stripe.server";
import { startStripeEmulator, type StripeEmulator } from "./index";
import { EmulatorControl, expectStripeShaped, fixtures } from "./test-support";

// Lists as the reconciliation page reads them: Checkout Sessions and refunds over a period,
// through the real SDK (and its auto-pagination) against an emulator with no webhook endpoint.

let emulator: StripeEmulator;
let stripe: Stripe;
let control: EmulatorControl;

beforeAll(async () => {
  emulator = await startStripeEmulator({ asyncPaymentDelayMs: 50 });
  stripe = createStripeClient({ secretKey: "sk_test_kairos", apiBase: emulator.url });
  control = new EmulatorControl(emulator.url);
});
afterAll(() => emulator?.stop());
beforeEach(() => control.reset());

const DAY = 24 * 60 * 60;
const nowSeconds = () => Math.floor(Date.now() / 1000);

function createSession(reference: string) {
  return stripe.checkout.sessions.create({
    mode: "payment",
    line_items: [
      {
        quantity: 1,
        price_data: {
          currency: "gbp",
          unit_amount: 4500,
          product_data: { name: "Coaching session" },
        },
      },
    ],
    client_reference_id: reference,
    customer_email: "ada@example.com",
    success_url: "http://localhost:3000/book/return?session_id={CHECKOUT_SESSION_ID}",
  });
}

/** `count` sessions one after another (most within one second); their ids, oldest first. */
async function createSessions(count: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) ids.push((await createSession(`bk_${i}`)).id);
  return ids;
}

/** A session paid on the hosted page's behalf; its PaymentIntent and charge. */
async function paidSession(reference = "bk_paid") {
  const session = await createSession(reference);
  await control.completeSession(session.id, "paid");
  const paymentIntent = (
    await stripe.checkout.sessions.retrieve(session.id, {
      expand: ["payment_intent"],
    })
  ).payment_intent as Stripe.PaymentIntent;
  return {
    session,
    paymentIntent: paymentIntent.id,
    charge: paymentIntent.latest_charge as string,
  };
}

const newestFirst = (ids: string[]) => [...ids].reverse();
const idsOf = (list: { data: { id: string }[] }) => list.data.map((item) => item.id);

/** The error a call fails with (it must fail). */
async function failure(call: () => Promise<unknown>): Promise<Stripe.errors.StripeError> {
  return call().then(
    () => {
      throw new Error("expected the emulator to refuse");
    },
    (error: Stripe.errors.StripeError) => error,
  );
}

describe("GET /v1/checkout/sessions", () => {
  it("is a Stripe list, newest first, of sessions shaped like Stripe's", async () => {
    const ids = await createSessions(3);
    const list = await stripe.checkout.sessions.list();
    expect(Object.keys(list).sort()).toEqual(["data", "has_more", "object", "url"]);
    expect(list).toMatchObject({ object: "list", has_more: false, url: "/v1/checkout/sessions" });
    expect(idsOf(list)).toEqual(newestFirst(ids));
    for (const session of list.data) expectStripeShaped(session, fixtures["checkout.session"]);
    expect(list.data[0]).toEqual(await stripe.checkout.sessions.retrieve(ids[2]!));
  });

  it("returns 10 by default and 1 to 100 when asked, saying whether more remain", async () => {
    const ids = await createSessions(12);
    const byDefault = await stripe.checkout.sessions.list();
    expect(idsOf(byDefault)).toEqual(newestFirst(ids).slice(0, 10));
    expect(byDefault.has_more).toBe(true);
    const one = await stripe.checkout.sessions.list({ limit: 1 });
    expect(idsOf(one)).toEqual([ids[11]]);
    expect(one.has_more).toBe(true);
    const all = await stripe.checkout.sessions.list({ limit: 100 });
    expect(idsOf(all)).toEqual(newestFirst(ids));
    expect(all.has_more).toBe(false);
    const exactly = await stripe.checkout.sessions.list({ limit: 12 });
    expect(exactly.has_more).toBe(false);
  });

  it("pages forward with starting_after and back with ending_before, never skipping or repeating", async () => {
    const ids = newestFirst(await createSessions(7)); // s6 … s0
    const first = await stripe.checkout.sessions.list({ limit: 3 });
    expect([idsOf(first), first.has_more]).toEqual([ids.slice(0, 3), true]);
    const second = await stripe.checkout.sessions.list({ limit: 3, starting_after: ids[2] });
    expect([idsOf(second), second.has_more]).toEqual([ids.slice(3, 6), true]);
    const last = await stripe.checkout.sessions.list({ limit: 3, starting_after: ids[5] });
    expect([idsOf(last), last.has_more]).toEqual([ids.slice(6), false]);

    // Back from the oldest: the three just newer than it, still newest first, and more beyond.
    const back = await stripe.checkout.sessions.list({ limit: 3, ending_before: ids[6] });
    expect([idsOf(back), back.has_more]).toEqual([ids.slice(3, 6), true]);
    const front = await stripe.checkout.sessions.list({ limit: 3, ending_before: ids[3] });
    expect([idsOf(front), front.has_more]).toEqual([ids.slice(0, 3), false]);
    const partial = await stripe.checkout.sessions.list({ limit: 3, ending_before: ids[1] });
    expect([idsOf(partial), partial.has_more]).toEqual([ids.slice(0, 1), false]);
  });

  it("auto-paginates through the SDK over several pages, both ways", async () => {
    const ids = await createSessions(25);
    const seen: string[] = [];
    for await (const session of stripe.checkout.sessions.list({ limit: 10 })) seen.push(session.id);
    expect(seen).toEqual(newestFirst(ids));

    // With ending_before the SDK walks towards the newest, yielding oldest first.
    const newer = await stripe.checkout.sessions
      .list({ limit: 10, ending_before: ids[0] })
      .autoPagingToArray({ limit: 100 });
    expect(newer.map((session) => session.id)).toEqual(ids.slice(1));
  });

  it("filters by status and by PaymentIntent", async () => {
    const [open, toExpire] = await createSessions(2);
    await stripe.checkout.sessions.expire(toExpire!);
    const paid = await paidSession();
    const other = await paidSession("bk_other");

    const byStatus = async (status: Stripe.Checkout.SessionListParams.Status) =>
      idsOf(await stripe.checkout.sessions.list({ status }));
    expect(await byStatus("open")).toEqual([open]);
    expect(await byStatus("expired")).toEqual([toExpire]);
    expect(await byStatus("complete")).toEqual([other.session.id, paid.session.id]);

    const byPaymentIntent = await stripe.checkout.sessions.list({
      payment_intent: paid.paymentIntent,
    });
    expect(idsOf(byPaymentIntent)).toEqual([paid.session.id]);
    expect((await stripe.checkout.sessions.list({ payment_intent: "pi_unknown" })).data).toEqual(
      [],
    );

    // A cursor need not match the filters: the page starts at its place in the full order.
    const afterOther = await stripe.checkout.sessions.list({
      status: "open",
      starting_after: other.session.id,
    });
    expect(idsOf(afterOther)).toEqual([open]);
  });

  it("expands data.payment_intent (and data.line_items) on every session", async () => {
    await createSession("bk_open");
    const paid = await paidSession();
    const list = await stripe.checkout.sessions.list({
      expand: ["data.payment_intent", "data.line_items"],
    });
    const [newest, open] = list.data;
    const paymentIntent = newest!.payment_intent as Stripe.PaymentIntent;
    expect(paymentIntent).toMatchObject({
      id: paid.paymentIntent,
      object: "payment_intent",
      status: "succeeded",
      amount_received: 4500,
    });
    expect(open!.payment_intent).toBeNull();
    expect(newest!.line_items).toMatchObject({ object: "list", data: [{ amount_total: 4500 }] });
    expectStripeShaped(
      { ...newest, payment_intent: paymentIntent.id },
      fixtures["checkout.session"],
    );
    expectStripeShaped(paymentIntent, fixtures["payment_intent"]);

    // Auto-pagination keeps the expansion on every page.
    await createSessions(3);
    const expanded = await stripe.checkout.sessions
      .list({ limit: 2, expand: ["data.payment_intent"] })
      .autoPagingToArray({ limit: 100 });
    expect(expanded).toHaveLength(5);
    expect(expanded.filter((session) => typeof session.payment_intent === "object")).toHaveLength(
      5,
    );
  });

  it("filters by created: one second, or a range with gt, gte, lt and lte", async () => {
    const now = nowSeconds();
    await control.setCreatedOffset(-2 * DAY);
    const [twoDaysAgo] = await createSessions(1);
    await control.setCreatedOffset(-DAY);
    const [yesterday] = await createSessions(1);
    await control.setCreatedOffset(0);
    const [today] = await createSessions(1);
    const created = async (filter: Stripe.RangeQueryParam | number) =>
      idsOf(await stripe.checkout.sessions.list({ created: filter }));

    const yesterdayAt = (await stripe.checkout.sessions.retrieve(yesterday!)).created;
    expect(await created(yesterdayAt)).toEqual([yesterday]);
    expect(await created({ gte: yesterdayAt })).toEqual([today, yesterday]);
    expect(await created({ gt: yesterdayAt })).toEqual([today]);
    expect(await created({ lte: yesterdayAt })).toEqual([yesterday, twoDaysAgo]);
    expect(await created({ lt: yesterdayAt })).toEqual([twoDaysAgo]);
    expect(await created({ gte: now - DAY - 60, lte: now - DAY + 60 })).toEqual([yesterday]);
    expect(await created({ gt: now + 60 })).toEqual([]);
  });
});

describe("GET /v1/refunds", () => {
  it("lists refunds newest first, by charge and by PaymentIntent, shaped like Stripe's", async () => {
    const first = await paidSession("bk_1");
    const second = await paidSession("bk_2");
    const a = await stripe.refunds.create({ payment_intent: first.paymentIntent, amount: 1000 });
    const b = await stripe.refunds.create({ payment_intent: second.paymentIntent });
    const c = await stripe.refunds.create({ payment_intent: first.paymentIntent, amount: 500 });

    const all = await stripe.refunds.list();
    expect(all).toMatchObject({ object: "list", has_more: false, url: "/v1/refunds" });
    expect(idsOf(all)).toEqual([c.id, b.id, a.id]);
    expect(all.data[0]).toEqual(await stripe.refunds.retrieve(c.id));
    for (const refund of all.data) expectStripeShaped(refund, fixtures["refund"]);

    expect(idsOf(await stripe.refunds.list({ charge: first.charge }))).toEqual([c.id, a.id]);
    expect(idsOf(await stripe.refunds.list({ payment_intent: second.paymentIntent }))).toEqual([
      b.id,
    ]);
    expect((await stripe.refunds.list({ charge: "ch_unknown" })).data).toEqual([]);
  });

  it("pages with limit and both cursors, by hand and through the SDK", async () => {
    const refunds: string[] = [];
    for (let i = 0; i < 4; i++) {
      const { paymentIntent } = await paidSession(`bk_${i}`);
      for (let j = 0; j < 3; j++) {
        refunds.push(
          (await stripe.refunds.create({ payment_intent: paymentIntent, amount: 100 })).id,
        );
      }
    }
    const ids = newestFirst(refunds);
    const page = await stripe.refunds.list({ limit: 5, starting_after: ids[4] });
    expect([idsOf(page), page.has_more]).toEqual([ids.slice(5, 10), true]);
    const back = await stripe.refunds.list({ limit: 5, ending_before: ids[5] });
    expect([idsOf(back), back.has_more]).toEqual([ids.slice(0, 5), false]);
    const seen: string[] = [];
    for await (const refund of stripe.refunds.list({ limit: 5 })) seen.push(refund.id);
    expect(seen).toEqual(ids);
  });

  it("filters by created and expands data.charge and data.payment_intent", async () => {
    await control.setCreatedOffset(-DAY);
    const old = await paidSession("bk_old");
    const yesterday = await stripe.refunds.create({ payment_intent: old.paymentIntent });
    await control.setCreatedOffset(0);
    const recent = await paidSession("bk_new");
    const today = await stripe.refunds.create({ payment_intent: recent.paymentIntent });

    const midnightish = nowSeconds() - DAY / 2;
    expect(idsOf(await stripe.refunds.list({ created: { lt: midnightish } }))).toEqual([
      yesterday.id,
    ]);
    expect(idsOf(await stripe.refunds.list({ created: { gte: midnightish } }))).toEqual([today.id]);

    const expanded = await stripe.refunds.list({
      expand: ["data.charge", "data.payment_intent"],
    });
    const charge = expanded.data[0]!.charge as Stripe.Charge;
    expect(charge).toMatchObject({ id: recent.charge, object: "charge", refunded: true });
    expectStripeShaped(charge, fixtures["charge"]);
    const paymentIntent = expanded.data[0]!.payment_intent as Stripe.PaymentIntent;
    expect(paymentIntent).toMatchObject({ id: recent.paymentIntent, object: "payment_intent" });
    expectStripeShaped(paymentIntent, fixtures["payment_intent"]);
  });
});

describe("list validation, as Stripe validates", () => {
  type Expected = { param: string; message: string | RegExp; code?: string };
  const sessions = (params: Record<string, unknown>) => () =>
    stripe.checkout.sessions.list(params as Stripe.Checkout.SessionListParams);
  const refunds = (params: Record<string, unknown>) => () =>
    stripe.refunds.list(params as Stripe.RefundListParams);
  const cases: [string, () => Promise<unknown>, Expected][] = [
    ["limit 0", sessions({ limit: 0 }), { param: "limit", message: /greater than or equal to 1/ }],
    [
      "limit 101",
      sessions({ limit: 101 }),
      { param: "limit", message: /less than or equal to 100/ },
    ],
    [
      "a limit that is not a number",
      refunds({ limit: "ten" }),
      { param: "limit", message: "Invalid integer: ten", code: "parameter_invalid_integer" },
    ],
    [
      "an unknown starting_after",
      sessions({ starting_after: "cs_test_gone" }),
      {
        param: "starting_after",
        message: "No such checkout.session: 'cs_test_gone'",
        code: "resource_missing",
      },
    ],
    [
      "an unknown ending_before",
      refunds({ ending_before: "re_gone" }),
      { param: "ending_before", message: "No such refund: 're_gone'", code: "resource_missing" },
    ],
    [
      "both cursors",
      sessions({ starting_after: "cs_test_a", ending_before: "cs_test_b" }),
      { param: "ending_before", message: /only specify one of these parameters/ },
    ],
    [
      "created that is not a timestamp",
      sessions({ created: "yesterday" }),
      { param: "created", message: "Invalid integer: yesterday" },
    ],
    [
      "a created bound that is not a timestamp",
      refunds({ created: { gte: "2027-01-01" } }),
      { param: "created[gte]", message: "Invalid integer: 2027-01-01" },
    ],
    [
      "an unknown created bound",
      sessions({ created: { after: 1 } }),
      { param: "created[after]", message: /unknown parameter/, code: "parameter_unknown" },
    ],
    [
      "an unknown status",
      sessions({ status: "paid" }),
      { param: "status", message: "Invalid status: must be one of complete, expired, or open" },
    ],
    [
      "an unknown parameter",
      refunds({ booking: "bk_1" }),
      { param: "booking", message: "Received unknown parameter: booking" },
    ],
    [
      "a filter Stripe has but the emulator does not",
      sessions({ customer: "cus_1" }),
      { param: "customer", message: /emulator does not support the customer filter/ },
    ],
    [
      "expand without data.",
      sessions({ expand: ["payment_intent"] }),
      { param: "expand", message: /try expanding 'data.payment_intent'/ },
    ],
    [
      "an expansion the emulator cannot make",
      refunds({ expand: ["data.balance_transaction"] }),
      { param: "expand", message: "This property cannot be expanded (data.balance_transaction)." },
    ],
  ];

  it.each(cases)("rejects %s with a 400", async (_label, call, expected) => {
    await createSessions(1); // something to list, so a refusal is not an empty answer
    const error = await failure(call);
    expect(error.type).toBe("StripeInvalidRequestError");
    expect(error.statusCode).toBe(400);
    expect(error.param).toBe(expected.param);
    if (typeof expected.message === "string") expect(error.message).toBe(expected.message);
    else expect(error.message).toMatch(expected.message);
    if (expected.code) expect(error.code).toBe(expected.code);
  });
});

describe("the created clock (POST /_emulator/clock)", () => {
  it("stamps new objects as created earlier, until moved back or reset", async () => {
    await control.setCreatedOffset(-3 * DAY);
    const { session, paymentIntent } = await paidSession("bk_three_days_ago");
    const refund = await stripe.refunds.create({ payment_intent: paymentIntent });
    const threeDaysAgo = nowSeconds() - 3 * DAY;
    const expanded = await stripe.checkout.sessions.retrieve(session.id, {
      expand: ["payment_intent"],
    });
    const stamps = [
      session.created,
      (expanded.payment_intent as Stripe.PaymentIntent).created,
      (await stripe.charges.retrieve(refund.charge as string)).created,
      refund.created,
    ];
    for (const stamp of stamps) {
      expect(stamp).toBeGreaterThanOrEqual(threeDaysAgo - 5);
      expect(stamp).toBeLessThanOrEqual(threeDaysAgo);
    }
    // The events of those changes carry the same, earlier, time.
    const [completed] = await control.events("checkout.session.completed");
    expect(completed!.created).toBeLessThanOrEqual(threeDaysAgo);
    // Expiry stays on the real clock: the session was accepted with the default 24 hours.
    expect(session.expires_at).toBeGreaterThan(nowSeconds() + DAY - 60);

    await control.setCreatedOffset(0);
    expect((await createSession("bk_now")).created).toBeGreaterThanOrEqual(nowSeconds() - 5);
    await control.setCreatedOffset(-DAY);
    await control.reset();
    expect((await createSession("bk_after_reset")).created).toBeGreaterThanOrEqual(
      nowSeconds() - 5,
    );
  });

  it("refuses an offset that is not a whole number of seconds", async () => {
    await expect(control.setCreatedOffset(1.5)).rejects.toThrow(/400.*created_offset_seconds/);
  });
});

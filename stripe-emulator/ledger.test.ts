import { afterEach, describe, expect, it, vi } from "vitest";
import { decodeForm } from "./form";
import { Ledger } from "./ledger";
import type { StripeEvent } from "./objects";

afterEach(() => vi.useRealTimers());

function ledgerWithEvents() {
  const published: StripeEvent[] = [];
  const ledger = new Ledger({
    checkoutBaseUrl: () => "http://emulator.test",
    publish: (event) => published.push(event),
    asyncPaymentDelayMs: 1000,
    apiVersion: "2026-10-28.endive",
  });
  return { ledger, published };
}

const sessionForm = (expiresAt: number) =>
  decodeForm(
    new URLSearchParams({
      mode: "payment",
      "line_items[0][quantity]": "1",
      "line_items[0][price_data][currency]": "gbp",
      "line_items[0][price_data][unit_amount]": "4500",
      "line_items[0][price_data][product_data][name]": "Coaching session",
      success_url: "http://localhost/return?session_id={CHECKOUT_SESSION_ID}",
      expires_at: String(expiresAt),
    }),
  );

describe("automatic expiry", () => {
  it("expires an open session by itself at expires_at, with its event", () => {
    vi.useFakeTimers({ now: new Date("2027-03-14T12:00:00Z") });
    const { ledger, published } = ledgerWithEvents();
    const expiresAt = Math.floor(Date.now() / 1000) + 31 * 60;
    const session = ledger.createCheckoutSession(sessionForm(expiresAt));

    vi.advanceTimersByTime(30 * 60 * 1000);
    expect(ledger.findSession(session.id)!.session.status).toBe("open");
    vi.advanceTimersByTime(61 * 1000);
    expect(ledger.findSession(session.id)!.session).toMatchObject({ status: "expired", url: null });
    expect(published.map((event) => event.type)).toEqual(["checkout.session.expired"]);
  });

  it("never expires a session that was paid first", () => {
    vi.useFakeTimers({ now: new Date("2027-03-14T12:00:00Z") });
    const { ledger, published } = ledgerWithEvents();
    const session = ledger.createCheckoutSession(
      sessionForm(Math.floor(Date.now() / 1000) + 31 * 60),
    );
    ledger.completeCheckoutSession(session.id, "paid", "ada@example.com");
    vi.advanceTimersByTime(24 * 60 * 60 * 1000);
    expect(published.map((event) => event.type)).toEqual(["checkout.session.completed"]);
  });
});

describe("lists", () => {
  it("order objects created in the same second by creation, so pages never skip or repeat", () => {
    vi.useFakeTimers({ now: new Date("2027-03-14T12:00:00Z") });
    const { ledger } = ledgerWithEvents();
    const expiresAt = Math.floor(Date.now() / 1000) + 31 * 60;
    const created = Array.from(
      { length: 7 },
      () => ledger.createCheckoutSession(sessionForm(expiresAt)).id,
    );
    const seen: string[] = [];
    let cursor: string | undefined;
    for (;;) {
      const page = ledger.listCheckoutSessions(
        decodeForm(new URLSearchParams({ limit: "2", ...(cursor && { starting_after: cursor }) })),
      );
      seen.push(...page.data.map((session) => session.id as string));
      if (!page.has_more) break;
      cursor = seen.at(-1);
    }
    expect(seen).toEqual([...created].reverse());
  });
});

describe("decodeForm", () => {
  it("reads Stripe's bracketed encoding into objects and arrays", () => {
    expect(
      decodeForm(
        "line_items[0][price_data][unit_amount]=4500&line_items[0][quantity]=1&line_items[1][quantity]=2&metadata[booking_id]=bk_1&expand[]=payment_intent&expand[]=line_items&mode=payment",
      ),
    ).toEqual({
      line_items: [{ price_data: { unit_amount: "4500" }, quantity: "1" }, { quantity: "2" }],
      metadata: { booking_id: "bk_1" },
      expand: ["payment_intent", "line_items"],
      mode: "payment",
    });
  });

  it("ignores keys that would reach an object's prototype", () => {
    const decoded = decodeForm("__proto__[polluted]=yes&metadata[constructor]=x&ok=1");
    expect(decoded).toEqual({ ok: "1" });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

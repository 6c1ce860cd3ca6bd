/**
 * The emulator's state and everything that changes it: Checkout Sessions, PaymentIntents, charges,
 * refunds, and the events each change emits. HTTP lives elsewhere; this is plain TypeScript.
 */
import { invalidRequest, missingParam, noSuch, StripeApiError } from "./errors";
import type { FormObject, FormValue } from "./form";
import { newId } from "./ids";
import { paginate, parseListQuery, type Sequenced, type StripeList } from "./lists";
import {
  nowSeconds,
  snapshot,
  type Charge,
  type CheckoutSession,
  type LineItem,
  type LineItemWithProduct,
  type Metadata,
  type PaymentIntent,
  type Product,
  type Refund,
  type StripeEvent,
} from "./objects";
import { KEEP_EVENTS, pushBounded } from "./bounded";

export type CompletionOutcome = "paid" | "delayed_success" | "delayed_failure";

const MIN_EXPIRY_SECONDS = 30 * 60;
const MAX_EXPIRY_SECONDS = 24 * 60 * 60;
// Clocks differ and requests take time: a session asked to expire "in 30 minutes" is accepted if
// it is a little under, as Stripe does in practice.
const EXPIRY_LEEWAY_SECONDS = 120;
const DEFAULT_EXPIRY_SECONDS = 24 * 60 * 60;

type SessionRecord = {
  session: CheckoutSession;
  /** Creation order, which lists use to order objects created in the same second. */
  seq: number;
  lineItems: LineItem[];
  /** The products the line items' `product_data` made (a line item names its product's id). */
  products: Product[];
  paymentIntentMetadata: Metadata;
  apiVersion: string;
  expiryTimer?: NodeJS.Timeout;
  settleTimer?: NodeJS.Timeout;
};

export type LedgerOptions = {
  /** Base URL of the hosted checkout page (`{base}/c/pay/{id}`). */
  checkoutBaseUrl: () => string;
  /** Called for every event, in the order the changes happened. */
  publish: (event: StripeEvent) => void;
  /** How long a delayed payment method takes to succeed or fail. */
  asyncPaymentDelayMs: number;
  apiVersion: string;
};

export class Ledger {
  private sessions = new Map<string, SessionRecord>();
  private paymentIntents = new Map<string, PaymentIntent>();
  private charges = new Map<string, Charge>();
  private refunds = new Map<string, Sequenced<Refund>>();
  readonly events: StripeEvent[] = [];
  private sequence = 0;
  private createdOffsetSeconds = 0;

  constructor(private options: LedgerOptions) {}

  setAsyncPaymentDelay(ms: number) {
    this.options.asyncPaymentDelayMs = ms;
  }

  /**
   * Objects created from now on say they were created `seconds` away from now (negative: in the
   * past), so a test can make the sessions and refunds of earlier days. Only `created` stamps move:
   * expiry, settling and webhook signatures keep the real clock, since Kairos computes
   * `expires_at` from its own.
   */
  setCreatedOffset(seconds: number) {
    this.createdOffsetSeconds = seconds;
  }

  reset() {
    for (const record of this.sessions.values()) {
      clearTimeout(record.expiryTimer);
      clearTimeout(record.settleTimer);
    }
    this.sessions.clear();
    this.paymentIntents.clear();
    this.charges.clear();
    this.refunds.clear();
    this.events.length = 0;
    this.createdOffsetSeconds = 0;
  }

  // ---- Checkout Sessions ----------------------------------------------------------------------

  createCheckoutSession(params: FormObject, apiVersion = this.options.apiVersion): CheckoutSession {
    const mode = stringParam(params, "mode");
    if (!mode) throw missingParam("mode");
    if (mode !== "payment") {
      throw invalidRequest(
        `Invalid mode: the emulator supports only mode=payment (got ${mode}).`,
        "mode",
      );
    }
    const successUrl = stringParam(params, "success_url");
    if (!successUrl) throw missingParam("success_url");
    checkUrl(successUrl, "success_url");
    const cancelUrl = stringParam(params, "cancel_url") ?? null;
    if (cancelUrl) checkUrl(cancelUrl, "cancel_url");

    const { lineItems, products } = parseLineItems(params.line_items, this.now());
    const currency = lineItems[0]!.currency;
    const amountTotal = lineItems.reduce((sum, item) => sum + item.amount_total, 0);
    const metadata = parseMetadata(params.metadata, "metadata");
    const paymentIntentData = objectParam(params, "payment_intent_data");
    const paymentIntentMetadata = parseMetadata(
      paymentIntentData?.metadata,
      "payment_intent_data[metadata]",
    );
    const customerEmail = stringParam(params, "customer_email") ?? null;
    if (customerEmail !== null && !/^[^\s@]+@[^\s@]+$/.test(customerEmail)) {
      throw invalidRequest(
        "Invalid email address: " + customerEmail,
        "customer_email",
        "email_invalid",
      );
    }
    const clientReferenceId = stringParam(params, "client_reference_id") ?? null;
    if (clientReferenceId !== null && clientReferenceId.length > 200) {
      throw invalidRequest(
        "client_reference_id must be at most 200 characters.",
        "client_reference_id",
      );
    }

    // On the real clock, not `created`: Kairos computes expires_at from its own clock, which the
    // created offset (setCreatedOffset) does not move.
    const expiresAt = parseExpiresAt(params.expires_at, nowSeconds());
    const id = newId("cs_test");
    const session: CheckoutSession = {
      id,
      object: "checkout.session",
      amount_subtotal: amountTotal,
      amount_total: amountTotal,
      cancel_url: cancelUrl,
      client_reference_id: clientReferenceId,
      created: this.now(),
      currency,
      customer: null,
      customer_details: null,
      customer_email: customerEmail,
      expires_at: expiresAt,
      livemode: false,
      metadata,
      mode: "payment",
      payment_intent: null,
      payment_method_types: ["card"],
      payment_status: "unpaid",
      status: "open",
      success_url: successUrl,
      url: `${this.options.checkoutBaseUrl()}/c/pay/${id}`,
    };
    const record: SessionRecord = {
      session,
      seq: this.nextSeq(),
      lineItems,
      products,
      paymentIntentMetadata,
      apiVersion,
    };
    this.sessions.set(id, record);
    this.scheduleExpiry(record);
    return snapshot(session);
  }

  /** The session as the API returns it, with `expand` applied. */
  retrieveCheckoutSession(id: string, expand: string[] = []): Record<string, unknown> {
    const record = this.sessionRecord(id);
    const out: Record<string, unknown> = snapshot(record.session);
    if (expand.includes("payment_intent") && record.session.payment_intent) {
      out.payment_intent = snapshot(this.paymentIntents.get(record.session.payment_intent));
    }
    if (expand.includes("line_items")) out.line_items = this.lineItemsList(record);
    return out;
  }

  /** `GET /v1/checkout/sessions`: Stripe's list, with `expand` on each session as retrieve has it. */
  listCheckoutSessions(params: FormObject): StripeList<Record<string, unknown>> {
    const query = parseListQuery(params, {
      filters: ["payment_intent", "status"],
      notEmulated: [
        "customer",
        "customer_account",
        "customer_details",
        "payment_link",
        "subscription",
      ],
      expandable: ["payment_intent", "line_items"],
    });
    const paymentIntent = stringParam(params, "payment_intent") || undefined;
    const status = enumParam(params, "status", ["complete", "expired", "open"]);
    const all = [...this.sessions.values()].map(({ session, seq }) => ({ item: session, seq }));
    const list = paginate(all, query, {
      url: "/v1/checkout/sessions",
      kind: "checkout.session",
      matches: (session) =>
        (!paymentIntent || session.payment_intent === paymentIntent) &&
        (!status || session.status === status),
    });
    return {
      ...list,
      data: list.data.map((session) => this.retrieveCheckoutSession(session.id, query.expand)),
    };
  }

  listLineItems(id: string) {
    return this.lineItemsList(this.sessionRecord(id));
  }

  /** Every session, oldest first (for tests and the control endpoints). */
  listSessions(): CheckoutSession[] {
    return [...this.sessions.values()].map((record) => snapshot(record.session));
  }

  /**
   * The hosted page's view of a session, or undefined when there is none: its line items with
   * their products, since Checkout shows each product's name and description.
   */
  findSession(
    id: string,
  ): { session: CheckoutSession; lineItems: LineItemWithProduct[] } | undefined {
    const record = this.sessions.get(id);
    if (!record) return undefined;
    const lineItems = record.lineItems.map((item) => ({
      ...item,
      price: {
        ...item.price,
        product: record.products.find((product) => product.id === item.price.product)!,
      },
    }));
    return { session: snapshot(record.session), lineItems: snapshot(lineItems) };
  }

  expireCheckoutSession(id: string): CheckoutSession {
    const record = this.sessionRecord(id);
    if (record.session.status !== "open") {
      throw invalidRequest(
        `Only Checkout Sessions with a status in ["open"] can be expired. This Checkout Session has a status of ${record.session.status}.`,
        undefined,
        "checkout_session_not_open",
      );
    }
    this.expire(record);
    return snapshot(record.session);
  }

  /**
   * The payer finished on the hosted page (or a test said they did). `paid` succeeds at once; the
   * delayed outcomes complete the session unpaid and settle after `asyncPaymentDelayMs`.
   */
  completeCheckoutSession(id: string, outcome: CompletionOutcome, email?: string): CheckoutSession {
    const record = this.sessionRecord(id);
    const { session } = record;
    if (session.status !== "open") {
      throw invalidRequest(
        `This Checkout Session is ${session.status} and can no longer be paid.`,
        undefined,
        "checkout_session_not_open",
      );
    }
    const payerEmail = session.customer_email ?? email ?? null;
    if (!payerEmail) throw missingParam("email");

    const paymentIntent: PaymentIntent = {
      id: newId("pi"),
      object: "payment_intent",
      amount: session.amount_total,
      amount_received: 0,
      capture_method: "automatic",
      created: this.now(),
      currency: session.currency,
      customer: null,
      description: null,
      last_payment_error: null,
      latest_charge: null,
      livemode: false,
      metadata: record.paymentIntentMetadata,
      payment_method_types: ["card"],
      receipt_email: payerEmail,
      status: "processing",
    };
    this.paymentIntents.set(paymentIntent.id, paymentIntent);
    clearTimeout(record.expiryTimer);
    session.status = "complete";
    session.url = null;
    session.payment_intent = paymentIntent.id;
    session.customer_details = {
      address: null,
      email: payerEmail,
      name: null,
      phone: null,
      tax_exempt: "none",
      tax_ids: [],
    };
    if (outcome === "paid") this.succeed(record, paymentIntent);
    this.emit("checkout.session.completed", session, record.apiVersion);

    if (outcome !== "paid") {
      record.settleTimer = setTimeout(() => {
        if (outcome === "delayed_success") {
          this.succeed(record, paymentIntent);
          this.emit("checkout.session.async_payment_succeeded", session, record.apiVersion);
        } else {
          paymentIntent.status = "requires_payment_method";
          paymentIntent.last_payment_error = {
            type: "card_error",
            code: "payment_method_provider_decline",
            message: "The payment was declined by the payment method provider.",
          };
          this.emit("checkout.session.async_payment_failed", session, record.apiVersion);
        }
      }, this.options.asyncPaymentDelayMs);
      record.settleTimer.unref();
    }
    return snapshot(session);
  }

  // ---- Refunds -------------------------------------------------------------------------------

  createRefund(params: FormObject): Refund {
    const paymentIntentId = stringParam(params, "payment_intent");
    const chargeId = stringParam(params, "charge");
    if (!paymentIntentId && !chargeId) throw missingParam("payment_intent");
    const charge = chargeId
      ? this.charges.get(chargeId)
      : this.chargeOfPaymentIntent(paymentIntentId!);
    if (!charge) {
      if (chargeId) throw noSuch("charge", chargeId, "charge", 400);
      if (!this.paymentIntents.has(paymentIntentId!))
        throw noSuch("payment_intent", paymentIntentId!, "payment_intent", 400);
      throw invalidRequest(
        `This PaymentIntent (${paymentIntentId}) does not have a successful charge to refund.`,
        "payment_intent",
      );
    }
    const remaining = charge.amount - charge.amount_refunded;
    if (remaining === 0) {
      throw invalidRequest(
        `Charge ${charge.id} has already been refunded.`,
        undefined,
        "charge_already_refunded",
      );
    }
    const amountParam = stringParam(params, "amount");
    const amount =
      amountParam === undefined ? remaining : parsePositiveInteger(amountParam, "amount");
    if (amount > remaining) {
      throw invalidRequest(
        `Refund amount (${amount}) is greater than unrefunded amount on charge (${remaining})`,
        "amount",
        "amount_too_large",
      );
    }
    const refund: Refund = {
      id: newId("re"),
      object: "refund",
      amount,
      charge: charge.id,
      created: this.now(),
      currency: charge.currency,
      metadata: parseMetadata(params.metadata, "metadata"),
      payment_intent: charge.payment_intent,
      reason: stringParam(params, "reason") ?? null,
      status: "succeeded",
    };
    this.refunds.set(refund.id, { item: refund, seq: this.nextSeq() });
    charge.amount_refunded += amount;
    charge.refunded = charge.amount_refunded === charge.amount;
    this.emit("charge.refunded", charge, this.options.apiVersion);
    return snapshot(refund);
  }

  retrieveCharge(id: string): Charge {
    const charge = this.charges.get(id);
    if (!charge) throw noSuch("charge", id, "id");
    return snapshot(charge);
  }

  retrieveRefund(id: string): Refund {
    const refund = this.refunds.get(id)?.item;
    if (!refund) throw noSuch("refund", id, "id");
    return snapshot(refund);
  }

  /** `GET /v1/refunds`: Stripe's list, filtered by charge or PaymentIntent. */
  listRefunds(params: FormObject): StripeList<Record<string, unknown>> {
    const query = parseListQuery(params, {
      filters: ["charge", "payment_intent"],
      notEmulated: [],
      expandable: ["charge", "payment_intent"],
    });
    const charge = stringParam(params, "charge") || undefined;
    const paymentIntent = stringParam(params, "payment_intent") || undefined;
    const list = paginate([...this.refunds.values()], query, {
      url: "/v1/refunds",
      kind: "refund",
      matches: (refund) =>
        (!charge || refund.charge === charge) &&
        (!paymentIntent || refund.payment_intent === paymentIntent),
    });
    return { ...list, data: list.data.map((refund) => this.expandRefund(refund, query.expand)) };
  }

  // ---- internals -----------------------------------------------------------------------------

  /** The `created` time of an object made now: the real clock, moved by `setCreatedOffset`. */
  private now() {
    return nowSeconds() + this.createdOffsetSeconds;
  }

  private nextSeq() {
    return ++this.sequence;
  }

  private expandRefund(refund: Refund, expand: string[]): Record<string, unknown> {
    const out: Record<string, unknown> = snapshot(refund);
    if (expand.includes("charge")) out.charge = snapshot(this.charges.get(refund.charge));
    if (expand.includes("payment_intent"))
      out.payment_intent = snapshot(this.paymentIntents.get(refund.payment_intent));
    return out;
  }

  private sessionRecord(id: string): SessionRecord {
    const record = this.sessions.get(id);
    if (!record) throw noSuch("checkout.session", id, "session");
    return record;
  }

  private lineItemsList(record: SessionRecord) {
    return {
      object: "list",
      data: snapshot(record.lineItems),
      has_more: false,
      url: `/v1/checkout/sessions/${record.session.id}/line_items`,
    };
  }

  private chargeOfPaymentIntent(paymentIntentId: string): Charge | undefined {
    const latest = this.paymentIntents.get(paymentIntentId)?.latest_charge;
    return latest ? this.charges.get(latest) : undefined;
  }

  private succeed(record: SessionRecord, paymentIntent: PaymentIntent) {
    const charge: Charge = {
      id: newId("ch"),
      object: "charge",
      amount: paymentIntent.amount,
      amount_captured: paymentIntent.amount,
      amount_refunded: 0,
      billing_details: { email: record.session.customer_details?.email ?? null, name: null },
      captured: true,
      created: this.now(),
      currency: paymentIntent.currency,
      livemode: false,
      metadata: paymentIntent.metadata,
      paid: true,
      payment_intent: paymentIntent.id,
      refunded: false,
      status: "succeeded",
    };
    this.charges.set(charge.id, charge);
    paymentIntent.status = "succeeded";
    paymentIntent.amount_received = paymentIntent.amount;
    paymentIntent.latest_charge = charge.id;
    record.session.payment_status = "paid";
  }

  private scheduleExpiry(record: SessionRecord) {
    const delay = record.session.expires_at * 1000 - Date.now();
    record.expiryTimer = setTimeout(
      () => {
        if (record.session.status === "open") this.expire(record);
      },
      Math.max(0, delay),
    );
    record.expiryTimer.unref();
  }

  private expire(record: SessionRecord) {
    clearTimeout(record.expiryTimer);
    record.session.status = "expired";
    record.session.url = null;
    this.emit("checkout.session.expired", record.session, record.apiVersion);
  }

  private emit(type: string, object: StripeEvent["data"]["object"], apiVersion: string) {
    const event: StripeEvent = {
      id: newId("evt"),
      object: "event",
      api_version: apiVersion,
      created: this.now(),
      data: { object: snapshot(object) },
      livemode: false,
      pending_webhooks: 1,
      request: { id: null, idempotency_key: null },
      type,
    };
    pushBounded(this.events, event, KEEP_EVENTS);
    this.options.publish(event);
  }
}

// ---- parameter parsing, with Stripe's messages ---------------------------------------------------

function stringParam(params: FormObject, name: string): string | undefined {
  const value = params[name];
  if (value === undefined) return undefined;
  if (typeof value !== "string") throw invalidRequest(`Invalid ${name}: must be a string`, name);
  return value;
}

/** Stripe's enum message: "Invalid status: must be one of complete, expired, or open". */
function enumParam<T extends string>(
  params: FormObject,
  name: string,
  values: readonly T[],
): T | undefined {
  const value = stringParam(params, name);
  if (value === undefined || value === "") return undefined;
  if (!(values as readonly string[]).includes(value)) {
    const choices = `${values.slice(0, -1).join(", ")}, or ${values.at(-1)}`;
    throw invalidRequest(`Invalid ${name}: must be one of ${choices}`, name);
  }
  return value as T;
}

function objectParam(params: FormObject, name: string): FormObject | undefined {
  const value = params[name];
  if (value === undefined || value === "") return undefined;
  if (typeof value !== "object" || Array.isArray(value)) {
    throw invalidRequest(`Invalid ${name}: must be an object`, name);
  }
  return value;
}

function checkUrl(value: string, param: string) {
  try {
    const url = new URL(value.replaceAll("{CHECKOUT_SESSION_ID}", "x"));
    if (url.protocol !== "http:" && url.protocol !== "https:") throw new Error();
  } catch {
    throw invalidRequest(`Not a valid URL`, param, "url_invalid");
  }
}

function parsePositiveInteger(value: string, param: string, { allowZero = false } = {}): number {
  if (!/^\d+$/.test(value) || (!allowZero && Number(value) === 0)) {
    throw invalidRequest(`Invalid integer: ${value}`, param);
  }
  return Number(value);
}

function parseLineItems(
  value: FormValue | undefined,
  created: number,
): { lineItems: LineItem[]; products: Product[] } {
  if (value === undefined) throw missingParam("line_items");
  if (!Array.isArray(value) || value.length === 0) {
    throw invalidRequest("Invalid array", "line_items");
  }
  const products: Product[] = [];
  const items = value.map((raw, i): LineItem => {
    const param = `line_items[${i}]`;
    if (typeof raw !== "object" || Array.isArray(raw))
      throw invalidRequest("Invalid object", param);
    if (raw.price !== undefined) {
      throw invalidRequest(
        "The emulator supports price_data only, not stored prices.",
        `${param}[price]`,
      );
    }
    const priceData = raw.price_data;
    if (priceData === undefined) throw missingParam(`${param}[price_data]`);
    if (typeof priceData !== "object" || Array.isArray(priceData))
      throw invalidRequest("Invalid object", `${param}[price_data]`);
    const currency = priceData.currency;
    if (currency === undefined) throw missingParam(`${param}[price_data][currency]`);
    if (typeof currency !== "string" || !/^[a-z]{3}$/.test(currency)) {
      throw invalidRequest(
        `Invalid currency: ${String(currency)}. Stripe currencies are three-letter ISO codes in lowercase.`,
        `${param}[price_data][currency]`,
      );
    }
    const unitAmountRaw = priceData.unit_amount;
    if (unitAmountRaw === undefined) throw missingParam(`${param}[price_data][unit_amount]`);
    if (typeof unitAmountRaw !== "string")
      throw invalidRequest("Invalid integer", `${param}[price_data][unit_amount]`);
    const unitAmount = parsePositiveInteger(unitAmountRaw, `${param}[price_data][unit_amount]`, {
      allowZero: true,
    });
    const productData =
      typeof priceData.product_data === "object" && !Array.isArray(priceData.product_data)
        ? priceData.product_data
        : {};
    const name = productData.name;
    if (name === undefined || name === "")
      throw missingParam(`${param}[price_data][product_data][name]`);
    if (typeof name !== "string")
      throw invalidRequest("Invalid string", `${param}[price_data][product_data][name]`);
    const description = parseDescription(
      productData.description,
      `${param}[price_data][product_data][description]`,
    );
    const quantityRaw = raw.quantity;
    if (quantityRaw === undefined) throw missingParam(`${param}[quantity]`);
    if (typeof quantityRaw !== "string")
      throw invalidRequest("Invalid integer", `${param}[quantity]`);
    const quantity = parsePositiveInteger(quantityRaw, `${param}[quantity]`);
    const total = unitAmount * quantity;
    const product: Product = {
      id: newId("prod"),
      object: "product",
      active: true,
      created,
      description,
      images: [],
      livemode: false,
      metadata: {},
      name,
      updated: created,
    };
    products.push(product);
    return {
      id: newId("li"),
      object: "item",
      amount_discount: 0,
      amount_subtotal: total,
      amount_tax: 0,
      amount_total: total,
      currency,
      description: name,
      price: {
        id: newId("price"),
        object: "price",
        currency,
        unit_amount: unitAmount,
        product: product.id,
        type: "one_time",
        livemode: false,
      },
      quantity,
    };
  });
  if (new Set(items.map((item) => item.currency)).size > 1) {
    throw invalidRequest("All line items must use the same currency.", "line_items");
  }
  return { lineItems: items, products };
}

/** A product's optional description. Stripe reads an empty string as an attempt to unset it. */
function parseDescription(value: FormValue | undefined, param: string): string | null {
  if (value === undefined) return null;
  if (typeof value !== "string") throw invalidRequest("Invalid string", param);
  if (value === "") {
    throw invalidRequest(
      `You passed an empty string for '${param}'. We assume empty values are an attempt to unset a parameter; however '${param}' cannot be unset. You should remove '${param}' from your request or supply a non-empty value.`,
      param,
    );
  }
  return value;
}

/** Stripe's metadata limits: 50 keys, keys up to 40 characters, values up to 500. */
function parseMetadata(value: FormValue | undefined, param: string): Metadata {
  if (value === undefined || value === "") return {};
  if (typeof value !== "object" || Array.isArray(value))
    throw invalidRequest("Invalid object", param);
  const entries = Object.entries(value);
  if (entries.length > 50) {
    throw invalidRequest("Invalid metadata: metadata can have up to 50 keys.", param);
  }
  const metadata: Metadata = {};
  for (const [key, entry] of entries) {
    if (key.length > 40) {
      throw invalidRequest(
        `Invalid metadata: metadata keys must be at most 40 characters long (got "${key}").`,
        `${param}[${key}]`,
      );
    }
    if (typeof entry !== "string")
      throw invalidRequest("Invalid metadata value: must be a string", `${param}[${key}]`);
    if (entry.length > 500) {
      throw invalidRequest(
        "Invalid metadata: metadata values must be at most 500 characters long.",
        `${param}[${key}]`,
      );
    }
    metadata[key] = entry;
  }
  return metadata;
}

function parseExpiresAt(value: FormValue | undefined, created: number): number {
  if (value === undefined) return created + DEFAULT_EXPIRY_SECONDS;
  if (typeof value !== "string" || !/^\d+$/.test(value)) {
    throw invalidRequest(
      "Invalid integer: expires_at must be a Unix timestamp in seconds.",
      "expires_at",
    );
  }
  const expiresAt = Number(value);
  const ahead = expiresAt - created;
  if (ahead < MIN_EXPIRY_SECONDS - EXPIRY_LEEWAY_SECONDS || ahead > MAX_EXPIRY_SECONDS) {
    throw invalidRequest(
      "The `expires_at` timestamp must be between 30 minutes and 24 hours from Checkout Session creation.",
      "expires_at",
    );
  }
  return expiresAt;
}

export { StripeApiError };

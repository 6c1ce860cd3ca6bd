/**
 * The Stripe objects the emulator hands out, shaped on Stripe's own example objects (a copy of
 * Stripe's OpenAPI fixtures is in fixtures/stripe-objects.json): every field Kairos reads, with
 * the same names, types and nesting, plus the common envelope fields (`object`, `livemode`,
 * `created`, `metadata`).
 */
export type Metadata = Record<string, string>;

export type LineItem = {
  id: string;
  object: "item";
  amount_discount: number;
  amount_subtotal: number;
  amount_tax: number;
  amount_total: number;
  currency: string;
  description: string;
  price: {
    id: string;
    object: "price";
    currency: string;
    unit_amount: number;
    product: string;
    type: "one_time";
    livemode: false;
  };
  quantity: number;
};

/**
 * The Product that a line item's `price_data.product_data` makes (one per line item, as Stripe
 * does). Its `description` is what Checkout shows under the item's name; the line item's own
 * `description` is the product's name.
 */
export type Product = {
  id: string;
  object: "product";
  active: true;
  created: number;
  description: string | null;
  images: string[];
  livemode: false;
  metadata: Metadata;
  name: string;
  updated: number;
};

/** A line item with its price's product expanded (`expand[]=line_items.data.price.product`). */
export type LineItemWithProduct = Omit<LineItem, "price"> & {
  price: Omit<LineItem["price"], "product"> & { product: Product };
};

export type CustomerDetails = {
  address: null;
  email: string | null;
  name: string | null;
  phone: null;
  tax_exempt: "none";
  tax_ids: [];
};

export type CheckoutSession = {
  id: string;
  object: "checkout.session";
  amount_subtotal: number;
  amount_total: number;
  cancel_url: string | null;
  client_reference_id: string | null;
  created: number;
  currency: string;
  customer: null;
  customer_details: CustomerDetails | null;
  customer_email: string | null;
  expires_at: number;
  livemode: false;
  metadata: Metadata;
  mode: "payment";
  payment_intent: string | null;
  payment_method_types: string[];
  payment_status: "paid" | "unpaid";
  status: "open" | "complete" | "expired";
  success_url: string;
  url: string | null;
};

export type PaymentIntent = {
  id: string;
  object: "payment_intent";
  amount: number;
  amount_received: number;
  capture_method: "automatic";
  created: number;
  currency: string;
  customer: null;
  description: null;
  last_payment_error: { type: "card_error"; code: string; message: string } | null;
  latest_charge: string | null;
  livemode: false;
  metadata: Metadata;
  payment_method_types: string[];
  receipt_email: string | null;
  status: "processing" | "succeeded" | "requires_payment_method";
};

export type Charge = {
  id: string;
  object: "charge";
  amount: number;
  amount_captured: number;
  amount_refunded: number;
  billing_details: { email: string | null; name: string | null };
  captured: boolean;
  created: number;
  currency: string;
  livemode: false;
  metadata: Metadata;
  paid: boolean;
  payment_intent: string;
  refunded: boolean;
  status: "succeeded";
};

export type Refund = {
  id: string;
  object: "refund";
  amount: number;
  charge: string;
  created: number;
  currency: string;
  metadata: Metadata;
  payment_intent: string;
  reason: string | null;
  status: "succeeded";
};

export type StripeEvent = {
  id: string;
  object: "event";
  api_version: string;
  created: number;
  data: { object: CheckoutSession | Charge | PaymentIntent | Refund };
  livemode: false;
  pending_webhooks: number;
  request: { id: string | null; idempotency_key: string | null };
  type: string;
};

export const nowSeconds = () => Math.floor(Date.now() / 1000);

/** A snapshot: events and responses must not change when the object later does. */
export const snapshot = <T>(value: T): T => structuredClone(value);

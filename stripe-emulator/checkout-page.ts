/**
 * The hosted checkout page at `session.url`: plain HTML and forms, no JavaScript, so a browser
 * with scripts off can pay. Every action is a POST answered with a 303 or a page.
 */
import type { CheckoutSession, LineItemWithProduct } from "./objects";

export type CheckoutAction = "pay" | "pay_delayed" | "decline" | "delayed_fails" | "cancel";
export const CHECKOUT_ACTIONS: readonly CheckoutAction[] = [
  "pay",
  "pay_delayed",
  "decline",
  "delayed_fails",
  "cancel",
];

const escapeHtml = (text: string) =>
  text.replace(
    /[&<>"']/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!,
  );

function money(amountMinor: number, currency: string) {
  const formatter = new Intl.NumberFormat("en-GB", {
    style: "currency",
    currency: currency.toUpperCase(),
  });
  const digits = formatter.resolvedOptions().maximumFractionDigits ?? 2;
  return formatter.format(amountMinor / 10 ** digits);
}

const STYLE = `
  body { font-family: system-ui, sans-serif; background: #f6f8fa; color: #1a1f36; margin: 0; line-height: 1.5; }
  main { max-width: 28rem; margin: 0 auto; padding: 1.5rem 1rem 3rem; }
  .badge { display: inline-block; background: #ffde92; color: #5f3a00; border-radius: 4px; padding: 0.125rem 0.5rem; font-size: 0.8125rem; font-weight: 600; }
  .card { background: #fff; border: 1px solid #e3e8ee; border-radius: 8px; padding: 1.25rem; margin: 1rem 0; }
  table { width: 100%; border-collapse: collapse; }
  td { padding: 0.25rem 0; vertical-align: top; } td:last-child { text-align: right; white-space: nowrap; padding-left: 1rem; }
  .item-description { display: block; color: #545969; font-size: 0.875rem; }
  .total td { border-top: 1px solid #e3e8ee; font-weight: 700; padding-top: 0.5rem; }
  label { display: block; font-weight: 600; margin-bottom: 0.25rem; }
  input { width: 100%; box-sizing: border-box; font: inherit; padding: 0.625rem; border: 1px solid #c1c9d2; border-radius: 6px; }
  button { display: block; width: 100%; min-height: 48px; margin-top: 0.75rem; font: inherit; font-weight: 600; border-radius: 6px; border: 1px solid #c1c9d2; background: #fff; cursor: pointer; }
  button.primary { background: #635bff; border-color: #635bff; color: #fff; }
  button:focus-visible, input:focus-visible, a:focus-visible { outline: 3px solid #1a63d6; outline-offset: 2px; }
  .error { background: #fff0f0; border: 1px solid #df1b41; color: #8c0d28; border-radius: 6px; padding: 0.75rem; }
  .small { color: #545969; font-size: 0.875rem; }
`;

function layout(title: string, body: string) {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head>
<body><main>${body}</main></body>
</html>`;
}

export function renderCheckoutPage(
  session: CheckoutSession,
  lineItems: LineItemWithProduct[],
  message?: { error: string },
): string {
  // As Checkout lays an item out: the product's name, its description below it when it has one.
  const rows = lineItems
    .map((item) => {
      const description = item.price.product.description;
      return `<tr><td>${escapeHtml(item.description)}${item.quantity > 1 ? ` × ${item.quantity}` : ""}${
        description ? `<span class="item-description">${escapeHtml(description)}</span>` : ""
      }</td><td>${money(item.amount_total, item.currency)}</td></tr>`;
    })
    .join("");
  const emailField = session.customer_email
    ? `<p class="small">Paying as <strong>${escapeHtml(session.customer_email)}</strong></p>`
    : `<label for="email">Email</label><input id="email" name="email" type="email" autocomplete="email" required>`;
  const error = message ? `<p class="error" role="alert">${escapeHtml(message.error)}</p>` : "";
  const button = (action: CheckoutAction, label: string, primary = false) =>
    `<button type="submit" name="action" value="${action}"${primary ? ' class="primary"' : ""}>${label}</button>`;
  return layout(
    `Pay ${money(session.amount_total, session.currency)}`,
    `<p><span class="badge">Test mode</span> Stripe emulator: no real money moves.</p>
<h1>Pay ${money(session.amount_total, session.currency)}</h1>
<div class="card">
  <table aria-label="Order summary"><tbody>${rows}
  <tr class="total"><td>Total</td><td>${money(session.amount_total, session.currency)}</td></tr></tbody></table>
</div>
${error}
<form method="post" class="card">
  ${emailField}
  <p class="small">Card: 4242 4242 4242 4242 (test card, nothing to type)</p>
  ${button("pay", `Pay ${money(session.amount_total, session.currency)}`, true)}
  ${button("pay_delayed", "Pay with a delayed method")}
  ${button("decline", "Decline")}
  ${button("delayed_fails", "Delayed method fails")}
  ${button("cancel", "Cancel")}
</form>`,
  );
}

export function renderClosedPage(session: CheckoutSession): string {
  const [title, text] =
    session.status === "complete"
      ? ["Payment complete", "This checkout session has been paid."]
      : ["This checkout session has expired", "Go back to the site to start again."];
  const link = session.status === "complete" ? successUrlFor(session) : session.cancel_url;
  return layout(
    title,
    `<p><span class="badge">Test mode</span></p><h1>${title}</h1><p>${text}</p>${
      link ? `<p><a href="${escapeHtml(link)}">Return to the site</a></p>` : ""
    }`,
  );
}

export function renderNotFoundPage(): string {
  return layout(
    "Not found",
    `<h1>Checkout session not found</h1><p>The link may be wrong or old.</p>`,
  );
}

/** Stripe substitutes the session id into `{CHECKOUT_SESSION_ID}` when it redirects. */
export function successUrlFor(session: CheckoutSession): string {
  return session.success_url.replaceAll("{CHECKOUT_SESSION_ID}", session.id);
}

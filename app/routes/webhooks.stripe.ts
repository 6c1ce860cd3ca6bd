import type { ActionFunctionArgs } from "@remix-run/node";
import { getEnv } from "~/lib/env.server";
import { handleStripeWebhook } from "~/payments/webhook.server";
import { getStripe, getStripeWebhookSecret } from "~/lib/stripe.server";
import { getDb } from "~db/database.server";

/** POST /webhooks/stripe: the raw body goes to signature verification untouched. */
export async function action({ request }: ActionFunctionArgs) {
  if (request.method !== "POST") return new Response("Method Not Allowed", { status: 405 });
  const reply = await handleStripeWebhook(getDb(), getStripe(), {
    payload: await request.text(),
    signature: request.headers.get("stripe-signature"),
    secret: getStripeWebhookSecret(),
    appUrl: getEnv().APP_URL,
  });
  return Response.json(reply.body, { status: reply.status });
}

export function loader() {
  return new Response("Stripe webhooks are POSTed here.", {
    status: 405,
    headers: { Allow: "POST" },
  });
}

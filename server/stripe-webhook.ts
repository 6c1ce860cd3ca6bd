/**
 * `POST /webhooks/stripe`, answered by Express in front of Remix: Stripe needs the raw body for the
 * signature, a fast answer, and JSON errors, none of which a page route adds anything to. The
 * domain (app/payments/webhook.server.ts) verifies, deduplicates and acts.
 */
import express, { type ErrorRequestHandler, type RequestHandler, type Router } from "express";
import { getEnv } from "~/lib/env.server";
import { getStripe, getStripeWebhookSecret } from "~/lib/stripe.server";
import { handleStripeWebhook } from "~/payments/webhook.server";
import { getDb } from "~db/database.server";

/** Stripe's events are at most a few hundred kilobytes. */
export const MAX_WEBHOOK_BYTES = 1024 * 1024;

const onlyJson: RequestHandler = (req, res, next) => {
  if (req.is("application/json")) return next();
  res.status(415).json({ error: "Stripe webhooks are sent as application/json." });
};

const handle: RequestHandler = (req, res, next) => {
  handleStripeWebhook(getDb(), getStripe(), {
    payload: req.body as Buffer,
    signature: req.get("stripe-signature") ?? null,
    secret: getStripeWebhookSecret(),
    appUrl: getEnv().APP_URL,
  }).then((reply) => res.status(reply.status).json(reply.body), next);
};

/** A body too large or unreadable, as JSON: Stripe shows it in the dashboard. */
const bodyErrors: ErrorRequestHandler = (error, _req, res, next) => {
  const status = (error as { status?: number }).status;
  if (status === 413) {
    res.setHeader("Connection", "close");
    return res
      .status(413)
      .json({ error: `The body is larger than ${MAX_WEBHOOK_BYTES / 1024 / 1024} MB.` });
  }
  if (status && status >= 400 && status < 500)
    return res.status(status).json({ error: "The body could not be read." });
  next(error);
};

export function stripeWebhookRoute(): Router {
  const router = express.Router();
  router.post(
    "/webhooks/stripe",
    onlyJson,
    express.raw({ type: () => true, limit: MAX_WEBHOOK_BYTES }),
    handle,
    bodyErrors,
  );
  router.all("/webhooks/stripe", (_req, res) => {
    res.setHeader("Allow", "POST");
    res.status(405).type("text/plain").send("Stripe webhooks are POSTed here.");
  });
  return router;
}

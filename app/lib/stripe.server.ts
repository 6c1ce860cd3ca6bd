/**
 * The one Stripe client factory. Real Stripe by default; the emulator (or any Stripe-compatible
 * server) when an API base is given, which the real SDK reaches through its host/port/protocol
 * options. Plain http is allowed only on loopback with a test key, so a live key can never travel
 * unencrypted.
 */
import Stripe from "stripe";
import { ConfigError } from "~/lib/env.server";

export type StripeConnection = {
  secretKey: string;
  webhookSecret: string;
  /** e.g. http://127.0.0.1:12111; unset means api.stripe.com. */
  apiBase?: string;
};

const LOOPBACK = /^(localhost|127(?:\.\d{1,3}){3}|\[?::1\]?)$/;

export function isTestKey(secretKey: string) {
  return /^(sk|rk)_test_/.test(secretKey);
}

export function createStripeClient({
  secretKey,
  apiBase,
}: Pick<StripeConnection, "secretKey" | "apiBase">): Stripe {
  const config: Stripe.StripeConfig = {
    maxNetworkRetries: 2,
    timeout: 10_000,
    appInfo: { name: "Kairos" },
  };
  if (apiBase) {
    const url = new URL(apiBase);
    const plainHttp = url.protocol === "http:";
    if (plainHttp && !(LOOPBACK.test(url.hostname) && isTestKey(secretKey))) {
      throw new ConfigError(
        `STRIPE_API_BASE may use plain http only on a loopback address with an sk_test_ key (got ${url.origin})`,
      );
    }
    config.host = url.hostname.replace(/^\[|\]$/g, "");
    config.port = url.port || (plainHttp ? 80 : 443);
    config.protocol = plainHttp ? "http" : "https";
  }
  return new Stripe(secretKey, config);
}

let connection: StripeConnection | undefined;
let client: Stripe | undefined;

/** Called once at start, after the emulator (in demo mode) is up. */
export function configureStripe(next: StripeConnection) {
  connection = next;
  client = createStripeClient(next);
}

export function getStripe(): Stripe {
  if (!client) throw new Error("Stripe is not configured yet (configureStripe runs at start)");
  return client;
}

export function getStripeWebhookSecret(): string {
  if (!connection) throw new Error("Stripe is not configured yet (configureStripe runs at start)");
  return connection.webhookSecret;
}

/**
 * `npm run stripe:emulator`: the emulator on its own, for poking at it or pointing a Kairos started
 * with STRIPE_API_BASE at it.
 */
import { generateWebhookSecret, startStripeEmulator } from "./index";

const port = Number(process.env.STRIPE_EMULATOR_PORT ?? 12111);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(
    `stripe emulator: STRIPE_EMULATOR_PORT must be a port number (got "${process.env.STRIPE_EMULATOR_PORT}")`,
  );
  process.exit(1);
}
const webhookSecret = process.env.STRIPE_WEBHOOK_SECRET || generateWebhookSecret();

const emulator = await startStripeEmulator({
  port,
  webhookUrl: process.env.STRIPE_WEBHOOK_URL || undefined,
  webhookSecret,
  log: (line) => console.log(line),
});
console.log(`Stripe emulator listening on ${emulator.url}`);
console.log(`  API:            ${emulator.url}/v1 (any sk_test_... key)`);
console.log(
  `  webhooks to:    ${process.env.STRIPE_WEBHOOK_URL || "(none: set STRIPE_WEBHOOK_URL)"}`,
);
console.log(`  signing secret: ${webhookSecret}`);
console.log(`  controls:       ${emulator.url}/_emulator/...`);

const stop = () => void emulator.stop().then(() => process.exit(0));
process.once("SIGINT", stop);
process.once("SIGTERM", stop);
